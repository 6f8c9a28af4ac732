const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const COMMENT = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;

export class InvalidPublicKeyError extends Error {
  constructor(problem: string) {
    super(`not an OpenSSH public key: ${problem}`);
    this.name = 'InvalidPublicKeyError';
  }
}

export interface OpenSshPublicKey {
  type: string;
  /** The key blob as base64, exactly as it appears in authorized_keys. */
  base64: string;
  comment?: string;
}

/**
 * Parses `type base64 [comment]` strictly: the line is later written to a remote authorized_keys file,
 * so anything that is not plainly one key (options, several lines, control characters) is refused.
 */
export function parseOpenSshPublicKey(line: string): OpenSshPublicKey {
  const trimmed = line.replace(/\r?\n$/, '');
  if (/[\r\n\0]/.test(trimmed)) throw new InvalidPublicKeyError('more than one line');
  const [type, base64, ...rest] = trimmed.trim().split(/[ \t]+/);
  if (!type || !KEY_TYPES.has(type)) throw new InvalidPublicKeyError('unknown key type');
  if (!base64 || !BASE64.test(base64) || base64.length % 4 !== 0)
    throw new InvalidPublicKeyError('the key is not base64');
  const blob = Buffer.from(base64, 'base64');
  const embeddedTypeLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (embeddedTypeLength !== type.length || blob.subarray(4, 4 + embeddedTypeLength).toString('latin1') !== type) {
    throw new InvalidPublicKeyError('the key blob does not match its type');
  }
  const comment = rest.join(' ');
  if (comment && !COMMENT.test(comment))
    throw new InvalidPublicKeyError('the comment has characters other than printable ASCII');
  return comment ? { type, base64, comment } : { type, base64 };
}

export function formatOpenSshPublicKey(key: OpenSshPublicKey): string {
  return key.comment ? `${key.type} ${key.base64} ${key.comment}` : `${key.type} ${key.base64}`;
}

export function publicKeyBlob(key: OpenSshPublicKey): Buffer {
  return Buffer.from(key.base64, 'base64');
}

/**
 * POSIX sh, run as `/bin/sh -c '<script>'` by the remote user's login shell, with the key line on
 * stdin. A key counts as present when its base64 blob appears as a word before any `#` word (so not
 * in a commented-out line): the same key with another comment or with options is not added twice. Prints `added` or `present`.
 */
const INSTALL_SCRIPT_STATEMENTS = [
  'set -e -f',
  'umask 077',
  'IFS= read -r line || [ -n "$line" ]',
  'set -- $line',
  'blob="$2"',
  'if [ -z "$blob" ]; then echo "no key on stdin" >&2; exit 2; fi',
  'dir="$HOME/.ssh"',
  'file="$dir/authorized_keys"',
  'mkdir -p "$dir"',
  'chmod 700 "$dir"',
  'if [ ! -e "$file" ]; then : > "$file"; fi',
  'chmod 600 "$file"',
  'found=',
  'while IFS= read -r existing || [ -n "$existing" ]; do for word in $existing; do case "$word" in "#"*) break;; esac; if [ "$word" = "$blob" ]; then found=1; fi; done; done < "$file"',
  'if [ -n "$found" ]; then echo present; exit 0; fi',
  'if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then echo >> "$file"; fi',
  'printf "%s\\n" "$line" >> "$file"',
  'if command -v restorecon > /dev/null 2>&1; then restorecon "$dir" "$file" > /dev/null 2>&1 || :; fi',
  'echo added',
];

export const AUTHORIZED_KEYS_INSTALL_SCRIPT = INSTALL_SCRIPT_STATEMENTS.join('; ');

/** One line, single-quoted: safe under any Bourne-like login shell. The key itself travels on stdin. */
export const AUTHORIZED_KEYS_INSTALL_COMMAND = `/bin/sh -c '${AUTHORIZED_KEYS_INSTALL_SCRIPT}'`;

if (AUTHORIZED_KEYS_INSTALL_SCRIPT.includes("'")) throw new Error('the install script must not contain a single quote');

export type AuthorizedKeyInstallOutcome = 'added' | 'present';

export function parseInstallOutcome(stdout: string): AuthorizedKeyInstallOutcome | undefined {
  const last = stdout.trim().split('\n').pop();
  return last === 'added' || last === 'present' ? last : undefined;
}
