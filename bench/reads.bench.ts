/// <reference types="jest" />
// (test/support names jest's globals; the build's tsconfig loads only node's types)
/**
 * The read path alone (issue 22), without the gluster lab: the real app on its own PostgreSQL and Redis,
 * rows seeded as a discovery pass would leave them (a cluster, 4 hosts, a volume of 4 bricks, a session
 * with a worker per brick and its options), read at 64 connections by autocannon in its own process, each
 * read as a ratio of `/health/live` on the same server in the same run, with Basic and with a bearer token.
 * `npm run build && npm run bench:reads`; `node --cpu-prof dist/bench/reads.bench.js` profiles the app
 * (autocannon is another process). Knobs: BENCH_READ_SECONDS (default 8), BENCH_CONNECTIONS (64).
 * bench:e2e measures the same reads on the lab, beside everything else.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as os from 'node:os';
import { addCluster, addVolume, API, JSON_TYPE } from '../test/api/api-helpers';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { startTestApp, TEST_ADMIN, TestApp } from '../test/support/test-app';
import { autocannonLoad } from './autocannon-load';

const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const BRICKS = 4;

const out = (line = '') => process.stdout.write(`${line}\n`);

const load = (url: string, headers: Record<string, string>) =>
  autocannonLoad(url, headers, { connections: CONNECTIONS, seconds: READ_SECONDS });

/** A cluster, hosts, a volume with bricks and a session with a worker per brick and some options. */
async function seed(t: TestApp): Promise<{ clusterPath: string; volumePath: string; sessionPath: string }> {
  const cluster = await addCluster(t, 'site1');
  const volume = await addVolume(t, cluster, 'mastervol');
  const hosts: string[] = [];
  for (let i = 1; i <= BRICKS; i++) {
    const [h] = await t.sql<{ id: string }>(
      `INSERT INTO hosts (cluster_id, name, address, status) VALUES ($1, $2, $3, 'up') RETURNING id`,
      [cluster, `node${i}`, `10.0.0.${i}`],
    );
    hosts.push(h.id);
    await t.sql(
      `INSERT INTO gluster_bricks (volume_id, host_id, server_name, brick_dir, position, status)
       VALUES ($1, $2, $3, $4, $5, 'up')`,
      [volume, h.id, `node${i}`, `/bricks/b${i}`, i - 1],
    );
  }
  const [s] = await t.sql<{ id: string }>(
    `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
     VALUES ($1, $2, 'site2', 'slavevol', 'bench-key', 'active', now()) RETURNING id`,
    [cluster, volume],
  );
  for (let i = 1; i <= BRICKS; i++)
    await t.sql(
      `INSERT INTO georep_session_details (session_id, position, master_host_name, master_brick_dir, slave_node, status,
         crawl_status, last_synced, entry_pending, data_pending, meta_pending, failures)
       VALUES ($1, $2, $3, $4, 'site2', $5, 'changelog_crawl', now(), 0, 0, 0, 0)`,
      [s.id, i - 1, `node${i}`, `/bricks/b${i}`, i % 2 ? 'active' : 'passive'],
    );
  for (const [name, value] of [
    ['sync-jobs', '3'],
    ['log-level', 'INFO'],
    ['use-meta-volume', 'true'],
  ])
    await t.sql(`INSERT INTO georep_session_options (session_id, name, value, modified) VALUES ($1, $2, $3, false)`, [
      s.id,
      name,
      value,
    ]);
  return {
    clusterPath: `/clusters/${cluster}`,
    volumePath: `/clusters/${cluster}/glustervolumes/${volume}/georeplication-sessions`,
    sessionPath: `/clusters/${cluster}/glustervolumes/${volume}/georeplication-sessions/${s.id}`,
  };
}

async function main(): Promise<void> {
  await globalSetup();
  let t: TestApp | undefined;
  try {
    t = await startTestApp({ env: { GEOREP_SYNC_INTERVAL_SECONDS: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' } });
    const paths = await seed(t);
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const basic = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`;
    const sso = await fetch(`${base}/ovirt-engine/sso/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: JSON_TYPE },
      body: new URLSearchParams({
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: TEST_ADMIN.user,
        password: TEST_ADMIN.password,
      }),
    });
    const bearer = `Bearer ${((await sso.json()) as { access_token: string }).access_token}`;
    out(
      `# reads at ${CONNECTIONS} connections, ${READ_SECONDS} s each (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}, node ${process.version})`,
    );
    const reads: [string, string][] = [
      ['clusters list', `${API}/clusters`],
      ['one cluster', `${API}${paths.clusterPath}`],
      ['sessions of a volume', `${API}${paths.volumePath}`],
      ['one session', `${API}${paths.sessionPath}`],
    ];
    for (const [, p] of reads)
      for (const auth of [basic, bearer]) {
        const res = await fetch(`${base}${p}`, { headers: { Authorization: auth, Accept: JSON_TYPE } });
        if (res.status !== 200) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      }
    const floor = await load(`${base}/health/live`, { Accept: JSON_TYPE });
    out(
      `/health/live (the floor)       ${floor.rps.toFixed(0).padStart(6)} req/s  p50 ${floor.p50} ms  p99 ${floor.p99} ms`,
    );
    for (const [label, p] of reads)
      for (const [via, auth] of [
        ['Basic', basic],
        ['Bearer', bearer],
      ]) {
        const r = await load(`${base}${p}`, { Authorization: auth, Accept: JSON_TYPE });
        const bad = r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors!)` : '';
        out(
          `${`${label}, ${via}`.padEnd(30)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ${(r.rps / floor.rps).toFixed(2)} of the floor${bad}`,
        );
      }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } finally {
    await t?.close();
    await globalTeardown();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
