import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { GeoRepSessionDetailEntity } from './georep-session-detail.entity';
import { GeoRepSessionOptionEntity } from './georep-session-option.entity';
import type { DesiredSessionStatus } from './stall-detection';
import { GeoRepSessionEntity } from './georep-session.entity';
import { DETAIL_SEARCH, OPTION_SEARCH, SESSION_SEARCH } from './session.representation';

/** Reads of geo-rep sessions, their per-brick rows and options (discovery writes them). */
@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(GeoRepSessionEntity) private readonly sessions: Repository<GeoRepSessionEntity>,
    @InjectRepository(GeoRepSessionDetailEntity) private readonly details: Repository<GeoRepSessionDetailEntity>,
    @InjectRepository(GeoRepSessionOptionEntity) private readonly options: Repository<GeoRepSessionOptionEntity>,
  ) {}

  listByVolume(volumeId: string, query: ListQuery): Promise<GeoRepSessionEntity[]> {
    const qb = this.sessions.createQueryBuilder('s').where('s.master_volume_id = :volumeId', { volumeId });
    return applyListQuery(qb, query, SESSION_SEARCH).getMany();
  }

  /** The sessions of master volume `volumeId` in cluster `clusterId`, in one query (none for ids that are no UUIDs). */
  listInClusterVolume(clusterId: string, volumeId: string, query: ListQuery): Promise<GeoRepSessionEntity[]> {
    if (!isUuid(volumeId) || !isUuid(clusterId)) return Promise.resolve([]);
    const qb = this.sessions
      .createQueryBuilder('s')
      .where('s.master_volume_id = :volumeId AND s.cluster_id = :clusterId', { volumeId, clusterId });
    return applyListQuery(qb, query, SESSION_SEARCH).getMany();
  }

  /** Session `id` of master volume `volumeId` in cluster `clusterId`, in one query. */
  findInClusterVolume(clusterId: string, volumeId: string, id: string): Promise<GeoRepSessionEntity | null> {
    return isUuid(id) && isUuid(volumeId) && isUuid(clusterId)
      ? this.sessions.findOneBy({ id, masterVolumeId: volumeId, clusterId })
      : Promise.resolve(null);
  }

  findById(id: string): Promise<GeoRepSessionEntity | null> {
    return isUuid(id) ? this.sessions.findOneBy({ id }) : Promise.resolve(null);
  }

  /** The cluster's failed-over sessions (the cluster masters them). */
  failedOverOfCluster(clusterId: string): Promise<GeoRepSessionEntity[]> {
    return this.sessions.findBy({ clusterId, failedOver: true });
  }

  /**
   * The cluster's session as a gluster event names it: master volume and slave volume by name, and the slave
   * host as gluster writes it (the one session with those volumes when no host matches exactly).
   */
  async findByGlusterNames(
    clusterId: string,
    names: { masterVolume: string; slaveHost: string; slaveVolume: string },
  ): Promise<GeoRepSessionEntity | null> {
    const candidates = await this.sessions
      .createQueryBuilder('s')
      .innerJoin('gluster_volumes', 'v', 'v.id = s.master_volume_id')
      .where('s.cluster_id = :clusterId', { clusterId })
      .andWhere('v.name = :master', { master: names.masterVolume })
      .andWhere('s.slave_volume_name = :slave', { slave: names.slaveVolume })
      .getMany();
    return (
      candidates.find((c) => c.slaveHostName === names.slaveHost) ?? (candidates.length === 1 ? candidates[0] : null)
    );
  }

  /** Every session whose master is the volume. */
  allOfMasterVolume(volumeId: string): Promise<GeoRepSessionEntity[]> {
    return this.sessions.findBy({ masterVolumeId: volumeId });
  }

  findByIds(ids: readonly string[]): Promise<GeoRepSessionEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.sessions.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  allDetails(sessionId: string): Promise<GeoRepSessionDetailEntity[]> {
    return this.details.find({ where: { sessionId }, order: { position: 'ASC' } });
  }

  listDetails(sessionId: string, query: ListQuery): Promise<GeoRepSessionDetailEntity[]> {
    const qb = this.details.createQueryBuilder('d').where('d.session_id = :sessionId', { sessionId });
    return applyListQuery(qb, query, DETAIL_SEARCH).getMany();
  }

  listOptions(sessionId: string, query: ListQuery): Promise<GeoRepSessionOptionEntity[]> {
    const qb = this.options.createQueryBuilder('o').where('o.session_id = :sessionId', { sessionId });
    return applyListQuery(qb, query, OPTION_SEARCH).getMany();
  }

  findOption(sessionId: string, name: string): Promise<GeoRepSessionOptionEntity | null> {
    return this.options.findOneBy({ sessionId, name });
  }

  async recordVerification(id: string, outcome: { at: Date; result: string; delayMs: number | null }): Promise<void> {
    await this.sessions.update(
      { id },
      {
        lastVerified: outcome.at,
        lastVerifyResult: outcome.result.slice(0, 1000),
        replicationDelayMs: outcome.delayMs,
      },
    );
  }

  /** The slave volume's option values before the failover changed them; kept from the first attempt, so a re-run cannot overwrite them with its own. */
  async keepSlaveOptionsBeforeFailover(id: string, options: Record<string, string | null>): Promise<void> {
    await this.sessions
      .createQueryBuilder()
      .update()
      .set({ slaveOptionsBeforeFailover: options })
      .where('id = :id AND slave_options_before_failover IS NULL', { id })
      .execute();
  }

  async recordFailover(
    id: string,
    failover: Pick<
      GeoRepSessionEntity,
      'failoverTime' | 'failoverMode' | 'failoverUserId' | 'recoveryPoint' | 'dataLossWindowSeconds'
    >,
  ): Promise<void> {
    // Wanted stopped from now on: a master that comes back syncing is drift (an event), not the plan.
    await this.sessions.update(
      { id },
      { ...failover, failedOver: true, desiredStatus: 'stopped', desiredAt: failover.failoverTime },
    );
  }

  async recordFailbackPhase(id: string, phase: 'syncing' | null): Promise<void> {
    await this.sessions.update({ id }, { failbackPhase: phase });
  }

  /** The reverse session a failback made (slave → master) belongs to that failback. */
  async markFailbackSession(reverseId: string, originalId: string): Promise<void> {
    await this.sessions.update({ id: reverseId }, { failbackOf: originalId });
  }

  /** Failed back: the session is an ordinary one again, wanted running. */
  async clearFailover(id: string, startedAt: Date): Promise<void> {
    await this.sessions.update(
      { id },
      {
        failedOver: false,
        failoverTime: null,
        failoverMode: null,
        failoverUserId: null,
        recoveryPoint: null,
        dataLossWindowSeconds: null,
        slaveOptionsBeforeFailover: null,
        failbackPhase: null,
        desiredStatus: 'started',
        desiredAt: startedAt,
      },
    );
  }

  /**
   * What the service asked of the session (drift is judged against it): `at` null while the command
   * runs, then when it returned, so a status read before that is never held against it.
   */
  async recordDesiredStatus(id: string, desired: DesiredSessionStatus, at: Date | null): Promise<void> {
    await this.sessions.update({ id }, { desiredStatus: desired, desiredAt: at });
  }

  /**
   * Takes one heal from the session's hourly allowance: true (and the time recorded) when fewer than
   * `maxPerHour` heals ran in the hour before `now`. Atomic, so two processes cannot both take the last one.
   */
  async reserveHeal(id: string, now: Date, maxPerHour: number): Promise<boolean> {
    const rows = (await this.sessions.query(
      `UPDATE georep_sessions
          SET heal_times = array_append(ARRAY(SELECT t FROM unnest(heal_times) AS t WHERE t > $2::timestamptz - interval '1 hour'), $2::timestamptz)
        WHERE id = $1
          AND (SELECT count(*) FROM unnest(heal_times) AS t WHERE t > $2::timestamptz - interval '1 hour') < $3
        RETURNING id`,
      [id, now.toISOString(), maxPerHour],
    )) as [unknown[], number] | unknown[];
    const returned = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : (rows as unknown[]);
    return returned.length > 0;
  }

  /** A healed worker's stall clock starts again at `at` (its row stays stalled until the next sync judges it). */
  async restartStallClock(sessionId: string, at: Date): Promise<void> {
    await this.details.update({ sessionId, stalled: true }, { progressAt: at });
  }

  /** Heals in the hour before `now`. */
  healsInLastHour(session: GeoRepSessionEntity, now: Date): number {
    return session.healTimes.filter((t) => t.getTime() > now.getTime() - 3_600_000).length;
  }

  /** Forgets a session the service deleted in gluster (its rows and options go with it). */
  async remove(id: string): Promise<void> {
    await this.sessions.delete({ id });
  }
}
