import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError } from '../../src/config/config';
import { runService } from '../support/processes';
import { createTestDatabase, startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { testServices } from '../support/test-env';
import { API } from './auth-helpers';

interface Reply {
  status: number;
  body: string;
}

function get(url: string, options: https.RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

const AUTH = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`;
const PKI = '/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA';

describe('HTTPS with a self-signed certificate generated into the data dir', () => {
  let t: TestApp;
  let base: string;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { GEOREP_TLS_SELF_SIGNED: 'true' } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    base = `https://localhost:${port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('generates the pair once, the key readable by the owner only', () => {
    const tls = t.config.tls!;
    expect(tls.certFile).toBe(path.join(t.config.dataDir, 'tls', 'cert.pem'));
    expect(fs.statSync(tls.keyFile).mode & 0o777).toBe(0o600);
    const cert = new crypto.X509Certificate(fs.readFileSync(tls.certFile));
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('serves its certificate at pki-resource, and a client trusting only that certificate completes an authenticated round trip', async () => {
    // Fetching the trust anchor itself cannot verify (that is what it is for); oVirt clients do the same.
    const ca = await get(`${base}${PKI}`, { rejectUnauthorized: false });
    expect(ca.status).toBe(200);
    expect(ca.body).toBe(fs.readFileSync(t.config.tls!.certFile, 'utf8'));

    const root = await get(`${base}${API}`, {
      ca: ca.body,
      headers: { Authorization: AUTH, Accept: 'application/json' },
    });
    expect(root.status).toBe(200);
    expect(JSON.parse(root.body)).toHaveProperty('link');
    const anonymous = await get(`${base}${API}`, { ca: ca.body });
    expect(anonymous.status).toBe(401);
  });

  it('is refused by a client that does not trust the certificate, and plain HTTP gets no API answer', async () => {
    await expect(get(`${base}${API}`, { headers: { Authorization: AUTH } })).rejects.toThrow(
      /self[- ]signed|certificate/i,
    );
    const plain = await new Promise<string>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}${API}`, { headers: { Authorization: AUTH } }, (res) =>
        resolve(`status ${res.statusCode}`),
      );
      req.on('error', (e) => resolve(`error ${e.message}`));
    });
    expect(plain).not.toBe('status 200');
  });

  it('reuses the generated pair on the next start, and serves given files (GEOREP_TLS_CERT_FILE/KEY_FILE) the same way', async () => {
    const cert = fs.readFileSync(t.config.tls!.certFile, 'utf8');
    const again = await startTestApp({
      role: 'api',
      env: { GEOREP_TLS_SELF_SIGNED: 'true', GEOREP_DATA_DIR: t.config.dataDir },
    });
    try {
      expect(fs.readFileSync(again.config.tls!.certFile, 'utf8')).toBe(cert);
    } finally {
      await again.close();
    }
    const given = await startTestApp({
      role: 'api',
      env: { GEOREP_TLS_CERT_FILE: t.config.tls!.certFile, GEOREP_TLS_KEY_FILE: t.config.tls!.keyFile },
    });
    try {
      await given.app.listen(0, '127.0.0.1');
      const p = (given.app.getHttpServer().address() as AddressInfo).port;
      const root = await get(`https://localhost:${p}${API}`, { ca: cert, headers: { Authorization: AUTH } });
      expect(root.status).toBe(200);
    } finally {
      await given.close();
    }
  });
});

/** A certificate for localhost and its key, as PEM text. */
async function pair(commonName: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  return { cert: `${pems.cert.trimEnd()}\n`, key: `${pems.private.trimEnd()}\n` };
}

const CERTIFICATE_BLOCKS = /^(-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n)+$/;

describe('pki-resource serves certificates only, never a private key', () => {
  let dir: string;
  let server: { cert: string; key: string };
  let other: { cert: string; key: string };
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(testServices().baseDir, 'pem-'));
    server = await pair('localhost');
    other = await pair('other-ca');
  });

  it.each([
    ['the certificate file', 'GEOREP_TLS_CERT_FILE'],
    ['the CA file', 'GEOREP_TLS_CA_FILE'],
  ])('refuses to start with a private key in %s, naming the setting and the file', async (_what, setting) => {
    const combined = write(`combined-${setting}.pem`, `${server.cert}${server.key}`);
    const env =
      setting === 'GEOREP_TLS_CERT_FILE'
        ? { GEOREP_TLS_CERT_FILE: combined, GEOREP_TLS_KEY_FILE: combined }
        : {
            GEOREP_TLS_CERT_FILE: write('cert.pem', server.cert),
            GEOREP_TLS_KEY_FILE: write('key.pem', server.key),
            GEOREP_TLS_CA_FILE: combined,
          };
    const started = startTestApp({ role: 'api', env });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toMatchObject({
      problems: [
        `${setting}: ${combined} contains a private key; it is served publicly at pki-resource: keep only certificates in it and the key in its own file (GEOREP_TLS_KEY_FILE)`,
      ],
    });
  });

  it('as a process: exits non-zero with one configuration error line and never listens', async () => {
    const combined = write('combined-process.pem', `${server.cert}${server.key}`);
    const db = await createTestDatabase();
    const svc = runService(['api'], {
      DATABASE_URL: db.url,
      REDIS_URL: testServices().redisUrl,
      GEOREP_SECRET_KEY: 'k'.repeat(40),
      GEOREP_ADMIN_PASSWORD: 'tls-test-password',
      GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'tls-p-')),
      GEOREP_QUEUE_PREFIX: `test-${db.name}`,
      GEOREP_TLS_CERT_FILE: combined,
      GEOREP_TLS_KEY_FILE: combined,
      LOG_LEVEL: 'warn',
      PORT: '0',
    });
    // Should it start after all, stop it at once rather than wait for the test's timeout.
    const listened = svc.waitFor(/listening on/).then(
      () => svc.child.kill('SIGTERM') && true,
      () => false,
    );
    const { code } = await svc.exited;
    expect(await listened).toBe(false);
    expect(code).toBe(1);
    expect(svc.output().trim().split('\n')).toEqual([
      `configuration error: GEOREP_TLS_CERT_FILE: ${combined} contains a private key; it is served publicly at pki-resource: ` +
        'keep only certificates in it and the key in its own file (GEOREP_TLS_KEY_FILE)',
    ]);
  });

  it('serves only the CERTIFICATE blocks of the certificate file and of the CA file', async () => {
    const annotated = (cert: string, subject: string) =>
      `Bag Attributes\n    friendlyName: ${subject}\nsubject=CN = ${subject}\n${cert}`;
    const certFile = write('chain.pem', `${annotated(server.cert, 'localhost')}\n${annotated(other.cert, 'other-ca')}`);
    const keyFile = write('chain-key.pem', server.key);
    const caFile = write('ca.pem', `# the CA we trust\n${other.cert}\nnot part of any block\n`);
    for (const [env, expected] of [
      [{ GEOREP_TLS_CERT_FILE: certFile, GEOREP_TLS_KEY_FILE: keyFile }, `${server.cert}${other.cert}`],
      [{ GEOREP_TLS_CERT_FILE: certFile, GEOREP_TLS_KEY_FILE: keyFile, GEOREP_TLS_CA_FILE: caFile }, other.cert],
    ] as const) {
      const t = await startTestApp({ role: 'api', env });
      try {
        await t.app.listen(0, '127.0.0.1');
        const p = (t.app.getHttpServer().address() as AddressInfo).port;
        const served = await get(`https://localhost:${p}${PKI}`, { rejectUnauthorized: false });
        expect(served.status).toBe(200);
        expect(served.body).toMatch(CERTIFICATE_BLOCKS);
        expect(served.body).toBe(expected);
      } finally {
        await t.close();
      }
    }
  });
});
