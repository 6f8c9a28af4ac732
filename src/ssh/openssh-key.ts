import * as crypto from 'node:crypto';

/**
 * Ed25519 private keys in OpenSSH's own format ("openssh-key-v1", unencrypted: the service seals the
 * whole text itself). Written here because ssh2's generator drops leading zero bytes of the public
 * key (about one key in 150 then fails to parse, in ssh2 itself and in OpenSSH).
 */
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const KEY_TYPE = 'ssh-ed25519';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** The public key of an Ed25519 seed (the 32-byte private scalar seed). */
export function ed25519PublicKey(seed: Buffer): Buffer {
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

export function ed25519PublicKeyBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

export function encodeEd25519PrivateKey(
  seed: Buffer,
  comment: string,
  checkInt = crypto.randomBytes(4).readUInt32BE(0),
): string {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed has 32 bytes');
  const publicKey = ed25519PublicKey(seed);
  const unpadded = Buffer.concat([
    uint32(checkInt),
    uint32(checkInt),
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    MAGIC,
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(ed25519PublicKeyBlob(publicKey)),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

export function generateEd25519PrivateKey(comment: string): string {
  return encodeEd25519PrivateKey(crypto.randomBytes(32), comment);
}
