/**
 * The real-gluster lab (test/lab/gluster-lab.sh) for jest tests: availability with a loud skip,
 * bring-up at most once per jest run across workers, the lab's variables as a typed object, and
 * thin wrappers for the script's sub-commands with their output surfaced on failure.
 *
 * Knobs (environment):
 * - GLAB_FRESH=1: the first ensureLabUp() of a jest run does `gluster-lab.sh purge` before `up` (CI).
 *   Otherwise a lab left up by an earlier run is reused: `up` (a quick check when up) + `session-purge`.
 * - GLAB_ECHO=1: stream the script's output to stderr while it runs (otherwise it is shown on failure only).
 * - GLAB_DIR: passed through to the script (default /srv/gluster-lab).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStringPromise } from 'xml2js';

// From the build (dist/test/support, for bench/e2e.bench.ts) the script is still the one in the source tree.
export const LAB_SCRIPT =
  [
    path.resolve(__dirname, '..', 'lab', 'gluster-lab.sh'),
    path.resolve(__dirname, '..', '..', '..', 'test', 'lab', 'gluster-lab.sh'),
  ].find((file) => fs.existsSync(file)) ?? path.resolve(__dirname, '..', 'lab', 'gluster-lab.sh');

/**
 * Only one lab fits on a machine (fixed netns, ports, /var/lib/glusterd), so its lease is
 * machine-wide: it also keeps concurrent jest runs (other checkouts) off each other's lab files.
 */
const LEASE_LOCK = '/run/lock/gluster-lab.lease.lock';

/** Generous deadlines: the script has its own, shorter ones for every step it waits on. */
export const LAB_UP_TIMEOUT_MS = 15 * 60_000;
/** How long acquireLabLease() waits for the other lab files by default. */
export const LAB_LEASE_TIMEOUT_MS = 30 * 60_000;
/** session-start / heal: up to GLAB_HEAL_ROUNDS (10) rounds of about 50 s each, plus the first start. */
export const LAB_SESSION_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const OUTPUT_TAIL_LINES = 200;

// ------------------------------------------------------------------ availability

export interface LabAvailability {
  available: boolean;
  /** Why the lab tests cannot run here (set when not available). */
  reason?: string;
}

export function labAvailability(): LabAvailability {
  if (process.platform !== 'linux')
    return { available: false, reason: `the lab needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) {
    return {
      available: false,
      reason: 'not running as root (the lab needs root for glusterd, sshd, network namespaces and FUSE mounts)',
    };
  }
  try {
    fs.accessSync(LAB_SCRIPT, fs.constants.X_OK);
  } catch {
    return { available: false, reason: `${LAB_SCRIPT} is missing or not executable` };
  }
  return { available: true };
}

let skipWarned = false;

/**
 * True when the lab tests can run here. When they cannot, warns once per jest run (once per
 * process outside jest's global set-up) that they are SKIPPED, with the reason: a skip, not a pass.
 */
export function labAvailable(): boolean {
  const { available, reason } = labAvailability();
  if (!available && !skipWarned) {
    skipWarned = true;
    if (claimOncePerRun('gluster-lab-skip-warned')) {
      warnSkipped(
        `the real-gluster lab tests (test/lab, ${path.basename(LAB_SCRIPT)}): ${reason}`,
        'Run the suite as root (CI does) to run them.',
      );
    }
  }
  return available;
}

/** A skip must be loud: a banner on stderr (console.warn shows with the test file's result). */
export function warnSkipped(what: string, remedy: string): void {
  // eslint-disable-next-line no-console -- see above
  console.warn(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      `!!! SKIPPED: ${what}.`,
      `!!! It did NOT pass. ${remedy}`,
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    ].join('\n'),
  );
}

/** `describe` when the lab is available, otherwise `describe.skip` (after the loud warning). */
export function describeLab(name: string, body: () => void): void {
  if (labAvailable()) describe(name, body);
  else describe.skip(name, body);
}

/** The jest run this process belongs to: global-setup.ts makes a fresh base directory per run. */
function runId(): string {
  return process.env.GEOREP_TEST_BASE_DIR ?? `pid-${process.pid}`;
}

/** True for the first caller of this jest run (all workers), by an exclusive create in the run's directory. */
function claimOncePerRun(name: string): boolean {
  const base = process.env.GEOREP_TEST_BASE_DIR;
  if (!base) return true;
  try {
    fs.closeSync(fs.openSync(path.join(base, name), 'wx'));
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ running commands

export interface CommandResult {
  command: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  durationMs: number;
}

/** A command (usually gluster-lab.sh) failed; the message carries its output's tail. */
export class LabCommandError extends Error {
  constructor(
    readonly result: CommandResult,
    why: string,
  ) {
    super(
      `${describeCommand(result.command)} ${why} after ${(result.durationMs / 1000).toFixed(1)} s; output (last ${OUTPUT_TAIL_LINES} lines):\n${tail(result.output)}`,
    );
    this.name = 'LabCommandError';
  }
}

export interface RunOptions {
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Stream the output to stderr while it runs (default: GLAB_ECHO=1). */
  echo?: boolean;
}

function describeCommand(command: string[]): string {
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function tail(text: string, lines = OUTPUT_TAIL_LINES): string {
  const all = text.replace(/\n$/, '').split('\n');
  return (all.length > lines ? [`[… ${all.length - lines} earlier lines]`, ...all.slice(-lines)] : all).join('\n');
}

/**
 * Runs a command with its output captured. Resolves with the result when the exit code is in
 * `okCodes`, otherwise rejects with a LabCommandError that includes the output. At the deadline
 * the command's process group gets SIGTERM, then SIGKILL.
 */
export function runCommand(file: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const command = [file, ...args];
  const okCodes = options.okCodes ?? [0];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const echo = options.echo ?? process.env.GLAB_ECHO === '1';
  const started = Date.now();
  return new Promise<CommandResult>((resolve, reject) => {
    let child: ChildProcess;
    try {
      // Own process group, so a deadline kills the script's children too. The lab's daemons
      // (glusterd, sshd, the site-2 holder, FUSE clients) start their own sessions and are not hit.
      child = spawn(file, args, {
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (e) {
      reject(e);
      return;
    }
    let stdout = '';
    let stderr = '';
    let output = '';
    let timedOut = false;
    let settled = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const result: CommandResult = { command, code, signal, stdout, stderr, output, durationMs: Date.now() - started };
      if (timedOut) reject(new LabCommandError(result, `did not finish within ${timeoutMs / 1000} s (killed)`));
      else if (code !== null && okCodes.includes(code)) resolve(result);
      else reject(new LabCommandError(result, code !== null ? `exited with ${code}` : `was killed by ${signal}`));
    };
    child.once('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${describeCommand(command)} could not be started: ${e.message}`));
    });
    // 'close' waits for the pipes too. A daemon that kept an inherited pipe open would hold it
    // forever, so after 'exit' the output gets a short grace period only.
    child.once('close', (code, signal) => finish(code, signal));
    child.once('exit', (code, signal) => setTimeout(() => finish(code, signal), 2000).unref());
  });
}

/** Runs `gluster-lab.sh <args…>`. */
export function runLab(args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return runCommand(LAB_SCRIPT, args, options);
}

/** Runs a command inside site 2 (its network namespace and private mount namespace). */
export function site2(command: string[], options: RunOptions = {}): Promise<CommandResult> {
  if (command.length === 0) throw new Error('site2: empty command');
  return runLab(['site2', ...command], options);
}

export type LabSite = 1 | 2;

/** Runs the gluster CLI (`--mode=script`) on site 1 or site 2. */
export function gluster(site: LabSite, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const cli = ['gluster', '--mode=script', ...args];
  return site === 1 ? runCommand(cli[0], cli.slice(1), options) : site2(cli, options);
}

// ------------------------------------------------------------------ the lab's variables

export interface LabEnv {
  dir: string;
  runDir: string;
  site1Host: string;
  site1Addr: string;
  /** Site 1 as site 2 reaches it (a key sshd on port 22 there; site 1's brick host name resolves to it in site 2). */
  site1WanAddr: string;
  site2Host: string;
  site2Addr: string;
  /** Site 2's second address, whose sshd on port 22 takes root's password (an unregistered slave host). */
  site2PasswordAddr: string;
  site2Netns: string;
  sshPort: number;
  sshAltPort: number;
  sshPasswordPort: number;
  sshUser: string;
  sshKey: string;
  sshPubkey: string;
  hostKeySite1: string;
  hostKeySite2: string;
  rootPasswordFile: string;
  nonRootUser: string;
  nonRootGroup: string;
  masterVol: string;
  /** host:path, in brick order. */
  masterBricks: string[];
  site1SlaveVol: string;
  site1SlaveBrick: string;
  site2Vol: string;
  site2VolBrick: string;
  site2FullVol: string;
  site2FullBrick: string;
  mntDir: string;
  masterMnt: string;
  labScript: string;
  /** Every GLAB_* line as printed. */
  raw: Record<string, string>;
}

/** Parses the output of `gluster-lab.sh env` (KEY=value lines; values may be double-quoted). */
export function parseLabEnv(text: string): LabEnv {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(GLAB_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2];
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    raw[m[1]] = value;
  }
  const str = (key: string): string => {
    const v = raw[`GLAB_${key}`];
    if (v === undefined || v === '') throw new Error(`gluster-lab.sh env printed no GLAB_${key}; output:\n${text}`);
    return v;
  };
  const num = (key: string): number => {
    const v = Number(str(key));
    if (!Number.isInteger(v)) throw new Error(`GLAB_${key} is not an integer: ${raw[`GLAB_${key}`]}`);
    return v;
  };
  return {
    dir: str('DIR'),
    runDir: str('RUN_DIR'),
    site1Host: str('SITE1_HOST'),
    site1Addr: str('SITE1_ADDR'),
    site1WanAddr: str('SITE1_WAN_ADDR'),
    site2Host: str('SITE2_HOST'),
    site2Addr: str('SITE2_ADDR'),
    site2PasswordAddr: str('SITE2_PASSWORD_ADDR'),
    site2Netns: str('SITE2_NETNS'),
    sshPort: num('SSH_PORT'),
    sshAltPort: num('SSH_ALT_PORT'),
    sshPasswordPort: num('SSH_PASSWORD_PORT'),
    sshUser: str('SSH_USER'),
    sshKey: str('SSH_KEY'),
    sshPubkey: str('SSH_PUBKEY'),
    hostKeySite1: str('SSH_HOSTKEY_SITE1'),
    hostKeySite2: str('SSH_HOSTKEY_SITE2'),
    rootPasswordFile: str('ROOT_PASSWORD_FILE'),
    nonRootUser: str('NONROOT_USER'),
    nonRootGroup: str('NONROOT_GROUP'),
    masterVol: str('MASTER_VOL'),
    masterBricks: str('MASTER_BRICKS').split(/\s+/).filter(Boolean),
    site1SlaveVol: str('SITE1_SLAVE_VOL'),
    site1SlaveBrick: str('SITE1_SLAVE_BRICK'),
    site2Vol: str('SITE2_VOL'),
    site2VolBrick: str('SITE2_VOL_BRICK'),
    site2FullVol: str('SITE2_FULL_VOL'),
    site2FullBrick: str('SITE2_FULL_BRICK'),
    mntDir: str('MNT_DIR'),
    masterMnt: str('MASTER_MNT'),
    labScript: str('LAB_SCRIPT'),
    raw,
  };
}

let envPromise: Promise<LabEnv> | undefined;

/** The lab's variables (`gluster-lab.sh env`; does not need the lab to be up). */
export function labEnv(): Promise<LabEnv> {
  envPromise ??= runLab(['env'], { timeoutMs: 30_000 }).then((r) => parseLabEnv(r.stdout));
  envPromise.catch(() => (envPromise = undefined));
  return envPromise;
}

// ------------------------------------------------------------------ machine-wide locks

export interface LabLock {
  release(): Promise<void>;
}

/**
 * Takes an exclusive flock(1) on `file`, held by a `flock … cat` child until release() closes its
 * stdin. If this process dies, the pipe closes, cat exits and the lock is free again.
 */
function holdLock(file: string, what: string, timeoutMs: number): Promise<LabLock> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const child = spawn(
    'flock',
    ['--exclusive', '--wait', seconds, file, 'sh', '-c', 'echo locked; exec cat >/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise<LabLock>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`flock ${file} could not be started: ${e.message}`)));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('locked')) {
        resolve({
          release: async () => {
            child.stdin?.end();
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      if (!out.includes('locked'))
        reject(new Error(`could not lock ${file} (${what}) within ${seconds} s (flock exit ${code}): ${out.trim()}`));
    });
  });
}

/** Leases this process holds (a jest worker runs one test file at a time). */
let leasesHeld = 0;

/**
 * Exclusive use of the lab for one test file: lab files that change sessions or volumes must not
 * overlap, whatever jest's worker count (and whatever other jest run uses this machine's lab).
 * Take it in beforeAll (with a long hook timeout: it waits for the other lab files) and release it
 * in afterAll.
 */
export async function acquireLabLease(timeoutMs = LAB_LEASE_TIMEOUT_MS): Promise<LabLock> {
  const lock = await holdLock(LEASE_LOCK, 'the lab lease', timeoutMs);
  leasesHeld++;
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      leasesHeld--;
      await lock.release();
    },
  };
}

// ------------------------------------------------------------------ bring-up

let upPromise: Promise<LabEnv> | undefined;

/**
 * Brings the lab up at most once per jest run, whatever the number of workers: the first caller
 * (under the lab lease – its own when the caller holds none) runs `up` – after `purge` when GLAB_FRESH=1, else followed by
 * `session-purge` so a lab left up by an earlier run is back in the state `up` promises – and
 * records the run in a marker under the lab's run directory. Later callers find the marker and
 * return at once. Prints the script's "lab up in N s" to stderr for the CI log.
 */
export function ensureLabUp(): Promise<LabEnv> {
  upPromise ??= bringUp();
  return upPromise;
}

async function bringUp(): Promise<LabEnv> {
  const { available, reason } = labAvailability();
  if (!available) throw new Error(`the gluster lab is not available: ${reason}`);
  const env = await labEnv();
  const marker = path.join(env.runDir, 'jest-run');
  const id = runId();
  // `purge` and `session-purge` must never hit another file's session: bring-up runs under the lease
  const lock = leasesHeld > 0 ? undefined : await acquireLabLease();
  try {
    if (readOrEmpty(marker) === id) return env;
    const fresh = process.env.GLAB_FRESH === '1';
    const notes: string[] = [];
    if (fresh) {
      const purge = await runLab(['purge'], { timeoutMs: LAB_UP_TIMEOUT_MS });
      notes.push(`purged first (GLAB_FRESH=1): ${scriptTime(purge, /lab purged in ([\d.]+) s/)}`);
    }
    const up = await runLab(['up'], { timeoutMs: LAB_UP_TIMEOUT_MS });
    const upLine =
      /lab up in [\d.]+ s/.exec(up.stdout)?.[0] ?? `lab up (no time printed) in ${(up.durationMs / 1000).toFixed(1)} s`;
    if (!fresh) {
      const sp = await runLab(['session-purge'], { timeoutMs: DEFAULT_TIMEOUT_MS });
      notes.push(
        `GLAB_FRESH unset, earlier state kept; session-purge ${scriptTime(sp, /sessions purged in ([\d.]+) s/)}`,
      );
    }
    process.stderr.write(`[gluster-lab] ${upLine}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
    fs.writeFileSync(marker, `${id}\n`, { mode: 0o600 });
    return env;
  } finally {
    await lock?.release();
  }
}

function scriptTime(result: CommandResult, pattern: RegExp): string {
  const m = pattern.exec(result.stdout);
  return `${m ? m[1] : (result.durationMs / 1000).toFixed(1)} s`;
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

// ------------------------------------------------------------------ sessions

export interface SessionCreateOptions {
  /** push-pem: glusterd's hook installs the keys (LAB.md); no-verify: the script does (the product's way). */
  mode?: 'push-pem' | 'no-verify';
  force?: boolean;
}

/** `session-create M [user@]H S [push-pem|no-verify] [force]`: also waits for the keys and sets secondary-access-mount. */
export function sessionCreate(
  master: string,
  slave: string,
  slaveVol: string,
  options: SessionCreateOptions = {},
): Promise<CommandResult> {
  const args = ['session-create', master, slave, slaveVol, options.mode ?? 'push-pem'];
  if (options.force) args.push('force');
  return runLab(args, { timeoutMs: DEFAULT_TIMEOUT_MS });
}

/** `session-start M H S`: start (or resume), then verify replication, healing stalled workers. */
export function sessionStart(master: string, slave: string, slaveVol: string): Promise<CommandResult> {
  return runLab(['session-start', master, slave, slaveVol], { timeoutMs: LAB_SESSION_TIMEOUT_MS });
}

export type VerifyOutcome = 'ok' | 'stalled' | 'failed';

/** `verify M H S`: one probe round. 'stalled': replicated, but an Active worker did not move (pitfall 2). */
export async function verifySession(
  master: string,
  slave: string,
  slaveVol: string,
): Promise<{ outcome: VerifyOutcome; result: CommandResult }> {
  const result = await runLab(['verify', master, slave, slaveVol], {
    okCodes: [0, 1, 3],
    timeoutMs: LAB_SESSION_TIMEOUT_MS,
  });
  const outcome: VerifyOutcome = result.code === 0 ? 'ok' : result.code === 3 ? 'stalled' : 'failed';
  return { outcome, result };
}

/** `heal M H S`: verify, and kill stalled workers until every Active worker moves. */
export function healSession(master: string, slave: string, slaveVol: string): Promise<CommandResult> {
  return runLab(['heal', master, slave, slaveVol], { timeoutMs: LAB_SESSION_TIMEOUT_MS });
}

/** `session-purge`: delete every session of both sites, clean geo-rep keys, empty the lab's slave volumes. */
export function sessionPurge(): Promise<CommandResult> {
  return runLab(['session-purge'], { timeoutMs: DEFAULT_TIMEOUT_MS });
}

/** `wipe <site> <vol>`: empty a volume through a FUSE mount (keeps site2full's marker). */
export function wipeVolume(site: LabSite, volume: string): Promise<CommandResult> {
  return runLab(['wipe', String(site), volume], { timeoutMs: DEFAULT_TIMEOUT_MS });
}

/** `status`: processes, mounts, volumes and geo-rep status of both sites, for failure messages. */
export async function labStatus(): Promise<string> {
  try {
    return (await runLab(['status'], { timeoutMs: 120_000 })).output;
  } catch (e) {
    return `gluster-lab.sh status failed: ${(e as Error).message}`;
  }
}

// ------------------------------------------------------------------ gluster facts

/** The glusterd UUID of a site (`gluster system:: uuid get`). */
export async function glusterUuid(site: LabSite): Promise<string> {
  return parseUuid((await gluster(site, ['system::', 'uuid', 'get'])).stdout);
}

/** The UUID in `gluster system:: uuid get` output ("UUID: …"). */
export function parseUuid(text: string): string {
  const m = /UUID:\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(text);
  if (!m) throw new Error(`no UUID in: ${text.trim()}`);
  return m[1].toLowerCase();
}

export interface LabVolume {
  name: string;
  id: string;
  /** "Started", "Stopped", "Created". */
  status: string;
  /** "Distribute", "Replicate", … */
  type: string;
  brickCount: number;
  replicaCount: number;
  /** host:path, in brick order. */
  bricks: string[];
  options: Record<string, string>;
}

type XmlNode = Record<string, unknown>;

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (v && typeof v === 'object' && '_' in v) return String((v as XmlNode)._).trim();
  return '';
}

/** `gluster --xml volume info [vol]` of a site, parsed. A volume that does not exist gives []. */
export async function volumeInfo(site: LabSite, volume?: string): Promise<LabVolume[]> {
  const result = await gluster(site, ['--xml', 'volume', 'info', ...(volume ? [volume] : [])], { okCodes: [0, 1, 2] });
  let doc: XmlNode;
  try {
    doc = (await parseStringPromise(result.stdout, { explicitArray: false })) as XmlNode;
  } catch {
    throw new LabCommandError(result, 'printed no XML');
  }
  const cli = doc.cliOutput as XmlNode | undefined;
  if (!cli) throw new LabCommandError(result, 'printed no <cliOutput>');
  if (text(cli.opRet) !== '0') {
    if (volume && /does not exist/i.test(text(cli.opErrstr))) return [];
    throw new LabCommandError(result, `failed: ${text(cli.opErrstr)}`);
  }
  const volumes = asArray(
    ((cli.volInfo as XmlNode | undefined)?.volumes as XmlNode | undefined)?.volume as XmlNode | XmlNode[] | undefined,
  );
  return volumes.map((v) => ({
    name: text(v.name),
    id: text(v.id),
    status: text(v.statusStr),
    type: text(v.typeStr),
    brickCount: Number(text(v.brickCount)),
    replicaCount: Number(text(v.replicaCount)),
    bricks: asArray((v.bricks as XmlNode | undefined)?.brick as XmlNode | XmlNode[] | undefined).map(
      (b) => text(b.name) || text(b),
    ),
    options: Object.fromEntries(
      asArray((v.options as XmlNode | undefined)?.option as XmlNode | XmlNode[] | undefined).map((o) => [
        text(o.name),
        text(o.value),
      ]),
    ),
  }));
}

/** Entries of a brick directory as the volume shows them (without gluster's .glusterfs and .trashcan). */
export function brickEntries(brick: string): string[] {
  const dir = brick.includes(':') ? brick.slice(brick.indexOf(':') + 1) : brick;
  return fs
    .readdirSync(dir)
    .filter((e) => e !== '.glusterfs' && e !== '.trashcan')
    .sort();
}

// ------------------------------------------------------------------ ssh with the lab key

export interface SshTarget {
  host: string;
  port: number;
  /** Default root. */
  user?: string;
}

export interface SshOptions {
  /** Default: the lab client key. */
  identity?: string;
  /** A known_hosts file to pin host keys against (StrictHostKeyChecking=yes); default: no checking. */
  knownHostsFile?: string;
  timeoutMs?: number;
  extraOptions?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * OpenSSH client as a script would use it: `BatchMode`, only the given identity, no agent, no
 * user known_hosts. Never throws on a failed login: the result's code is ssh's (255 = ssh failed).
 */
export async function labSsh(
  target: SshTarget,
  remoteCommand: string,
  options: SshOptions = {},
): Promise<CommandResult> {
  const identity = options.identity ?? (await labEnv()).sshKey;
  const args = [
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-i',
    identity,
    ...sshCommonOptions(options.knownHostsFile),
    ...(options.extraOptions ?? []),
    '-p',
    String(target.port),
    `${target.user ?? 'root'}@${target.host}`,
    remoteCommand,
  ];
  return runCommand('ssh', args, { okCodes: allExitCodes, timeoutMs: options.timeoutMs ?? 60_000, env: options.env });
}

/** Options shared by key and password logins: no config file, host keys pinned or unchecked, bounded connect. */
export function sshCommonOptions(knownHostsFile?: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=10',
    '-o',
    `UserKnownHostsFile=${knownHostsFile ?? '/dev/null'}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `StrictHostKeyChecking=${knownHostsFile ? 'yes' : 'no'}`,
  ];
}

const allExitCodes = Array.from({ length: 256 }, (_, i) => i);

/** A known_hosts line pinning `publicKeyFile` for host:port (port 22 is written without brackets). */
export function knownHostsLine(hosts: Array<{ host: string; port: number }>, publicKeyFile: string): string {
  const [type, key] = fs.readFileSync(publicKeyFile, 'utf8').trim().split(/\s+/);
  const names = hosts.map(({ host, port }) => (port === 22 ? host : `[${host}]:${port}`)).join(',');
  return `${names} ${type} ${key}`;
}

/** A private temporary directory (mode 0700) for known_hosts files, askpass scripts and the like. */
export function labTempDir(prefix = 'glab-test-'): string {
  const base = process.env.GEOREP_TEST_BASE_DIR ?? os.tmpdir();
  return fs.mkdtempSync(path.join(base, prefix));
}
