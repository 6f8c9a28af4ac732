/// <reference types="jest" />
// (test/support/gluster-lab.ts names jest's `describe`; the build's tsconfig loads only node's types)
/**
 * End-to-end figures of the real app on the real-gluster lab (issue 22), each a ratio taken in one run:
 * 1. reads vs /health/live at 64 connections (autocannon in its own process);
 * 2. each session verb through the API vs the gluster commands it ran, replayed over the same pool;
 * 3. one command over the pooled SSH connection vs local exec vs a fresh `ssh` process;
 * 4. a cluster refresh vs its gluster commands replayed over the pool;
 * 5. the app's RSS idle and under the read load;
 * 6. a planned failover of the session vs the gluster commands it ran (last: the session is failed over).
 * Run as root, after `npm run build`: `npm run bench:e2e`. It takes the lab lease (as the lab tests do),
 * starts its own PostgreSQL and Redis, and prints figures only; "target met: no" is a finding, not a failure.
 * Knobs: BENCH_READ_SECONDS (default 8), BENCH_CONNECTIONS (64), BENCH_ACTION_ROUNDS (1).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { geoRepControlCommand, GeoRepSessionRef } from '../src/gluster';
import { SshClient, SshExecOptions, SshExecResult, SshTarget } from '../src/ssh';
import { API, JSON_TYPE } from '../test/api/api-helpers';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { labSsh, sessionCreate } from '../test/support/gluster-lab';
import { LabApp, startLabApp } from '../test/support/lab-app';
import { TEST_ADMIN } from '../test/support/test-app';
import { autocannonLoad, LoadResult } from './autocannon-load';

const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ACTION_ROUNDS = Number(process.env.BENCH_ACTION_ROUNDS ?? 1);

const out = (line = '') => process.stdout.write(`${line}\n`);
const ms = (v: number) => `${v.toFixed(1)} ms`;
const met = (ok: boolean) => `target met: ${ok ? 'yes' : 'no'}`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// ------------------------------------------------------------------ what the app ran over SSH

interface RanCommand {
  target: SshTarget;
  command: string;
  options: SshExecOptions;
  start: number;
  end: number;
  exitCode: number | null;
}

/** Wraps the app's own SshClient.exec (execOnAny goes through it too) to note every command and its time. */
class CommandRecorder {
  private log: RanCommand[] | undefined;
  private readonly original: SshClient['exec'];

  constructor(private readonly ssh: SshClient) {
    this.original = ssh.exec.bind(ssh);
    ssh.exec = async (target, command, options = {}) => {
      const start = performance.now();
      let exitCode: number | null = null;
      try {
        const result = await this.original(target, command, options);
        exitCode = result.exitCode;
        return result;
      } finally {
        this.log?.push({ target, command, options, start, end: performance.now(), exitCode });
      }
    };
  }

  /** A command over the pool, unrecorded: the raw side of each comparison. */
  raw(target: SshTarget, command: string, options: SshExecOptions = {}): Promise<SshExecResult> {
    return this.original(target, command, options);
  }

  async during(run: () => Promise<unknown>): Promise<{ wallMs: number; commands: RanCommand[] }> {
    this.log = [];
    const start = performance.now();
    try {
      await run();
      return { wallMs: performance.now() - start, commands: [...this.log].sort((a, b) => a.start - b.start) };
    } finally {
      this.log = undefined;
    }
  }

  /** The recorded commands again, one after the other, as they started; total wall time. */
  async replay(commands: RanCommand[]): Promise<number> {
    const start = performance.now();
    for (const c of commands) await this.original(c.target, c.command, c.options);
    return performance.now() - start;
  }
}

/** Σ of the commands' times, and the time at least one was running (they may overlap). */
function remoteTimes(commands: RanCommand[]): { sum: number; busy: number } {
  let busy = 0;
  let until = -Infinity;
  for (const c of commands) {
    if (c.end <= until) continue;
    busy += c.end - Math.max(c.start, until);
    until = c.end;
  }
  return { sum: commands.reduce((a, c) => a + (c.end - c.start), 0), busy };
}

/** `gluster --mode=script volume geo-replication mastervol 10.200.0.2::site2vol status` → `geo-replication … status`. */
function shortName(command: string): string {
  const words = command.replace(/'/g, '').split(/\s+/);
  return words
    .filter((w) => !w.startsWith('--') && w !== 'gluster')
    .join(' ')
    .replace('volume geo-replication', 'geo-rep')
    .slice(0, 90);
}

/** Each command with its time: `volume info 210 ms; …`. */
function commandList(commands: RanCommand[]): string {
  return commands.map((c) => `${shortName(c.command)} ${(c.end - c.start).toFixed(0)} ms`).join('; ');
}

// ------------------------------------------------------------------ timing helpers

async function timeEach(n: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

function localExec(command: string): Promise<void> {
  return new Promise((resolve, reject) => execFile('sh', ['-c', command], (e) => (e ? reject(e) : resolve())));
}

// ------------------------------------------------------------------ HTTP load

const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

/** autocannon at the bench's connections and duration, sampling the app's RSS meanwhile. */
async function load(url: string, headers: Record<string, string>): Promise<LoadResult & { rssMaxMb: number }> {
  let rssMax = rssMb();
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb())), 100);
  try {
    const r = await autocannonLoad(url, headers, { connections: CONNECTIONS, seconds: READ_SECONDS });
    return { ...r, rssMaxMb: Math.max(rssMax, rssMb()) };
  } finally {
    clearInterval(sampler);
  }
}

// ------------------------------------------------------------------ the bench

async function discoverSession(lab: LabApp): Promise<{ clusterPath: string; volumePath: string; sessionPath: string }> {
  const { env } = lab;
  await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol, { mode: 'no-verify' });
  await lab.refresh(`/clusters/${lab.site2}`);
  await lab.refresh(`/clusters/${lab.site1}`);
  const volumes = (
    await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
  ).gluster_volume;
  const master = volumes.find((v) => v.name === env.masterVol);
  if (!master) throw new Error(`the app lists no ${env.masterVol} on site 1`);
  const volumePath = `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions`;
  const [session] =
    (await lab.api.get<{ georeplication_session?: { id: string }[] }>(volumePath)).georeplication_session ?? [];
  if (!session) throw new Error(`the app lists no session of ${env.masterVol}`);
  return { clusterPath: `/clusters/${lab.site1}`, volumePath, sessionPath: `${volumePath}/${session.id}` };
}

async function sshdNote(lab: LabApp, recorder: CommandRecorder, target: SshTarget): Promise<string> {
  const conf = path.join(lab.env.dir, 'ssh', `sshd-site1-${target.port}.conf`);
  const setEnv = fs.existsSync(conf)
    ? (fs
        .readFileSync(conf, 'utf8')
        .split('\n')
        .find((l) => /^\s*SetEnv\b/.test(l))
        ?.trim() ?? 'no SetEnv line')
    : 'config not found';
  const shlvl = (await recorder.raw(target, 'echo "$SHLVL"')).stdout.trim();
  return `${target.username}@${target.host}:${target.port}, the lab's site-1 sshd (${conf}: ${setEnv}; remote $SHLVL=${shlvl}: bash counts itself nested and skips root's ~/.bashrc)`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the lab needs it');
  const started = performance.now();
  out(`# georep-api end-to-end benchmarks (issue 22), ${new Date().toISOString()}`);
  out(
    `node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await globalSetup();
  let lab: LabApp | undefined;
  try {
    lab = await startLabApp('bench');
    const setupMs = performance.now() - started;
    const ssh = lab.t.app.get(SshClient, { strict: false });
    const recorder = new CommandRecorder(ssh);
    const paths = await discoverSession(lab);
    const [hostRow] = await lab.t.sql<{ address: string; ssh_port: number; ssh_user: string; ssh_fingerprint: string }>(
      'SELECT address, ssh_port, ssh_user, ssh_fingerprint FROM hosts WHERE id = $1',
      [lab.host1],
    );
    const site1: SshTarget = {
      host: hostRow.address,
      port: hostRow.ssh_port,
      username: hostRow.ssh_user,
      pinnedFingerprint: hostRow.ssh_fingerprint,
    };
    out(
      `lab and app up, session created and discovered in ${((performance.now() - started) / 1000).toFixed(1)} s (app start ${(setupMs / 1000).toFixed(1)} s)`,
    );
    out(`measured sshd: ${await sshdNote(lab, recorder, site1)}`);
    out();

    // ---------------------------------------------------------------- 3. pooled SSH vs local vs fresh ssh
    out('## 3. one command: pooled SSH connection vs local exec vs a fresh `ssh` process');
    const volumeInfo = `gluster --mode=script --xml volume info ${lab.env.masterVol}`;
    const floor: Record<string, number> = {};
    for (const [label, command, n, nFresh] of [
      ['true', 'true', 40, 10],
      [`gluster volume info ${lab.env.masterVol} --xml`, volumeInfo, 10, 5],
    ] as const) {
      await recorder.raw(site1, command);
      const pooled = await timeEach(n, () => recorder.raw(site1, command));
      await localExec(command);
      const local = await timeEach(n, () => localExec(command));
      const fresh = await timeEach(nFresh, async () => {
        const r = await labSsh({ host: site1.host, port: site1.port, user: site1.username }, command);
        if (r.code !== 0) throw new Error(`ssh ${command} exited ${r.code}: ${r.stderr}`);
      });
      const [p, l, f] = [median(pooled), median(local), median(fresh)];
      floor[command] = p;
      out(
        `${label}: pooled ${ms(p)} (mean ${ms(mean(pooled))}, n=${n}); local sh -c ${ms(l)} (mean ${ms(mean(local))}, n=${n}); fresh ssh ${ms(f)} (mean ${ms(mean(fresh))}, n=${nFresh}) [medians]`,
      );
      out(
        `  pooled / local = ${(p / l).toFixed(2)}× (target ≤ 3×, ${met(p <= 3 * l)}); fresh / pooled = ${(f / p).toFixed(1)}× (target ≥ 20×, ${met(f >= 20 * p)})`,
      );
    }
    const perCommandFloor = floor.true;
    out();

    // ---------------------------------------------------------------- 4. cluster refresh vs its commands
    out('## 4. cluster refresh (POST /clusters/{site1}/refresh) vs its gluster commands replayed over the pool');
    {
      const api: number[] = [];
      const raw: number[] = [];
      const busy: number[] = [];
      let commands: RanCommand[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await recorder.during(() => lab!.refresh(paths.clusterPath));
        commands = r.commands;
        api.push(r.wallMs);
        busy.push(remoteTimes(r.commands).busy);
        raw.push(await recorder.replay(r.commands));
      }
      out(`commands per refresh: ${commands.length}: ${commandList(commands)}`);
      const [a, b, rr] = [median(api), median(busy), median(raw)];
      out(
        `API ${ms(a)}; remote busy inside it ${ms(b)}; the same commands replayed one by one ${ms(rr)}; ${commands.length} × floor(true) = ${ms(commands.length * perCommandFloor)} [medians of 3]`,
      );
      out(`  API / replay = ${(a / rr).toFixed(2)}×; our overhead = API − remote busy = ${ms(a - b)}`);
    }
    out();

    // ---------------------------------------------------------------- 2. session verbs vs raw gluster
    out('## 2. session actions (POST …/{verb}) vs the gluster commands they ran, replayed over the same pool');
    out(`per-command floor over the pool (\`true\`): ${ms(perCommandFloor)}`);
    const ref: GeoRepSessionRef = {
      masterVolume: lab.env.masterVol,
      slaveHost: lab.env.site2Addr,
      slaveVolume: lab.env.site2Vol,
      slaveUser: 'root',
    };
    const rawVerb = async (verb: 'start' | 'stop' | 'pause' | 'resume') => {
      const start = performance.now();
      const r = await recorder.raw(site1, geoRepControlCommand(ref, verb).command);
      if (r.exitCode !== 0) throw new Error(`raw ${verb} exited ${r.exitCode}: ${r.stdout} ${r.stderr}`);
      return performance.now() - start;
    };
    // Each API verb is followed by the raw verb that undoes it, then by the replay of the API's commands,
    // so the replay finds the state the API found (created → start; then pause/resume/checkpoint; stop).
    const plan: { verb: string; undo?: 'start' | 'stop' | 'pause' | 'resume' }[] = [
      { verb: 'start', undo: 'stop' },
      { verb: 'pause', undo: 'resume' },
      { verb: 'resume', undo: 'pause' },
      { verb: 'checkpoint' },
      { verb: 'stop', undo: 'start' },
    ];
    const results = new Map<
      string,
      { api: number[]; busy: number[]; replay: number[]; raw: number[]; n: number; list: string }
    >();
    for (let round = 0; round < ACTION_ROUNDS; round++) {
      for (const { verb, undo } of plan) {
        const r = await recorder.during(async () => {
          const res = await lab!.api.post(`${paths.sessionPath}/${verb}`, {});
          if (res.status !== 200) throw new Error(`${verb} answered ${res.status}: ${res.text}`);
        });
        const entry = results.get(verb) ?? { api: [], busy: [], replay: [], raw: [], n: 0, list: '' };
        entry.api.push(r.wallMs);
        entry.busy.push(remoteTimes(r.commands).busy);
        entry.n = r.commands.length;
        entry.list = commandList(r.commands);
        if (undo) {
          entry.raw.push(await rawVerb(undo));
          entry.replay.push(await recorder.replay(r.commands));
        } else {
          entry.replay.push(await recorder.replay(r.commands));
        }
        results.set(verb, entry);
      }
      // The round ends stopped; the next starts from there like the first did from created.
    }
    for (const [verb, e] of results) {
      const [a, b, rr] = [median(e.api), median(e.busy), median(e.replay)];
      out(
        `${verb}: API ${ms(a)}; ${e.n} remote commands, busy ${ms(b)} inside it; replayed ${ms(rr)}; ${e.n} × floor = ${ms(e.n * perCommandFloor)} [medians of ${e.api.length}]`,
      );
      out(`  commands: ${e.list}`);
      out(
        `  our overhead = API − remote busy = ${ms(a - b)}; API vs 1.2 × replay + 150 ms = ${ms(1.2 * rr + 150)}: ${met(a <= 1.2 * rr + 150)}`,
      );
      // gluster's own times vary by seconds between runs of one command; the commands as they ran inside the
      // action are the same-moment reference.
      out(`  API vs 1.2 × the same commands inside it + 150 ms = ${ms(1.2 * b + 150)}: ${met(a <= 1.2 * b + 150)}`);
      if (e.raw.length) out(`  (the bare undo verb over the pool took ${ms(median(e.raw))})`);
    }
    out();

    // ---------------------------------------------------------------- 1. reads at 64 connections, 5. RSS
    out(
      `## 1. reads vs /health/live at ${CONNECTIONS} connections (autocannon ${READ_SECONDS} s each, own process), 5. RSS`,
    );
    const server = lab.t.app.getHttpServer() as import('node:http').Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const headers = {
      Authorization: `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`,
      Accept: JSON_TYPE,
    };
    // The first Basic login pays argon2; every later one is the credential cache's.
    await lab.api.get(paths.sessionPath);
    global.gc?.();
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = rssMb();
    const reads: [string, string, Record<string, string>][] = [
      ['/health/live (the floor)', `${base}/health/live`, { Accept: JSON_TYPE }],
      ['clusters list', `${base}${API}/clusters`, headers],
      ['one cluster', `${base}${API}${paths.clusterPath}`, headers],
      ['sessions of a volume', `${base}${API}${paths.volumePath}`, headers],
      ['one session', `${base}${API}${paths.sessionPath}`, headers],
    ];
    let healthRps = 0;
    let loadRss = idleRss;
    for (const [label, url, h] of reads) {
      for (let i = 0; i < 20; i++) await (await fetch(url, { headers: h })).arrayBuffer();
      const r = await load(url, h);
      loadRss = Math.max(loadRss, r.rssMaxMb);
      if (healthRps === 0) healthRps = r.rps;
      const ratio = r.rps / healthRps;
      const bad = r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors!)` : '';
      out(
        `${label.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ${r.requests} requests${bad}`,
      );
      if (label.startsWith('/health')) continue;
      out(
        `  ${ratio.toFixed(2)} of the floor (target ≥ 0.5, ${met(ratio >= 0.5)}); p99 ${r.p99} ms (target ≤ 25 ms, ${met(r.p99 <= 25)})`,
      );
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    out(
      `RSS of the app's process: idle ${idleRss.toFixed(0)} MB (target ≤ 200 MB, ${met(idleRss <= 200)}); max under the read load ${loadRss.toFixed(0)} MB (${met(loadRss <= 200)})`,
    );
    out('  (the process also holds the bench driver; PostgreSQL and Redis run in their own processes, not counted)');
    out();
    // ---------------------------------------------------------------- 6. planned failover (issue 16)
    out('## 6. planned failover (POST …/failover) vs the gluster commands it ran, each once over the same pool');
    {
      const r = await recorder.during(async () => {
        const res = await lab!.api.post(`${paths.sessionPath}/failover`, { async: false });
        if (res.status !== 200 || (res.body as { status: string }).status !== 'complete')
          throw new Error(`failover answered ${res.status}: ${res.text}`);
      });
      const { busy } = remoteTimes(r.commands);
      // Once each: the polls of the checkpoint wait repeat one status command, whose count is gluster's pace.
      const distinct = [
        ...new Map(r.commands.map((c) => [`${c.target.host}:${c.target.port} ${c.command}`, c])).values(),
      ];
      const polls = r.commands.length - distinct.length;
      const rawOnce = await recorder.replay(
        distinct.filter((c) => !/ (start|stop)$/.test(c.command.replace(/'/g, ''))),
      );
      out(
        `failover: API ${ms(r.wallMs)}; ${r.commands.length} remote commands (${distinct.length} distinct, ${polls} repeats of the checkpoint poll), busy ${ms(busy)} inside it`,
      );
      out(`  distinct commands but start/stop replayed once each ${ms(rawOnce)}: ${commandList(distinct)}`);
      out(
        `  our own time = API − remote busy = ${ms(r.wallMs - busy)} (includes the checkpoint wait's sleeps of GEOREP_DR_POLL_INTERVAL_MS between polls)`,
      );
      const session = await lab.api.get<{ data_loss_window?: number; failed_over: boolean }>(paths.sessionPath);
      out(`  failed_over ${session.failed_over}, data_loss_window ${session.data_loss_window} s`);
    }
    out();
    out(
      `whole bench ${((performance.now() - started) / 1000).toFixed(0)} s, load average now ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await lab?.close();
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
