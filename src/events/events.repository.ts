import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../ovirt/list-query';
import type { ListQuery } from '../ovirt/query';
import { EVENT_SEARCH } from './event.representation';
import { EventEntity, EventSeverity } from './event.entity';

export interface NewEvent {
  code: number;
  severity: EventSeverity;
  description: string;
  correlationId?: string | null;
  origin?: string;
  customId?: number | null;
  floodRate?: number;
  customData?: string | null;
  userId?: string | null;
  clusterId?: string | null;
  hostId?: string | null;
  jobId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Alone, an event about something just removed keeps its text but loses the dangling links. In a
   * caller's transaction a dangling link is an error (the caller refers to what it must check), unless
   * `dropDanglingLinks` (then a savepoint keeps the transaction usable for the retry).
   */
  async insert(
    event: NewEvent,
    manager: EntityManager = this.ds.manager,
    options: { dropDanglingLinks?: boolean } = {},
  ): Promise<EventEntity> {
    const row = manager.create(EventEntity, {
      origin: 'georep-api',
      floodRate: 30,
      time: new Date(),
      ...event,
      description: event.description.slice(0, 4000),
    });
    const inTransaction = manager.queryRunner?.isTransactionActive === true;
    if (inTransaction && !options.dropDanglingLinks) return manager.save(EventEntity, row);
    if (inTransaction) await manager.query('SAVEPOINT event_insert');
    try {
      const saved = await manager.save(EventEntity, row);
      if (inTransaction) await manager.query('RELEASE SAVEPOINT event_insert');
      return saved;
    } catch (e) {
      if ((e as { code?: string }).code !== '23503') throw e;
      if (inTransaction) await manager.query('ROLLBACK TO SAVEPOINT event_insert');
      return manager.save(EventEntity, { ...row, clusterId: null, hostId: null });
    }
  }

  findById(id: string): Promise<EventEntity | null> {
    if (!/^\d{1,18}$/.test(id)) return Promise.resolve(null);
    return this.ds.getRepository(EventEntity).findOneBy({ id });
  }

  /** Newest first unless the search sorts otherwise; `after` is oVirt's `from` (only events with a greater index). */
  list(query: ListQuery, after?: string): Promise<EventEntity[]> {
    const qb = this.ds.getRepository(EventEntity).createQueryBuilder('e');
    if (after !== undefined) qb.andWhere('e.id > :after', { after });
    return applyListQuery(qb, query, EVENT_SEARCH).getMany();
  }

  findByIds(ids: readonly string[]): Promise<EventEntity[]> {
    const valid = ids.filter((id) => /^\d{1,18}$/.test(id));
    return valid.length === 0 ? Promise.resolve([]) : this.ds.getRepository(EventEntity).findBy({ id: In(valid) });
  }

  /**
   * An event a client adds: unique per origin and custom_id (checked under a transaction lock on that
   * pair, so two concurrent adds cannot both pass). Null when the pair is taken.
   */
  insertExternal(event: NewEvent & { origin: string; customId: number }): Promise<EventEntity | null> {
    return translateConstraintErrors(() =>
      this.ds.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `event:${event.origin}:${event.customId}`,
        ]);
        const taken = await manager
          .getRepository(EventEntity)
          .existsBy({ origin: event.origin, customId: event.customId });
        return taken ? null : this.insert(event, manager);
      }),
    );
  }

  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.ds
      .createQueryBuilder()
      .delete()
      .from(EventEntity)
      .where('time < :cutoff', { cutoff })
      .execute();
    return result.affected ?? 0;
  }
}
