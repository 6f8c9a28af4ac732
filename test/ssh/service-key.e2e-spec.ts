import { DynamicModule, LoggerService, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { APP_CONFIG, ConfigError, loadConfig } from '../../src/config/config';
import { dataSourceOptions } from '../../src/data-source';
import { SERVICE_KEY_SECRET_NAME, ServiceKey } from '../../src/ssh/service-key';
import { SshClient } from '../../src/ssh/ssh-client';
import { SshModule } from '../../src/ssh/ssh.module';
import { createTestDatabase, startTestApp, TestApp } from '../support/test-app';
import { testServices } from '../support/test-env';
import { isRoot, makeHostKey, requireSshTools, TestSshd } from './support/sshd';

jest.setTimeout(60_000);

@Module({})
class TestConfigModule {
  static with(databaseUrl: string, secretKey: string): DynamicModule {
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      REDIS_URL: testServices().redisUrl,
      GEOREP_SECRET_KEY: secretKey,
      GEOREP_DATA_DIR: path.join(testServices().baseDir, 'unused-data-dir'),
    });
    return {
      module: TestConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

const SILENT: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

/** SshModule alone, as the app wires it: global config, a TypeORM DataSource, then the module. */
async function startSshModule(databaseUrl: string, secretKey: string): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TestConfigModule.with(databaseUrl, secretKey),
      TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, { poolSize: 2 })),
      SshModule,
    ],
  })
    .setLogger(SILENT)
    .compile();
  await moduleRef.init();
  return moduleRef;
}

async function storedSecrets(databaseUrl: string): Promise<{ name: string; value: string }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('SELECT name, value FROM service_secrets ORDER BY name')).rows;
  } finally {
    await client.end();
  }
}

function newSecret(): string {
  return crypto.randomBytes(32).toString('base64');
}

describe('the SSH service key in the database', () => {
  const running: TestingModule[] = [];
  async function start(databaseUrl: string, secretKey: string): Promise<TestingModule> {
    const moduleRef = await startSshModule(databaseUrl, secretKey);
    running.push(moduleRef);
    return moduleRef;
  }
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.close()));
  });

  it('is generated on first start and stored encrypted', async () => {
    const db = await createTestDatabase();
    const key = (await start(db.url, newSecret())).get(ServiceKey);
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=* georep-api$/);
    const rows = await storedSecrets(db.url);
    expect(rows.map((r) => r.name)).toEqual([SERVICE_KEY_SECRET_NAME]);
    const stored = rows[0].value;
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('PRIVATE KEY');
    for (const line of key
      .privateKeyForAuthentication()
      .split('\n')
      .filter((l) => l.length > 20)) {
      expect(stored).not.toContain(line);
    }
  });

  it('comes back the same after a restart', async () => {
    const db = await createTestDatabase();
    const secret = newSecret();
    const first = await start(db.url, secret);
    const before = first.get(ServiceKey);
    const storedBefore = await storedSecrets(db.url);
    await first.close();
    running.splice(running.indexOf(first), 1);

    const after = (await start(db.url, secret)).get(ServiceKey);
    expect(after.publicKey).toBe(before.publicKey);
    expect(after.privateKeyForAuthentication()).toBe(before.privateKeyForAuthentication());
    expect(await storedSecrets(db.url)).toEqual(storedBefore);
  });

  it('is made once when replicas start together', async () => {
    const db = await createTestDatabase();
    const secret = newSecret();
    const [a, b, c] = await Promise.all([start(db.url, secret), start(db.url, secret), start(db.url, secret)]);
    const keys = [a, b, c].map((m) => m.get(ServiceKey).publicKey);
    expect(new Set(keys).size).toBe(1);
    expect(await storedSecrets(db.url)).toHaveLength(1);
  });

  it('refuses to start with another GEOREP_SECRET_KEY and leaves the stored key alone', async () => {
    const db = await createTestDatabase();
    await start(db.url, newSecret());
    const storedBefore = await storedSecrets(db.url);
    const error = await startSshModule(db.url, newSecret()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]).toMatch(
      /^GEOREP_SECRET_KEY: the SSH service key stored in the database cannot be decrypted/,
    );
    expect(await storedSecrets(db.url)).toEqual(storedBefore);
  });
});

const describeAsRoot = isRoot() ? describe : describe.skip;

describeAsRoot("the module's SSH client", () => {
  let dir: string;
  let sshd: TestSshd | undefined;
  afterAll(async () => {
    await sshd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs in with the service key and closes its connections on shutdown', async () => {
    requireSshTools();
    const db = await createTestDatabase();
    const moduleRef = await startSshModule(db.url, newSecret());
    const key = moduleRef.get(ServiceKey);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-module-'));
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `${key.publicKey}\n`);
    const hostKey = makeHostKey(dir, 'host_key');
    sshd = await TestSshd.start(dir, { hostKey, authorizedKeysFile: path.join(dir, 'authorized_keys') });
    const target = { host: '127.0.0.1', port: sshd.port, username: 'root', pinnedFingerprint: hostKey.fingerprint };

    const client = moduleRef.get(SshClient);
    const result = await client.exec(target, 'echo via the service key');
    expect(result.stdout).toBe('via the service key\n');
    expect(client.stats(target).connected).toBe(true);

    await moduleRef.close();
    expect(client.stats(target)).toMatchObject({ connected: false, connectionsClosed: 1 });
    await expect(client.exec(target, 'true')).rejects.toThrow(/shutting down/);
  });
});

describe('GET /ovirt-engine/services/pki-resource', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const url = '/ovirt-engine/services/pki-resource';

  it('serves the public key as one line of text without credentials', async () => {
    const res = await t.http.get(url).query({ resource: 'engine-certificate', format: 'OPENSSH-PUBKEY' }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const key = t.app.get(ServiceKey);
    expect(res.text).toBe(`${key.publicKey}\n`);
    expect(res.text).toMatch(/^ssh-ed25519 AAAA\S+ georep-api\n$/);
  });

  it('serves the key that is stored in the database', async () => {
    const res = await t.http.get(url).query({ resource: 'engine-certificate', format: 'OPENSSH-PUBKEY' }).expect(200);
    const rows = await t.sql<{ value: string }>('SELECT value FROM service_secrets WHERE name = $1', [
      SERVICE_KEY_SECRET_NAME,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].value).not.toContain(res.text.split(' ')[1]);
    expect(res.text).not.toContain('PRIVATE');
  });

  it('answers 404 for an unknown resource, without echoing what is not a plain name', async () => {
    const odd = await t.http.get(url).query({ resource: '<script>x</script>', format: 'OPENSSH-PUBKEY' });
    expect(odd.status).toBe(404);
    expect(odd.text).toContain('no PKI resource the given value');
    const res = await t.http.get(url).query({ resource: 'ca-certificate', format: 'X509-PEM-CA' });
    expect(res.status).toBe(404);
    expect(res.text).toContain('no PKI resource "ca-certificate"');
    expect(res.text).not.toContain('ssh-ed25519');
  });

  it.each([
    [{ resource: 'engine-certificate', format: 'X509-PEM' }],
    [{ resource: 'engine-certificate' }],
    [{ format: 'OPENSSH-PUBKEY' }],
    [{}],
  ])('answers 400 for %j', async (query) => {
    const res = await t.http.get(url).query(query);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/the parameter is required|is not offered for engine-certificate/);
    expect(res.text).not.toContain('ssh-ed25519');
  });

  it('answers 400 for a repeated parameter', async () => {
    const res = await t.http.get(
      `${url}?resource=engine-certificate&resource=engine-certificate&format=OPENSSH-PUBKEY`,
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('give the parameter once');
  });
});
