import { GlusterArgumentError, describeValue } from './errors';
import { normalizeGeoRepOption, requireGeoRepOption } from './georep-options';
import { shellJoin } from './shell-quote';
import {
  isIPv6,
  validateAbsolutePath,
  validateGroupName,
  validateHost,
  validatePort,
  validateUserName,
  validateVolumeName,
} from './validators';

/**
 * Gluster command lines. Every builder validates all of its inputs first (GlusterArgumentError, before
 * any string exists) and then single-quotes every word, so a command is safe to hand to a remote shell.
 */

/** Which parser reads the command's stdout. */
export type GlusterOutputKind =
  | 'version'
  | 'uuid'
  | 'peer-status-xml'
  | 'volume-info-xml'
  | 'volume-status-detail-xml'
  | 'georep-action-xml'
  | 'georep-status-xml'
  | 'georep-config-xml'
  | 'georep-config-set-xml'
  | 'georep-config-get'
  | 'gsec-create'
  | 'plain';

export interface GlusterCommand {
  /** Words as the program receives them (argv[0] is the program). */
  readonly argv: readonly string[];
  /** One shell command line: every word single-quoted. */
  readonly command: string;
  /** True when stdout is a gluster `<cliOutput>` XML document (with the opRet rules of xml-output.ts). */
  readonly expectsXml: boolean;
  readonly output: GlusterOutputKind;
}

export const GLUSTER = 'gluster';
/** Debian/Ubuntu location of gsyncd and its helper scripts; RPM systems use /usr/libexec/glusterfs. */
export const DEFAULT_GLUSTER_LIBEXEC_DIR = '/usr/lib/x86_64-linux-gnu/glusterfs';
export const DEFAULT_MOUNTBROKER_ROOT = '/var/mountbroker-root';

function cmd(argv: string[], output: GlusterOutputKind): GlusterCommand {
  return Object.freeze({
    argv: Object.freeze([...argv]),
    command: shellJoin(argv),
    expectsXml: output.endsWith('-xml'),
    output,
  });
}

/** Any program's command line with plain-text output (remote scripts of the canary, healing, preflight, key and mount-broker set-up): every word quoted. */
export function plainCommand(argv: string[]): GlusterCommand {
  return cmd(argv, 'plain');
}

/** `gluster --version` (plain: first line `glusterfs 10.3`). */
export function glusterVersionCommand(): GlusterCommand {
  return cmd([GLUSTER, '--version'], 'version');
}

/** `gluster system:: uuid get` (plain: `UUID: <uuid>`): this node's glusterd UUID. */
export function glusterUuidCommand(): GlusterCommand {
  return cmd([GLUSTER, 'system::', 'uuid', 'get'], 'uuid');
}

/** `gluster --mode=script peer status --xml`: the other peers (not this node). */
export function peerStatusCommand(): GlusterCommand {
  return cmd([GLUSTER, '--mode=script', 'peer', 'status', '--xml'], 'peer-status-xml');
}

/** `gluster --mode=script pool list --xml`: all peers including this node (as `localhost`). */
export function poolListCommand(): GlusterCommand {
  return cmd([GLUSTER, '--mode=script', 'pool', 'list', '--xml'], 'peer-status-xml');
}

/** `gluster --mode=script volume info [vol] --xml`. */
export function volumeInfoCommand(volume?: string): GlusterCommand {
  const argv = [GLUSTER, '--mode=script', 'volume', 'info'];
  if (volume !== undefined) {
    argv.push(validateVolumeName(volume, 'volume'));
  }
  argv.push('--xml');
  return cmd(argv, 'volume-info-xml');
}

/** `gluster --mode=script volume status <vol|all> detail --xml`. */
export function volumeStatusDetailCommand(volume: string): GlusterCommand {
  const target = volume === 'all' ? 'all' : validateVolumeName(volume, 'volume');
  return cmd([GLUSTER, '--mode=script', 'volume', 'status', target, 'detail', '--xml'], 'volume-status-detail-xml');
}

/** Identifies a geo-rep session: master volume and `[user@]host::slavevol`. */
export interface GeoRepSessionRef {
  readonly masterVolume: string;
  readonly slaveHost: string;
  readonly slaveVolume: string;
  /** Unix user on the slave; omitted or `root` means the root session (no `user@` in the URL). */
  readonly slaveUser?: string | null;
}

interface ValidSession {
  master: string;
  slave: string;
}

/**
 * Validates a session reference and renders the slave as gluster wants it: `host::vol` or
 * `user@host::vol`. IPv6 addresses are refused: gluster splits the slave on `::`.
 */
export function geoRepSlaveUrl(session: GeoRepSessionRef): string {
  return validateSession(session).slave;
}

function validateSession(session: GeoRepSessionRef): ValidSession {
  if (session === null || typeof session !== 'object') {
    throw new GlusterArgumentError('session', 'must be an object');
  }
  const master = validateVolumeName(session.masterVolume, 'masterVolume');
  const host = validateHost(session.slaveHost, 'slaveHost');
  if (isIPv6(host)) {
    throw new GlusterArgumentError(
      'slaveHost',
      'IPv6 addresses cannot be used in a geo-replication slave URL (gluster splits it on "::"); use a host name',
    );
  }
  const slaveVolume = validateVolumeName(session.slaveVolume, 'slaveVolume');
  const user =
    session.slaveUser === undefined || session.slaveUser === null || session.slaveUser === 'root'
      ? null
      : validateUserName(session.slaveUser, 'slaveUser');
  return { master, slave: `${user ? `${user}@` : ''}${host}::${slaveVolume}` };
}

function geoRep(s: ValidSession, ...rest: string[]): string[] {
  return [GLUSTER, '--mode=script', 'volume', 'geo-replication', s.master, s.slave, ...rest];
}

export interface GeoRepCreateOptions {
  /**
   * `no-verify`: keys were distributed by us (oVirt's way, no root trust between sites).
   * `push-pem`: gluster pushes the keys over an SSH trust that must already exist.
   */
  readonly mode: 'no-verify' | 'push-pem';
  readonly sshPort?: number;
  readonly force?: boolean;
}

/** `gluster --mode=script volume geo-replication M S create [ssh-port N] no-verify|push-pem [force] --xml`. */
export function geoRepCreateCommand(session: GeoRepSessionRef, options: GeoRepCreateOptions): GlusterCommand {
  const s = validateSession(session);
  if (options?.mode !== 'no-verify' && options?.mode !== 'push-pem') {
    throw new GlusterArgumentError('mode', `${describeValue(String(options?.mode))} is not no-verify or push-pem`);
  }
  const words = ['create'];
  if (options.sshPort !== undefined) {
    words.push('ssh-port', String(validatePort(options.sshPort, 'sshPort')));
  }
  words.push(options.mode);
  if (options.force === true) words.push('force');
  words.push('--xml');
  return cmd(geoRep(s, ...words), 'georep-action-xml');
}

export type GeoRepControlVerb = 'start' | 'stop' | 'pause' | 'resume';

/** `gluster --mode=script volume geo-replication M S start|stop|pause|resume [force] --xml`. */
export function geoRepControlCommand(
  session: GeoRepSessionRef,
  verb: GeoRepControlVerb,
  options: { readonly force?: boolean } = {},
): GlusterCommand {
  const s = validateSession(session);
  if (verb !== 'start' && verb !== 'stop' && verb !== 'pause' && verb !== 'resume') {
    throw new GlusterArgumentError('verb', `${describeValue(String(verb))} is not start, stop, pause or resume`);
  }
  const words: string[] = [verb];
  if (options.force === true) words.push('force');
  words.push('--xml');
  return cmd(geoRep(s, ...words), 'georep-action-xml');
}

export const geoRepStartCommand = (s: GeoRepSessionRef, o?: { force?: boolean }): GlusterCommand =>
  geoRepControlCommand(s, 'start', o);
export const geoRepStopCommand = (s: GeoRepSessionRef, o?: { force?: boolean }): GlusterCommand =>
  geoRepControlCommand(s, 'stop', o);
export const geoRepPauseCommand = (s: GeoRepSessionRef, o?: { force?: boolean }): GlusterCommand =>
  geoRepControlCommand(s, 'pause', o);
export const geoRepResumeCommand = (s: GeoRepSessionRef, o?: { force?: boolean }): GlusterCommand =>
  geoRepControlCommand(s, 'resume', o);

/** `gluster --mode=script volume geo-replication M S delete [reset-sync-time] --xml`. */
export function geoRepDeleteCommand(
  session: GeoRepSessionRef,
  options: { readonly resetSyncTime?: boolean } = {},
): GlusterCommand {
  const s = validateSession(session);
  const words = ['delete'];
  if (options.resetSyncTime === true) words.push('reset-sync-time');
  words.push('--xml');
  return cmd(geoRep(s, ...words), 'georep-action-xml');
}

/**
 * Status with per-brick details:
 * - no argument: every session of every volume (`volume geo-replication status detail --xml`);
 * - `{ masterVolume }`: every session of that volume;
 * - a full session reference: that session.
 * For `status --xml` gluster prints no XML and exits 2 when nothing matches (see georep-status-parser).
 */
export function geoRepStatusCommand(target?: { readonly masterVolume: string } | GeoRepSessionRef): GlusterCommand {
  const argv = [GLUSTER, '--mode=script', 'volume', 'geo-replication'];
  if (target !== undefined) {
    if ('slaveHost' in target || 'slaveVolume' in target) {
      const s = validateSession(target as GeoRepSessionRef);
      argv.push(s.master, s.slave);
    } else {
      argv.push(validateVolumeName(target.masterVolume, 'masterVolume'));
    }
  }
  argv.push('status', 'detail', '--xml');
  return cmd(argv, 'georep-status-xml');
}

/**
 * `gluster --mode=script --xml volume geo-replication M S config`: all options as XML. The `--xml` must
 * come before `volume`: after `config` GlusterFS 10.3 takes it for an option name (`Invalid option`).
 */
export function geoRepConfigListCommand(session: GeoRepSessionRef): GlusterCommand {
  const s = validateSession(session);
  return cmd(
    [GLUSTER, '--mode=script', '--xml', 'volume', 'geo-replication', s.master, s.slave, 'config'],
    'georep-config-xml',
  );
}

/**
 * `gluster --mode=script volume geo-replication M S config <name>`: plain output, the value alone on
 * one line (with `--xml` gluster returns an empty `<config/>`, so this one stays plain).
 */
export function geoRepConfigGetCommand(session: GeoRepSessionRef, option: string): GlusterCommand {
  const s = validateSession(session);
  const spec = requireGeoRepOption(option);
  return cmd(geoRep(s, 'config', spec.name), 'georep-config-get');
}

function configXml(s: ValidSession, ...words: string[]): string[] {
  return [GLUSTER, '--mode=script', '--xml', 'volume', 'geo-replication', s.master, s.slave, 'config', ...words];
}

/**
 * `gluster --mode=script --xml volume geo-replication M S config <name> <value>`. The name must be a
 * settable option of the catalogue (underscores and legacy names accepted, sent with dashes) and the
 * value valid for its type.
 */
export function geoRepConfigSetCommand(session: GeoRepSessionRef, option: string, value: unknown): GlusterCommand {
  const s = validateSession(session);
  const o = normalizeGeoRepOption(option, value);
  return cmd(configXml(s, o.name, o.value), 'georep-config-set-xml');
}

/** `gluster --mode=script --xml volume geo-replication M S config '!<name>'`: back to the default. */
export function geoRepConfigResetCommand(session: GeoRepSessionRef, option: string): GlusterCommand {
  const s = validateSession(session);
  const spec = requireGeoRepOption(option);
  if (!spec.settable) {
    throw new GlusterArgumentError('option', `option "${spec.name}" cannot be reset`);
  }
  return cmd(configXml(s, `!${spec.name}`), 'georep-config-set-xml');
}

/** `... config checkpoint now`: read the epoch back with geoRepConfigGetCommand(s, 'checkpoint'). */
export function geoRepCheckpointNowCommand(session: GeoRepSessionRef): GlusterCommand {
  return geoRepConfigSetCommand(session, 'checkpoint', 'now');
}

/** `gluster system:: execute gsec_create`: (re)creates common_secret.pem.pub on this node. */
export function gsecCreateCommand(): GlusterCommand {
  return cmd([GLUSTER, 'system::', 'execute', 'gsec_create'], 'gsec-create');
}

/** `gluster system:: execute mountbroker opt mountbroker-root <dir>`. */
export function mountBrokerRootCommand(root: string = DEFAULT_MOUNTBROKER_ROOT): GlusterCommand {
  const dir = validateAbsolutePath(root, 'mountbrokerRoot');
  return cmd([GLUSTER, 'system::', 'execute', 'mountbroker', 'opt', 'mountbroker-root', dir], 'plain');
}

/** `gluster system:: execute mountbroker opt geo-replication-log-group <group>`. */
export function mountBrokerLogGroupCommand(group: string): GlusterCommand {
  const g = validateGroupName(group, 'group');
  return cmd([GLUSTER, 'system::', 'execute', 'mountbroker', 'opt', 'geo-replication-log-group', g], 'plain');
}

/** `gluster system:: execute mountbroker opt rpc-auth-allow-insecure on`. */
export function mountBrokerAllowInsecureCommand(): GlusterCommand {
  return cmd([GLUSTER, 'system::', 'execute', 'mountbroker', 'opt', 'rpc-auth-allow-insecure', 'on'], 'plain');
}

/** `gluster system:: execute mountbroker user <user> <slavevol>`. */
export function mountBrokerUserCommand(user: string, slaveVolume: string): GlusterCommand {
  const u = validateUserName(user, 'user');
  if (u === 'root') {
    throw new GlusterArgumentError('user', 'the mount broker is for non-root users');
  }
  const v = validateVolumeName(slaveVolume, 'slaveVolume');
  return cmd([GLUSTER, 'system::', 'execute', 'mountbroker', 'user', u, v], 'plain');
}

/** `gluster system:: getwd` (plain: glusterd's working directory, `/var/lib/glusterd` unless glusterd.vol says otherwise). */
export function glusterWorkdirCommand(): GlusterCommand {
  return cmd([GLUSTER, 'system::', 'getwd'], 'plain');
}

/**
 * `gluster --mode=script volume set <vol> features.read-only on|off`: a read-only slave volume takes writes
 * from geo-replication only (what push-pem and set_geo_rep_pem_keys.sh leave on the slave).
 */
export function volumeSetReadOnlyCommand(volume: string, readOnly: boolean): GlusterCommand {
  const v = validateVolumeName(volume, 'volume');
  if (typeof readOnly !== 'boolean') throw new GlusterArgumentError('readOnly', 'must be true or false');
  return cmd([GLUSTER, '--mode=script', 'volume', 'set', v, 'features.read-only', readOnly ? 'on' : 'off'], 'plain');
}

/** The slave volume options a failover sets so the slave takes writes and can be synced back later. */
export const FAILOVER_SLAVE_OPTIONS = [
  'geo-replication.indexing',
  'changelog.changelog',
  'features.read-only',
] as const;
/**
 * What a failback puts back on the slave volume: the failover's options, and what gluster itself sets on
 * a geo-rep master volume when the failback's reverse session is created (and keeps after its delete).
 */
export const RESTORED_SLAVE_OPTIONS = [...FAILOVER_SLAVE_OPTIONS, 'geo-replication.ignore-pid-check'] as const;
export type FailoverSlaveOption = (typeof RESTORED_SLAVE_OPTIONS)[number];

/** `gluster --mode=script volume set <vol> <option> on|off`, for the failover's slave options only. */
export function volumeSetFailoverOptionCommand(
  volume: string,
  option: FailoverSlaveOption,
  on: boolean,
): GlusterCommand {
  const v = validateVolumeName(volume, 'volume');
  if (!(RESTORED_SLAVE_OPTIONS as readonly string[]).includes(option))
    throw new GlusterArgumentError('option', `must be one of ${RESTORED_SLAVE_OPTIONS.join(', ')}`);
  if (typeof on !== 'boolean') throw new GlusterArgumentError('on', 'must be true or false');
  return cmd([GLUSTER, '--mode=script', 'volume', 'set', v, option, on ? 'on' : 'off'], 'plain');
}

/**
 * `gluster --mode=script volume reset <vol> <option>`: back to gluster's default, for the failover's slave
 * options only. gluster protects the geo-replication.* options once a volume was a geo-rep master and
 * resets them only with `force` (measured on 10.3), so those get it: the caller resets them only when no
 * session uses the volume as its master.
 */
export function volumeResetFailoverOptionCommand(volume: string, option: FailoverSlaveOption): GlusterCommand {
  const v = validateVolumeName(volume, 'volume');
  if (!(RESTORED_SLAVE_OPTIONS as readonly string[]).includes(option))
    throw new GlusterArgumentError('option', `must be one of ${RESTORED_SLAVE_OPTIONS.join(', ')}`);
  const force = option.startsWith('geo-replication.') ? ['force'] : [];
  return cmd([GLUSTER, '--mode=script', 'volume', 'reset', v, option, ...force], 'plain');
}
