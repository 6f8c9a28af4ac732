import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
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

/**
 * Told of every event once it is stored for good: at once, or when the transaction it was written in
 * commits (never for one rolled back). A failing listener changes nothing for the code recording it.
 */
export type EventRecordedListener = (event: EventEntity) => Promise<void> | void;

/** The audit trail: every mutation writes one event, in the same transaction when one is given. */
@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);
  private readonly listeners = new Set<EventRecordedListener>();
  private readonly awaitingCommit = new WeakMap<QueryRunner, EventEntity[]>();

  constructor(
    private readonly events: EventsRepository,
    ds: DataSource,
  ) {
    ds.subscribers.push(this.commitWatcher());
  }

  /** Where features that act on recorded events (notifications) register, so this folder knows none of them. */
  onRecorded(listener: EventRecordedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async record(
    event: NewEvent,
    manager?: EntityManager,
    options: { dropDanglingLinks?: boolean } = {},
  ): Promise<EventEntity> {
    const stored = await this.events.insert(event, manager, options);
    const runner = manager?.queryRunner;
    if (runner?.isTransactionActive)
      this.awaitingCommit.set(runner, [...(this.awaitingCommit.get(runner) ?? []), stored]);
    else await this.tell([stored]);
    return stored;
  }

  /** A normal audit event of a change a caller asked for, with its correlation id and user. */
  recordChange(
    code: EventCode,
    description: string,
    caller: Caller,
    refs: Pick<NewEvent, 'clusterId' | 'hostId'> = {},
  ): Promise<EventEntity> {
    return this.record({
      code,
      severity: 'normal',
      description,
      ...refs,
      correlationId: caller.correlationId,
      userId: caller.userId,
    });
  }

  private commitWatcher(): EntitySubscriberInterface {
    const settle = (runner: QueryRunner, committed: boolean): Promise<void> | undefined => {
      const waiting = this.awaitingCommit.get(runner);
      if (!waiting || runner.isTransactionActive) return undefined;
      this.awaitingCommit.delete(runner);
      return committed ? this.tell(waiting) : undefined;
    };
    return {
      afterTransactionCommit: (e) => settle(e.queryRunner, true),
      afterTransactionRollback: (e) => settle(e.queryRunner, false),
    };
  }

  private async tell(events: readonly EventEntity[]): Promise<void> {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          await listener(event);
        } catch (e) {
          this.logger.warn({ event: event.id, err: (e as Error).message }, 'an event listener failed');
        }
      }
    }
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
      // Subscribers hear of clients' events too (external_event_error), as of the service's own.
      await this.tell([event]);
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
