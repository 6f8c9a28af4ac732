import { EventCode } from '../../src/events/event-codes';
import { ServiceProcess } from '../support/processes';
import { createTestDatabase } from '../support/test-app';
import { testServices } from '../support/test-env';
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
  startWorker,
  stopService,
  until,
  untilAllEnded,
} from './resilience-support';

const WORKER_CONCURRENCY = 4; // WorkerRunner's per-queue concurrency

/**
 * Issue 17, resilience 3: two `api` and two `worker` processes on one PostgreSQL and one Redis;
 * 40 refreshes over 10 clusters; one worker is killed (SIGKILL) while both run jobs.
 */
describe('scale-out: 2 api + 2 worker processes, one worker killed mid-run', () => {
  let sql: Sql;
  const apis: RunningApi[] = [];
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    const db = await createTestDatabase();
    sql = sqlOn(db.url);
    const deployment = newDeployment(db.url, testServices().redisUrl);
    const workerEnv = { GEOREP_TEST_ACTION_DELAY_MS: '1500', GEOREP_JOB_LOCK_SECONDS: '3' };
    // One at a time: each runs the migrations check and the admin bootstrap on start-up.
    for (let i = 0; i < 2; i++) apis.push(await startApi(deployment, 'api', { GEOREP_ACTION_WAIT_SECONDS: '0' }));
    for (let i = 0; i < 2; i++) workers.push(await startWorker(deployment, workerEnv));
  });
  afterAll(async () => {
    for (const p of [...apis.map((a) => a.proc), ...workers]) await stopService(p);
  });

  it("every job ends exactly once, the killed worker's jobs are re-run, and no lock is left", async () => {
    const clusters = await addClusters(sql, 'scale-out', 10);
    // One request each first: the password check is bounded (DESIGN 7), later ones hit the credential cache.
    for (const api of apis) expect((await call(api.base, 'GET', '/clusters')).status).toBe(200);
    const submitted = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const answer = await call(apis[i % 2].base, 'POST', `/clusters/${clusters[i % 10]}/refresh`, {
          correlationId: `scale-${i}`,
          body: { async: true },
        });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 202, body: expect.anything() });
        return jobIdOf(answer);
      }),
    );
    // More jobs running than one worker's slots: both workers hold running jobs when one is killed.
    await until(
      'both workers to run jobs',
      async () =>
        (await jobsOf(sql, clusters)).filter((j) => j.run_state === 'running').length > WORKER_CONCURRENCY
          ? true
          : undefined,
      60_000,
      50,
    );
    workers[0].child.kill('SIGKILL');
    await workers[0].exited;

    const rows = await untilAllEnded(sql, clusters, 180_000);
    expect(alive(workers[1]) && apis.every((a) => alive(a.proc))).toBe(true);
    expect(rows.map((r) => r.id).sort()).toEqual([...submitted].sort());
    expect(rows.filter((r) => r.status !== 'finished')).toEqual([]);
    const successes = await eventCounts(sql, submitted, EventCode.ClusterRefreshed);
    expect(submitted.filter((id) => successes.get(id) !== 1)).toEqual([]);
    // A job the killed worker was running started again on the other one (attempts 2); no job ran more than that.
    const attempts = rows.map((r) => r.attempts);
    process.stderr.write(
      `scale-out: 40 jobs, attempts ${JSON.stringify(attempts.reduce<Record<number, number>>((m, a) => ({ ...m, [a]: (m[a] ?? 0) + 1 }), {}))}\n`,
    );
    expect(attempts.filter((a) => a === 2).length).toBeGreaterThan(0);
    expect(attempts.every((a) => a === 1 || a === 2)).toBe(true);
    expect(
      await sql(
        'SELECT count(*)::int AS n FROM steps s JOIN jobs j ON j.id = s.job_id WHERE j.target_id = ANY($1) AND s.status <> $2',
        [clusters, 'finished'],
      ),
    ).toEqual([{ n: 0 }]);
    await until('no advisory lock left', async () => {
      const [{ n }] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return n === 0 ? true : undefined;
    });
  }, 300_000);
});
