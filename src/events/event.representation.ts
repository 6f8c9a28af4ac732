import { refTo } from '../ovirt/api-paths';
import { date, enumOf, int, long, ref, resource, str, ViewOf } from '../ovirt/representation';
import type { EventEntity } from './event.entity';

export const EVENTS = 'events';

/** oVirt's event (types/Event.java): the audit trail, newest first. */
export const EventSchema = resource(
  'event',
  EVENTS,
  {
    description: str({ maxLength: 4000 }),
    index: long({ readOnly: true, description: 'Increases with every event; poll with `from=<index>`.' }),
    code: int({ readOnly: true }),
    severity: enumOf(['normal', 'warning', 'error', 'alert'] as const),
    time: date({ readOnly: true }),
    origin: str({ maxLength: 128 }),
    custom_id: int({ optional: true, min: 0, description: 'Required when a client adds an external event; repeats with the same custom_id are dropped.' }),
    flood_rate: int({ optional: true, min: 0, max: 86400 }),
    custom_data: str({ optional: true, maxLength: 4000 }),
    correlation_id: str({ readOnly: true, optional: true }),
    user: ref('user', { readOnly: true, optional: true }),
    cluster: ref('cluster', { optional: true }),
    host: ref('host', { optional: true }),
    job: ref('job', { readOnly: true, optional: true }),
  },
  { description: 'An audit event. Codes follow oVirt where it has one (e.g. 4596 geo-replication started); ours start at 11000.' },
);

export type EventView = ViewOf<typeof EventSchema>;

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
