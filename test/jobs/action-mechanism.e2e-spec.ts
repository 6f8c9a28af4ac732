import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { EventCode } from '../../src/events/event-codes';
import { OvirtFault } from '../../src/ovirt/faults';
import { ActionRequest } from '../../src/jobs/action-definition';
import { ActionRunner } from '../../src/jobs/action-runner';
import { OutboxReconciler } from '../../src/jobs/outbox-reconciler';
import { TargetLock } from '../../src/jobs/target-lock';
import { JobName } from '../../src/queue/queue-names';
import { runService, ServiceProcess } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';
import { testServices } from '../support/test-env';

const caller = { correlationId: 'corr-1', userId: null };

function refresh(clusterId: string, conflict: ActionRequest['conflict'] = 'exclusive'): ActionRequest {
  return {
    name: JobName.ClusterRefresh,
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
    expect(outcome.job).toMatchObject({ status: 'finished', runState: 'done', targetId: clusterId, correlationId: 'corr-1', result: { hosts: 0 } });
    const steps = await t.sql('SELECT number, description, status, progress FROM steps WHERE job_id = $1', [outcome.job.id]);
    expect(steps).toEqual([{ number: 1, description: 'Refreshing cluster sync', status: 'finished', progress: 100 }]);
    const events = await t.sql('SELECT code, severity, description, correlation_id, cluster_id FROM events WHERE job_id = $1', [outcome.job.id]);
    expect(events).toEqual([{ code: EventCode.ClusterRefreshed, severity: 'normal', description: 'Cluster sync refreshed: it has no hosts yet.', correlation_id: 'corr-1', cluster_id: clusterId }]);
  });

  it('reports a refused action as failed, with the reason on the job and an error event', async () => {
    const clusterId = await addCluster(t, 'doomed');
    await t.sql('DELETE FROM clusters WHERE id = $1', [clusterId]);
    const outcome = await runner.submit(refresh(clusterId), caller);
    expect(outcome.status).toBe('failed');
    expect(outcome.job.error).toEqual({ status: 409, reason: 'Operation Failed', detail: 'The cluster was removed before it could be refreshed.' });
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
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '0', GEOREP_ACTION_QUEUE_LIMIT: '2', GEOREP_TEST_ACTION_DELAY_MS: '1500' } });
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

  it('refuses an exclusive action while another runs on the target (409) and writes nothing', async () => {
    const clusterId = await addCluster(t, 'busy');
    const first = await runner.submit(refresh(clusterId), caller);
    const jobsBefore = await t.sql('SELECT count(*)::int AS n FROM jobs WHERE target_id = $1', [clusterId]);
    await expect(runner.submit(refresh(clusterId), caller)).rejects.toMatchObject({ status: 409, detail: 'Another operation is in progress on this cluster.' });
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
    for (let i = 1; i < rows.length; i++) expect(rows[i].start.getTime()).toBeGreaterThanOrEqual(rows[i - 1].end.getTime());
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
    const error = await t.app.get(ActionRunner).submit(refresh(clusterId), caller).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, detail: 'The job queue (Redis) is not reachable; the action was not started.' });
    const jobs = await t.sql('SELECT status, run_state, error FROM jobs WHERE target_id = $1', [clusterId]);
    expect(jobs).toEqual([{ status: 'failed', run_state: 'done', error: { status: 503, reason: 'Service Unavailable', detail: 'The job queue (Redis) is not reachable; the action was not started.' } }]);
    const events = await t.sql('SELECT code, severity FROM events WHERE target_id = $1', [clusterId]);
    expect(events).toEqual([{ code: EventCode.ActionQueueUnavailable, severity: 'error' }]);
    // A new action on the same target is not blocked by the failed one.
    const next = await t.app.get(ActionRunner).submit(refresh(clusterId), caller).catch((e: unknown) => e);
    expect(next).toMatchObject({ status: 503 });
  });
});

describe('with a separate worker process', () => {
  let t: TestApp;
  let worker: ServiceProcess | undefined;
  const workerEnv = (t: TestApp) => ({
    DATABASE_URL: t.databaseUrl,
    REDIS_URL: t.redisUrl,
    GEOREP_SECRET_KEY: t.config.secretKey,
    GEOREP_ADMIN_PASSWORD: 'worker-password',
    GEOREP_QUEUE_PREFIX: t.config.queuePrefix,
    GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'worker-')),
    GEOREP_JOB_LOCK_SECONDS: '3',
    GEOREP_TEST_ACTION_DELAY_MS: '4000',
    LOG_LEVEL: 'warn',
  });
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
    await until('the job to run', async () => ((await t.sql<{ run_state: string }>('SELECT run_state FROM jobs WHERE id = $1', [job.id]))[0].run_state === 'running' ? true : undefined));
    const locks = t.app.get(TargetLock);
    expect(await locks.isHeld('cluster', clusterId)).toBe(true);
    worker.child.kill('SIGKILL');
    await worker.exited;
    await until('the lock to be released by the dead worker', async () => ((await locks.isHeld('cluster', clusterId)) ? undefined : true));

    worker = runService(['worker'], workerEnv(t));
    const done = await runner.waitFor(job.id, 90_000);
    expect(done.status).toBe('complete');
    expect(done.job.attempts).toBeGreaterThanOrEqual(2);
    expect(await locks.isHeld('cluster', clusterId)).toBe(false);
    const steps = await t.sql('SELECT status FROM steps WHERE job_id = $1', [job.id]);
    expect(steps).toEqual([{ status: 'finished' }]);
    worker.child.kill('SIGTERM');
    await worker.exited;
    worker = undefined;
  });

  it('the outbox reconciler enqueues a job whose enqueue was lost', async () => {
    const clusterId = await addCluster(t, 'lost');
    const [job] = await t.sql<{ id: string }>(
      `INSERT INTO jobs (description, status, run_state, action, target_type, target_id, params) VALUES ('Refresh cluster', 'started', 'queued', $1, 'cluster', $2, '{}') RETURNING id`,
      [JobName.ClusterRefresh, clusterId],
    );
    await t.sql(`INSERT INTO outbox (job_id, queue, name, payload, created_at) VALUES ($1, 'actions', $2, $3, now() - interval '1 minute')`, [
      job.id,
      JobName.ClusterRefresh,
      JSON.stringify({ jobId: job.id, events: { success: EventCode.ClusterRefreshed, failure: EventCode.ClusterRefreshFailed }, eventRefs: {} }),
    ]);
    worker = runService(['worker'], { ...workerEnv(t), GEOREP_TEST_ACTION_DELAY_MS: '0' });
    await worker.waitFor(/georep-api \(worker\) running/);
    // The API process runs the reconciler too; calling it directly keeps the test free of the 15 s schedule.
    const { enqueued } = await t.app.get(OutboxReconciler).reconcile();
    expect(enqueued).toBe(1);
    const done = await t.app.get(ActionRunner).waitFor(job.id, 60_000);
    expect(done.status).toBe('complete');
    expect(await t.sql('SELECT enqueued_at IS NOT NULL AS sent FROM outbox WHERE job_id = $1', [job.id])).toEqual([{ sent: true }]);
    worker.child.kill('SIGTERM');
    await worker.exited;
    worker = undefined;
  });
});
