import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { EventCode } from '../../src/events/event-codes';
import { OvirtFault } from '../../src/ovirt/faults';
import { ActionRequest, NoParams } from '../../src/jobs/action-definition';
import { ActionRunner } from '../../src/jobs/action-runner';
import { TargetLock } from '../../src/jobs/target-lock';
import { LostJobs } from '../../src/jobs/lost-jobs.job';
import { OutboxReconciler } from '../../src/jobs/outbox-reconciler.job';
import { ClusterRefresh } from '../../src/clusters/cluster-jobs';
import { QueueName } from '../../src/queue/queue-names';
import { QueueProducer } from '../../src/queue/queue-producer';
import { runService, ServiceProcess } from '../support/processes';
import { serviceEnvFor, startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { testServices } from '../support/test-env';
import { CuttableLink, cuttableLink } from './cuttable-link';

const caller = { correlationId: 'corr-1', userId: null };

function refresh(clusterId: string, conflict: ActionRequest['conflict'] = 'exclusive'): ActionRequest<NoParams> {
  return {
    action: ClusterRefresh,
    params: {},
    targetType: 'cluster',
    targetId: clusterId,
    description: 'Refresh cluster',
    conflict,
    events: { success: EventCode.ClusterRefreshed, failure: EventCode.ClusterRefreshFailed },
    eventRefs: { clusterId },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 60_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function addCluster(t: TestApp, name: string): Promise<string> {
  const rows = await t.sql<{ id: string }>('INSERT INTO clusters (name) VALUES ($1) RETURNING id', [name]);
  return rows[0].id;
}

/**
 * Makes PostgreSQL refuse, with a real error (disk full), every write that would end a job of this
 * target: a job running on it fails in its final write. `stop` lets such writes through again.
 */
async function refuseEndingJobsOf(t: TestApp, targetId: string): Promise<{ stop(): Promise<void> }> {
  const trigger = `refuse_end_${targetId.replace(/-/g, '_')}`;
  await t.sql(`CREATE OR REPLACE FUNCTION test_refuse_job_end() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION USING ERRCODE = 'disk_full', MESSAGE = 'could not extend file: No space left on device'; END $$`);
  await t.sql(`CREATE TRIGGER ${trigger} BEFORE UPDATE ON jobs FOR EACH ROW
    WHEN (NEW.run_state = 'done' AND NEW.target_id = '${targetId}') EXECUTE FUNCTION test_refuse_job_end()`);
  return { stop: async () => void (await t.sql(`DROP TRIGGER ${trigger} ON jobs`)) };
}

/** Waits until the job's BullMQ entry reaches `state` (e.g. failed, after its last attempt). */
function untilQueueState(t: TestApp, jobId: string, state: string): Promise<true> {
  const producer = t.app.get(QueueProducer);
  return until(`BullMQ job ${jobId} to be ${state}`, async () =>
    (await producer.jobState(QueueName.Actions, jobId)) === state ? true : undefined,
  );
}

describe('actions with an in-process worker (role all)', () => {
  let t: TestApp;
  let runner: ActionRunner;
  beforeAll(async () => {
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '30', GEOREP_ACTION_QUEUE_LIMIT: '2' } });
    runner = t.app.get(ActionRunner);
  });
  afterAll(() => t.close());

  it('runs a synchronous action to completion, with its step and event', async () => {
    const clusterId = await addCluster(t, 'sync');
    const outcome = await runner.submit(refresh(clusterId), caller);
    expect(outcome.status).toBe('complete');
    expect(outcome.job).toMatchObject({
      status: 'finished',
      runState: 'done',
      targetId: clusterId,
      correlationId: 'corr-1',
      result: { hosts: 0 },
    });
    const steps = await t.sql('SELECT number, description, status, progress FROM steps WHERE job_id = $1', [
      outcome.job.id,
    ]);
    expect(steps).toEqual([{ number: 1, description: 'Refreshing cluster sync', status: 'finished', progress: 100 }]);
    const events = await t.sql(
      'SELECT code, severity, description, correlation_id, cluster_id FROM events WHERE job_id = $1',
      [outcome.job.id],
    );
    expect(events).toEqual([
      {
        code: EventCode.ClusterRefreshed,
        severity: 'normal',
        description: 'Cluster sync refreshed: it has no hosts yet.',
        correlation_id: 'corr-1',
        cluster_id: clusterId,
      },
    ]);
  });

  it('reports a refused action as failed, with the reason on the job and an error event', async () => {
    const clusterId = await addCluster(t, 'doomed');
    await t.sql('DELETE FROM clusters WHERE id = $1', [clusterId]);
    const outcome = await runner.submit(refresh(clusterId), caller);
    expect(outcome.status).toBe('failed');
    expect(outcome.job.error).toEqual({
      status: 409,
      reason: 'Operation Failed',
      detail: 'The cluster was removed before it could be refreshed.',
    });
    const events = await t.sql('SELECT code, severity FROM events WHERE job_id = $1', [outcome.job.id]);
    expect(events).toEqual([{ code: EventCode.ClusterRefreshFailed, severity: 'error' }]);
  });

  it('answers at once with the job pending when asked to be asynchronous, and the job still finishes', async () => {
    const clusterId = await addCluster(t, 'async');
    const outcome = await runner.submit(refresh(clusterId), { ...caller, async: true });
    expect(['pending', 'in_progress']).toContain(outcome.status);
    const done = await runner.waitFor(outcome.job.id, 30_000);
    expect(done.status).toBe('complete');
  });
});

describe('limits, waits and failures', () => {
  let t: TestApp;
  let runner: ActionRunner;
  beforeAll(async () => {
    t = await startTestApp({
      env: { GEOREP_ACTION_WAIT_SECONDS: '0', GEOREP_ACTION_QUEUE_LIMIT: '2', GEOREP_TEST_ACTION_DELAY_MS: '1500' },
    });
    runner = t.app.get(ActionRunner);
  });
  afterAll(() => t.close());

  it('turns a wait past the limit into a pending answer with the job link', async () => {
    const clusterId = await addCluster(t, 'slow');
    const outcome = await runner.submit(refresh(clusterId), caller);
    expect(['pending', 'in_progress']).toContain(outcome.status);
    expect(outcome.job.runState).not.toBe('done');
    expect((await runner.waitFor(outcome.job.id, 60_000)).status).toBe('complete');
  });

  it('end with force does not end a job a worker is running', async () => {
    const clusterId = await addCluster(t, 'running-not-lost');
    const { job } = await runner.submit(refresh(clusterId), caller);
    await until('the job to run', async () =>
      (await t.sql<{ run_state: string }>('SELECT run_state FROM jobs WHERE id = $1', [job.id]))[0].run_state ===
      'running'
        ? true
        : undefined,
    );
    const refused = await t.http
      .post(`/ovirt-engine/api/jobs/${job.id}/end`)
      .set('Accept', 'application/json')
      .send({ force: true });
    expect(refused.status).toBe(409);
    expect((await runner.waitFor(job.id, 60_000)).job.status).toBe('finished');
  });

  it('refuses an exclusive action while another runs on the target (409) and writes nothing', async () => {
    const clusterId = await addCluster(t, 'busy');
    const first = await runner.submit(refresh(clusterId), caller);
    const jobsBefore = await t.sql('SELECT count(*)::int AS n FROM jobs WHERE target_id = $1', [clusterId]);
    await expect(runner.submit(refresh(clusterId), caller)).rejects.toMatchObject({
      status: 409,
      detail: 'Another operation is in progress on this cluster.',
    });
    expect(await t.sql('SELECT count(*)::int AS n FROM jobs WHERE target_id = $1', [clusterId])).toEqual(jobsBefore);
    await runner.waitFor(first.job.id, 60_000);
  });

  it('queues behind a running action up to the limit, then answers 429', async () => {
    const clusterId = await addCluster(t, 'queued');
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push(await runner.submit(refresh(clusterId, 'queue'), caller));
    const refused = await runner.submit(refresh(clusterId, 'queue'), caller).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OvirtFault);
    expect((refused as OvirtFault).status).toBe(429);
    const finished = await Promise.all(accepted.map((a) => runner.waitFor(a.job.id, 60_000)));
    expect(finished.map((f) => f.status)).toEqual(['complete', 'complete', 'complete']);
    // The lock kept them one at a time: each started after the previous one ended.
    const rows = await t.sql<{ start: Date; end: Date }>(
      `SELECT min(s.start_time) AS start, max(s.end_time) AS end FROM steps s JOIN jobs j ON j.id = s.job_id WHERE j.target_id = $1 GROUP BY j.id ORDER BY 1`,
      [clusterId],
    );
    for (let i = 1; i < rows.length; i++)
      expect(rows[i].start.getTime()).toBeGreaterThanOrEqual(rows[i - 1].end.getTime());
  });
});

describe('when Redis is down', () => {
  let redis: EmbeddedRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = new EmbeddedRedis(fs.mkdtempSync(path.join(testServices().baseDir, 'redis-down-')));
    await redis.start();
    t = await startTestApp({ role: 'api', redisUrl: redis.url });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('fails fast with 503, marks the job failed and leaves nothing queued', async () => {
    const clusterId = await addCluster(t, 'no-redis');
    await redis.stop();
    const error = await t.app
      .get(ActionRunner)
      .submit(refresh(clusterId), caller)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 503,
      detail: 'The job queue (Redis) is not reachable; the action was not started.',
    });
    const jobs = await t.sql('SELECT status, run_state, error FROM jobs WHERE target_id = $1', [clusterId]);
    expect(jobs).toEqual([
      {
        status: 'failed',
        run_state: 'done',
        error: {
          status: 503,
          reason: 'Service Unavailable',
          detail: 'The job queue (Redis) is not reachable; the action was not started.',
        },
      },
    ]);
    const events = await t.sql('SELECT code, severity FROM events WHERE target_id = $1', [clusterId]);
    expect(events).toEqual([{ code: EventCode.ActionQueueUnavailable, severity: 'error' }]);
    // A new action on the same target is not blocked by the failed one.
    const next = await t.app
      .get(ActionRunner)
      .submit(refresh(clusterId), caller)
      .catch((e: unknown) => e);
    expect(next).toMatchObject({ status: 503 });
  });
});

describe('with a separate worker process', () => {
  let t: TestApp;
  let worker: ServiceProcess | undefined;
  const workerEnv = (t: TestApp) =>
    serviceEnvFor(t, { GEOREP_JOB_LOCK_SECONDS: '3', GEOREP_TEST_ACTION_DELAY_MS: '4000' });
  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { GEOREP_ACTION_WAIT_SECONDS: '0' } });
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await t.close();
  });

  it('re-runs a job whose worker was killed with SIGKILL mid-job; it ends finished and the lock is free', async () => {
    const clusterId = await addCluster(t, 'killed');
    worker = runService(['worker'], workerEnv(t));
    await worker.waitFor(/georep-api \(worker\) running/);
    const runner = t.app.get(ActionRunner);
    const { job } = await runner.submit(refresh(clusterId), caller);
    await until('the job to run', async () =>
      (await t.sql<{ run_state: string }>('SELECT run_state FROM jobs WHERE id = $1', [job.id]))[0].run_state ===
      'running'
        ? true
        : undefined,
    );
    const locks = t.app.get(TargetLock);
    expect(await locks.isHeld('cluster', clusterId)).toBe(true);
    worker.child.kill('SIGKILL');
    await worker.exited;
    await until('the lock to be released by the dead worker', async () =>
      (await locks.isHeld('cluster', clusterId)) ? undefined : true,
    );

    worker = runService(['worker'], workerEnv(t));
    const done = await runner.waitFor(job.id, 90_000);
    expect(done.status).toBe('complete');
    expect(done.job.attempts).toBeGreaterThanOrEqual(2);
    // the executor ends the row under the lock and releases it right after: wait for that release
    await until('the lock to be released by the worker that finished the job', async () =>
      (await locks.isHeld('cluster', clusterId)) ? undefined : true,
    );
    const steps = await t.sql('SELECT status FROM steps WHERE job_id = $1', [job.id]);
    expect(steps).toEqual([{ status: 'finished' }]);
    worker.child.kill('SIGTERM');
    await worker.exited;
    worker = undefined;
  });

  it('a worker starting up ends a job the last worker lost track of, and the target is free again', async () => {
    const clusterId = await addCluster(t, 'lost-before-restart');
    const env = { ...workerEnv(t), GEOREP_TEST_ACTION_DELAY_MS: '0', GEOREP_LOST_JOB_SWEEP_SECONDS: '0' };
    worker = runService(['worker'], env);
    await worker.waitFor(/georep-api \(worker\) running/);
    const failing = await refuseEndingJobsOf(t, clusterId);
    const runner = t.app.get(ActionRunner);
    const { job } = await runner.submit(refresh(clusterId), caller);
    await untilQueueState(t, job.id, 'failed');
    worker.child.kill('SIGTERM');
    await worker.exited;
    await failing.stop();
    expect(await t.sql('SELECT status, run_state FROM jobs WHERE id = $1', [job.id])).toEqual([
      { status: 'started', run_state: 'running' },
    ]);

    worker = runService(['worker'], env);
    const ended = await runner.waitFor(job.id, 60_000);
    expect(ended.job).toMatchObject({
      status: 'failed',
      error: {
        status: 500,
        reason: 'Operation Failed',
        detail: expect.stringMatching(/^The worker lost track of this job: its queue entry is failed/),
      },
    });
    expect(await t.sql('SELECT code, severity FROM events WHERE job_id = $1', [job.id])).toEqual([
      { code: EventCode.ActionJobLost, severity: 'error' },
    ]);
    const next = await runner.submit(refresh(clusterId), caller);
    expect((await runner.waitFor(next.job.id, 60_000)).status).toBe('complete');
    worker.child.kill('SIGTERM');
    await worker.exited;
    worker = undefined;
  });
});

describe('a job whose final write fails in PostgreSQL', () => {
  let t: TestApp;
  let runner: ActionRunner;
  beforeAll(async () => {
    // No periodic sweep: the test says when the sweep runs (the start-up one ran before any job existed).
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '30', GEOREP_LOST_JOB_SWEEP_SECONDS: '0' } });
    runner = t.app.get(ActionRunner);
  });
  afterAll(() => t.close());

  /** A refresh whose worker ran it but could not record its end: BullMQ says failed, the row still says running. */
  async function stuckRefresh(
    name: string,
  ): Promise<{ clusterId: string; jobId: string; failing: { stop(): Promise<void> } }> {
    const clusterId = await addCluster(t, name);
    const failing = await refuseEndingJobsOf(t, clusterId);
    const { job } = await runner.submit(refresh(clusterId), { ...caller, async: true });
    await untilQueueState(t, job.id, 'failed');
    expect(await t.sql('SELECT status, run_state FROM jobs WHERE id = $1', [job.id])).toEqual([
      { status: 'started', run_state: 'running' },
    ]);
    await expect(runner.submit(refresh(clusterId), caller)).rejects.toMatchObject({
      status: 409,
      detail: 'Another operation is in progress on this cluster.',
    });
    return { clusterId, jobId: job.id, failing };
  }

  it('the sweep ends it as failed, with a step and an event saying why, and the next action on the target runs', async () => {
    const { clusterId, jobId, failing } = await stuckRefresh('final-write-fails');
    const sweeper = t.app.get(LostJobs);
    // While PostgreSQL still refuses, the sweep cannot end it either, and says so by ending nothing.
    expect(await sweeper.sweep()).toEqual({ ended: 0 });
    await failing.stop();

    expect(await sweeper.sweep()).toEqual({ ended: 1 });
    const [row] = await t.sql<{ status: string; run_state: string; error: { detail: string } }>(
      'SELECT status, run_state, error FROM jobs WHERE id = $1',
      [jobId],
    );
    expect(row).toMatchObject({
      status: 'failed',
      run_state: 'done',
      error: { status: 500, reason: 'Operation Failed' },
    });
    expect(row.error.detail).toBe(
      'The worker lost track of this job: its queue entry is failed but its outcome was never recorded (e.g. the database failed during its final write). ' +
        'It was ended as failed; check the real state of the cluster before trying again.',
    );
    const steps = await t.sql<{ type: string; status: string; description: string }>(
      'SELECT type, status, description FROM steps WHERE job_id = $1 ORDER BY number',
      [jobId],
    );
    expect(steps.at(-1)).toEqual({
      type: 'finalizing',
      status: 'failed',
      description: 'The worker lost track of this job (queue entry failed); ended as failed',
    });
    expect(steps.filter((s) => s.status === 'started')).toEqual([]);
    expect(
      await t.sql('SELECT code, severity, description, correlation_id FROM events WHERE job_id = $1', [jobId]),
    ).toEqual([
      {
        code: EventCode.ActionJobLost,
        severity: 'error',
        description:
          'Refresh cluster: failed: the worker lost track of this job (its queue entry is failed); it was ended as failed.',
        correlation_id: 'corr-1',
      },
    ]);
    expect(await t.app.get(TargetLock).isHeld('cluster', clusterId)).toBe(false);
    expect((await runner.submit(refresh(clusterId), caller)).status).toBe('complete');
    expect(await sweeper.sweep()).toEqual({ ended: 0 });
  });

  it('end with force ends it (aborted), and the next action on the target runs', async () => {
    const { clusterId, jobId, failing } = await stuckRefresh('final-write-fails-end');
    await failing.stop();
    const ended = await t.http
      .post(`/ovirt-engine/api/jobs/${jobId}/end`)
      .set('Accept', 'application/json')
      .send({ force: true });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'complete' });
    expect(await t.sql('SELECT status, run_state, error FROM jobs WHERE id = $1', [jobId])).toEqual([
      {
        status: 'aborted',
        run_state: 'done',
        error: {
          status: 409,
          reason: 'Operation Aborted',
          detail: 'Ended by the user after the worker lost track of this job (its queue entry is failed).',
        },
      },
    ]);
    expect(await t.sql('SELECT code FROM events WHERE job_id = $1', [jobId])).toEqual([
      { code: EventCode.JobEndedByUser },
    ]);
    expect((await runner.submit(refresh(clusterId), caller)).status).toBe('complete');
  });
});

describe('an API process that dies between commit and enqueue', () => {
  // Role all: the in-process worker runs the reconciler on its schedule and the jobs it enqueues.
  let t: TestApp;
  let link: CuttableLink;
  let api: ServiceProcess | undefined;
  beforeAll(async () => {
    t = await startTestApp();
    link = await cuttableLink(t.redisUrl);
  });
  afterAll(async () => {
    api?.child.kill('SIGKILL');
    await link.close();
    await t.close();
  });

  /**
   * POSTs a refresh to a separate `api` process whose only way to Redis is the link; the link is cut
   * once that process is ready, and the process is killed (SIGKILL) the moment it tries to enqueue:
   * its transaction has committed the job row and the outbox entry, nothing reached Redis.
   */
  async function refreshThroughDyingApi(clusterId: string): Promise<string> {
    link.mend();
    const handshakeDone = link.untilServerSent('redis_version:');
    api = runService(['api'], serviceEnvFor(t, { REDIS_URL: link.url, HOST: '127.0.0.1', PORT: '0' }));
    const [, base] = await api.waitFor(/listening on (http:\/\/\S+?)\/ovirt-engine\/api/);
    // Its producer connection has finished connecting (the ready check's INFO came back); from now on
    // only the enqueue talks to Redis.
    await handshakeDone;
    const dropped = link.cut();
    const answer = request(base)
      .post(`/ovirt-engine/api/clusters/${clusterId}/refresh`)
      .auth(TEST_ADMIN.user, TEST_ADMIN.password)
      .set('Accept', 'application/json')
      .then(
        (r) => r.status,
        () => 'no answer',
      );
    await dropped;
    api.child.kill('SIGKILL');
    await api.exited;
    api = undefined;
    expect(await answer).toBe('no answer');
    const jobs = await t.sql<{ id: string; run_state: string; sent: boolean }>(
      'SELECT j.id, j.run_state, o.enqueued_at IS NOT NULL AS sent FROM jobs j JOIN outbox o ON o.job_id = j.id WHERE j.target_id = $1',
      [clusterId],
    );
    expect(jobs).toEqual([{ id: expect.any(String), run_state: 'queued', sent: false }]);
    return jobs[0].id;
  }

  it('the reconciler enqueues what the producer left in the outbox: the job ends with its event, a failing one with its failure event', async () => {
    const kept = await addCluster(t, 'orphaned-refresh');
    const removed = await addCluster(t, 'orphaned-refresh-of-removed');
    const keptJob = await refreshThroughDyingApi(kept);
    const removedJob = await refreshThroughDyingApi(removed);
    // The cluster goes while its refresh sits lost in the outbox: that job must fail, and say so.
    await t.sql('DELETE FROM clusters WHERE id = $1', [removed]);

    const runner = t.app.get(ActionRunner);
    const [keptDone, removedDone] = await Promise.all([
      runner.waitFor(keptJob, 90_000),
      runner.waitFor(removedJob, 90_000),
    ]);
    expect(keptDone.job).toMatchObject({ status: 'finished', result: { hosts: 0 } });
    expect(
      await t.sql('SELECT code, severity, description, cluster_id FROM events WHERE job_id = $1', [keptJob]),
    ).toEqual([
      {
        code: EventCode.ClusterRefreshed,
        severity: 'normal',
        description: 'Cluster orphaned-refresh refreshed: it has no hosts yet.',
        cluster_id: kept,
      },
    ]);
    expect(removedDone.job).toMatchObject({
      status: 'failed',
      error: {
        status: 409,
        reason: 'Operation Failed',
        detail: 'The cluster was removed before it could be refreshed.',
      },
    });
    expect(await t.sql('SELECT code, severity FROM events WHERE job_id = $1', [removedJob])).toEqual([
      { code: EventCode.ClusterRefreshFailed, severity: 'error' },
    ]);
    expect(
      await t.sql('SELECT enqueued_at IS NOT NULL AS sent FROM outbox WHERE job_id = ANY($1) ORDER BY id', [
        [keptJob, removedJob],
      ]),
    ).toEqual([{ sent: true }, { sent: true }]);
  });

  it('an outbox entry of an older version (the job id alone) ends its job failed instead of running it without its events', async () => {
    const clusterId = await addCluster(t, 'queued-by-older-version');
    const [job] = await t.sql<{ id: string }>(
      `INSERT INTO jobs (description, status, run_state, action, target_type, target_id, params) VALUES ('Refresh cluster', 'started', 'queued', $1, 'cluster', $2, '{}') RETURNING id`,
      [ClusterRefresh.name, clusterId],
    );
    await t.sql(
      `INSERT INTO outbox (job_id, queue, name, payload, created_at) VALUES ($1, 'actions', $2, $3, now() - interval '1 minute')`,
      [job.id, ClusterRefresh.name, JSON.stringify({ jobId: job.id })],
    );
    await t.app.get(OutboxReconciler).reconcile();
    const [row] = await t.sql<{ status: string; run_state: string; error: { detail: string } }>(
      'SELECT status, run_state, error FROM jobs WHERE id = $1',
      [job.id],
    );
    expect(row).toMatchObject({
      status: 'failed',
      run_state: 'done',
      error: { status: 500, reason: 'Operation Failed' },
    });
    expect(row.error.detail).toMatch(/^This job was queued by an older version of the service/);
    expect(await t.sql('SELECT code, severity FROM events WHERE job_id = $1', [job.id])).toEqual([
      { code: EventCode.ActionJobLost, severity: 'error' },
    ]);
    expect(
      await t.sql('SELECT count(*)::int AS n FROM events WHERE target_id = $1 AND code = $2', [
        clusterId,
        EventCode.ClusterRefreshed,
      ]),
    ).toEqual([{ n: 0 }]);
  });
});
