/// <reference types="jest" />
// (test/support names jest's globals; the build's tsconfig loads only node's types)
/**
 * What storing a discovery pass costs in PostgreSQL as a cluster grows (issue 22): a whole-cluster pass
 * of 10, 100 and 1000 sessions (one master volume each, with the captured volume's two bricks and the
 * captured active/passive workers), first when everything is new, then again unchanged (every periodic
 * sync), against the targeted store of one session's status that actions do, at the same size.
 * Run after `npm run build`: `npm run bench:discovery`. It starts its own PostgreSQL and Redis (as the
 * tests do) and prints figures only. Knob: BENCH_SESSIONS (default 10,100,1000).
 */
import { performance } from 'node:perf_hooks';
import { buildSnapshot } from '../src/discovery/discovery-snapshot';
import { DiscoveryStore } from '../src/discovery/discovery-store';
import {
  GeoRepSessionStatus,
  GlusterVolumeInfo,
  GlusterVolumeStatus,
  parseGeoRepSessionStatus,
  parseGeoRepStatusList,
  parseVolumeInfo,
  parseVolumeStatus,
} from '../src/gluster';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { startTestApp, TestApp } from '../test/support/test-app';
import { captured } from '../test/support/gluster-captures';

const SIZES = (process.env.BENCH_SESSIONS ?? '10,100,1000').split(',').map(Number);
const out = (line = '') => process.stdout.write(`${line}\n`);

const master = parseVolumeInfo(captured('volume-info-xml.xml')).find((v) => v.name === 'mastervol');
const masterStatus = parseVolumeStatus(captured('volume-status-mastervol-detail-xml.xml')).find(
  (s) => s.volumeName === 'mastervol',
);
const [capturedSession] = parseGeoRepStatusList(captured('georep-status-all-xml.active-passive.xml'));
const ownStatus = parseGeoRepSessionStatus(captured('georep-status-detail-xml.active-passive.xml'), {
  masterVolume: 'mastervol',
  slaveHost: 'vm',
  slaveVolume: 'slavevol',
});

/** n copies of the captured master volume and its session, volume i named `vol<i>`. */
function cluster(n: number): {
  volumes: GlusterVolumeInfo[];
  statuses: GlusterVolumeStatus[];
  sessions: GeoRepSessionStatus[];
} {
  if (!master || !masterStatus || !capturedSession) throw new Error('the captures have no mastervol session');
  const names = Array.from({ length: n }, (_, i) => `vol${i}`);
  return {
    volumes: names.map((name, i) => ({
      ...master,
      name,
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    })),
    statuses: names.map((name) => ({ ...masterStatus, volumeName: name })),
    sessions: names.map((name) => ({ ...capturedSession, masterVolume: name })),
  };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function sizeRound(t: TestApp, store: DiscoveryStore, n: number): Promise<void> {
  const [{ id: clusterId }] = await t.sql<{ id: string }>(`INSERT INTO clusters (name) VALUES ($1) RETURNING id`, [
    `bench-${n}`,
  ]);
  const { volumes, statuses, sessions } = cluster(n);
  const snapshot = buildSnapshot(volumes, statuses, sessions);
  const first = await timed(() => store.apply(clusterId, snapshot, new Map()));
  const again: number[] = [];
  for (let i = 0; i < 3; i++) again.push(await timed(() => store.apply(clusterId, snapshot, new Map())));
  const [{ id: sessionId }] = await t.sql<{ id: string }>(
    `SELECT s.id FROM georep_sessions s JOIN gluster_volumes v ON v.id = s.master_volume_id
      WHERE v.cluster_id = $1 AND v.name = 'vol0'`,
    [clusterId],
  );
  const targeted: number[] = [];
  for (let i = 0; i < 10; i++)
    targeted.push(
      await timed(() => store.applySession(clusterId, sessionId, { ...ownStatus, masterVolume: 'vol0' }, undefined)),
    );
  const steady = Math.min(...again);
  out(
    `${String(n).padStart(5)} sessions: whole pass new ${first.toFixed(0)} ms, unchanged ${steady.toFixed(0)} ms ` +
      `(${(steady / n).toFixed(2)} ms per session); one session's targeted store ${Math.min(...targeted).toFixed(1)} ms`,
  );
  await t.sql('DELETE FROM clusters WHERE id = $1', [clusterId]);
}

async function main(): Promise<void> {
  await globalSetup();
  let t: TestApp | undefined;
  try {
    t = await startTestApp({ role: 'api' });
    const store = t.app.get(DiscoveryStore);
    out('Storing a discovery pass in PostgreSQL (fastest of 3 unchanged passes, of 10 targeted stores):');
    for (const n of SIZES) await sizeRound(t, store, n);
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
