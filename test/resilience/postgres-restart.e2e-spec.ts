import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDatabase } from '../../src/bootstrap';
import { EmbeddedPostgres } from '../../src/embedded/embedded-postgres';
import { findFreePort } from '../../src/embedded/free-port';
import { EventCode } from '../../src/events/event-codes';
import { ServiceProcess } from '../support/processes';
import { testServices } from '../support/test-env';
import {
  addClusters,
  alive,
  Answer,
  call,
  eventCounts,
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

type Phase = 'before' | 'down' | 'after';
interface Seen {
  phase: Phase;
  route: string;
  answer: Answer;
}

/**
 * Issue 17, resilience 2: the file's own PostgreSQL is stopped (fast shutdown) and started again
 * on the same port while clients keep reading and submitting actions to an `api` process, with a
 * `worker` process running them.
 */
describe('PostgreSQL restarted mid-traffic', () => {
  let pg: EmbeddedPostgres;
  let sql: Sql;
  let api: RunningApi | undefined;
  let worker: ServiceProcess | undefined;

  beforeAll(async () => {
    pg = new EmbeddedPostgres({
      baseDir: fs.mkdtempSync(path.join(testServices().baseDir, 'pg-restart-')),
      port: await findFreePort(),
    });
    await pg.start();
    await ensureDatabase(pg.url, 'georep');
    sql = sqlOn(pg.urlFor('georep'));
    const deployment = newDeployment(pg.urlFor('georep'), testServices().redisUrl);
    api = await startApi(deployment, 'api', { GEOREP_ACTION_WAIT_SECONDS: '0' });
    worker = await startWorker(deployment, {
      GEOREP_TEST_ACTION_DELAY_MS: '1000',
      GEOREP_JOB_LOCK_SECONDS: '3',
      GEOREP_LOST_JOB_SWEEP_SECONDS: '5',
    });
  });
  afterAll(async () => {
    await stopService(api?.proc);
    await stopService(worker);
    await pg.stop();
  });

  it('answers 503 faults while it is down (never a 500, the api stays up), recovers by itself and loses no row', async () => {
    const base = api!.base;
    const clusters = await addClusters(sql, 'pg-restart', 8);
    const seen: Seen[] = [];
    let phase: Phase = 'before';
    let stop = false;
    let next = 0;
    const routes = () => {
      const n = next++;
      const clusterId = clusters[n % clusters.length];
      return [
        { method: 'GET' as const, route: '/clusters' },
        { method: 'GET' as const, route: '/jobs' },
        { method: 'GET' as const, route: `/clusters/${clusterId}` },
        { method: 'POST' as const, route: `/clusters/${clusterId}/refresh` },
      ][n % 4];
    };
    const client = async () => {
      while (!stop) {
        const { method, route } = routes();
        const at = phase;
        const answer = await call(base, method, route, {
          correlationId: `pg-${next}`,
          body: method === 'POST' ? { async: true } : undefined,
        });
        seen.push({ phase: at, route: `${method} ${route}`, answer });
        // A refused connection would spin: note it and go on (the test fails on it below).
        if (answer.status === 0) await new Promise((r) => setTimeout(r, 100));
      }
    };
    const clients = Array.from({ length: 6 }, () => client());
    // The clients stop however the restart goes: left running, they would keep jest from exiting.
    try {
      await until('a job to run', async () =>
        (await jobsOf(sql, clusters)).some((j) => j.run_state === 'running') ? true : undefined,
      );
      phase = 'down';
      await pg.stop();
      await until(
        '503 answers while PostgreSQL is down',
        async () => (seen.filter((s) => s.phase === 'down' && s.answer.status === 503).length >= 10 ? true : undefined),
        30_000,
      ).catch((e) => {
        process.stderr.write(
          `no 503 while PostgreSQL was down; last answers: ${JSON.stringify(seen.filter((s) => s.phase === 'down').slice(-4))}\n${api!.proc.output().slice(-1500)}\n`,
        );
        throw e;
      });
      await pg.start();
      phase = 'after';
      await until('the api to answer reads again', async () =>
        seen.some((s) => s.phase === 'after' && s.route === 'GET /clusters' && s.answer.status === 200)
          ? true
          : undefined,
      );
      await until('more traffic after recovery', async () =>
        seen.filter((s) => s.phase === 'after' && s.answer.status < 300).length >= 40 ? true : undefined,
      );
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    expect(alive(api!.proc) && alive(worker!)).toBe(true);
    const statuses = (p: Phase) => [...new Set(seen.filter((s) => s.phase === p).map((s) => s.answer.status))].sort();
    process.stderr.write(
      `postgres restart: ${seen.length} requests; statuses before ${statuses('before')}, down ${statuses('down')}, after ${statuses('after')}\n`,
    );
    const wrong = seen.filter((s) => s.answer.status === 0 || (s.answer.status >= 500 && s.answer.status !== 503));
    if (wrong.length > 0) {
      const ids = wrong.map((s) => s.answer.correlationId).filter((id): id is string => !!id);
      const lines = api!.proc.output().split('\n');
      process.stderr.write(
        `the api's log for the unexpected answers:\n${lines
          .flatMap((l, i) => (ids.some((id) => l.includes(`correlation id ${id})`)) ? lines.slice(i, i + 12) : []))
          .join('\n')}\n`,
      );
    }
    expect(wrong.map((s) => `${s.phase} ${s.route}: ${s.answer.status} ${JSON.stringify(s.answer.body)}`)).toEqual([]);
    for (const s of seen.filter((x) => x.answer.status === 503)) {
      expect(s.answer.body).toEqual({ reason: 'Service Unavailable', detail: expect.any(String) });
      expect(s.answer.correlationId).toMatch(/^pg-\d+$/);
    }

    // Every action the api accepted has its row, and each ends; a finished one has exactly one success event.
    const acceptedIds = seen
      .filter((s) => s.route.startsWith('POST') && s.answer.status === 202)
      .map((s) => (s.answer.body.job as { id: string }).id);
    expect(acceptedIds.length).toBeGreaterThan(0);
    const rows = await untilAllEnded(sql, clusters);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(acceptedIds.filter((id) => !byId.has(id))).toEqual([]);
    const finished = rows.filter((r) => r.status === 'finished').map((r) => r.id);
    const successes = await eventCounts(sql, finished, EventCode.ClusterRefreshed);
    expect(finished.filter((id) => successes.get(id) !== 1)).toEqual([]);
    const failed = rows.filter((r) => r.status !== 'finished');
    process.stderr.write(
      `postgres restart: ${acceptedIds.length} actions accepted, ${rows.length} job rows, ${finished.length} finished, ${failed.length} not\n`,
    );
    expect(
      await sql(
        'SELECT count(*)::int AS n FROM steps s JOIN jobs j ON j.id = s.job_id WHERE j.target_id = ANY($1) AND s.status = $2',
        [clusters, 'started'],
      ),
    ).toEqual([{ n: 0 }]);
  }, 240_000);
});
