import * as util from 'node:util';
import { ConfigError } from '../config/config';
import { parseOpenSshPublicKey, publicKeyBlob } from './authorized-keys';
import { fingerprintOfKeyBlob } from './fingerprint';
import { loadOrCreateServiceKey, SERVICE_KEY_SECRET_NAME, ServiceKey } from './service-key';
import { ServiceSecretStore } from './service-secret.repository';

const SECRET = 'x'.repeat(48);

/** Behaves like the table: the first insert of a name wins. `gate` lets a test hold finds to force a race. */
class InMemorySecrets implements ServiceSecretStore {
  readonly values = new Map<string, string>();
  gate: Promise<void> = Promise.resolve();
  async find(name: string): Promise<string | undefined> {
    const value = this.values.get(name);
    await this.gate;
    return value;
  }
  async insertIfAbsent(name: string, value: string): Promise<boolean> {
    if (this.values.has(name)) return false;
    this.values.set(name, value);
    return true;
  }
}

describe('the service key', () => {
  it('is an Ed25519 key with an OpenSSH public line', () => {
    const key = ServiceKey.generate();
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA[A-Za-z0-9+/]+=* georep-api$/);
    expect(key.fingerprint).toBe(fingerprintOfKeyBlob(publicKeyBlob(parseOpenSshPublicKey(key.publicKey))));
    expect(key.privateKeyForAuthentication()).toContain('OPENSSH PRIVATE KEY');
  });

  it('keeps the private key out of JSON and inspection', () => {
    const key = ServiceKey.generate();
    const body = key.privateKeyForAuthentication().split('\n')[1];
    for (const shown of [
      JSON.stringify(key),
      JSON.stringify({ nested: key }),
      util.inspect(key, { showHidden: true, depth: 5 }),
      String(key),
      `${util.format('%o', key)}`,
    ]) {
      expect(shown).not.toContain('PRIVATE KEY');
      expect(shown).not.toContain(body);
    }
    expect(JSON.parse(JSON.stringify(key))).toEqual({ publicKey: key.publicKey, fingerprint: key.fingerprint });
  });

  it('is created once, stored sealed, and loaded again', async () => {
    const secrets = new InMemorySecrets();
    const first = await loadOrCreateServiceKey(secrets, SECRET);
    expect(first.created).toBe(true);
    const stored = secrets.values.get(SERVICE_KEY_SECRET_NAME) ?? '';
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('PRIVATE KEY');
    expect(stored).not.toContain(first.key.privateKeyForAuthentication().split('\n')[1]);
    const again = await loadOrCreateServiceKey(secrets, SECRET);
    expect(again.created).toBe(false);
    expect(again.key.publicKey).toBe(first.key.publicKey);
    expect(again.key.privateKeyForAuthentication()).toBe(first.key.privateKeyForAuthentication());
  });

  it('ends up with one key when two starts race', async () => {
    const secrets = new InMemorySecrets();
    let open!: () => void;
    secrets.gate = new Promise((resolve) => (open = resolve));
    // Both starts see no key before either inserts one.
    const racing = [loadOrCreateServiceKey(secrets, SECRET), loadOrCreateServiceKey(secrets, SECRET)];
    await new Promise((r) => setImmediate(r));
    open();
    const [a, b] = await Promise.all(racing);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.key.publicKey).toBe(b.key.publicKey);
  });

  it('refuses to start with another service secret rather than making a new key', async () => {
    const secrets = new InMemorySecrets();
    const original = await loadOrCreateServiceKey(secrets, SECRET);
    const stored = secrets.values.get(SERVICE_KEY_SECRET_NAME);
    await expect(loadOrCreateServiceKey(secrets, 'y'.repeat(48))).rejects.toThrow(ConfigError);
    await expect(loadOrCreateServiceKey(secrets, 'y'.repeat(48))).rejects.toThrow(
      /GEOREP_SECRET_KEY: the SSH service key stored in the database cannot be decrypted/,
    );
    expect(secrets.values.get(SERVICE_KEY_SECRET_NAME)).toBe(stored);
    expect((await loadOrCreateServiceKey(secrets, SECRET)).key.publicKey).toBe(original.key.publicKey);
  });
});
