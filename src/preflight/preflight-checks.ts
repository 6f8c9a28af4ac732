import { GEOREP_SECRET_PEM } from '../gluster/preflight-commands';

/**
 * The preflight checks of a geo-replication session (issue 10), as pure functions: what the probes
 * read on the hosts (or the rows discovery stored) goes in, one check result comes out. No I/O here;
 * PreflightProbe does the reading and PreflightService puts the two together.
 */

export const PREFLIGHT_RESULTS = ['passed', 'warning', 'failed', 'unknown'] as const;
export type PreflightResult = (typeof PREFLIGHT_RESULTS)[number];

export const PREFLIGHT_CHECK_NAMES = [
  'gluster_version',
  'clock_skew',
  'ssh',
  'capacity',
  'rsync_secondary_access_mount',
] as const;
export type PreflightCheckName = (typeof PREFLIGHT_CHECK_NAMES)[number];

export interface PreflightCheck {
  readonly name: PreflightCheckName;
  readonly result: PreflightResult;
  /** What was seen (or, for unknown, why it could not be checked). */
  readonly detail: string;
  /** What to do about a warning, a failure or an unknown. */
  readonly remedy?: string;
}

/**
 * Largest clock difference between a master host and the slave host that passes. gsyncd compares
 * times across the sites (checkpoint completion, last_synced, the canary's delay): a skew shows as
 * replication lag that is not there, or hides lag that is.
 */
export const MAX_CLOCK_SKEW_MS = 2000;

/** The rsync release that syncs nothing with default geo-rep settings (LAB.md pitfall 1). */
export const BAD_RSYNC_VERSION = '3.5.0';

const ORDER: Record<PreflightResult, number> = { passed: 0, unknown: 1, warning: 2, failed: 3 };

/** The overall result: the worst of the checks (failed > warning > unknown > passed). */
export function overallResult(checks: readonly PreflightCheck[]): PreflightResult {
  return checks.reduce<PreflightResult>((worst, c) => (ORDER[c.result] > ORDER[worst] ? c.result : worst), 'passed');
}

/**
 * The preflight as a step of session creation: the checks that failed or warn, in one sentence each
 * (with the remedy), and whether they stop the create (only failures, and only when enforced).
 */
export function createVerdict(
  checks: readonly PreflightCheck[],
  enforce: boolean,
): { flagged: string[]; refusal: string | null } {
  const say = (c: PreflightCheck) => `${c.name} ${c.result}: ${c.detail}${c.remedy ? ` (remedy: ${c.remedy})` : ''}`;
  const flagged = checks.filter((c) => c.result === 'failed' || c.result === 'warning').map(say);
  const failed = checks.filter((c) => c.result === 'failed').map(say);
  return {
    flagged,
    refusal: enforce && failed.length > 0 ? `Preflight failed (enforce_preflight): ${failed.join('; ')}` : null,
  };
}

// ------------------------------------------------------------------ probe output parsers

export interface HostFacts {
  /** e.g. `10.3`; null when `gluster --version` printed nothing recognisable. */
  readonly glusterVersion: string | null;
  /** e.g. `3.2.7`; null when `rsync --version` printed nothing recognisable (not installed). */
  readonly rsyncVersion: string | null;
}

/** Reads what hostFactsCommand printed: `gluster=glusterfs 10.3` and `rsync=rsync  version 3.2.7  protocol version 32`. */
export function parseHostFacts(stdout: string): HostFacts {
  const line = (tag: string) =>
    stdout
      .split('\n')
      .find((l) => l.startsWith(`${tag}=`))
      ?.slice(tag.length + 1) ?? '';
  return {
    glusterVersion: /^glusterfs\s+(\d[\w.+~-]*)/.exec(line('gluster'))?.[1] ?? null,
    rsyncVersion: /^rsync\s+version\s+v?(\d[\w.+~-]*)/.exec(line('rsync'))?.[1] ?? null,
  };
}

/** A host's clock as clockCommand printed it: milliseconds, and how coarse the reading is. */
export function parseClock(stdout: string): { ms: number; resolutionMs: number } | null {
  const s = stdout.trim();
  const ns = /^(\d{10,})(\d{9})$/.exec(s);
  if (ns) return { ms: Number(ns[1]) * 1000 + Math.floor(Number(ns[2]) / 1e6), resolutionMs: 1 };
  const seconds = /^(\d{9,})N$/.exec(s);
  if (seconds) return { ms: Number(seconds[1]) * 1000 + 500, resolutionMs: 500 };
  return null;
}

export type SshProbeOutcome =
  | { readonly kind: 'nokey' }
  | { readonly kind: 'tried'; readonly exitCode: number; readonly authenticated: boolean; readonly message: string };

/** Reads what sshProbeCommand printed. */
export function parseSshProbe(stdout: string): SshProbeOutcome | null {
  const lines = stdout.split('\n');
  if (lines.some((l) => l.trim() === 'nokey')) return { kind: 'nokey' };
  const rc = lines.map((l) => /^rc=(\d+)$/.exec(l.trim())).find((m) => m !== null);
  const auth = lines.map((l) => /^auth=(yes|no)$/.exec(l.trim())).find((m) => m !== null);
  if (!rc || !auth) return null;
  const message =
    lines
      .find((l) => l.startsWith('msg='))
      ?.slice(4)
      .trim() ?? '';
  return { kind: 'tried', exitCode: Number(rc[1]), authenticated: auth[1] === 'yes', message };
}

// ------------------------------------------------------------------ the checks

/** A value read on one host, or why it could not be read. */
export type HostReading<T> =
  { readonly host: string; readonly value: T } | { readonly host: string; readonly error: string };

function isRead<T>(r: HostReading<T>): r is { readonly host: string; readonly value: T } {
  return 'value' in r;
}

function listOf(items: readonly string[]): string {
  return items.join('; ');
}

export interface VersionReading {
  /** null: the host answered but printed no version. */
  readonly version: string | null;
  /** live: read now; refresh: the host row's gluster_version from its last refresh (the host did not answer). */
  readonly source: 'live' | 'refresh';
}

function major(version: string): string {
  return version.split('.')[0];
}

/**
 * Same GlusterFS version on the master and slave hosts. Different major versions fail (gsyncd's
 * protocol and the 10.x primary/secondary renaming differ); the same major with a different
 * minor is a warning; a host whose version could not be read makes the check no better than warning.
 */
export function checkGlusterVersions(
  master: readonly HostReading<VersionReading>[],
  slave: readonly HostReading<VersionReading>[],
  slaveRegistered: boolean,
): PreflightCheck {
  const name = 'gluster_version';
  const m = knownVersions(master);
  const s = knownVersions(slave);
  const seen = listOf([...describeVersions('master', master), ...describeVersions('slave', slave)]);
  if (!slaveRegistered) {
    return {
      name,
      result: 'unknown',
      detail: `the slave host is not registered with the service, so its version cannot be read${m.length > 0 ? ` (master: ${[...new Set(m)].join(', ')})` : ''}`,
      remedy: 'register the slave host (POST /hosts) to check it',
    };
  }
  if (m.length === 0 || s.length === 0) {
    return {
      name,
      result: 'unknown',
      detail: `no GlusterFS version could be read on the ${m.length === 0 ? 'master' : 'slave'} side: ${seen}`,
      remedy: 'make the hosts reachable over SSH and refresh them',
    };
  }
  const incomplete = m.length < master.length || s.length < slave.length;
  return compareGlusterVersions([...new Set([...m, ...s])], incomplete, seen);
}

function describeVersions(side: string, rs: readonly HostReading<VersionReading>[]): string[] {
  return rs.map((r) =>
    isRead(r) && r.value.version !== null
      ? `${side} ${r.host}: ${r.value.version}${r.value.source === 'refresh' ? ' (from its last refresh)' : ''}`
      : `${side} ${r.host}: not read (${isRead(r) ? 'no version printed' : r.error})`,
  );
}

function knownVersions(rs: readonly HostReading<VersionReading>[]): string[] {
  return rs.flatMap((r) => (isRead(r) && r.value.version !== null ? [r.value.version] : []));
}

/**
 * The verdict on the distinct versions read on the two sides (each side has at least one);
 * `incomplete` when some host's version was not read.
 */
function compareGlusterVersions(all: readonly string[], incomplete: boolean, seen: string): PreflightCheck {
  const name = 'gluster_version';
  if (new Set(all.map(major)).size > 1) {
    return {
      name,
      result: 'failed',
      detail: `different GlusterFS major versions: ${seen}`,
      remedy: 'upgrade the hosts so that both sites run the same GlusterFS version',
    };
  }
  if (all.length > 1) {
    return {
      name,
      result: 'warning',
      detail: `different GlusterFS versions: ${seen}`,
      remedy: 'upgrade the older side to the same GlusterFS version',
    };
  }
  if (incomplete) {
    return {
      name,
      result: 'warning',
      detail: `GlusterFS ${all[0]} where it could be read, but not everywhere: ${seen}`,
      remedy: 'make every host reachable over SSH and run preflight again',
    };
  }
  return { name, result: 'passed', detail: `GlusterFS ${all[0]} on every host: ${seen}` };
}

export interface ClockRead {
  /** The remote clock, ms since the epoch. */
  readonly remoteMs: number;
  /** The service's clock when the command was sent and when its answer came back. */
  readonly sentMs: number;
  readonly receivedMs: number;
  readonly resolutionMs: number;
}

/** The remote clock minus the service's, assuming the reading was taken half-way through the round trip, and how far off that can be. */
export function clockOffset(r: ClockRead): { offsetMs: number; uncertaintyMs: number } {
  const midpoint = (r.sentMs + r.receivedMs) / 2;
  return { offsetMs: r.remoteMs - midpoint, uncertaintyMs: (r.receivedMs - r.sentMs) / 2 + r.resolutionMs };
}

/**
 * Clock skew between each master host and the slave host, both read by the service (the skew is
 * the difference of their offsets to the service's clock; each reading is uncertain by half its
 * round trip). Failed when even the most favourable reading exceeds the limit; warning when the
 * readings are too imprecise to tell.
 */
export function checkClockSkew(
  master: readonly HostReading<ClockRead>[],
  slave: HostReading<ClockRead> | null,
  limitMs = MAX_CLOCK_SKEW_MS,
): PreflightCheck {
  const name = 'clock_skew';
  const remedy = 'synchronise the clocks of both sites (NTP, e.g. chrony) on every host';
  if (slave === null) {
    return {
      name,
      result: 'unknown',
      detail: 'the slave host is not registered with the service, so its clock cannot be read',
      remedy: 'register the slave host (POST /hosts) to check it',
    };
  }
  if (!isRead(slave)) {
    return {
      name,
      result: 'unknown',
      detail: `the clock of slave ${slave.host} could not be read: ${slave.error}`,
      remedy: 'make the slave host reachable over SSH',
    };
  }
  const s = clockOffset(slave.value);
  const per = master.map((m) => judgeMasterClock(m, s, limitMs));
  const verdicts = per.map((p) => p.verdict);
  const detail = `skew of each master host's clock against slave ${slave.host} (limit ${limitMs} ms): ${listOf(per.map((p) => p.text))}`;
  if (per.length === 0)
    return {
      name,
      result: 'unknown',
      detail: 'the master cluster has no hosts',
      remedy: 'add the master hosts (POST /hosts)',
    };
  if (verdicts.includes('failed')) return { name, result: 'failed', detail, remedy };
  if (verdicts.includes('warning'))
    return {
      name,
      result: 'warning',
      detail: `${detail}; the round trips were too long to tell`,
      remedy: `run preflight again; if it persists, ${remedy}`,
    };
  if (verdicts.includes('unknown')) {
    return verdicts.includes('passed')
      ? { name, result: 'warning', detail, remedy: 'make every master host reachable over SSH and run preflight again' }
      : { name, result: 'unknown', detail, remedy: 'make the master hosts reachable over SSH' };
  }
  return { name, result: 'passed', detail };
}

/** One master host's clock against the slave's: unknown when not read, warning when too imprecise to tell. */
function judgeMasterClock(
  m: HostReading<ClockRead>,
  slaveOffset: { offsetMs: number; uncertaintyMs: number },
  limitMs: number,
): { host: string; verdict: PreflightResult; text: string } {
  if (!isRead(m)) return { host: m.host, verdict: 'unknown', text: `${m.host}: not read (${m.error})` };
  const o = clockOffset(m.value);
  const skew = o.offsetMs - slaveOffset.offsetMs;
  const margin = o.uncertaintyMs + slaveOffset.uncertaintyMs;
  const verdict: PreflightResult =
    Math.abs(skew) - margin > limitMs ? 'failed' : Math.abs(skew) + margin <= limitMs ? 'passed' : 'warning';
  return { host: m.host, verdict, text: `${m.host}: ${Math.round(skew)} ms ± ${Math.ceil(margin)} ms` };
}

/**
 * SSH from every master host to the slave host, as gsyncd does it (its key, the session's user and
 * port). Any master host that cannot log in fails the check: its worker would go Faulty (or, with an
 * unreachable port, the session shows Stopped: LAB.md).
 */
export function checkSsh(
  probes: readonly HostReading<SshProbeOutcome>[],
  target: { user: string; slaveHost: string; port: number },
): PreflightCheck {
  const name = 'ssh';
  const to = `${target.user}@${target.slaveHost} port ${target.port}`;
  const per = probes.map((p) => {
    if (!isRead(p)) return { verdict: 'unknown' as PreflightResult, text: `${p.host}: not tried (${p.error})` };
    const o = p.value;
    if (o.kind === 'nokey')
      return {
        verdict: 'failed' as PreflightResult,
        text: `${p.host}: has no geo-replication key (${GEOREP_SECRET_PEM} is missing)`,
      };
    if (o.authenticated) return { verdict: 'passed' as PreflightResult, text: `${p.host}: logged in` };
    const why = o.exitCode === 124 ? 'timed out' : o.message !== '' ? o.message : `ssh exited ${o.exitCode}`;
    return { verdict: 'failed' as PreflightResult, text: `${p.host}: cannot log in (${why})` };
  });
  if (per.length === 0)
    return {
      name,
      result: 'unknown',
      detail: 'the master cluster has no hosts',
      remedy: 'add the master hosts (POST /hosts)',
    };
  const detail = `ssh with the geo-replication key to ${to}: ${listOf(per.map((p) => p.text))}`;
  const verdicts = per.map((p) => p.verdict);
  if (verdicts.includes('failed')) {
    return {
      name,
      result: 'failed',
      detail,
      remedy: `make ${target.slaveHost} accept ssh on port ${target.port} from every master host, with the keys of common_secret.pem.pub in ~${target.user}/.ssh/authorized_keys (gluster system:: execute gsec_create, then create push-pem or the service's create); or set the session's ssh-port option (POST …/options) to the port its sshd listens on`,
    };
  }
  if (verdicts.includes('unknown'))
    return {
      name,
      result: 'unknown',
      detail,
      remedy: 'make every master host reachable over SSH and run preflight again',
    };
  return { name, result: 'passed', detail };
}

export interface VolumeSize {
  readonly name: string;
  /** Usable bytes, as discovery read them; null when gluster did not report every brick's size. */
  readonly sizeTotal: number | null;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** The slave volume must be at least as large as the master volume (its rows, as discovery last read them). */
export function checkCapacity(master: VolumeSize, slave: VolumeSize | null): PreflightCheck {
  const name = 'capacity';
  if (slave === null) {
    return {
      name,
      result: 'unknown',
      detail: 'the slave volume is not a volume of a cluster the service manages, so its size is not known',
      remedy: 'register the slave cluster and its hosts, then refresh it',
    };
  }
  if (master.sizeTotal === null || slave.sizeTotal === null) {
    const missing = [
      master.sizeTotal === null ? `master ${master.name}` : null,
      slave.sizeTotal === null ? `slave ${slave.name}` : null,
    ].filter((x) => x !== null);
    return {
      name,
      result: 'unknown',
      detail: `the size of ${missing.join(' and ')} is not known (gluster did not report every brick's size)`,
      remedy: 'start the volumes and refresh the clusters',
    };
  }
  const detail = `master ${master.name} ${gib(master.sizeTotal)} (${master.sizeTotal} bytes), slave ${slave.name} ${gib(slave.sizeTotal)} (${slave.sizeTotal} bytes)`;
  if (slave.sizeTotal < master.sizeTotal) {
    return {
      name,
      result: 'failed',
      detail: `the slave volume is smaller than the master volume: ${detail}`,
      remedy: 'grow the slave volume (add bricks or larger bricks) to at least the size of the master volume',
    };
  }
  return { name, result: 'passed', detail };
}

export function isTrueOption(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && /^(true|yes|on|1)$/i.test(value.trim());
}

/** The rsync version one host printed (null: no rsync there), and on which side it is. */
type RsyncReading = HostReading<string | null> & { readonly side: 'master' | 'slave' };

/**
 * LAB.md pitfall 1: with rsync 3.5.0 (Debian 12's security update) gsyncd copies nothing unless the
 * session keeps the slave's aux mount (`secondary-access-mount true`); every status still says Active.
 */
export function checkRsyncAccessMount(
  rsync: readonly RsyncReading[],
  secondaryAccessMount: string | null,
): PreflightCheck {
  const name = 'rsync_secondary_access_mount';
  const mountOn = isTrueOption(secondaryAccessMount);
  const mountText = `secondary-access-mount is ${secondaryAccessMount ?? 'false (the default)'}`;
  const seen = describeRsync(rsync);
  const bad = rsync.filter(isBadRsync);
  if (bad.length > 0 && !mountOn) {
    return {
      name,
      result: 'failed',
      detail: `rsync ${BAD_RSYNC_VERSION} with ${mountText}: gsyncd copies nothing (files arrive empty) while every status says Active (cause: LAB.md pitfall 1, rsync ${BAD_RSYNC_VERSION} resolves the slave's lazily unmounted aux mount to /). Seen: ${seen}`,
      remedy: 'set secondary-access-mount true (POST …/options with name secondary-access-mount and value true)',
    };
  }
  if (bad.length > 0)
    return {
      name,
      result: 'passed',
      detail: `rsync ${BAD_RSYNC_VERSION} is present but ${mountText}, which avoids LAB.md pitfall 1. Seen: ${seen}`,
    };
  return checkRsyncWithoutBadVersion(rsync, mountText, seen);
}

function describeRsync(rsync: readonly RsyncReading[]): string {
  return listOf(
    rsync.map(
      (r) =>
        `${r.side} ${r.host}: ${isRead(r) ? (r.value === null ? 'no rsync found' : `rsync ${r.value}`) : `not read (${r.error})`}`,
    ),
  );
}

function isBadRsync(r: RsyncReading): boolean {
  return (
    isRead(r) &&
    r.value !== null &&
    (r.value === BAD_RSYNC_VERSION ||
      r.value.startsWith(`${BAD_RSYNC_VERSION}+`) ||
      r.value.startsWith(`${BAD_RSYNC_VERSION}-`))
  );
}

/** No rsync BAD_RSYNC_VERSION where it was read: whether rsync is installed, and whether every host answered. */
function checkRsyncWithoutBadVersion(rsync: readonly RsyncReading[], mountText: string, seen: string): PreflightCheck {
  const name = 'rsync_secondary_access_mount';
  const missing = rsync.filter((r) => isRead(r) && r.value === null);
  if (missing.length > 0) {
    return {
      name,
      result: 'warning',
      detail: `rsync was not found on ${missing.map((r) => r.host).join(', ')} (gsyncd's default sync method needs it on both sites). Seen: ${seen}`,
      remedy: 'install rsync on every master and slave host',
    };
  }
  if (rsync.length === 0 || rsync.every((r) => !isRead(r))) {
    return {
      name,
      result: 'unknown',
      detail: `no rsync version could be read. Seen: ${seen || 'no hosts'}`,
      remedy: 'make the hosts reachable over SSH and run preflight again',
    };
  }
  if (rsync.some((r) => !isRead(r))) {
    return {
      name,
      result: 'unknown',
      detail: `no rsync ${BAD_RSYNC_VERSION} where it could be read (${mountText}), but not every host answered. Seen: ${seen}`,
      remedy: 'make every host reachable over SSH and run preflight again',
    };
  }
  return { name, result: 'passed', detail: `no rsync ${BAD_RSYNC_VERSION} (${mountText}). Seen: ${seen}` };
}
