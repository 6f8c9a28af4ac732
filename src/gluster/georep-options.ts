import { GlusterArgumentError, describeValue } from './errors';
import { isHostName, isIPv4, isIPv6 } from './validators';

/**
 * Catalogue of geo-replication session options (gsyncd.conf of GlusterFS >= 10, names with dashes).
 * Cross-checked against `gluster volume geo-replication M S config` on 10.3
 * (test/fixtures/gluster-10.3/georep-config.created.txt): every option printed there is listed here,
 * and every settable option's default equals the value printed for a fresh session.
 *
 * - settable: the service lets users set/reset it.
 * - reserved: glusterd refuses to set it (gsync_reserved_opts in glusterd-geo-rep.c).
 * - internal: printed by `config` but not meant to be set (gsyncd.conf `configurable=false`, or
 *   paths/ids derived from the session). GlusterFS 10.3 did accept `config primary-replica-count 5`,
 *   so the service must refuse these itself.
 * - restartsSession: glusterd restarts the workers after a change (all but gsync_no_restart_opts).
 */

export type GeoRepOptionType =
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly caseInsensitive?: boolean }
  /** `now` or a unix time in seconds. */
  | { readonly kind: 'checkpoint' }
  /** Absolute path. */
  | { readonly kind: 'path' }
  /** Executable: a bare command name or an absolute path (gsyncd `validation=execpath`). */
  | { readonly kind: 'command' }
  /** Command-line options for ssh/rsync/gluster: may start with a single `-`. */
  | { readonly kind: 'cli-options' }
  /** Comma-separated host names / addresses (CIDR allowed). */
  | { readonly kind: 'host-list' }
  /** Free text from a safe character set. */
  | { readonly kind: 'text' };

export type GeoRepOptionCategory = 'settable' | 'reserved' | 'internal';

export interface GeoRepOptionSpec {
  /** Canonical name, with dashes. */
  readonly name: string;
  /** Default for a new session; null when gluster derives it from the session (paths, ids). */
  readonly defaultValue: string | null;
  readonly type: GeoRepOptionType;
  readonly category: GeoRepOptionCategory;
  readonly settable: boolean;
  readonly reserved: boolean;
  readonly restartsSession: boolean;
  readonly description: string;
}

const LOG_LEVELS = ['ERROR', 'INFO', 'WARNING', 'DEBUG'] as const;
const INT32_MAX = 2147483647;

type Def = [name: string, defaultValue: string | null, type: GeoRepOptionType, description: string];

const int = (min: number, max = INT32_MAX): GeoRepOptionType => ({ kind: 'int', min, max });
const bool: GeoRepOptionType = { kind: 'bool' };
const text: GeoRepOptionType = { kind: 'text' };
const path: GeoRepOptionType = { kind: 'path' };
const command: GeoRepOptionType = { kind: 'command' };
const cliOptions: GeoRepOptionType = { kind: 'cli-options' };
const hostList: GeoRepOptionType = { kind: 'host-list' };
const logLevel: GeoRepOptionType = { kind: 'enum', values: LOG_LEVELS, caseInsensitive: true };

const SETTABLE: Def[] = [
  ['checkpoint', '0', { kind: 'checkpoint' }, 'Checkpoint time (unix seconds); "now" sets the current time'],
  ['gluster-cli-options', '', cliOptions, 'Extra gluster CLI options'],
  ['access-mount', 'false', bool, 'Keep the master aux mount attached (debugging)'],
  ['secondary-access-mount', 'false', bool, 'Keep the slave aux mount attached (needed with rsync 3.5.0, see LAB.md)'],
  ['isolated-secondarys', '', hostList, 'Slave nodes that are isolated'],
  ['changelog-batch-size', '727040', int(1), 'Max size of changelogs processed per batch (bytes)'],
  ['secondary-timeout', '120', int(0), 'Seconds of master inactivity before the slave gsyncd disconnects (0: no check)'],
  ['connection-timeout', '60', int(1), 'Timeout for mounts (seconds)'],
  ['replica-failover-interval', '1', int(1), 'Minimum seconds before a Passive worker becomes Active'],
  ['changelog-archive-format', '%Y%m', text, 'strftime pattern of archived changelog files'],
  ['use-meta-volume', 'false', bool, 'Use the shared meta volume for Active/Passive election'],
  ['meta-volume-mnt', '/run/gluster/shared_storage', path, 'Meta (shared storage) volume mount path'],
  ['allow-network', '', hostList, 'Networks allowed to connect'],
  ['change-interval', '5', int(1), 'Seconds between change detection rounds'],
  ['sync-method', 'rsync', { kind: 'enum', values: ['rsync', 'tarssh'] }, 'Data sync method'],
  ['remote-gsyncd', '', path, 'Path of gsyncd on the slave when keys are not restricted to it'],
  ['gluster-command-dir', '/usr/sbin', path, 'Directory of the gluster binaries on the master'],
  ['secondary-gluster-command-dir', '/usr/sbin', path, 'Directory of the gluster binaries on the slave'],
  ['gluster-params', 'aux-gfid-mount acl', text, 'Mount parameters of the master aux mount'],
  ['secondary-gluster-params', 'aux-gfid-mount acl', text, 'Mount parameters of the slave aux mount'],
  ['ignore-deletes', 'false', bool, 'Do not propagate deletes to the slave'],
  ['special-sync-mode', '', { kind: 'enum', values: ['blind', 'wrapup'] }, 'Failover/failback mode'],
  ['gfid-conflict-resolution', 'true', bool, 'Resolve GFID conflicts automatically'],
  ['change-detector', 'changelog', { kind: 'enum', values: ['changelog', 'xsync'] }, 'Change detection mechanism'],
  ['cli-log-level', 'INFO', logLevel, 'CLI log level'],
  ['log-level', 'INFO', logLevel, 'gsyncd log level'],
  ['gluster-log-level', 'INFO', logLevel, 'Master aux mount log level'],
  ['changelog-log-level', 'INFO', logLevel, 'Changelog log level'],
  ['secondary-log-level', 'INFO', logLevel, 'Slave gsyncd log level'],
  ['secondary-gluster-log-level', 'INFO', logLevel, 'Slave aux mount log level'],
  ['ssh-port', '22', int(1, 65535), 'SSH port on the slave'],
  ['ssh-command', 'ssh', command, 'ssh binary'],
  ['tar-command', 'tar', command, 'tar binary'],
  [
    'ssh-options',
    '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/secret.pem',
    cliOptions,
    'ssh options for gsyncd',
  ],
  [
    'ssh-options-tar',
    '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/tar_ssh.pem',
    cliOptions,
    'ssh options for tar over ssh',
  ],
  ['sync-jobs', '3', int(1, 100), 'Number of parallel sync jobs'],
  ['rsync-command', 'rsync', command, 'rsync binary'],
  ['rsync-options', '', cliOptions, 'Extra rsync options'],
  ['rsync-ssh-options', '', cliOptions, 'Extra ssh options for rsync'],
  ['rsync-opt-ignore-missing-args', 'true', bool, 'Pass --ignore-missing-args to rsync'],
  ['rsync-opt-existing', 'true', bool, 'Pass --existing to rsync'],
  ['log-rsync-performance', 'false', bool, 'Log rsync statistics'],
  ['use-rsync-xattrs', 'false', bool, 'Let rsync sync xattrs'],
  ['sync-xattrs', 'true', bool, 'Sync extended attributes'],
  ['sync-acls', 'true', bool, 'Sync ACLs'],
  ['max-rsync-retries', '10', int(0), 'Retries of a failed rsync'],
];

const RESERVED: Def[] = [
  ['gluster-command', 'gluster', command, 'gluster binary (reserved)'],
  ['pid-file', null, path, 'gsyncd pid file (reserved)'],
  ['state-file', null, path, 'monitor status file (reserved)'],
  ['session-owner', null, text, 'Session owner (reserved)'],
  ['state-socket-unencoded', '', text, 'Unused (reserved)'],
  ['socketdir', null, path, 'Socket directory (reserved)'],
  ['local-id', null, text, 'Worker id (reserved)'],
  ['local-path', null, path, 'Worker brick path (reserved)'],
  ['secondary-id', null, text, 'Slave id (reserved)'],
];

const INTERNAL: Def[] = [
  ['primary-replica-count', '1', int(1), 'Replica count of the master volume as gsyncd sees it'],
  ['primary-disperse-count', '1', int(1), 'Disperse count of the master volume as gsyncd sees it'],
  ['primary-distribution-count', '1', int(1), 'Distribution count of the master volume as gsyncd sees it'],
  ['glusterd-workdir', '/var/lib/glusterd', path, 'glusterd working directory'],
  ['gluster-logdir', '/var/log/glusterfs', path, 'gluster log directory'],
  ['gluster-rundir', '/var/run/gluster', path, 'gluster run directory'],
  ['gsyncd-miscdir', '/var/lib/misc/gluster/gsyncd', path, 'gsyncd misc directory'],
  ['stime-xattr-prefix', null, text, 'stime xattr prefix (set on first start)'],
  ['georep-session-working-dir', null, path, 'Session working directory'],
  ['working-dir', null, path, 'Changelog working directory'],
  ['cli-log-file', null, path, 'CLI log file'],
  ['log-file', null, path, 'gsyncd log file'],
  ['changelog-log-file', null, path, 'Changelog log file'],
  ['gluster-log-file', null, path, 'Master aux mount log file'],
  ['secondary-log-file', null, path, 'Slave gsyncd log file'],
  ['secondary-gluster-log-file', null, path, 'Slave aux mount log file'],
  ['secondary-gluster-log-file-mbr', null, path, 'Slave mount-broker mount log file'],
];

/** Options whose change does not restart the workers (glusterd-geo-rep.c gsync_no_restart_opts). */
const NO_RESTART = new Set(['checkpoint', 'log-rsync-performance']);

function build(defs: Def[], category: GeoRepOptionCategory): GeoRepOptionSpec[] {
  return defs.map(([name, defaultValue, type, description]) => ({
    name,
    defaultValue,
    type,
    category,
    settable: category === 'settable',
    reserved: category === 'reserved',
    restartsSession: !NO_RESTART.has(name),
    description,
  }));
}

export const GEOREP_OPTIONS: readonly GeoRepOptionSpec[] = Object.freeze([
  ...build(SETTABLE, 'settable'),
  ...build(RESERVED, 'reserved'),
  ...build(INTERNAL, 'internal'),
]);

const BY_NAME: ReadonlyMap<string, GeoRepOptionSpec> = new Map(GEOREP_OPTIONS.map((o) => [o.name, o]));

/**
 * Older names (gsyncd < 4 and GlusterFS <= 9 master/slave wording) mapped to the current name.
 * `use-tarssh` maps to `sync-method` with a value translation (see normalizeGeoRepOption).
 */
const LEGACY_NAMES: ReadonlyMap<string, string> = new Map([
  ['timeout', 'secondary-timeout'],
  ['slave-timeout', 'secondary-timeout'],
  ['slave-access-mount', 'secondary-access-mount'],
  ['isolated-slaves', 'isolated-secondarys'],
  ['slave-gluster-command-dir', 'secondary-gluster-command-dir'],
  ['slave-gluster-params', 'secondary-gluster-params'],
  ['slave-log-level', 'secondary-log-level'],
  ['slave-gluster-log-level', 'secondary-gluster-log-level'],
  ['slave-log-file', 'secondary-log-file'],
  ['slave-gluster-log-file', 'secondary-gluster-log-file'],
  ['slave-gluster-log-file-mbr', 'secondary-gluster-log-file-mbr'],
  ['slave-id', 'secondary-id'],
  ['master-replica-count', 'primary-replica-count'],
  ['master-disperse-count', 'primary-disperse-count'],
  ['master-distribution-count', 'primary-distribution-count'],
  ['use-tarssh', 'sync-method'],
]);

/**
 * Canonical dashed name of an option as printed by gluster or given by a user: underscores become
 * dashes and legacy names map to current ones. Returns the dashed form even for unknown names
 * (gluster may print options this catalogue does not know); use findGeoRepOption to look it up.
 */
export function canonicalOptionName(name: string): string {
  const dashed = name.trim().replace(/_/g, '-');
  return LEGACY_NAMES.get(dashed) ?? dashed;
}

export function findGeoRepOption(name: string): GeoRepOptionSpec | undefined {
  return BY_NAME.get(canonicalOptionName(name));
}

/** Looks up a user-supplied option name; throws GlusterArgumentError for unknown names. */
export function requireGeoRepOption(name: unknown, field = 'option'): GeoRepOptionSpec {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(name)) {
    throw new GlusterArgumentError(field, `${describeValue(name)} is not a geo-replication option name`);
  }
  const spec = BY_NAME.get(canonicalOptionName(name));
  if (!spec) {
    throw new GlusterArgumentError(field, `unknown geo-replication option ${describeValue(name)}`);
  }
  return spec;
}

/** Like requireGeoRepOption, and also refuses reserved and internal options. */
export function requireSettableGeoRepOption(name: unknown, field = 'option'): GeoRepOptionSpec {
  const spec = requireGeoRepOption(name, field);
  if (!spec.settable) {
    throw new GlusterArgumentError(
      field,
      spec.reserved
        ? `option "${spec.name}" is reserved by gluster and cannot be changed`
        : `option "${spec.name}" is managed by gluster and cannot be changed`,
    );
  }
  return spec;
}

const SAFE_TEXT = /^[A-Za-z0-9 _./=:,@%+-]+$/;
const MAX_VALUE_LENGTH = 1024;

/**
 * Validates a value for an option and returns its canonical string form. Throws GlusterArgumentError.
 * No value may start with `--`: the gluster CLI takes any such word as one of its own options.
 */
export function validateGeoRepOptionValue(spec: GeoRepOptionSpec, value: unknown, field = `option.${spec.name}`): string {
  const raw = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  if (typeof raw !== 'string') {
    throw new GlusterArgumentError(field, `must be a string, number or boolean, got ${describeValue(value)}`);
  }
  if (raw.length === 0) {
    throw new GlusterArgumentError(field, 'must not be empty (reset the option to restore its default)');
  }
  if (raw.length > MAX_VALUE_LENGTH) {
    throw new GlusterArgumentError(field, `must be at most ${MAX_VALUE_LENGTH} characters`);
  }
  const bad = (what: string): never => {
    throw new GlusterArgumentError(field, `${describeValue(raw)} is not ${what}`);
  };
  const t = spec.type;
  switch (t.kind) {
    case 'int': {
      if (!/^-?[0-9]{1,10}$/.test(raw)) bad('an integer');
      const n = Number(raw);
      if (n < t.min || n > t.max) bad(`an integer between ${t.min} and ${t.max}`);
      return String(n);
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (v !== 'true' && v !== 'false') bad('true or false');
      return v;
    }
    case 'enum': {
      const found = t.values.find((v) => (t.caseInsensitive ? v.toLowerCase() === raw.toLowerCase() : v === raw));
      if (found === undefined) bad(`one of ${t.values.join(', ')}`);
      return found as string;
    }
    case 'checkpoint': {
      if (raw === 'now') return raw;
      if (!/^[0-9]{1,12}$/.test(raw)) bad('"now" or a unix time in seconds');
      return String(Number(raw));
    }
    case 'path': {
      if (!/^\/[A-Za-z0-9._/-]*$/.test(raw) || /(^|\/)\.\.?(\/|$)/.test(raw) || raw.includes('//')) {
        bad('an absolute path of letters, digits, ".", "_", "-" and "/"');
      }
      return raw;
    }
    case 'command': {
      const isBare = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/.test(raw);
      const isAbs = /^\/[A-Za-z0-9._/+-]*[A-Za-z0-9._+-]$/.test(raw) && !/(^|\/)\.\.?(\/|$)/.test(raw);
      if (!isBare && !isAbs) bad('a command name or an absolute path');
      return raw;
    }
    case 'cli-options': {
      if (!SAFE_TEXT.test(raw) || raw.startsWith('--') || raw.trim() !== raw) {
        bad('a list of options from letters, digits, spaces and _ . / = : , @ % + - (not starting with --)');
      }
      const why = commandRunningOption(spec.name, raw);
      if (why) {
        throw new GlusterArgumentError(field, `must not use ${why}: it would run arbitrary commands on the servers`);
      }
      return raw;
    }
    case 'host-list': {
      const items = raw.split(',');
      const ok = items.every((item) => {
        const [addr, prefix, ...rest] = item.split('/');
        if (rest.length > 0) return false;
        if (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix)) return false;
        return isHostName(addr) || isIPv4(addr) || isIPv6(addr);
      });
      if (!ok) bad('a comma-separated list of host names or addresses');
      return raw;
    }
    case 'text': {
      if (!SAFE_TEXT.test(raw) || raw.startsWith('-') || raw.trim() !== raw) {
        bad('text from letters, digits, spaces and _ . / = : , @ % + - (not starting with -)');
      }
      return raw;
    }
  }
}

/**
 * gsyncd hands these option strings to ssh / rsync on every master node. Options that make ssh or
 * rsync run a command of the caller's choice are refused (a deny list: the character set already
 * rules out shell syntax, this closes the documented "run a program" options).
 */
function commandRunningOption(option: string, value: string): string | null {
  // -F (config file) and -J (jump host), also behind argument-less flags such as -qF.
  const ssh =
    /(proxy|local|knownhosts)command|permitlocalcommand|proxyjump|(^|[\s=-])match(\s|=|$)/i.exec(value) ??
    /(^|\s)-[46AaCfGgKkMNnqsTtVvXxYy]*[FJ]/.exec(value);
  if (ssh && option !== 'rsync-options' && option !== 'gluster-cli-options') {
    return `the ssh option "${ssh[0].trim()}"`;
  }
  if (option === 'rsync-options') {
    const rsync = /(^|\s)(--rsh|--rsync-path|--remote-option|--daemon|--config|--write-devices|-[A-Za-z0-9]*[eM])/.exec(value);
    if (rsync) return `the rsync option "${rsync[2]}"`;
  }
  return null;
}

export interface NormalizedGeoRepOption {
  readonly spec: GeoRepOptionSpec;
  readonly name: string;
  readonly value: string;
}

/**
 * Validates a user's `name = value` for a `config` set: canonical name, settable, value by type.
 * The legacy boolean `use-tarssh` becomes `sync-method tarssh|rsync`.
 */
export function normalizeGeoRepOption(name: unknown, value: unknown): NormalizedGeoRepOption {
  const spec = requireSettableGeoRepOption(name);
  let v = value;
  if (typeof name === 'string' && name.replace(/_/g, '-') === 'use-tarssh') {
    const b = String(value).toLowerCase();
    if (b !== 'true' && b !== 'false') {
      throw new GlusterArgumentError('option.use-tarssh', `${describeValue(String(value))} is not true or false`);
    }
    v = b === 'true' ? 'tarssh' : 'rsync';
  }
  return { spec, name: spec.name, value: validateGeoRepOptionValue(spec, v) };
}
