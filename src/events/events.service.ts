import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConstraintViolation } from '../database/constraint-errors';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import { safeText } from '../ovirt/representation';
import type { Caller } from '../ovirt/routes';
import { EventCode } from './event-codes';
import { EventEntity, EventSeverity } from './event.entity';
import { EventCreate } from './event.representation';
import { EventsRepository, NewEvent } from './events.repository';

/** The origin of the service's own events; clients add theirs under any other. */
export const OWN_ORIGIN = 'georep-api';

const EXTERNAL_CODES: Readonly<Record<EventSeverity, EventCode>> = {
  normal: EventCode.ExternalEventNormal,
  warning: EventCode.ExternalEventWarning,
  error: EventCode.ExternalEventError,
  alert: EventCode.ExternalAlert,
};

/** The audit trail: every mutation writes one event, in the same transaction when one is given. */
@Injectable()
export class EventsService {
  constructor(private readonly events: EventsRepository) {}

  record(event: NewEvent, manager?: EntityManager): Promise<EventEntity> {
    return this.events.insert(event, manager);
  }

  list(query: ListQuery, from: unknown): Promise<EventEntity[]> {
    if (from !== undefined && (typeof from !== 'string' || !/^\d{1,18}$/.test(from))) {
      throw OvirtFault.invalidParameter('from', 'must be given once, as an event index (a whole number)');
    }
    return this.events.list(query, from);
  }

  async get(id: string): Promise<EventEntity> {
    const event = await this.events.findById(id);
    if (!event) throw OvirtFault.notFound('event', id);
    return event;
  }

  findByIds(ids: readonly string[]): Promise<EventEntity[]> {
    return this.events.findByIds(ids);
  }

  /** oVirt's external event: the client names its origin and a custom_id unique for it; the code follows the severity. */
  async addExternal(input: EventCreate, caller: Caller): Promise<EventEntity> {
    if (input.custom_id === undefined || input.custom_id === null)
      throw OvirtFault.badRequest('custom_id is required for an event a client adds');
    for (const [name, ref] of [
      ['cluster', input.cluster],
      ['host', input.host],
    ] as const) {
      if (ref && ref.id === undefined) throw OvirtFault.badRequest(`refer to the ${name} by id`);
    }
    if (input.origin.trim().toLowerCase() === OWN_ORIGIN)
      throw OvirtFault.badRequest(`the origin "${OWN_ORIGIN}" is the service's own; use another`);
    try {
      const event = await this.events.insertExternal({
        code: EXTERNAL_CODES[input.severity],
        severity: input.severity,
        description: input.description,
        origin: input.origin,
        customId: input.custom_id,
        floodRate: input.flood_rate ?? 30,
        customData: input.custom_data ?? null,
        clusterId: input.cluster?.id ?? null,
        hostId: input.host?.id ?? null,
        correlationId: caller.correlationId,
        userId: caller.userId,
      });
      if (!event)
        throw OvirtFault.conflict(
          `an event from origin "${safeText(input.origin, 128)}" with custom_id ${input.custom_id} already exists`,
        );
      return event;
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'foreign_key') {
        throw new OvirtFault(
          404,
          'Not Found',
          `the ${e.constraint.includes('host') ? 'host' : 'cluster'} the event refers to does not exist`,
        );
      }
      throw e;
    }
  }
}
