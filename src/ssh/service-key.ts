import * as util from 'node:util';
import { utils as ssh2Utils } from 'ssh2';
import { ConfigError } from '../config/config';
import { fingerprintOfKeyBlob } from './fingerprint';
import { generateEd25519PrivateKey } from './openssh-key';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secret-box';
import { ServiceSecretStore } from './service-secret.repository';

export const SERVICE_KEY_SECRET_NAME = 'ssh_service_key';
export const SERVICE_KEY_COMMENT = 'georep-api';

/** What the SSH client authenticates with. Only the client reads the private key. */
export interface SshIdentity {
  privateKeyForAuthentication(): string;
}

/**
 * The service's SSH key pair. The private half lives in a private field, so it is left out of
 * JSON, `util.inspect` and therefore of logs and error dumps.
 */
export class ServiceKey implements SshIdentity {
  readonly #privateKey: string;

  private constructor(
    privateKey: string,
    /** `ssh-ed25519 AAAA… georep-api`, the line for authorized_keys. */
    readonly publicKey: string,
    readonly fingerprint: string,
  ) {
    this.#privateKey = privateKey;
  }

  static fromPrivateKey(privateKey: string): ServiceKey {
    const parsed = ssh2Utils.parseKey(privateKey);
    if (parsed instanceof Error || Array.isArray(parsed) || !parsed.isPrivateKey())
      throw new Error('the stored SSH service key is not a private key');
    const blob = parsed.getPublicSSH();
    return new ServiceKey(
      privateKey,
      `${parsed.type} ${blob.toString('base64')} ${SERVICE_KEY_COMMENT}`,
      fingerprintOfKeyBlob(blob),
    );
  }

  static generate(): ServiceKey {
    return ServiceKey.fromPrivateKey(generateEd25519PrivateKey(SERVICE_KEY_COMMENT));
  }

  privateKeyForAuthentication(): string {
    return this.#privateKey;
  }

  toJSON(): { publicKey: string; fingerprint: string } {
    return { publicKey: this.publicKey, fingerprint: this.fingerprint };
  }

  [util.inspect.custom](): string {
    return `ServiceKey { ${this.fingerprint} }`;
  }
}

/**
 * The key pair made on first start. Replicas starting together each make one, the database keeps the
 * first (INSERT … ON CONFLICT DO NOTHING), and every replica uses what it reads back.
 */
export async function loadOrCreateServiceKey(
  store: ServiceSecretStore,
  serviceSecret: string,
): Promise<{ key: ServiceKey; created: boolean }> {
  let created = false;
  if ((await store.find(SERVICE_KEY_SECRET_NAME)) === undefined) {
    const generated = ServiceKey.generate();
    created = await store.insertIfAbsent(
      SERVICE_KEY_SECRET_NAME,
      encryptSecret(generated.privateKeyForAuthentication(), serviceSecret, SERVICE_KEY_SECRET_NAME),
    );
  }
  const sealed = await store.find(SERVICE_KEY_SECRET_NAME);
  if (sealed === undefined)
    throw new Error('the SSH service key vanished from service_secrets right after it was stored');
  let privateKey: string;
  try {
    privateKey = decryptSecret(sealed, serviceSecret, SERVICE_KEY_SECRET_NAME);
  } catch (e) {
    if (e instanceof SecretDecryptionError) {
      throw new ConfigError([
        `GEOREP_SECRET_KEY: the SSH service key stored in the database cannot be decrypted: ${e.message}. Restore the key it was created with; a new key would not be trusted by the hosts`,
      ]);
    }
    throw e;
  }
  return { key: ServiceKey.fromPrivateKey(privateKey), created };
}
