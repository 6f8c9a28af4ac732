import * as crypto from 'node:crypto';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { addUser, API, FORM_TYPE, form, JSON_TYPE, login, LOGOUT_URL, TOKEN_URL } from './auth-helpers';

const TTL_MINUTES = 7;

describe('bearer tokens from the SSO endpoint', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { GEOREP_TOKEN_TTL_MINUTES: String(TTL_MINUTES) } });
  });
  afterAll(async () => {
    await t.close();
  });

  const tokenRequest = (fields: Record<string, string>) =>
    t.anon.post(TOKEN_URL).set('Content-Type', FORM_TYPE).set('Accept', JSON_TYPE).send(form(fields));

  it("issues a token in oVirt's shape, stores only its SHA-256, and expires it after the configured time", async () => {
    const res = await tokenRequest({
      grant_type: 'password',
      scope: 'ovirt-app-api',
      username: TEST_ADMIN.user,
      password: TEST_ADMIN.password,
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body as object).sort()).toEqual(['access_token', 'exp', 'scope', 'token_type']);
    const body = res.body as { access_token: string; token_type: string; exp: string; scope: string };
    expect(body.token_type).toBe('bearer');
    expect(body.scope).toBe('ovirt-app-api');
    expect(body.exp).toMatch(/^\d+$/);

    const rows = await t.sql<{ token_hash: string; expires_at: Date; created_at: Date; name: string }>(
      `SELECT t.token_hash, t.expires_at, t.created_at, u.name FROM tokens t JOIN users u ON u.id = t.user_id`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(crypto.createHash('sha256').update(body.access_token).digest('hex'));
    expect(rows[0].name).toBe(TEST_ADMIN.user);
    expect(Number(body.exp)).toBe(rows[0].expires_at.getTime());
    // The expiry is the configured TTL after issue (the row's created_at is the database's clock).
    const ttl = rows[0].expires_at.getTime() - rows[0].created_at.getTime();
    expect(Math.round(ttl / 60_000)).toBe(TTL_MINUTES);
    const dump = await t.sql<{ all: string }>(`SELECT string_agg(t::text, ' ') AS all FROM tokens t`);
    expect(dump[0].all).not.toContain(body.access_token);
  });

  it('accepts the token as Authorization: Bearer, and refuses it once it has expired', async () => {
    const { access_token } = await login(t.anon, TEST_ADMIN.user, TEST_ADMIN.password);
    const root = await t.anon
      .get(API)
      .set('Authorization', `Bearer ${access_token}`)
      .set('Accept', JSON_TYPE)
      .expect(200);
    expect(root.body).toHaveProperty('link');
    await t.anon
      .post(`${API}/clusters`)
      .set('Authorization', `Bearer ${access_token}`)
      .set('Content-Type', JSON_TYPE)
      .send('{"name":"by-token"}')
      .expect(201);

    const hash = crypto.createHash('sha256').update(access_token).digest('hex');
    await t.sql(`UPDATE tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hash]);
    const expired = await t.anon.get(API).set('Authorization', `Bearer ${access_token}`).set('Accept', JSON_TYPE);
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Basic realm="RESTAPI"');
    expect(expired.body.detail).toMatch(/expired/);
  });

  it('revokes a token at sso-logout, given as the form field token (as the SDKs do) or as Bearer', async () => {
    const first = (await login(t.anon, TEST_ADMIN.user, TEST_ADMIN.password)).access_token;
    const second = (await login(t.anon, TEST_ADMIN.user, TEST_ADMIN.password)).access_token;
    expect(first).not.toBe(second);

    const out = await t.anon
      .post(LOGOUT_URL)
      .set('Content-Type', FORM_TYPE)
      .set('Accept', JSON_TYPE)
      .send(form({ scope: 'ovirt-app-api', token: first }));
    expect(out.status).toBe(200);
    expect(out.body).toEqual({});
    await t.anon.get(API).set('Authorization', `Bearer ${first}`).expect(401);
    await t.anon.get(API).set('Authorization', `Bearer ${second}`).expect(200);

    await t.anon.post(LOGOUT_URL).set('Authorization', `Bearer ${second}`).expect(200);
    await t.anon.get(API).set('Authorization', `Bearer ${second}`).expect(401);

    // A revoked token is no credential, not even for its own logout.
    const again = await t.anon
      .post(LOGOUT_URL)
      .set('Content-Type', FORM_TYPE)
      .set('Accept', JSON_TYPE)
      .send(form({ token: first }));
    expect(again.status).toBe(401);
    expect(again.headers['www-authenticate']).toBe('Basic realm="RESTAPI"');
    const revoked = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM tokens WHERE revoked_at IS NOT NULL`);
    expect(Number(revoked[0].n)).toBeGreaterThanOrEqual(2);
  });

  it('lets a user revoke only its own tokens at logout; an admin any', async () => {
    await addUser(t, 'owner@internal', 'viewer', 'owner-password-1');
    await addUser(t, 'other@internal', 'viewer', 'other-password-1');
    const owners = (await login(t.anon, 'owner@internal', 'owner-password-1')).access_token;
    const others = (await login(t.anon, 'other@internal', 'other-password-1')).access_token;
    const foreign = await t.anon
      .post(LOGOUT_URL)
      .set('Authorization', `Bearer ${others}`)
      .set('Content-Type', FORM_TYPE)
      .send(form({ token: owners }));
    expect(foreign.status).toBe(400);
    expect(foreign.body).toEqual({ error_code: 'invalid_grant', error: expect.any(String) });
    await t.anon.get(API).set('Authorization', `Bearer ${owners}`).expect(200);
    // Basic works as the credential too; the admin may revoke anyone's token.
    await t.http
      .post(LOGOUT_URL)
      .set('Content-Type', FORM_TYPE)
      .send(form({ token: owners }))
      .expect(200);
    await t.anon.get(API).set('Authorization', `Bearer ${owners}`).expect(401);
    const noToken = await t.http.post(LOGOUT_URL);
    expect(noToken.status).toBe(400);
    expect(noToken.body.error_code).toBe('invalid_request');
  });

  it.each([
    [{ scope: 'ovirt-app-api', username: TEST_ADMIN.user, password: TEST_ADMIN.password }, 'invalid_request'],
    [
      {
        grant_type: 'client_credentials',
        scope: 'ovirt-app-api',
        username: TEST_ADMIN.user,
        password: TEST_ADMIN.password,
      },
      'unsupported_grant_type',
    ],
    [{ grant_type: 'password', username: TEST_ADMIN.user, password: TEST_ADMIN.password }, 'invalid_request'],
    [
      { grant_type: 'password', scope: 'openid', username: TEST_ADMIN.user, password: TEST_ADMIN.password },
      'invalid_scope',
    ],
    [{ grant_type: 'password', scope: 'ovirt-app-api', username: TEST_ADMIN.user }, 'invalid_request'],
    [
      { grant_type: 'password', scope: 'ovirt-app-api', username: TEST_ADMIN.user, password: 'wrong-password' },
      'access_denied',
    ],
    [
      { grant_type: 'password', scope: 'ovirt-app-api', username: 'nobody@internal', password: TEST_ADMIN.password },
      'access_denied',
    ],
  ])("answers oVirt's SSO error (400 {error_code, error}) for %j", async (fields, code) => {
    const res = await tokenRequest(fields as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: code, error: expect.any(String) });
    expect(res.text).not.toContain(TEST_ADMIN.password);
  });

  it('refuses a body that is not a form', async () => {
    const res = await t.anon
      .post(TOKEN_URL)
      .set('Content-Type', JSON_TYPE)
      .send(JSON.stringify({ grant_type: 'password' }));
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('invalid_request');
  });

  it("logs a user in by name regardless of case, and the token carries the user's role", async () => {
    await addUser(t, 'Reader@Internal', 'viewer', 'reader-password-1');
    const { access_token } = await login(t.anon, 'reader@INTERNAL', 'reader-password-1');
    await t.anon.get(API).set('Authorization', `Bearer ${access_token}`).expect(200);
    const write = await t.anon
      .post(`${API}/clusters`)
      .set('Authorization', `Bearer ${access_token}`)
      .set('Content-Type', JSON_TYPE)
      .send('{"name":"nope"}');
    expect(write.status).toBe(403);
    // Logging out is allowed to a viewer too.
    await t.anon.post(LOGOUT_URL).set('Authorization', `Bearer ${access_token}`).expect(200);
  });
});
