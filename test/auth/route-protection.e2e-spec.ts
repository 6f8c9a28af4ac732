import * as crypto from 'node:crypto';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import {
  addUser,
  API,
  basic,
  JSON_TYPE,
  LOGOUT_URL,
  Operation,
  operationsOf,
  send,
  servedDocument,
  TOKEN_URL,
} from './auth-helpers';

const VIEWER = { user: 'viewer@internal', password: 'viewer-password-1' };

function expectUnauthorized(
  res: { status: number; headers: Record<string, string>; body: unknown },
  what: string,
): void {
  if (res.status !== 401) throw new Error(`${what}: expected 401, got ${res.status}`);
  expect(res.headers['www-authenticate']).toBe('Basic realm="RESTAPI"');
  expect(Object.keys(res.body as object).sort()).toEqual(['detail', 'reason']);
}

describe('which routes need credentials and which roles may use them', () => {
  let t: TestApp;
  let operations: Operation[];
  /** The operations that need credentials (the document also has DESIGN.md's public routes). */
  let protectedOps: Operation[];

  beforeAll(async () => {
    // Every wrong password below would otherwise trip the failed-login limit.
    t = await startTestApp({
      role: 'api',
      env: { GEOREP_LOGIN_MAX_FAILURES: '100000', GEOREP_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000' },
    });
    await addUser(t, VIEWER.user, 'viewer', VIEWER.password);
    const doc = await servedDocument(t);
    operations = operationsOf(doc);
    protectedOps = operations.filter((o) => !o.isPublic);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the operations from the OpenAPI document, which declares Basic and Bearer globally', async () => {
    const doc = await servedDocument(t);
    expect(doc.components.securitySchemes).toEqual({
      basic: expect.objectContaining({ type: 'http', scheme: 'basic' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(doc.security).toEqual([{ basic: [] }, { bearer: [] }]);
    // Not vacuous: the collections this service certainly has are there, with every CRUD method.
    const keys = operations.map((o) => `${o.method} ${o.template}`);
    for (const expected of [
      `get ${API}`,
      `get ${API}/users`,
      `post ${API}/users`,
      `put ${API}/users/{id}`,
      `delete ${API}/users/{id}`,
      `post ${API}/clusters`,
    ]) {
      expect(keys).toContain(expected);
    }
    // Public: exactly DESIGN.md's public routes the document describes (health, the token endpoint, PKI, the
    // /docs page and the document it shows); none of the API's. Logout needs credentials.
    expect(
      operations
        .filter((o) => o.isPublic)
        .map((o) => `${o.method} ${o.template}`)
        .sort(),
    ).toEqual([
      'get /docs',
      'get /docs/openapi.json',
      'get /docs/openapi.yaml',
      'get /health/live',
      'get /health/ready',
      'get /ovirt-engine/services/pki-resource',
      // Takes no login: only the bearer token a cluster's glustereventsd was given (gluster-events.e2e-spec.ts).
      'post /ovirt-engine/services/glusterevents',
      `post ${TOKEN_URL}`,
    ]);
    expect(protectedOps.map((o) => `${o.method} ${o.template}`)).toContain(`post ${LOGOUT_URL}`);
  });

  it('answers 401 with WWW-Authenticate on every operation without credentials, before looking at ids or bodies', async () => {
    for (const op of protectedOps) expectUnauthorized(await send(t.anon, op), `anonymous ${op.method} ${op.template}`);
  });

  it('answers 401 on every operation for a wrong password, an unknown user, a bad token and an unknown scheme', async () => {
    const wrong = [
      basic(TEST_ADMIN.user, 'not-the-password'),
      basic('nobody@internal', TEST_ADMIN.password),
      'Bearer ' + crypto.randomBytes(32).toString('base64url'),
      'Bearer not-even-a-token',
      'Basic !!!',
      'Digest username="admin@internal"',
    ];
    for (const op of protectedOps) {
      const header = wrong[protectedOps.indexOf(op) % wrong.length];
      const res = await t.anon[op.method](op.path).set('Authorization', header).set('Accept', JSON_TYPE);
      expectUnauthorized(res, `${op.method} ${op.template} with ${header.split(' ')[0]}`);
    }
  });

  it('answers 403 to a viewer on every operation that changes something, and on every /users operation', async () => {
    const viewer = t.as(VIEWER.user, VIEWER.password);
    // Logout is the exception: any role may revoke its own token (here: no token given, an SSO error).
    const logout = await send(viewer, protectedOps.find((o) => o.template === LOGOUT_URL) as Operation);
    expect(logout.status).toBe(400);
    const refused = protectedOps.filter(
      (o) => o.template !== LOGOUT_URL && (o.method !== 'get' || o.template.startsWith(`${API}/users`)),
    );
    expect(refused.length).toBeGreaterThan(5);
    for (const op of refused) {
      const res = await send(viewer, op);
      if (res.status !== 403)
        throw new Error(`viewer ${op.method} ${op.template}: expected 403, got ${res.status} ${res.text}`);
      expect(res.body).toEqual({ reason: 'Forbidden', detail: expect.any(String) });
    }
  });

  it('lets a viewer read everything else (an unknown id is then a 404, not a 401/403)', async () => {
    const viewer = t.as(VIEWER.user, VIEWER.password);
    const reads = protectedOps.filter((o) => o.method === 'get' && !o.template.startsWith(`${API}/users`));
    expect(reads.length).toBeGreaterThan(3);
    for (const op of reads) {
      const res = await send(viewer, op);
      const expected = op.template.includes('{') ? [200, 404] : [200];
      if (!expected.includes(res.status))
        throw new Error(
          `viewer ${op.method} ${op.template}: expected ${expected.join('/')}, got ${res.status} ${res.text}`,
        );
    }
  });

  it('lets an admin past the guard everywhere (unknown ids are 404)', async () => {
    for (const op of operations.filter((o) => o.template.includes('{'))) {
      const res = await send(t.http, op);
      expect([400, 404, 415]).toContain(res.status);
    }
  });

  it('keeps the public routes of DESIGN.md public', async () => {
    await t.anon.get('/health/live').expect(200);
    await t.anon.get('/health/ready').expect(200);
    await t.anon.get('/docs/').expect(200);
    await t.anon.get('/docs/openapi.json').expect(200);
    await t.anon
      .get('/ovirt-engine/services/pki-resource')
      .query({ resource: 'engine-certificate', format: 'OPENSSH-PUBKEY' })
      .expect(200);
    // Without TLS there is no CA certificate to serve.
    const ca = await t.anon
      .get('/ovirt-engine/services/pki-resource')
      .query({ resource: 'ca-certificate', format: 'X509-PEM-CA' });
    expect(ca.status).toBe(404);
    expect(ca.text).toContain('does not serve HTTPS');
    // The token endpoint answers anyone (here: an SSO error, not a 401).
    const token = await t.anon
      .post(TOKEN_URL)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('grant_type=password');
    expect(token.status).toBe(400);
    expect(token.body).toEqual({ error_code: 'invalid_request', error: expect.any(String) });
    // Logout is not public: it needs a token (the one it revokes) or Basic.
    const logout = await t.anon
      .post(LOGOUT_URL)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Accept', JSON_TYPE)
      .send('scope=ovirt-app-api');
    expectUnauthorized(logout, 'sso-logout without a token');
    // The API root is not public.
    expectUnauthorized(await t.anon.get(API).set('Accept', JSON_TYPE), 'the API root');
    expectUnauthorized(await t.anon.get(`${API}/v4`).set('Accept', JSON_TYPE), 'the v4 API root');
  });
});
