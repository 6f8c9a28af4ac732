/// <reference types="jest" />
// (test/support/gluster-lab.ts names jest's `describe`; the build's tsconfig loads only node's types)
/**
 * How soon a DR run notices its checkpoint (issue 19), on the real-gluster lab: with gluster's events API
 * registered (`enableglusterevents`, site 1's real glustereventsd) and without it (polling every
 * GEOREP_DR_POLL_INTERVAL_MS, 5 s by default). Per run, the time from gluster's last
 * GEOREP_CHECKPOINT_COMPLETED event reaching the service (the session signal, ms) to the end of the run's
 * wait step, and from gluster's own checkpoint completion time (whole seconds) to that end.
 * Run as root, after `npm run build`: `npm run bench:events`. Knob: BENCH_EVENT_ROUNDS (default 3).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import IORedis from 'ioredis';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { LabApp, startLabApp, startLabDrSchedule } from '../test/support/lab-app';

const ROUNDS = Number(process.env.BENCH_EVENT_ROUNDS ?? 3);
const POLL_MS = 5000;
const WAIT_STEP = 'Waiting for every active worker to complete the checkpoint';

const out = (line = '') => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

interface Ref {
  id: string;
}
interface RunJson {
  status: string;
  error?: string;
  checkpoint_completed_time?: number;
  steps?: { step: { description: string; status: string; start_time: number; end_time?: number }[] };
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the lab needs it');
  out(`# DR run: checkpoint noticed with and without gluster's events API, ${new Date().toISOString()}`);
  out(`node ${process.version}, ${os.cpus().length} cores, DR poll interval ${POLL_MS} ms, ${ROUNDS} run(s) each`);
  await globalSetup();
  let lab: LabApp | undefined;
  let signals: IORedis | undefined;
  try {
    lab = await startLabApp('bench-events', { GEOREP_DR_POLL_INTERVAL_MS: String(POLL_MS) });
    const { api, env, t, site1 } = lab;
    await t.app.listen(0, '127.0.0.1');
    const port = ((t.app.getHttpServer() as http.Server).address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/ovirt-engine/services/glusterevents`;
    const { sessionId, schedulePath } = await startLabDrSchedule(lab, 'bench-events');

    // When the service heard of the session from gluster (the signal it publishes for each event).
    const heard: number[] = [];
    signals = new IORedis(t.redisUrl);
    await signals.subscribe(`${t.config.queuePrefix}:session-signals`);
    signals.on('message', (_c: string, id: string) => id === sessionId && heard.push(Date.now()));

    const results: Record<string, { fromEvent: number[]; fromGluster: number[] }> = {};
    for (const mode of ['push', 'poll'] as const) {
      const enable = await api.post(`/clusters/${site1}/${mode === 'push' ? 'enable' : 'disable'}glusterevents`, {
        ...(mode === 'push' ? { url } : {}),
      });
      if ((enable.body as { status?: string }).status !== 'complete')
        throw new Error(`${mode}: ${enable.status} ${enable.text}`);
      results[mode] = { fromEvent: [], fromGluster: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const reply = await api.post(`${schedulePath}/syncnow`, {});
        const runPath = `${schedulePath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;
        await until(
          () => api.get<RunJson>(runPath),
          (r) => r.status !== 'started' || (r.steps?.step ?? []).some((s) => s.description === WAIT_STEP),
          5 * 60_000,
          'no wait step',
        );
        heard.length = 0;
        fs.writeFileSync(path.join(env.masterMnt, `bench-events-${Date.now()}`), crypto.randomBytes(4096));
        const run = await until(
          () => api.get<RunJson>(runPath),
          (r) => r.status !== 'started',
          10 * 60_000,
          'run',
        );
        if (run.status !== 'finished') throw new Error(`${mode} run ${run.status}: ${run.error}`);
        const end = run.steps?.step.find((s) => s.description === WAIT_STEP)?.end_time as number;
        const before = heard.filter((h) => h <= end);
        if (mode === 'push' && before.length > 0) results[mode].fromEvent.push(end - before[before.length - 1]);
        results[mode].fromGluster.push(end - (run.checkpoint_completed_time as number));
      }
    }
    out();
    out(
      "| DR run | from the last gluster event received to the wait's end, median (runs) | from gluster's checkpoint completion time (1 s resolution) to the wait's end, median (runs) |",
    );
    out('|---|---|---|');
    for (const [mode, r] of Object.entries(results)) {
      const e = r.fromEvent.length > 0 ? `${median(r.fromEvent)} ms (${r.fromEvent.join(', ')})` : 'no events';
      out(
        `| ${mode === 'push' ? 'events API registered' : `polling every ${POLL_MS} ms`} | ${e} | ${median(r.fromGluster)} ms (${r.fromGluster.join(', ')}) |`,
      );
    }
    const push = results.push.fromEvent;
    out();
    out(
      `target (noticed within 2 s of gluster's event) met: ${push.length === ROUNDS && push.every((v) => v <= 2000) ? 'yes' : 'no'}`,
    );
  } finally {
    signals?.disconnect();
    await lab?.close().catch(() => undefined);
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
