import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { applyListQuery } from '../ovirt/list-query';
import type { ListQuery } from '../ovirt/query';
import { JOB_SEARCH, STEP_SEARCH } from './job.representation';
import { JobEntity, JobError } from './job.entity';
import { StepEntity, StepType } from './step.entity';

export interface NewActionJob {
  description: string;
  action: string;
  targetType: string;
  targetId: string;
  params: object;
  correlationId: string | null;
  ownerId: string | null;
}

export interface OutboxRow {
  id: string;
  job_id: string;
  queue: string;
  name: string;
  payload: Record<string, unknown>;
}

/** All database I/O of jobs, steps and the outbox. */
@Injectable()
export class JobsRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /**
   * Serialises submissions for one target inside the caller's transaction, so two requests cannot
   * both see "nothing queued" and both enqueue.
   */
  async lockTargetForSubmit(manager: EntityManager, targetType: string, targetId: string): Promise<void> {
    // Its own key space: the worker's run lock (TargetLock) is on the bare target key.
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`submit:${targetType}:${targetId}`]);
  }

  countUnfinishedForTarget(manager: EntityManager, targetType: string, targetId: string): Promise<number> {
    return manager.getRepository(JobEntity).countBy({ targetType, targetId, runState: Not('done') });
  }

  /** The job row and its outbox entry (what `outboxEntry` makes of the new row's id), in the caller's transaction. */
  async insertActionJob<T extends object>(
    manager: EntityManager,
    job: NewActionJob,
    queue: string,
    name: string,
    outboxEntry: (jobId: string) => T,
  ): Promise<{ job: JobEntity; outbox: T }> {
    const row = await manager.save(
      JobEntity,
      manager.create(JobEntity, {
        ...job,
        status: 'started',
        runState: 'queued',
        external: false,
        autoCleared: true,
        attempts: 0,
        startTime: new Date(),
        lastUpdated: new Date(),
      }),
    );
    const outbox = outboxEntry(row.id);
    await manager.query('INSERT INTO outbox (job_id, queue, name, payload) VALUES ($1, $2, $3, $4)', [
      row.id,
      queue,
      name,
      JSON.stringify(outbox),
    ]);
    return { job: row, outbox };
  }

  insertExternalJob(
    description: string,
    correlationId: string | null,
    ownerId: string | null,
    autoCleared: boolean,
  ): Promise<JobEntity> {
    const repo = this.ds.getRepository(JobEntity);
    return repo.save(
      repo.create({
        description,
        correlationId,
        ownerId,
        autoCleared,
        status: 'started',
        runState: 'done',
        external: true,
        attempts: 0,
        startTime: new Date(),
        lastUpdated: new Date(),
      }),
    );
  }

  async markEnqueued(jobId: string): Promise<void> {
    await this.ds.query(
      'UPDATE outbox SET enqueued_at = now(), attempts = attempts + 1 WHERE job_id = $1 AND enqueued_at IS NULL',
      [jobId],
    );
  }

  /** Outbox entries whose enqueue never happened (Redis down, process died between commit and enqueue). */
  pendingOutbox(olderThan: Date, limit = 100): Promise<OutboxRow[]> {
    return this.ds.query(
      `SELECT o.id, o.job_id, o.queue, o.name, o.payload FROM outbox o JOIN jobs j ON j.id = o.job_id
       WHERE o.enqueued_at IS NULL AND o.created_at < $1 AND j.run_state = 'queued' ORDER BY o.id LIMIT $2`,
      [olderThan, limit],
    );
  }

  findById(id: string): Promise<JobEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.ds.getRepository(JobEntity).findOneBy({ id });
  }

  list(query: ListQuery): Promise<JobEntity[]> {
    return applyListQuery(this.ds.getRepository(JobEntity).createQueryBuilder('j'), query, JOB_SEARCH).getMany();
  }

  findByIds(ids: readonly string[]): Promise<JobEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? Promise.resolve([]) : this.ds.getRepository(JobEntity).findBy({ id: In(valid) });
  }

  /** Claims a queued (or re-delivered running) job for a worker; false when it is already done. */
  async markRunning(jobId: string): Promise<boolean> {
    const result = await this.ds
      .createQueryBuilder()
      .update(JobEntity)
      .set({ runState: 'running', attempts: () => 'attempts + 1', lastUpdated: () => 'now()' })
      .where("id = :jobId AND run_state <> 'done'", { jobId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async finish(jobId: string, result: Record<string, unknown> | null, manager?: EntityManager): Promise<void> {
    await (manager ?? this.ds).query(
      `UPDATE jobs SET status = 'finished', run_state = 'done', result = $2, end_time = now(), last_updated = now() WHERE id = $1 AND run_state <> 'done'`,
      [jobId, result === null ? null : JSON.stringify(result)],
    );
  }

  async fail(
    jobId: string,
    error: JobError,
    status: 'failed' | 'aborted' = 'failed',
    manager?: EntityManager,
  ): Promise<void> {
    const db = manager ?? this.ds;
    await db.query(
      `UPDATE jobs SET status = $3, run_state = 'done', error = $2, end_time = now(), last_updated = now() WHERE id = $1 AND run_state <> 'done'`,
      [jobId, JSON.stringify(error), status],
    );
    await db.query(`UPDATE steps SET status = $2, end_time = now() WHERE job_id = $1 AND status = 'started'`, [
      jobId,
      status,
    ]);
  }

  /**
   * oVirt's `end` action: ends a job that is still `started` and, for one of ours, not yet running
   * (a worker checks the row before it runs, so it never starts). False when the job moved on first.
   */
  async end(jobId: string, status: 'finished' | 'failed' | 'aborted'): Promise<boolean> {
    return this.ds.transaction(async (manager) => {
      const [, affected] = (await manager.query(
        `UPDATE jobs SET status = $2, run_state = 'done', end_time = now(), last_updated = now()
          WHERE id = $1 AND status = 'started' AND (external OR run_state = 'queued')`,
        [jobId, status],
      )) as [unknown, number];
      if (affected === 0) return false;
      await manager.query(`UPDATE steps SET status = $2, end_time = now() WHERE job_id = $1 AND status = 'started'`, [
        jobId,
        status,
      ]);
      return true;
    });
  }

  /** Service jobs that only their queue entry can still finish: running, or queued with the entry sent. */
  unfinishedSentJobs(limit = 500): Promise<JobEntity[]> {
    return this.ds
      .getRepository(JobEntity)
      .createQueryBuilder('j')
      .where("j.status = 'started' AND NOT j.external")
      .andWhere(
        "(j.run_state = 'running' OR (j.run_state = 'queued' AND EXISTS (SELECT 1 FROM outbox o WHERE o.job_id = j.id AND o.enqueued_at IS NOT NULL)))",
      )
      .orderBy('j.start_time', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Ends a service job that nothing will finish any more, queued or running: the job and its open
   * steps end with `status`, a last step says why, and `alsoDo` (the event) runs in the same
   * transaction. False when the job ended meanwhile.
   */
  async endUnfinishable(
    jobId: string,
    status: 'failed' | 'aborted',
    error: JobError,
    why: string,
    alsoDo: (manager: EntityManager) => Promise<unknown>,
  ): Promise<boolean> {
    return this.ds.transaction(async (manager) => {
      const [, affected] = (await manager.query(
        `UPDATE jobs SET status = $2, run_state = 'done', error = $3, end_time = now(), last_updated = now()
          WHERE id = $1 AND status = 'started' AND NOT external AND run_state <> 'done'`,
        [jobId, status, JSON.stringify(error)],
      )) as [unknown, number];
      if (affected === 0) return false;
      await manager.query(`UPDATE steps SET status = $2, end_time = now() WHERE job_id = $1 AND status = 'started'`, [
        jobId,
        status,
      ]);
      await manager.query(
        `INSERT INTO steps (job_id, number, type, description, status, end_time)
         SELECT $1, COALESCE(MAX(number), 0) + 1, 'finalizing', $2, $3, now() FROM steps WHERE job_id = $1`,
        [jobId, why, status],
      );
      await alsoDo(manager);
      return true;
    });
  }

  /** Deletes a job that has ended (with its steps); false when it has not ended or is gone. */
  async clear(jobId: string): Promise<boolean> {
    const [, affected] = (await this.ds.query(`DELETE FROM jobs WHERE id = $1 AND status <> 'started'`, [jobId])) as [
      unknown,
      number,
    ];
    return affected > 0;
  }

  async pruneFinishedBefore(cutoff: Date): Promise<number> {
    const result = await this.ds
      .getRepository(JobEntity)
      .delete({ runState: 'done', endTime: LessThan(cutoff), autoCleared: true });
    return result.affected ?? 0;
  }

  steps(jobId: string, query?: ListQuery): Promise<StepEntity[]> {
    if (query === undefined)
      return this.ds.getRepository(StepEntity).find({ where: { jobId }, order: { number: 'ASC' } });
    const qb = this.ds.getRepository(StepEntity).createQueryBuilder('s').where('s.job_id = :jobId', { jobId });
    return applyListQuery(qb, query, STEP_SEARCH).getMany();
  }

  findStepsByIds(ids: readonly string[]): Promise<StepEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? Promise.resolve([]) : this.ds.getRepository(StepEntity).findBy({ id: In(valid) });
  }

  findStep(jobId: string, stepId: string): Promise<StepEntity | null> {
    if (!isUuid(stepId)) return Promise.resolve(null);
    return this.ds.getRepository(StepEntity).findOneBy({ jobId, id: stepId });
  }

  /** A step that a re-run of the same job finds open is reused rather than duplicated. */
  async startStep(
    jobId: string,
    description: string,
    type: StepType,
    executionHostId: string | null = null,
  ): Promise<StepEntity> {
    const repo = this.ds.getRepository(StepEntity);
    const open = await repo.findOne({ where: { jobId, description, status: 'started', endTime: IsNull() } });
    if (open) return open;
    const [{ next }] = await this.ds.query('SELECT COALESCE(MAX(number), 0) + 1 AS next FROM steps WHERE job_id = $1', [
      jobId,
    ]);
    return repo.save(
      repo.create({
        jobId,
        description,
        type,
        number: Number(next),
        status: 'started',
        external: false,
        executionHostId,
        startTime: new Date(),
      }),
    );
  }

  async endStep(stepId: string, status: 'finished' | 'failed' | 'aborted'): Promise<void> {
    await this.ds.query(
      `UPDATE steps SET status = $2::varchar, end_time = now(), progress = CASE WHEN $2::varchar = 'finished' THEN 100 ELSE progress END WHERE id = $1`,
      [stepId, status],
    );
  }

  async stepHost(stepId: string, hostId: string): Promise<void> {
    await this.ds.query('UPDATE steps SET execution_host_id = $2 WHERE id = $1', [stepId, hostId]);
  }

  async stepProgress(stepId: string, progress: number): Promise<void> {
    await this.ds.query('UPDATE steps SET progress = $2 WHERE id = $1', [
      stepId,
      Math.max(0, Math.min(100, Math.round(progress))),
    ]);
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
