import { refTo } from '../ovirt/api-paths';
import { CreateInputOf, date, enumOf, int, long, ref, resource, str, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_EVENT_FIELDS } from '../ovirt-model/ovirt-fields';
import type { EventEntity } from './event.entity';

export const EVENTS = 'events';

const eventFields = {
  description: str({ maxLength: 4000 }),
  index: long({ readOnly: true, description: 'Increases with every event; poll with `from=<index>`.' }),
  code: int({ readOnly: true }),
  severity: enumOf(['normal', 'warning', 'error', 'alert'] as const),
  time: date({ readOnly: true }),
  origin: str({ maxLength: 128 }),
  custom_id: int({
    optional: true,
    requiredInCreate: true,
    min: 0,
    description:
      'Required when a client adds an event: unique per origin (a second event with the same origin and custom_id is a 409).',
  }),
  flood_rate: int({ optional: true, min: 0, max: 86400 }),
  custom_data: str({ optional: true, maxLength: 4000 }),
  correlation_id: str({ readOnly: true, optional: true }),
  user: ref('user', { readOnly: true, optional: true }),
  cluster: ref('cluster', { optional: true, byId: true }),
  host: ref('host', { optional: true, byId: true }),
  job: ref('job', { readOnly: true, optional: true }),
};
/** oVirt's event (types/Event.java): the audit trail, newest first. */
export const EventSchema = resource('event', EVENTS, eventFields, {
  ...fitOvirtModel(
    OVIRT_EVENT_FIELDS,
    Object.keys(eventFields),
    'An audit event. Codes follow oVirt where it has one (e.g. 4596 geo-replication started); ours start at 11000.',
  ),
});

export type EventView = ViewOf<typeof EventSchema>;
export type EventCreate = CreateInputOf<typeof EventSchema>;

export const SEVERITIES = ['normal', 'warning', 'error', 'alert'] as const;

export const EVENT_SEARCH: SearchSpec = {
  fields: {
    index: { column: 'e.id', type: 'number', range: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] },
    severity: { column: 'e.severity', values: SEVERITIES, ordered: true },
    code: { column: 'e.code', type: 'number' },
    time: { column: 'e.time', type: 'date' },
    description: { column: 'e.description' },
    origin: { column: 'e.origin' },
    custom_id: { column: 'e.custom_id', type: 'number' },
    correlation_id: { column: 'e.correlation_id' },
  },
  defaultSort: 'index',
  defaultDescending: true,
};

export function eventView(event: EventEntity): EventView {
  return {
    ...refTo(EVENTS, event.id),
    description: event.description,
    index: Number(event.id),
    code: event.code,
    severity: event.severity,
    time: event.time,
    origin: event.origin,
    custom_id: event.customId ?? undefined,
    flood_rate: event.floodRate,
    custom_data: event.customData ?? undefined,
    correlation_id: event.correlationId ?? undefined,
    user: event.userId ? refTo('users', event.userId) : undefined,
    cluster: event.clusterId ? refTo('clusters', event.clusterId) : undefined,
    host: event.hostId ? refTo('hosts', event.hostId) : undefined,
    job: event.jobId ? refTo('jobs', event.jobId) : undefined,
  };
}
