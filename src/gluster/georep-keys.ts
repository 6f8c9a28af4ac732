import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';
import { validateAbsolutePath, validateHost, validatePort, validateUserName } from './validators';
import { GLUSTER_LIBEXEC_DIRS } from './mount-broker';

/**
 * Pure helpers for distributing geo-replication keys: the lines of `common_secret.pem.pub`, and the
 * shell commands (static scripts; every variable input validated and single-quoted) that read, append
 * and check them on gluster hosts. No I/O here.
 */

export const COMMON_SECRET_PEM_PUB = '/var/lib/glusterd/geo-replication/common_secret.pem.pub';

const KEY_TYPES = 'ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521';
/**
 * The forced commands gsec_create (peer_gsec_create) writes before each key of common_secret.pem.pub:
 * `command="<libexecdir>/glusterfs/gsyncd" ` for gsyncd's key and `command="tar ${SSH_ORIGINAL_COMMAND#* }" `
 * for the tar+ssh key. Only these exact commands are installed: the lines go to an authorized_keys file
 * on every slave host, and any other forced command would run there as the slave user (root for a root
 * session) for whoever holds the master's key.
 */
export const GLUSTER_FORCED_COMMANDS: readonly string[] = [
  ...GLUSTER_LIBEXEC_DIRS.map((d) => `${d}/gsyncd`),
  'tar ${SSH_ORIGINAL_COMMAND#* }',
];
const escapeRegExp = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `command="<one of GLUSTER_FORCED_COMMANDS>" <type> <base64> [comment]`, nothing else. */
const PEM_LINE = new RegExp(
  `^command="(?:${GLUSTER_FORCED_COMMANDS.map(escapeRegExp).join('|')})" (?:${KEY_TYPES}) [A-Za-z0-9+/]+={0,2}(?: [\\x21-\\x7e]{1,255})?$`,
);

/** The key lines of a common_secret.pem.pub; throws on anything that is not such a line. */
export function parseCommonSecretPem(text: string): string[] {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\r$/, '').trim())
    .filter((l) => l !== '');
  if (lines.length === 0)
    throw new GlusterArgumentError('common_secret.pem.pub', 'holds no keys (did gsec_create run?)');
  for (const line of lines) {
    if (!PEM_LINE.test(line))
      throw new GlusterArgumentError('common_secret.pem.pub', 'holds a line that is not a geo-replication key');
  }
  return [...new Set(lines)];
}

/** A plain public key line (`type base64 [comment]`), as a host's root identity. */
const PLAIN_KEY = new RegExp(`^(?:${KEY_TYPES}) [A-Za-z0-9+/]+={0,2}(?: [\\x21-\\x7e]{1,255})?$`);

export function parsePlainPublicKey(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  if (!PLAIN_KEY.test(line)) throw new GlusterArgumentError('publicKey', 'is not an OpenSSH public key line');
  return line;
}

/** `cat` of a fixed file (for common_secret.pem.pub after gsec_create). */
export function catFileCommand(file: string = COMMON_SECRET_PEM_PUB): GlusterCommand {
  return plainCommand(['cat', validateAbsolutePath(file, 'file')]);
}

/**
 * Appends the key lines given on stdin to the running account's `~/.ssh/authorized_keys`, each unless the
 * exact line is there already; creates the directory (0700) and file (0600) when missing. For any user but
 * root the script runs as that user (runAsAccount): the home and its `.ssh` are the user's, and a symlink
 * planted there (`.ssh -> /root/.ssh`, `authorized_keys -> /etc/shadow`) must not make root write or chown
 * through it (DESIGN.md section 7); as the user it reaches only what the user could write anyway, and the
 * step fails. Prints `added=N present=M`.
 */
const APPEND_SCRIPT = [
  'set -e -f',
  'cd /',
  'me=$(id -un)',
  'home=$(getent passwd "$me" | cut -d: -f6)',
  'if [ -z "$home" ] || [ ! -d "$home" ]; then echo "no home directory for $me" >&2; exit 2; fi',
  'umask 077',
  'mkdir -p "$home/.ssh"',
  'chmod 700 "$home/.ssh"',
  'f="$home/.ssh/authorized_keys"',
  'if [ ! -e "$f" ]; then : > "$f"; chmod 600 "$f"; fi',
  'if [ ! -f "$f" ] || [ ! -r "$f" ] || [ ! -w "$f" ]; then echo "$f is not a file $me can read and write" >&2; exit 3; fi',
  'added=0; present=0',
  // a forced-command line (common_secret.pem.pub) counts as present only as the exact line; a plain key
  // (a master host's root identity) when its base64 blob is there already, whatever its comment
  'while IFS= read -r line || [ -n "$line" ]; do [ -n "$line" ] || continue; case "$line" in command=*) found=$(grep -cxF -- "$line" "$f" || :);; *) set -- $line; found=$(grep -cF -- " $2" "$f" || :);; esac; if [ "$found" != 0 ]; then present=$((present+1)); else if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then echo >> "$f"; fi; printf "%s\\n" "$line" >> "$f"; added=$((added+1)); fi; done',
  'if command -v restorecon > /dev/null 2>&1; then restorecon "$home/.ssh" "$f" > /dev/null 2>&1 || :; fi',
  'echo "added=$added present=$present"',
].join('; ');

/** Lines on stdin that are missing from the running account's `~/.ssh/authorized_keys` (read as that account): prints `missing=N`. */
const CHECK_SCRIPT = [
  'set -f',
  'cd /',
  'me=$(id -un)',
  'home=$(getent passwd "$me" | cut -d: -f6)',
  'if [ -z "$home" ]; then echo "no such user: $me" >&2; exit 2; fi',
  'f="$home/.ssh/authorized_keys"',
  'missing=0',
  'while IFS= read -r line || [ -n "$line" ]; do [ -n "$line" ] || continue; grep -qxF -- "$line" "$f" 2> /dev/null || missing=$((missing+1)); done',
  'echo "missing=$missing"',
].join('; ');

/**
 * argv that runs `script` (with its positional arguments) as `user` when the SSH login is root: root's own
 * home as root, any other account's home as that account (util-linux runuser, on every distribution
 * gluster supports; no login shell, no PAM session beyond runuser's own).
 */
export function runAsAccount(user: string, script: string, ...args: string[]): string[] {
  const u = validateUserName(user, 'user');
  const sh = ['/bin/sh', '-c', script, 'sh', ...args];
  return u === 'root' ? sh : ['runuser', '-u', u, '--', ...sh];
}

export function appendAuthorizedKeysCommand(user: string): GlusterCommand {
  return plainCommand(runAsAccount(user, APPEND_SCRIPT));
}

export function checkAuthorizedKeysCommand(user: string): GlusterCommand {
  return plainCommand(runAsAccount(user, CHECK_SCRIPT));
}

export function parseAppendResult(stdout: string): { added: number; present: number } | null {
  const m = /added=(\d+) present=(\d+)/.exec(stdout);
  return m ? { added: Number(m[1]), present: Number(m[2]) } : null;
}

export function parseMissingCount(stdout: string): number | null {
  const m = /missing=(\d+)/.exec(stdout);
  return m ? Number(m[1]) : null;
}

/**
 * root's default SSH identity (the one glusterd's push-pem hook and gverify.sh use: ssh without -i),
 * created as ~/.ssh/id_rsa when root has none. Prints the public key line.
 */
const ROOT_IDENTITY_SCRIPT = [
  'set -e',
  'for f in "$HOME/.ssh/id_rsa.pub" "$HOME/.ssh/id_ecdsa.pub" "$HOME/.ssh/id_ed25519.pub"; do if [ -s "$f" ]; then head -n 1 "$f"; exit 0; fi; done',
  'umask 077',
  'mkdir -p "$HOME/.ssh"',
  'ssh-keygen -q -t rsa -b 4096 -N "" -C "georep-api-push-pem" -f "$HOME/.ssh/id_rsa" < /dev/null > /dev/null',
  'head -n 1 "$HOME/.ssh/id_rsa.pub"',
].join('; ');

export function rootIdentityCommand(): GlusterCommand {
  return plainCommand(['/bin/sh', '-c', ROOT_IDENTITY_SCRIPT]);
}

/**
 * From a master host: can root reach `user@host` by SSH without a password (what `create push-pem`
 * needs)? BatchMode, so it never prompts; a new host key is accepted on first contact.
 */
export function sshTrustCheckCommand(user: string, host: string, port = 22): GlusterCommand {
  const u = validateUserName(user, 'user');
  const h = validateHost(host, 'host');
  const p = validatePort(port, 'port');
  return plainCommand([
    'ssh',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    'ConnectTimeout=10',
    '-p',
    String(p),
    `${u}@${h}`,
    'true',
  ]);
}

/**
 * Whether a brick directory holds anything besides gluster's own `.glusterfs` and `.trashcan` (the
 * entries VDSM's volumeEmptyCheck ignores at the volume root). Prints the first entry found, if any.
 */
export function brickEmptyCheckCommand(brickDir: string): GlusterCommand {
  const dir = validateAbsolutePath(brickDir, 'brickDir');
  return plainCommand([
    'find',
    dir,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '!',
    '-name',
    '.glusterfs',
    '!',
    '-name',
    '.trashcan',
    '-print',
    '-quit',
  ]);
}

/** true empty, false not empty; null when the check could not tell (the directory is not there). */
export function parseBrickEmptyCheck(out: { exitCode: number | null; stdout: string }): boolean | null {
  if (out.exitCode !== 0) return null;
  return out.stdout.trim() === '';
}
