import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { DrRunBrickProgress, DrRunEntity, DrRunStep } from './dr-run.entity';
import { DrScheduleEntity } from './dr-schedule.entity';
import { RUN_SEARCH, SCHEDULE_SEARCH } from './dr.representation';

export type NewSchedule = Omit<
  DrScheduleEntity,
  'createdAt' | 'updatedAt' | 'lastRunId' | 'lastSuccessRunId' | 'lastSuccessCheckpoint' | 'disabledReason'
>;
export type NewRun = Pick<DrRunEntity, 'scheduleId' | 'storageDomainId' | 'sessionId' | 'trigger' | 'scheduledFor'>;

/** All database access for DR schedules and runs. */
@Injectable()
export class DrRepository {
  constructor(
    @InjectRepository(DrScheduleEntity) private readonly schedules: Repository<DrScheduleEntity>,
    @InjectRepository(DrRunEntity) private readonly runs: Repository<DrRunEntity>,
  ) {}

  // ---- schedules

  listSchedules(domainId: string, query: ListQuery): Promise<DrScheduleEntity[]> {
    const qb = this.schedules.createQueryBuilder('s').where('s.storage_domain_id = :domainId', { domainId });
    return applyListQuery(qb, query, SCHEDULE_SEARCH).getMany();
  }

  findSchedule(domainId: string, id: string): Promise<DrScheduleEntity | null> {
    return isUuid(id) && isUuid(domainId)
      ? this.schedules.findOneBy({ id, storageDomainId: domainId })
      : Promise.resolve(null);
  }

  findScheduleById(id: string): Promise<DrScheduleEntity | null> {
    return isUuid(id) ? this.schedules.findOneBy({ id }) : Promise.resolve(null);
  }

  findSchedulesByIds(ids: readonly string[]): Promise<DrScheduleEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.schedules.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  allSchedules(): Promise<DrScheduleEntity[]> {
    return this.schedules.find();
  }

  insertSchedule(s: NewSchedule): Promise<DrScheduleEntity> {
    return translateConstraintErrors(() => this.schedules.save(this.schedules.create(s)));
  }

  async updateSchedule(id: string, changes: Partial<DrScheduleEntity>): Promise<DrScheduleEntity | null> {
    if (Object.keys(changes).length > 0) await translateConstraintErrors(() => this.schedules.update({ id }, changes));
    return this.findScheduleById(id);
  }

  /** Moves next_run only if no other worker moved it first (true when this caller won). */
  async advanceNextRun(id: string, expected: Date | null, next: Date | null): Promise<boolean> {
    const rows: unknown[] = await this.schedules.manager.query(
      `WITH u AS (UPDATE dr_schedules SET next_run = $3
        WHERE id = $1 AND (CASE WHEN $2::timestamptz IS NULL THEN next_run IS NULL ELSE date_trunc('milliseconds', next_run) = $2::timestamptz END)
        RETURNING id) SELECT id FROM u`,
      [id, expected, next],
    );
    return rows.length > 0;
  }

  async deleteSchedule(id: string): Promise<boolean> {
    const result = await this.schedules.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** True when a schedule syncs through the session (the session cannot be deleted then). */
  schedulesOfSession(sessionId: string): Promise<DrScheduleEntity[]> {
    return this.schedules.findBy({ sessionId });
  }

  schedulesOfDomain(storageDomainId: string): Promise<DrScheduleEntity[]> {
    return this.schedules.findBy({ storageDomainId });
  }

  hasScheduleForSession(sessionId: string): Promise<boolean> {
    return this.schedules.existsBy({ sessionId });
  }

  // ---- runs

  listRuns(scheduleId: string, query: ListQuery): Promise<DrRunEntity[]> {
    const qb = this.runs.createQueryBuilder('r').where('r.schedule_id = :scheduleId', { scheduleId });
    return applyListQuery(qb, query, RUN_SEARCH).getMany();
  }

  findRun(scheduleId: string, id: string): Promise<DrRunEntity | null> {
    return isUuid(id) ? this.runs.findOneBy({ id, scheduleId }) : Promise.resolve(null);
  }

  findRunById(id: string): Promise<DrRunEntity | null> {
    return isUuid(id) ? this.runs.findOneBy({ id }) : Promise.resolve(null);
  }

  findRunsByIds(ids: readonly (string | null)[]): Promise<DrRunEntity[]> {
    const valid = ids.filter((i): i is string => !!i && isUuid(i));
    return valid.length > 0 ? this.runs.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  insertRun(run: NewRun): Promise<DrRunEntity> {
    return this.runs.save(
      this.runs.create({ ...run, status: 'started', startTime: new Date(), steps: [], progress: [] }),
    );
  }

  async updateRun(id: string, changes: Partial<DrRunEntity>): Promise<void> {
    await this.runs.update({ id }, changes as never);
  }

  async deleteRun(id: string): Promise<void> {
    await this.runs.delete({ id });
  }

  /** Sets cancel_requested on a run still going; false when it has ended. */
  async requestCancel(id: string): Promise<boolean> {
    const result = await this.runs.update({ id, status: 'started' }, { cancelRequested: true });
    return (result.affected ?? 0) > 0;
  }

  /** Ended runs of the schedule whose quiesce left a snapshot not removed (newest first). */
  async runsWithQuiesceLeft(scheduleId: string, exceptRunId: string): Promise<DrRunEntity[]> {
    return this.runs
      .createQueryBuilder('r')
      .where('r.schedule_id = :scheduleId AND r.id <> :exceptRunId', { scheduleId, exceptRunId })
      .andWhere("r.status <> 'started'")
      .andWhere(`EXISTS (SELECT 1 FROM jsonb_array_elements(r.quiesce->'vms') v WHERE v->>'state' <> 'released')`)
      .orderBy('r.start_time', 'DESC')
      .limit(20)
      .getMany();
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const run = await this.runs.findOne({ where: { id }, select: { id: true, cancelRequested: true } });
    return run?.cancelRequested ?? false;
  }

  async appendStep(id: string, step: DrRunStep): Promise<number> {
    const rows: { n: number }[] = await this.runs.manager.query(
      `WITH u AS (UPDATE dr_runs SET steps = steps || $2::jsonb WHERE id = $1 RETURNING jsonb_array_length(steps) - 1 AS n) SELECT n FROM u`,
      [id, JSON.stringify([step])],
    );
    return rows[0]?.n ?? -1;
  }

  async endStep(id: string, index: number, status: 'finished' | 'failed' | 'aborted'): Promise<void> {
    await this.runs.manager.query(
      `UPDATE dr_runs SET steps = jsonb_set(jsonb_set(steps, ARRAY[$2::text, 'status'], to_jsonb($3::text)), ARRAY[$2::text, 'end_time'], to_jsonb($4::text)) WHERE id = $1`,
      [id, String(index), status, new Date().toISOString()],
    );
  }

  async setProgress(id: string, progress: DrRunBrickProgress[]): Promise<void> {
    await this.runs.manager.query(`UPDATE dr_runs SET progress = $2::jsonb WHERE id = $1`, [
      id,
      JSON.stringify(progress),
    ]);
  }

  /** Runs marked started whose job has ended (a crash between the job and the run row): for the reconciler. */
  unfinishedRuns(): Promise<DrRunEntity[]> {
    return this.runs.findBy({ status: 'started', jobId: Not(IsNull()) });
  }
}
