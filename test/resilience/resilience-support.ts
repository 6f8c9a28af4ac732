import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { findFreePort } from '../../src/embedded/free-port';
import { runService, ServiceProcess } from '../support/processes';
import { TEST_ADMIN } from '../support/test-app';
import { testServices } from '../support/test-env';

/** What every process of one test file shares: its database, its Redis, its key and its BullMQ prefix. */
export interface Deployment {
  databaseUrl: string;
  redisUrl: string;
  secretKey: string;
  queuePrefix: string;
}

export function newDeployment(databaseUrl: string, redisUrl: string): Deployment {
  return {
    databaseUrl,
    redisUrl,
    secretKey: crypto.randomBytes(32).toString('hex'),
    queuePrefix: `res-${crypto.randomBytes(4).toString('hex')}`,
  };
}

/** A redis-server of the test file's own (so that it can be stopped), on a free port, its data kept across restarts. */
export async function startOwnRedis(name: string): Promise<EmbeddedRedis> {
  const redis = new EmbeddedRedis(
    fs.mkdtempSync(path.join(testServices().baseDir, `${name}-`)),
    undefined,
    await findFreePort(),
  );
  await redis.start();
  return redis;
}

export interface RunningApi {
  proc: ServiceProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

function processEnv(d: Deployment, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: d.databaseUrl,
    REDIS_URL: d.redisUrl,
    GEOREP_SECRET_KEY: d.secretKey,
    GEOREP_ADMIN_USER: TEST_ADMIN.user,
    GEOREP_ADMIN_PASSWORD: TEST_ADMIN.password,
    GEOREP_QUEUE_PREFIX: d.queuePrefix,
    GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'resilience-')),
    GEOREP_SYNC_INTERVAL_SECONDS: '0',
    GEOREP_SHUTDOWN_GRACE_SECONDS: '5',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  };
}

/** The built service as an HTTP process (`api`, or `all` with its in-process worker), on a free loopback port. */
export async function startApi(d: Deployment, role: 'api' | 'all', env: NodeJS.ProcessEnv = {}): Promise<RunningApi> {
  const proc = runService([role], processEnv(d, env));
  const [, base] = await proc.waitFor(/listening on (http:\/\/[^/\s]+)\/ovirt-engine\/api/);
  return { proc, base };
}

export async function startWorker(d: Deployment, env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const proc = runService(['worker'], processEnv(d, env));
  await proc.waitFor(/georep-api \(worker\) running/);
  return proc;
}

export async function stopService(proc: ServiceProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  // A process that cannot shut down cleanly (e.g. its Redis is gone) is killed after a while.
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
  await proc.exited;
  clearTimeout(timer);
}

/** True while the process runs (it did not crash). */
export function alive(proc: ServiceProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** One connection per query: it works again as soon as PostgreSQL does. */
export function sqlOn(databaseUrl: string): Sql {
  return async <T>(text: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
}

export async function addClusters(sql: Sql, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(
      (await sql<{ id: string }>('INSERT INTO clusters (name) VALUES ($1) RETURNING id', [`${prefix}-${i}`]))[0].id,
    );
  return ids;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  correlationId: string | null;
}

const AUTH = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`;

/** One JSON request as the test admin; a refused connection or a reset answers status 0. */
export async function call(
  base: string,
  method: 'GET' | 'POST',
  route: string,
  options: { correlationId?: string; body?: object } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: AUTH, Accept: 'application/json' };
  if (options.correlationId) headers['Correlation-Id'] = options.correlationId;
  if (method === 'POST') headers['Content-Type'] = 'application/json';
  try {
    const res = await fetch(`${base}/ovirt-engine/api${route}`, {
      method,
      headers,
      body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined,
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { unparsed: text };
    }
    return { status: res.status, body, correlationId: res.headers.get('correlation-id') };
  } catch (err) {
    // Status 0: no answer at all. Say why, so a failing test names the socket error.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, body: { error: cause?.code ?? cause?.message ?? String(err) }, correlationId: null };
  }
}

/** The job id an action's answer links to. */
export function jobIdOf(answer: Answer): string {
  const job = answer.body.job as { id?: string } | undefined;
  if (!job?.id) throw new Error(`no job in the answer (${answer.status}): ${JSON.stringify(answer.body)}`);
  return job.id;
}

export interface JobRow {
  id: string;
  status: string;
  run_state: string;
  attempts: number;
  target_id: string;
}

export function jobsOf(sql: Sql, targetIds: string[]): Promise<JobRow[]> {
  return sql<JobRow>(
    'SELECT id, status, run_state, attempts, target_id FROM jobs WHERE target_id = ANY($1) ORDER BY start_time, id',
    [targetIds],
  );
}

/** Waits until no job of these targets is still queued or running. */
export function untilAllEnded(sql: Sql, targetIds: string[], deadlineMs = 120_000): Promise<JobRow[]> {
  return until(
    'every job to end',
    async () => {
      const rows = await jobsOf(sql, targetIds);
      return rows.every((r) => r.run_state === 'done') ? rows : undefined;
    },
    deadlineMs,
    500,
  );
}

/** How many events of `code` each job has. */
export async function eventCounts(sql: Sql, jobIds: string[], code: number): Promise<Map<string, number>> {
  const rows = await sql<{ job_id: string; n: number }>(
    'SELECT job_id, count(*)::int AS n FROM events WHERE job_id = ANY($1) AND code = $2 GROUP BY job_id',
    [jobIds, code],
  );
  return new Map(rows.map((r) => [r.job_id, r.n]));
}
