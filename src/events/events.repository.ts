import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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

export interface EventQuery {
  /** oVirt's `from`: only events with an index greater than this. */
  after?: string;
  max?: number;
  severities?: EventSeverity[];
  codes?: number[];
  since?: Date;
  until?: Date;
}

@Injectable()
export class EventsRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(event: NewEvent, manager: EntityManager = this.ds.manager): Promise<EventEntity> {
    const row = manager.create(EventEntity, {
      origin: 'georep-api',
      floodRate: 30,
      time: new Date(),
      ...event,
      description: event.description.slice(0, 4000),
    });
    if (manager.queryRunner?.isTransactionActive) return manager.save(EventEntity, row);
    try {
      return await manager.save(EventEntity, row);
    } catch (e) {
      // An event about something that was just removed keeps its text but loses the dangling links.
      if ((e as { code?: string }).code !== '23503') throw e;
      return manager.save(EventEntity, { ...row, clusterId: null, hostId: null });
    }
  }

  findById(id: string): Promise<EventEntity | null> {
    if (!/^\d{1,18}$/.test(id)) return Promise.resolve(null);
    return this.ds.getRepository(EventEntity).findOneBy({ id });
  }

  /** Newest first, as oVirt lists events. */
  list(query: EventQuery): Promise<EventEntity[]> {
    const qb = this.ds.getRepository(EventEntity).createQueryBuilder('e');
    if (query.after !== undefined) qb.andWhere('e.id > :after', { after: query.after });
    if (query.severities?.length) qb.andWhere('e.severity IN (:...sev)', { sev: query.severities });
    if (query.codes?.length) qb.andWhere('e.code IN (:...codes)', { codes: query.codes });
    if (query.since) qb.andWhere('e.time >= :since', { since: query.since });
    if (query.until) qb.andWhere('e.time <= :until', { until: query.until });
    qb.orderBy('e.id', 'DESC');
    if (query.max !== undefined) qb.take(query.max);
    return qb.getMany();
  }

  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.ds.createQueryBuilder().delete().from(EventEntity).where('time < :cutoff', { cutoff }).execute();
    return result.affected ?? 0;
  }
}
