import * as crypto from 'node:crypto';

/**
 * Secrets at rest, sealed with GEOREP_SECRET_KEY.
 *
 * Format `v1:<salt>:<iv>:<tag>:<ciphertext>` (base64url parts): AES-256-GCM under a key derived
 * with HKDF-SHA256 from the service secret and a per-value random salt. HKDF rather than a password
 * hash because the service secret is required to be long and random (it is generated, or made with
 * `openssl rand`). The secret's name is the additional authenticated data, so a sealed value moved to
 * another name does not open. A later format gets a new version prefix; `v1` values stay readable.
 */
const VERSION = 'v1';
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_INFO = Buffer.from('georep-api service secret v1');

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

function deriveKey(serviceSecret: string, salt: Buffer): Buffer {
  if (serviceSecret.length === 0) throw new TypeError('the service secret is empty');
  return Buffer.from(crypto.hkdfSync('sha256', Buffer.from(serviceSecret, 'utf8'), salt, HKDF_INFO, 32));
}

function additionalData(name: string): Buffer {
  return Buffer.from(`service_secrets/${name}`, 'utf8');
}

export function encryptSecret(plaintext: string, serviceSecret: string, name: string): string {
  const salt = crypto.randomBytes(SALT_BYTES);
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', deriveKey(serviceSecret, salt), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(name));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, salt, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join(':');
}

export function decryptSecret(sealed: string, serviceSecret: string, name: string): string {
  const parts = sealed.split(':');
  if (parts[0] !== VERSION)
    throw new SecretDecryptionError(`unknown secret format "${/^v\d{1,3}$/.test(parts[0] ?? '') ? parts[0] : '?'}"`);
  if (parts.length !== 5 || parts.slice(1).some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new SecretDecryptionError('malformed sealed secret');
  const [salt, iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new SecretDecryptionError('malformed sealed secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', deriveKey(serviceSecret, salt), iv, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(additionalData(name));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError(
      'the secret does not open with this service secret (a different GEOREP_SECRET_KEY, or the stored value was altered)',
    );
  }
}
