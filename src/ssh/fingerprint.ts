import * as crypto from 'node:crypto';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** The fingerprint OpenSSH prints (`ssh-keygen -lf`, `ssh-keyscan | ssh-keygen -lf -`) for a public key blob. */
export function fingerprintOfKeyBlob(keyBlob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/** Some tools keep base64's trailing padding; OpenSSH drops it. Both spell the same key. */
export function normalizeFingerprint(value: string): string {
  if (!isFingerprint(value)) throw new TypeError('a host key fingerprint looks like SHA256:<43 base64 characters>');
  return value.replace(/=+$/, '');
}

export function sameFingerprint(a: string, b: string): boolean {
  return normalizeFingerprint(a) === normalizeFingerprint(b);
}
