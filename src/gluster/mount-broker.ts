import {
  DEFAULT_MOUNTBROKER_ROOT,
  GlusterCommand,
  mountBrokerAllowInsecureCommand,
  mountBrokerLogGroupCommand,
  mountBrokerRootCommand,
  mountBrokerUserCommand,
  plainCommand,
} from './command-builder';
import { GlusterArgumentError } from './errors';
import { KnownPeer, matchHost } from './host-match';
import { validateAbsolutePath, validateGroupName, validateUserName, validateVolumeName } from './validators';
import type { GlusterBrickInfo } from './volume-parsers';

/**
 * Pure helpers for a non-root (mount-broker) geo-replication session on the slave hosts: the checks
 * and set-up scripts run as root over SSH (static scripts; every variable input validated and passed
 * as a single-quoted positional argument) and the parsers of what they print. No I/O here.
 */

export const GLUSTERD_VOL = '/etc/glusterfs/glusterd.vol';
/**
 * Left in glusterd's working directory between writing the mount-broker options and the glusterd
 * restart that loads them, so a re-run after a crash in between still restarts glusterd.
 */
export const RESTART_PENDING_MARKER = '/var/lib/glusterd/georep-api.glusterd-restart-pending';
/** Where distributions put gsyncd and gluster's helper scripts (Debian/Ubuntu multiarch, RPM libexec, others). */
export const GLUSTER_LIBEXEC_DIRS = [
  '/usr/lib/x86_64-linux-gnu/glusterfs',
  '/usr/lib/aarch64-linux-gnu/glusterfs',
  '/usr/libexec/glusterfs',
  '/usr/lib/glusterfs',
];

/** The files the slave-side scripts use (tests point them elsewhere). */
export interface MountBrokerFiles {
  readonly glusterdVol: string;
  readonly restartMarker: string;
}
const FILES: MountBrokerFiles = { glusterdVol: GLUSTERD_VOL, restartMarker: RESTART_PENDING_MARKER };

function files(f: MountBrokerFiles): [string, string] {
  return [validateAbsolutePath(f.glusterdVol, 'glusterdVol'), validateAbsolutePath(f.restartMarker, 'restartMarker')];
}

function nonRootUser(user: string): string {
  const u = validateUserName(user, 'user');
  if (u === 'root') throw new GlusterArgumentError('user', 'the mount broker is for non-root users');
  return u;
}

// ------------------------------------------------------------------ user and group on a slave host

/**
 * Does the user exist on this host, which group does the session use (the given one, else the user's
 * primary group), does that group exist, and is the user in it? Prints one line:
 * `user=missing`, `group=missing <g>`, `member=no <g>` or `member=yes <g>`.
 */
const USER_CHECK_SCRIPT = [
  'set -f',
  'user="$1"; group="$2"',
  'if ! getent passwd "$user" > /dev/null; then echo "user=missing"; exit 0; fi',
  'if [ -z "$group" ]; then group=$(id -gn "$user"); fi',
  'if ! getent group "$group" > /dev/null; then echo "group=missing $group"; exit 0; fi',
  'case " $(id -nG "$user") " in *" $group "*) echo "member=yes $group";; *) echo "member=no $group";; esac',
].join('; ');

export function slaveUserCheckCommand(user: string, group: string | null): GlusterCommand {
  const u = nonRootUser(user);
  const g = group === null ? '' : validateGroupName(group, 'group');
  return plainCommand(['/bin/sh', '-c', USER_CHECK_SCRIPT, 'sh', u, g]);
}

export type SlaveUserCheck =
  | { readonly kind: 'ok'; readonly group: string }
  | { readonly kind: 'no_user' }
  | { readonly kind: 'no_group'; readonly group: string }
  | { readonly kind: 'not_member'; readonly group: string };

/** The check's verdict; null when the output is not one of its lines (or names an invalid group). */
export function parseSlaveUserCheck(stdout: string): SlaveUserCheck | null {
  const line = stdout.trim();
  if (line === 'user=missing') return { kind: 'no_user' };
  const m = /^(group=missing|member=no|member=yes) (\S+)$/.exec(line);
  if (!m) return null;
  let group: string;
  try {
    group = validateGroupName(m[2], 'group');
  } catch {
    return null;
  }
  if (m[1] === 'group=missing') return { kind: 'no_group', group };
  return m[1] === 'member=yes' ? { kind: 'ok', group } : { kind: 'not_member', group };
}

/** The message a failed check gives (who is missing what on which host). */
export function slaveUserProblem(check: Exclude<SlaveUserCheck, { kind: 'ok' }>, user: string, host: string): string {
  switch (check.kind) {
    case 'no_user':
      return `The user ${user} does not exist on the slave host ${host}; create it (with a home directory) on every slave host first.`;
    case 'no_group':
      return `The group ${check.group} does not exist on the slave host ${host}; create it on every slave host and add ${user} to it (gluster's docs use geogroup), or give an existing user_group.`;
    case 'not_member':
      return `The user ${user} is not in the group ${check.group} on the slave host ${host}; add it (usermod -a -G ${check.group} ${user}) or give its own group as user_group.`;
  }
}

// ------------------------------------------------------------------ mount-broker state of a slave host

/**
 * Whether glusterd.vol already holds this session's mount-broker set-up (root, log group, insecure
 * RPC, the user allowed on the volume) and whether a glusterd restart is still pending. Prints
 * `configured=yes|no pending=yes|no`.
 */
const STATE_SCRIPT = [
  'set -f',
  'root="$1"; group="$2"; user="$3"; vol="$4"; conf="$5"; marker="$6"',
  'ok=$(awk -v root="$root" -v group="$group" -v user="$user" -v vol="$vol" \'$1 == "option" && $2 == "mountbroker-root" && $3 == root { r = 1 } $1 == "option" && $2 == "geo-replication-log-group" && $3 == group { g = 1 } $1 == "option" && $2 == "rpc-auth-allow-insecure" && $3 == "on" { i = 1 } $1 == "option" && $2 == ("mountbroker-geo-replication." user) { n = split($3, v, ","); for (k = 1; k <= n; k++) if (v[k] == vol) u = 1 } END { print (r && g && i && u) ? "yes" : "no" }\' "$conf" 2> /dev/null || echo no)',
  'if [ -e "$marker" ]; then pending=yes; else pending=no; fi',
  'echo "configured=$ok pending=$pending"',
].join('; ');

export function mountBrokerStateCommand(
  user: string,
  group: string,
  slaveVolume: string,
  root: string = DEFAULT_MOUNTBROKER_ROOT,
  f: MountBrokerFiles = FILES,
): GlusterCommand {
  const r = validateAbsolutePath(root, 'mountbrokerRoot');
  const g = validateGroupName(group, 'group');
  const u = nonRootUser(user);
  const v = validateVolumeName(slaveVolume, 'slaveVolume');
  return plainCommand(['/bin/sh', '-c', STATE_SCRIPT, 'sh', r, g, u, v, ...files(f)]);
}

export function parseMountBrokerState(stdout: string): { configured: boolean; pending: boolean } | null {
  const m = /configured=(yes|no) pending=(yes|no)/.exec(stdout);
  return m ? { configured: m[1] === 'yes', pending: m[2] === 'yes' } : null;
}

/**
 * Before the mount-broker commands: the root directory (mode 0711), the restart marker, and
 * glusterd.vol's `option` lines reduced to `option <key> <value>` with single spaces. gluster's
 * peer_mountbroker (behind `gluster system:: execute mountbroker`) splits each line on one space and
 * dies on Debian's stock `option max-port  60999` (two spaces): "Unable to end. Error : Success"
 * (measured on GlusterFS 10.3 / Debian 12). The file is saved once as glusterd.vol.georep-api.orig
 * before that rewrite. Prints `normalised=yes|no`.
 */
const PREPARE_SCRIPT = [
  'set -e -f',
  'root="$1"; conf="$2"; marker="$3"',
  'mkdir -p "$root"',
  'chmod 0711 "$root"',
  ': > "$marker"',
  'if awk \'/^[ \\t]*option([ \\t]|$)/ { line = $0; sub(/^[ \\t]+/, "", line); if (split(line, w, / /) != 3 || line ~ /\\t/) bad = 1 } END { exit bad ? 0 : 1 }\' "$conf"; then [ -e "$conf.georep-api.orig" ] || cp -p "$conf" "$conf.georep-api.orig"; awk \'/^[ \\t]*option([ \\t]|$)/ { $1 = $1; print "    " $0; next } { print }\' "$conf" > "$conf.georep-api.tmp"; cat "$conf.georep-api.tmp" > "$conf"; rm -f "$conf.georep-api.tmp"; echo "normalised=yes"; else echo "normalised=no"; fi',
].join('; ');

export function mountBrokerPrepareCommand(
  root: string = DEFAULT_MOUNTBROKER_ROOT,
  f: MountBrokerFiles = FILES,
): GlusterCommand {
  const r = validateAbsolutePath(root, 'mountbrokerRoot');
  return plainCommand(['/bin/sh', '-c', PREPARE_SCRIPT, 'sh', r, ...files(f)]);
}

export function parsePrepareResult(stdout: string): { normalised: boolean } | null {
  const m = /normalised=(yes|no)/.exec(stdout);
  return m ? { normalised: m[1] === 'yes' } : null;
}

/**
 * oVirt's geoRepMountBrokerSetup, in its order: mountbroker-root, geo-replication-log-group,
 * rpc-auth-allow-insecure, the user on the slave volume. `gluster system:: execute` runs each on
 * every peer of the slave cluster.
 */
export function mountBrokerSetupCommands(
  user: string,
  group: string,
  slaveVolume: string,
  root: string = DEFAULT_MOUNTBROKER_ROOT,
): GlusterCommand[] {
  return [
    mountBrokerRootCommand(root),
    mountBrokerLogGroupCommand(group),
    mountBrokerAllowInsecureCommand(),
    mountBrokerUserCommand(nonRootUser(user), slaveVolume),
  ];
}

/**
 * `gluster system:: execute mountbroker …` succeeded: exit 0 and no `error:` line (peer_mountbroker
 * exits 0 on its own errors and prints `error: <message>`). Returns the problem, or null.
 */
export function mountBrokerExecuteProblem(out: {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}): string | null {
  const text = `${out.stdout}\n${out.stderr}`;
  const error = /^\s*error: ?(.*)$/im.exec(text);
  if (error) return error[1].trim() || 'error';
  if (out.exitCode !== 0) return text.replace(/\s+/g, ' ').trim() || `exit status ${out.exitCode}`;
  return null;
}

/**
 * What gluster's own `gluster-mountbroker setup` (peer_mountbroker.py node-setup) does besides the
 * options and oVirt does not: the slave-side geo-rep log directories (`geo-replication-secondaries`,
 * `geo-replication-slaves` before GlusterFS 8) and glusterd's geo-replication directory belong to the
 * group, directories 0770 and log files 0660. Without it the user's gsyncd dies with "Permission
 * denied: …/geo-replication-secondaries/<session>/gsyncd.log" whenever that directory already exists
 * root-owned (left by an earlier root session to the same slave volume; measured on the lab).
 */
const LOG_PERMISSIONS_SCRIPT = [
  'set -e -f',
  'group="$1"; shift',
  'for d in "$@"; do if [ -d "$d" ]; then chgrp -R "$group" "$d"; find "$d" -type d -exec chmod 770 {} +; find "$d" -type f -exec chmod 660 {} +; fi; done',
  'g=/var/lib/glusterd/geo-replication',
  'if [ -d "$g" ]; then chgrp -R "$group" "$g"; chmod 770 "$g"; fi',
  'echo "permissions=ok"',
].join('; ');

export const GEOREP_SLAVE_LOG_DIRS = [
  '/var/log/glusterfs/geo-replication-secondaries',
  '/var/log/glusterfs/geo-replication-slaves',
];

export function geoRepLogPermissionsCommand(
  group: string,
  logDirs: readonly string[] = GEOREP_SLAVE_LOG_DIRS,
): GlusterCommand {
  const g = validateGroupName(group, 'group');
  return plainCommand([
    '/bin/sh',
    '-c',
    LOG_PERMISSIONS_SCRIPT,
    'sh',
    g,
    ...logDirs.map((d) => validateAbsolutePath(d, 'logDir')),
  ]);
}

/** The operator's glusterd restart command (GEOREP_GLUSTERD_RESTART_COMMAND), run by /bin/sh. */
export function glusterdRestartShellCommand(configured: string): GlusterCommand {
  if (configured.trim() === '' || /[\r\n\0]/.test(configured))
    throw new GlusterArgumentError('glusterdRestartCommand', 'must be one non-empty line');
  return plainCommand(['/bin/sh', '-c', configured]);
}

/** Does glusterd answer again? `gluster --mode=script volume info <slavevol>` (exit 0 when it does). */
export function glusterdAnswersCommand(slaveVolume: string): GlusterCommand {
  return plainCommand(['gluster', '--mode=script', 'volume', 'info', validateVolumeName(slaveVolume, 'slaveVolume')]);
}

export function clearRestartPendingCommand(f: MountBrokerFiles = FILES): GlusterCommand {
  return plainCommand(['rm', '-f', '--', files(f)[1]]);
}

// ------------------------------------------------------------------ the session's keys on the slave hosts

/**
 * What gluster's set_geo_rep_pem_keys.sh does after a non-root `create`, without its root writes through the
 * user's home (DESIGN.md section 7): it `cp`s `~<user>/<mastervol>_<slavevol>_common_secret.pem.pub` (a link
 * the user planted there, to /etc/shadow say, is followed) into glusterd's geo-replication directory, runs
 * `gluster system:: copy file` and `gluster system:: execute add_secret_pub <user> …`, whose
 * peer_add_secret_pub on every slave peer touches, chmods, chowns and appends `~<user>/.ssh/authorized_keys`
 * as root, following links; then sets `features.read-only on` on the slave volume. The service instead:
 * - writes the key lines it holds (never anything read from the home) into
 *   `<glusterd workdir>/geo-replication/<mastervol>_<slavevol>_common_secret.pem.pub` on every slave host it
 *   reaches (sessionPemWriteCommand);
 * - leaves the user's authorized_keys to the step that appends them as the user (appendAuthorizedKeysCommand);
 * - names the slave peers holding bricks of the slave volume that it did not reach (slavePeersWithoutKeys):
 *   they get no keys, and the job says what the admin must do;
 * - sets the volume read-only (volumeSetReadOnlyCommand).
 * It runs no `gluster system:: copy file`: on the peers only add_secret_pub reads the copied file, and glusterd
 * writes the copy as root by name into a geo-replication directory that the mount-broker set-up gives to the
 * user's group (geoRepLogPermissionsCommand), so a link a member planted there would be followed.
 */
export function sessionPemFileName(masterVolume: string, slaveVolume: string): string {
  return `${validateVolumeName(masterVolume, 'masterVolume')}_${validateVolumeName(slaveVolume, 'slaveVolume')}_common_secret.pem.pub`;
}

/**
 * `gluster system:: getwd` answered one absolute path; null otherwise. The path reaches later scripts as a
 * positional argument only.
 */
export function parseGlusterWorkdir(stdout: string): string | null {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length !== 1) return null;
  try {
    return validateAbsolutePath(lines[0], 'workdir');
  } catch {
    return null;
  }
}

/**
 * Writes stdin to `<workdir>/geo-replication/<name>` as root. The geo-replication directory is writable by the
 * mount-broker group (a member could plant a link or swap a file there), so nothing in it is opened by name:
 * the lines go to a fresh mktemp file in the workdir itself (root's alone: refused when anyone else may write
 * it) and are renamed over the name, which replaces a link or file there and does not follow it; a directory
 * there makes the step fail (mv -T). Prints `written=<path>`.
 */
const SESSION_PEM_WRITE_SCRIPT = [
  'set -e -f',
  'cd /',
  'wd="$1"; name="$2"; d="$wd/geo-replication"',
  'if [ ! -d "$d" ]; then echo "$d is not a directory" >&2; exit 2; fi',
  'case $(stat -L -c "%u %A" -- "$wd") in "0 d"????-??-?) ;; *) echo "$wd is not a directory only root can write" >&2; exit 3;; esac',
  'umask 077',
  't=$(mktemp "$wd/.georep-api-pem.XXXXXXXX")',
  'trap \'rm -f -- "$t"\' EXIT',
  'cat > "$t"',
  'if [ ! -s "$t" ]; then echo "no key lines on stdin" >&2; exit 4; fi',
  'mv -f -T -- "$t" "$d/$name"',
  'echo "written=$d/$name"',
].join('; ');

export function sessionPemWriteCommand(workdir: string, masterVolume: string, slaveVolume: string): GlusterCommand {
  const wd = validateAbsolutePath(workdir, 'workdir');
  return plainCommand([
    '/bin/sh',
    '-c',
    SESSION_PEM_WRITE_SCRIPT,
    'sh',
    wd,
    sessionPemFileName(masterVolume, slaveVolume),
  ]);
}

/** The path the write script printed; null when it did not say it wrote the file. */
export function parseSessionPemWritten(stdout: string): string | null {
  const m = /^written=(\/.+)$/m.exec(stdout);
  return m ? m[1] : null;
}

/** A peer as the service knows it: a registered host, or the one unmanaged slave host it reached. */

export interface SlavePeerWithoutKeys {
  /** The brick's server as gluster names it. */
  readonly server: string;
  /** A registered host of the slave cluster that was not up; else no host row is this peer. */
  readonly registeredHost: string | null;
}

/**
 * The servers of the slave volume's bricks that are none of the slave hosts the job wrote the keys on
 * (matched like discovery matches bricks to hosts: glusterd UUID, else address or name), each once.
 */
export function slavePeersWithoutKeys(
  bricks: readonly Pick<GlusterBrickInfo, 'host' | 'hostUuid'>[],
  reached: readonly KnownPeer[],
  registered: readonly KnownPeer[],
): SlavePeerWithoutKeys[] {
  const out: SlavePeerWithoutKeys[] = [];
  const seen = new Set<string>();
  for (const b of bricks) {
    if (matchHost(reached, b.host, b.hostUuid)) continue;
    const key = (b.hostUuid ?? b.host).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ server: b.host, registeredHost: matchHost(registered, b.host, b.hostUuid)?.name ?? null });
  }
  return out;
}

/** The warning a job records for peers that got no keys: which, and what the admin does on each. */
export function slavePeersWithoutKeysWarning(
  peers: readonly SlavePeerWithoutKeys[],
  user: string,
  slaveVolume: string,
  pemPath: string,
  writtenOn: string,
): string {
  const named = peers.map((p) =>
    p.registeredHost === null ? `${p.server} (no registered host)` : `${p.server} (host ${p.registeredHost}, not up)`,
  );
  return (
    `Bricks of ${slaveVolume} are on slave peers the service did not reach: ${named.join(', ')}. ` +
    `${user} there has no geo-replication keys: workers sent to those peers cannot log in ` +
    "(gluster's set_geo_rep_pem_keys.sh, which would add them as root through the home directory, is not run). " +
    `On each peer, append the lines of ${pemPath} on ${writtenOn} to ~${user}/.ssh/authorized_keys as ${user} ` +
    `(runuser -u ${user} -- sh -c 'cat >> ~/.ssh/authorized_keys' < the copied file); ` +
    'a peer registered as an up host of the slave cluster gets them from the service for the next session.'
  );
}
