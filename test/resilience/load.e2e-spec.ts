import { createTestDatabase } from '../support/test-app';
import { testServices } from '../support/test-env';
import {
  addClusters,
  alive,
  call,
  jobsOf,
  newDeployment,
  RunningApi,
  Sql,
  sqlOn,
  startApi,
  stopService,
  untilAllEnded,
} from './resilience-support';

const CLIENTS = 200;
// Bounded: the clients stop by themselves. RESILIENCE_LOAD_SECONDS shortens it while working on the test.
const SECONDS = Number(process.env.RESILIENCE_LOAD_SECONDS ?? '60');

type Kind = 'list clusters' | 'list jobs' | 'list events' | 'get cluster' | 'get job' | 'action refresh';
const MIX: Kind[] = [
  'list clusters',
  'list jobs',
  'list events',
  'get cluster',
  'get job',
  'list clusters',
  'get cluster',
  'list events',
  'get job',
  'action refresh',
];

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/**
 * Issue 17, resilience 4: 200 concurrent clients for 60 s of mixed reads and actions against one
 * `all` process on loopback. Asserts no 5xx and that every action job ended; prints the figures
 * (docs/reliability.md has them) and asserts no timing.
 */
describe('load: 200 concurrent clients against one all process', () => {
  let sql: Sql;
  let app: RunningApi | undefined;
  beforeAll(async () => {
    const db = await createTestDatabase();
    sql = sqlOn(db.url);
    app = await startApi(newDeployment(db.url, testServices().redisUrl), 'all', {
      GEOREP_ACTION_WAIT_SECONDS: '0',
      LOG_LEVEL: 'error',
    });
  });
  afterAll(() => stopService(app?.proc));

  it(
    'answers no 5xx, and every action job ends',
    async () => {
      const base = app!.base;
      const clusters = await addClusters(sql, 'load', 50);
      // The password check is bounded (DESIGN 7): one request first fills the credential cache.
      const first = await call(base, 'POST', `/clusters/${clusters[0]}/refresh`, { body: { async: true } });
      expect(first.status).toBe(202);
      const jobIds = [(first.body.job as { id: string }).id];

      const samples = new Map<Kind, { ms: number[]; statuses: Map<number, number> }>(
        MIX.map((k) => [k, { ms: [], statuses: new Map() }]),
      );
      const fives: string[] = [];
      const started = Date.now();
      const end = started + SECONDS * 1000;
      let n = 0;
      const client = async (c: number) => {
        for (let i = c; Date.now() < end; i += CLIENTS) {
          const kind = MIX[i % MIX.length];
          const clusterId = clusters[(n++ * 7) % clusters.length];
          const jobId = jobIds[n % jobIds.length];
          const t0 = performance.now();
          const answer =
            kind === 'action refresh'
              ? await call(base, 'POST', `/clusters/${clusterId}/refresh`, { body: { async: true } })
              : await call(
                  base,
                  'GET',
                  {
                    'list clusters': '/clusters',
                    'list jobs': '/jobs?max=50',
                    'list events': '/events?max=50',
                    'get cluster': `/clusters/${clusterId}`,
                    'get job': `/jobs/${jobId}`,
                  }[kind],
                );
          const s = samples.get(kind)!;
          s.ms.push(performance.now() - t0);
          s.statuses.set(answer.status, (s.statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 0 || answer.status >= 500)
            fives.push(`${kind}: ${answer.status} ${JSON.stringify(answer.body)}`);
          if (kind === 'action refresh' && answer.status === 202) jobIds.push((answer.body.job as { id: string }).id);
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      const elapsed = (Date.now() - started) / 1000;

      const lines = [`load: ${CLIENTS} clients, ${elapsed.toFixed(1)} s, one all process`];
      let total = 0;
      for (const [kind, s] of samples) {
        const sorted = [...s.ms].sort((a, b) => a - b);
        total += sorted.length;
        const statuses = [...s.statuses].map(([st, k]) => `${st}:${k}`).join(' ');
        lines.push(
          `  ${kind.padEnd(15)} n=${sorted.length} ${(sorted.length / elapsed).toFixed(1)} req/s p50=${percentile(sorted, 50).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms [${statuses}]`,
        );
      }
      lines.push(`  all             n=${total} ${(total / elapsed).toFixed(1)} req/s`);
      process.stderr.write(`${lines.join('\n')}\n`);

      expect(alive(app!.proc)).toBe(true);
      expect(fives.slice(0, 20)).toEqual([]);
      expect(samples.get('action refresh')!.statuses.get(202) ?? 0).toBeGreaterThan(0);
      const rows = await untilAllEnded(sql, clusters, 180_000);
      const accepted = new Set(jobIds);
      expect(rows.filter((r) => accepted.has(r.id)).length).toBe(accepted.size);
      expect(rows.filter((r) => r.status !== 'finished')).toEqual([]);
      expect((await jobsOf(sql, clusters)).every((r) => r.run_state === 'done')).toBe(true);
    },
    (SECONDS + 240) * 1000,
  );
});
