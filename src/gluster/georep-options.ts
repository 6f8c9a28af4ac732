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
  /** The program gsyncd runs for this option: its bare name or one of its usual paths (see ALLOWED_COMMANDS). */
  | { readonly kind: 'command'; readonly program: AllowedProgram }
  /** Words gsyncd hands to a program as root: every word must be on that program's allow-list (see below). */
  | { readonly kind: 'cli-options'; readonly syntax: OptionStringSyntax }
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
const command = (program: AllowedProgram): GeoRepOptionType => ({ kind: 'command', program });
const optionString = (syntax: OptionStringSyntax): GeoRepOptionType => ({ kind: 'cli-options', syntax });
/** gsyncd runs `<dir>/gluster` and `<dir>/glusterfs` from these as root: only the system binary directories. */
const glusterCommandDir: GeoRepOptionType = {
  kind: 'enum',
  values: ['/usr/sbin', '/usr/bin', '/sbin', '/usr/local/sbin', '/usr/local/bin'],
};
/** Where gluster installs gsyncd (the libexec directories of distributions), or empty (gluster's default). */
const remoteGsyncd: GeoRepOptionType = {
  kind: 'enum',
  values: [
    '/usr/lib/x86_64-linux-gnu/glusterfs',
    '/usr/lib/aarch64-linux-gnu/glusterfs',
    '/usr/libexec/glusterfs',
    '/usr/lib/glusterfs',
  ].map((d) => `${d}/gsyncd`),
};
const hostList: GeoRepOptionType = { kind: 'host-list' };
const logLevel: GeoRepOptionType = { kind: 'enum', values: LOG_LEVELS, caseInsensitive: true };

const SETTABLE: Def[] = [
  ['checkpoint', '0', { kind: 'checkpoint' }, 'Checkpoint time (unix seconds); "now" sets the current time'],
  ['gluster-cli-options', '', optionString('gluster-cli'), 'Extra gluster CLI options'],
  ['access-mount', 'false', bool, 'Keep the master aux mount attached (debugging)'],
  ['secondary-access-mount', 'false', bool, 'Keep the slave aux mount attached (needed with rsync 3.5.0, see LAB.md)'],
  ['isolated-secondarys', '', hostList, 'Slave nodes that are isolated'],
  ['changelog-batch-size', '727040', int(1), 'Max size of changelogs processed per batch (bytes)'],
  [
    'secondary-timeout',
    '120',
    int(0),
    'Seconds of master inactivity before the slave gsyncd disconnects (0: no check)',
  ],
  ['connection-timeout', '60', int(1), 'Timeout for mounts (seconds)'],
  ['replica-failover-interval', '1', int(1), 'Minimum seconds before a Passive worker becomes Active'],
  ['changelog-archive-format', '%Y%m', text, 'strftime pattern of archived changelog files'],
  ['use-meta-volume', 'false', bool, 'Use the shared meta volume for Active/Passive election'],
  ['meta-volume-mnt', '/run/gluster/shared_storage', path, 'Meta (shared storage) volume mount path'],
  ['allow-network', '', hostList, 'Networks allowed to connect'],
  ['change-interval', '5', int(1), 'Seconds between change detection rounds'],
  ['sync-method', 'rsync', { kind: 'enum', values: ['rsync', 'tarssh'] }, 'Data sync method'],
  ['remote-gsyncd', '', remoteGsyncd, 'Path of gsyncd on the slave when keys are not restricted to it'],
  ['gluster-command-dir', '/usr/sbin', glusterCommandDir, 'Directory of the gluster binaries on the master'],
  ['secondary-gluster-command-dir', '/usr/sbin', glusterCommandDir, 'Directory of the gluster binaries on the slave'],
  ['gluster-params', 'aux-gfid-mount acl', optionString('glusterfs-mount'), 'Mount parameters of the master aux mount'],
  [
    'secondary-gluster-params',
    'aux-gfid-mount acl',
    optionString('glusterfs-mount'),
    'Mount parameters of the slave aux mount',
  ],
  ['ignore-deletes', 'false', bool, 'Do not propagate deletes to the slave'],
  // gsyncd picks its <Mode>Mixin class from the value (primary.py): gluster 10 has Normal, Partial and
  // Recover; its gsyncd.conf still names blind and wrapup, which would stop gsyncd with an AttributeError.
  [
    'special-sync-mode',
    '',
    { kind: 'enum', values: ['normal', 'partial', 'recover'] },
    'Failover/failback mode (recover: a failback session)',
  ],
  ['gfid-conflict-resolution', 'true', bool, 'Resolve GFID conflicts automatically'],
  ['change-detector', 'changelog', { kind: 'enum', values: ['changelog', 'xsync'] }, 'Change detection mechanism'],
  ['cli-log-level', 'INFO', logLevel, 'CLI log level'],
  ['log-level', 'INFO', logLevel, 'gsyncd log level'],
  ['gluster-log-level', 'INFO', logLevel, 'Master aux mount log level'],
  ['changelog-log-level', 'INFO', logLevel, 'Changelog log level'],
  ['secondary-log-level', 'INFO', logLevel, 'Slave gsyncd log level'],
  ['secondary-gluster-log-level', 'INFO', logLevel, 'Slave aux mount log level'],
  ['ssh-port', '22', int(1, 65535), 'SSH port on the slave'],
  ['ssh-command', 'ssh', command('ssh'), 'ssh binary'],
  ['tar-command', 'tar', command('tar'), 'tar binary'],
  [
    'ssh-options',
    '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/secret.pem',
    optionString('ssh'),
    'ssh options for gsyncd',
  ],
  [
    'ssh-options-tar',
    '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/tar_ssh.pem',
    optionString('ssh'),
    'ssh options for tar over ssh',
  ],
  ['sync-jobs', '3', int(1, 100), 'Number of parallel sync jobs'],
  ['rsync-command', 'rsync', command('rsync'), 'rsync binary'],
  ['rsync-options', '', optionString('rsync'), 'Extra rsync options'],
  ['rsync-ssh-options', '', optionString('ssh'), 'Extra ssh options for rsync'],
  ['rsync-opt-ignore-missing-args', 'true', bool, 'Pass --ignore-missing-args to rsync'],
  ['rsync-opt-existing', 'true', bool, 'Pass --existing to rsync'],
  ['log-rsync-performance', 'false', bool, 'Log rsync statistics'],
  ['use-rsync-xattrs', 'false', bool, 'Let rsync sync xattrs'],
  ['sync-xattrs', 'true', bool, 'Sync extended attributes'],
  ['sync-acls', 'true', bool, 'Sync ACLs'],
  ['max-rsync-retries', '10', int(0), 'Retries of a failed rsync'],
];

const RESERVED: Def[] = [
  ['gluster-command', 'gluster', { kind: 'text' }, 'gluster binary (reserved)'],
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
export function validateGeoRepOptionValue(
  spec: GeoRepOptionSpec,
  value: unknown,
  field = `option.${spec.name}`,
): string {
  const raw = optionValueText(value, field);
  const bad = (what: string): never => {
    throw new GlusterArgumentError(field, `${describeValue(raw)} is not ${what}`);
  };
  return canonicalOptionValue(spec.type, raw, field, bad);
}

/** A value as the text gluster is given: refused when it is not a string, number or boolean, empty, or too long. */
function optionValueText(value: unknown, field: string): string {
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
  return raw;
}

/** Refuses a value as not being `what` its option takes. */
type RefuseValue = (what: string) => never;

/** The canonical form of `raw` as a value of type `t`; anything else is refused through `bad`. */
function canonicalOptionValue(t: GeoRepOptionType, raw: string, field: string, bad: RefuseValue): string {
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
    case 'path':
      if (!isPlainAbsolutePath(raw)) bad('an absolute path of letters, digits, ".", "_", "-" and "/"');
      return raw;
    case 'command':
      if (!ALLOWED_COMMANDS[t.program].includes(raw)) bad(`one of ${ALLOWED_COMMANDS[t.program].join(', ')}`);
      return raw;
    case 'cli-options':
      return allowedCliOptions(t.syntax, raw, field, bad);
    case 'host-list':
      if (!isHostList(raw)) bad('a comma-separated list of host names or addresses');
      return raw;
    case 'text':
      if (!SAFE_TEXT.test(raw) || raw.startsWith('-') || raw.trim() !== raw) {
        bad('text from letters, digits, spaces and _ . / = : , @ % + - (not starting with -)');
      }
      return raw;
  }
}

/** Absolute, of letters, digits, ".", "_", "-" and "/", without "." or ".." components or "//". */
function isPlainAbsolutePath(raw: string): boolean {
  return /^\/[A-Za-z0-9._/-]*$/.test(raw) && !/(^|\/)\.\.?(\/|$)/.test(raw) && !raw.includes('//');
}

/** Comma-separated host names or addresses, each with an optional `/prefix`. */
function isHostList(raw: string): boolean {
  return raw.split(',').every((item) => {
    const [addr, prefix, ...rest] = item.split('/');
    if (rest.length > 0) return false;
    if (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix)) return false;
    return isHostName(addr) || isIPv4(addr) || isIPv6(addr);
  });
}

/** An option string of safe words, each on the allow-list of the program it is passed to. */
function allowedCliOptions(syntax: OptionStringSyntax, raw: string, field: string, bad: RefuseValue): string {
  if (!SAFE_TEXT.test(raw) || raw.startsWith('--') || raw.trim() !== raw) {
    bad('a list of options from letters, digits, spaces and _ . / = : , @ % + - (not starting with --)');
  }
  const refused = refusedOptionWord(syntax, raw.split(/ +/));
  if (refused !== null) throw new GlusterArgumentError(field, refused);
  return raw;
}

// ------------------------------------------------------------------ allow-lists (DESIGN.md section 7)
//
// gsyncd runs as root on every master node (and, for root sessions, on the slave): it execs the program
// an option names and splits the option strings on whitespace into that program's argv
// (syncdaemon/resource.py, monitor.py). Whoever sets these options decides what root runs, so both are
// allow-listed, never deny-listed: a name or word not listed here is refused. The lists are gluster's
// defaults (test/fixtures/gluster-10.3/georep-config.created.txt) plus flags that only tune the
// transfer; the README's "Session options" section repeats them.

export type AllowedProgram = 'ssh' | 'rsync' | 'tar';

/** The bare name (gluster's default, found on root's PATH) and the usual absolute paths, root-owned on every distribution. */
const programPaths = (p: AllowedProgram): readonly string[] => [p, `/usr/bin/${p}`, `/bin/${p}`, `/usr/local/bin/${p}`];
export const ALLOWED_COMMANDS: Readonly<Record<AllowedProgram, readonly string[]>> = {
  ssh: programPaths('ssh'),
  rsync: programPaths('rsync'),
  tar: programPaths('tar'),
};

/**
 * - `ssh`: ssh-options, ssh-options-tar, rsync-ssh-options (words of an ssh command line).
 * - `rsync`: rsync-options.
 * - `glusterfs-mount`: gluster-params, secondary-gluster-params (each word becomes `--<word>` of the
 *   glusterfs client that mounts the volume as root).
 * - `gluster-cli`: gluster-cli-options (words before `system::` of gsyncd's gluster CLI calls): nothing is
 *   allowed, as every gluster CLI option either breaks gsyncd or writes a file (`--log-file=`).
 */
export type OptionStringSyntax = 'ssh' | 'rsync' | 'glusterfs-mount' | 'gluster-cli';

const YES_NO = /^(yes|no)$/i;
const COUNT = /^[0-9]{1,5}$/;
const PORT = /^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$/;
const ALGORITHMS = /^[A-Za-z0-9@.,+-]+$/;
/** gsyncd's own keys (secret.pem, tar_ssh.pem) live here; ssh reads an identity file as root. */
const GEOREP_IDENTITY = /^\/var\/lib\/glusterd\/geo-replication\/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.pem$/;

/**
 * ssh `-o` keys (lower case) and their values. Left out on purpose, among others: ProxyCommand,
 * LocalCommand, KnownHostsCommand, PKCS11Provider, SecurityKeyProvider (run a program or load a
 * library), ProxyJump, Include, Match, ControlPath/ControlMaster (sockets), LocalForward/RemoteForward/
 * DynamicForward, User, SendEnv/SetEnv, and any file other than the ones below: UserKnownHostsFile only
 * as /dev/null, because ssh appends learned host keys to it as root; ForwardAgent and ForwardX11 only
 * as `no` (root's agent or display would reach the slave); UpdateHostKeys only as `no` (it rewrites
 * known_hosts files).
 */
const SSH_CONFIG_OPTIONS: ReadonlyMap<string, RegExp> = new Map([
  ['passwordauthentication', YES_NO],
  ['stricthostkeychecking', /^(yes|no|accept-new|off)$/i],
  ['userknownhostsfile', /^\/dev\/null$/],
  ['identityfile', GEOREP_IDENTITY],
  ['identitiesonly', YES_NO],
  ['batchmode', YES_NO],
  ['pubkeyauthentication', YES_NO],
  ['gssapiauthentication', YES_NO],
  ['checkhostip', YES_NO],
  ['hashknownhosts', YES_NO],
  ['tcpkeepalive', YES_NO],
  ['compression', YES_NO],
  ['connecttimeout', COUNT],
  ['connectionattempts', COUNT],
  ['serveraliveinterval', COUNT],
  ['serveralivecountmax', COUNT],
  ['port', PORT],
  ['addressfamily', /^(any|inet|inet6)$/i],
  ['loglevel', /^(quiet|fatal|error|info|verbose|debug[123]?)$/i],
  ['ciphers', ALGORITHMS],
  ['macs', ALGORITHMS],
  ['kexalgorithms', ALGORITHMS],
  ['hostkeyalgorithms', ALGORITHMS],
  ['pubkeyacceptedalgorithms', ALGORITHMS],
  ['forwardagent', /^no$/i],
  ['forwardx11', /^no$/i],
  ['clearallforwardings', /^yes$/i],
  ['updatehostkeys', /^no$/i],
]);

/** ssh flags without an argument that only turn things off or pick the address family: -4 -6 -C -T -a -k -q -x. */
const SSH_PLAIN_FLAGS = /^-[46CTakqx]+$/;
/** ssh flags with an argument (attached or as the next word), and what the argument may be. */
const SSH_ARGUMENT_FLAGS: ReadonlyMap<string, RegExp> = new Map([
  ['i', GEOREP_IDENTITY],
  ['p', PORT],
  ['c', ALGORITHMS],
  ['m', ALGORITHMS],
]);

/**
 * rsync words: compression, bandwidth, timeouts, sparse/hard-link/ACL/xattr handling, checksums and
 * verbosity. Left out on purpose, among others: -e/--rsh, --rsync-path, -M/--remote-option (run a
 * program), --log-file, --write-batch, --temp-dir, --partial-dir, --backup-dir, --*-dest, --files-from,
 * --*-from, --filter (read or write files of the caller's choice as root), -L/--copy-links,
 * -k/--copy-dirlinks, -K/--keep-dirlinks (would copy or write through symlinks outside the volume),
 * --delete*, --remove-source-files, --chmod, --chown, --usermap, --groupmap, --daemon, --config,
 * --write-devices. Long options are taken in the `--name=value` form only.
 */
const RSYNC_PLAIN_FLAGS = /^-[zSAXHWcvqs46]+$/;
const RSYNC_LONG_OPTIONS: ReadonlyMap<string, RegExp | null> = new Map<string, RegExp | null>([
  ['compress', null],
  ['sparse', null],
  ['acls', null],
  ['xattrs', null],
  ['hard-links', null],
  ['whole-file', null],
  ['no-whole-file', null],
  ['checksum', null],
  ['numeric-ids', null],
  ['inplace', null],
  ['preallocate', null],
  ['stats', null],
  ['verbose', null],
  ['quiet', null],
  ['ipv4', null],
  ['ipv6', null],
  ['protect-args', null],
  ['no-motd', null],
  ['bwlimit', /^[0-9]{1,12}(\.[0-9]{1,3})?[KMGTkmgt]?$/],
  ['timeout', COUNT],
  ['block-size', /^[0-9]{1,10}$/],
  ['compress-level', /^-?[0-9]{1,2}$/],
  ['compress-choice', /^(zstd|lz4|zlibx|zlib|none)$/],
  ['zc', /^(zstd|lz4|zlibx|zlib|none)$/],
  [
    'checksum-choice',
    /^(auto|xxh128|xxh3|xxh64|xxhash|md5|md4|sha1|none)(,(auto|xxh128|xxh3|xxh64|xxhash|md5|md4|sha1|none))?$/,
  ],
  ['cc', /^(auto|xxh128|xxh3|xxh64|xxhash|md5|md4|sha1|none)(,(auto|xxh128|xxh3|xxh64|xxhash|md5|md4|sha1|none))?$/],
  ['skip-compress', /^[A-Za-z0-9/]+$/],
]);

/**
 * glusterfs client options (without the `--` gsyncd adds): gluster's default `aux-gfid-mount acl`, and
 * cache timeouts. Left out: log-file, pid-file, dump-fuse, volfile, xlator-option and every other option
 * that names a file or loads code.
 */
const GLUSTERFS_MOUNT_WORDS: ReadonlyMap<string, RegExp | null> = new Map<string, RegExp | null>([
  ['aux-gfid-mount', null],
  ['acl', null],
  ['selinux', null],
  ['attribute-timeout', COUNT],
  ['entry-timeout', COUNT],
  ['negative-timeout', COUNT],
  ['direct-io-mode', /^(enable|disable)$/],
  ['use-readdirp', /^(yes|no|true|false|on|off)$/],
]);

/** `name` or `name=value` with the name in the table and the value (exactly when the table has a pattern) matching it. */
function namedWordAllowed(table: ReadonlyMap<string, RegExp | null>, word: string): boolean {
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  if (!table.has(name)) return false;
  const valuePattern = table.get(name);
  return valuePattern === null
    ? eq < 0
    : eq >= 0 && valuePattern !== undefined && valuePattern.test(word.slice(eq + 1));
}

/** Checks the words of an option string against its program's allow-list: null when all are allowed, else why not. */
function refusedOptionWord(syntax: OptionStringSyntax, words: readonly string[]): string | null {
  const refuse = (word: string, program: string) =>
    `the ${program} option ${describeValue(word)} is not on the allow-list (see README.md, session options)`;
  if (syntax === 'gluster-cli')
    return 'no gluster CLI option is allowed here (reset the option to restore its empty default)';
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (syntax === 'glusterfs-mount') {
      if (!namedWordAllowed(GLUSTERFS_MOUNT_WORDS, word)) return refuse(word, 'glusterfs mount');
    } else if (syntax === 'rsync') {
      const allowed =
        RSYNC_PLAIN_FLAGS.test(word) || (word.startsWith('--') && namedWordAllowed(RSYNC_LONG_OPTIONS, word.slice(2)));
      if (!allowed) return refuse(word, 'rsync');
    } else if (!SSH_PLAIN_FLAGS.test(word)) {
      const m = /^-([a-zA-Z])(.*)$/.exec(word);
      if (!m) return refuse(word, 'ssh');
      const [, flag, attached] = m;
      const argument = attached !== '' ? attached : words[++i];
      if (argument === undefined) return refuse(word, 'ssh');
      if (flag === 'o') {
        const eq = argument.indexOf('=');
        const pattern = eq > 0 ? SSH_CONFIG_OPTIONS.get(argument.slice(0, eq).toLowerCase()) : undefined;
        if (!pattern || !pattern.test(argument.slice(eq + 1)))
          return refuse(attached !== '' ? word : `-o ${argument}`, 'ssh');
      } else {
        const pattern = SSH_ARGUMENT_FLAGS.get(flag);
        if (!pattern || !pattern.test(argument)) return refuse(attached !== '' ? word : `${word} ${argument}`, 'ssh');
      }
    }
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
