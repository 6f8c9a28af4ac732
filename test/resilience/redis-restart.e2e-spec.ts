import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { EventCode } from '../../src/events/event-codes';
import { ServiceProcess } from '../support/processes';
import { createTestDatabase } from '../support/test-app';
import {
  addClusters,
  alive,
  call,
  eventCounts,
  jobIdOf,
  jobsOf,
  newDeployment,
  RunningApi,
  Sql,
  sqlOn,
  startApi,
  startOwnRedis,
  startWorker,
  stopService,
  until,
  untilAllEnded,
} from './resilience-support';

/**
 * Issue 17, resilience 1: the file's own redis-server is stopped while actions run and wait, and
 * started again on the same port with its data (AOF). An `api` process and a `worker` process run
 * the built service against it.
 */
describe('Redis stopped mid-action and started again', () => {
  let redis: EmbeddedRedis;
  let sql: Sql;
  let api: RunningApi | undefined;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    redis = await startOwnRedis('redis-restart');
    const db = await createTestDatabase();
    sql = sqlOn(db.url);
    const deployment = newDeployment(db.url, redis.url);
    api = await startApi(deployment, 'api', { GEOREP_ACTION_WAIT_SECONDS: '0' });
    // A short BullMQ lock: the job whose completion could not reach Redis is picked up again soon after Redis returns.
    worker = await startWorker(deployment, { GEOREP_TEST_ACTION_DELAY_MS: '3000', GEOREP_JOB_LOCK_SECONDS: '3' });
  });
  afterAll(async () => {
    await stopService(api?.proc);
    await stopService(worker);
    await redis.stop();
  });

  it('answers actions with 503 faults and reads with 200 while Redis is down; afterwards every accepted job finishes once', async () => {
    const base = api!.base;
    const clusters = await addClusters(sql, 'redis-restart', 6);
    // Six refreshes on six clusters plus two more queued behind the first: more than the worker's
    // four slots, so some wait in Redis when it stops.
    const targets = [...clusters, clusters[0], clusters[0]];
    const accepted: string[] = [];
    for (const clusterId of targets) {
      const answer = await call(base, 'POST', `/clusters/${clusterId}/refresh`, { body: { async: true } });
      expect(answer.status).toBe(202);
      accepted.push(jobIdOf(answer));
    }
    await until('a job to run', async () =>
      (await jobsOf(sql, clusters)).some((j) => j.run_state === 'running') ? true : undefined,
    );

    await redis.stop();
    const runningWhenStopped = (await jobsOf(sql, clusters)).filter((j) => j.run_state === 'running').map((j) => j.id);
    expect(runningWhenStopped.length).toBeGreaterThan(0);

    const refused = await call(base, 'POST', `/clusters/${clusters[1]}/refresh`, {
      correlationId: 'redis-down-1',
      body: { async: true },
    });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      reason: 'Service Unavailable',
      detail: 'The job queue (Redis) is not reachable; the action was not started.',
    });
    expect(refused.correlationId).toBe('redis-down-1');
    for (const route of ['/clusters', '/jobs', '/events', `/clusters/${clusters[2]}`, `/jobs/${accepted[0]}`]) {
      expect({ route, status: (await call(base, 'GET', route)).status }).toEqual({ route, status: 200 });
    }
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    // The running jobs end their rows while Redis is still down (their work needs only PostgreSQL);
    // the queued ones cannot be fetched and stay queued.
    await until('the running jobs to end in PostgreSQL', async () => {
      const rows = await jobsOf(sql, clusters);
      return runningWhenStopped.every((id) => rows.find((r) => r.id === id)?.run_state === 'done') ? true : undefined;
    });
    const stillQueued = (await jobsOf(sql, clusters)).filter(
      (j) => accepted.includes(j.id) && j.run_state === 'queued',
    );
    expect(stillQueued.length).toBeGreaterThan(0);
    const secondRefusal = await call(base, 'POST', `/clusters/${clusters[3]}/refresh`, { body: { async: true } });
    expect(secondRefusal.status).toBe(503);

    await redis.start();
    const rows = await untilAllEnded(sql, clusters);
    expect(alive(api!.proc) && alive(worker!)).toBe(true);

    // Nothing lost: every accepted job, and only those and the two refused, has a row; each accepted one finished with one success event.
    expect(rows).toHaveLength(accepted.length + 2);
    const refusedRows = rows.filter((r) => !accepted.includes(r.id));
    expect(refusedRows.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(rows.filter((r) => accepted.includes(r.id)).map((r) => r.status)).toEqual(accepted.map(() => 'finished'));
    const successes = await eventCounts(sql, accepted, EventCode.ClusterRefreshed);
    expect(accepted.map((id) => successes.get(id))).toEqual(accepted.map(() => 1));
    const unavailable = await eventCounts(
      sql,
      refusedRows.map((r) => r.id),
      EventCode.ActionQueueUnavailable,
    );
    expect([...unavailable.values()]).toEqual([1, 1]);
    expect(
      await sql(
        'SELECT count(*)::int AS n FROM steps s JOIN jobs j ON j.id = s.job_id WHERE j.target_id = ANY($1) AND s.status = $2',
        [clusters, 'started'],
      ),
    ).toEqual([{ n: 0 }]);
    expect(
      await sql(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      ),
    ).toEqual([{ n: 0 }]);

    // And the service takes new actions again.
    const after = await call(base, 'POST', `/clusters/${clusters[1]}/refresh`, { body: { async: true } });
    expect(after.status).toBe(202);
    const [done] = await until('the new job to end', async () => {
      const found = (await jobsOf(sql, [clusters[1]])).filter((r) => r.id === jobIdOf(after) && r.run_state === 'done');
      return found.length ? found : undefined;
    });
    expect(done.status).toBe('finished');
  }, 240_000);
});
