import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
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

    const root = await get(`${base}${API}`, { ca: ca.body, headers: { Authorization: AUTH, Accept: 'application/json' } });
    expect(root.status).toBe(200);
    expect(JSON.parse(root.body)).toHaveProperty('link');
    const anonymous = await get(`${base}${API}`, { ca: ca.body });
    expect(anonymous.status).toBe(401);
  });

  it('is refused by a client that does not trust the certificate, and plain HTTP gets no API answer', async () => {
    await expect(get(`${base}${API}`, { headers: { Authorization: AUTH } })).rejects.toThrow(/self[- ]signed|certificate/i);
    const plain = await new Promise<string>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}${API}`, { headers: { Authorization: AUTH } }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${e.message}`));
    });
    expect(plain).not.toBe('status 200');
  });

  it('reuses the generated pair on the next start, and serves given files (GEOREP_TLS_CERT_FILE/KEY_FILE) the same way', async () => {
    const cert = fs.readFileSync(t.config.tls!.certFile, 'utf8');
    const again = await startTestApp({ role: 'api', env: { GEOREP_TLS_SELF_SIGNED: 'true', GEOREP_DATA_DIR: t.config.dataDir } });
    try {
      expect(fs.readFileSync(again.config.tls!.certFile, 'utf8')).toBe(cert);
    } finally {
      await again.close();
    }
    const given = await startTestApp({ role: 'api', env: { GEOREP_TLS_CERT_FILE: t.config.tls!.certFile, GEOREP_TLS_KEY_FILE: t.config.tls!.keyFile } });
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
