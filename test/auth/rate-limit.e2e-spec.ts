import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { addUser, API, basic, FORM_TYPE, form, JSON_TYPE, TOKEN_URL } from './auth-helpers';

const WINDOW_SECONDS = 600;

/** A small limit so a few requests reach it; the window is long enough that nothing here outlives it. */
const LIMITS = {
  GEOREP_LOGIN_MAX_FAILURES: '3',
  GEOREP_LOGIN_MAX_FAILURES_PER_ADDRESS: '8',
  GEOREP_LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
};

function expectThrottled(res: { status: number; headers: Record<string, string> }): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
}

/** The SSO token endpoint's password grant, anonymous. */
function passwordGrant(t: TestApp, username: string, password: string) {
  return t.anon
    .post(TOKEN_URL)
    .set('Content-Type', FORM_TYPE)
    .set('Accept', JSON_TYPE)
    .send(form({ grant_type: 'password', scope: 'ovirt-app-api', username, password }));
}

describe('failed logins are limited per user name and per client address', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({ role: 'api', env: LIMITS });
  });
  afterEach(async () => {
    await t.close();
  });

  const tokenRequest = (username: string, password: string) => passwordGrant(t, username, password);

  it('answers 429 with Retry-After for a user name after its failures (Basic), even with the right password; other users go on', async () => {
    await addUser(t, 'other@internal', 'viewer', 'other-password-1');
    for (let i = 0; i < 3; i++) {
      await t.anon
        .get(API)
        .set('Authorization', basic(TEST_ADMIN.user, `wrong-${i}`))
        .expect(401);
    }
    const refused = await t.anon
      .get(API)
      .set('Authorization', basic(TEST_ADMIN.user, TEST_ADMIN.password))
      .set('Accept', JSON_TYPE);
    expectThrottled(refused);
    expect(refused.body).toEqual({
      reason: 'Too Many Requests',
      detail: expect.stringMatching(/too many failed logins/),
    });
    // The name is what counts, whatever its case, and on the token endpoint too.
    expectThrottled(await t.anon.get(API).set('Authorization', basic('ADMIN@internal', TEST_ADMIN.password)));
    const sso = await tokenRequest(TEST_ADMIN.user, TEST_ADMIN.password);
    expectThrottled(sso);
    expect(sso.body).toEqual({ error_code: 'access_denied', error: expect.stringMatching(/too many failed logins/) });
    await t.as('other@internal', 'other-password-1').get(API).expect(200);
  });

  it('answers 429 for a client address after its failures, whatever user names it tries', async () => {
    await addUser(t, 'other@internal', 'viewer', 'other-password-1');
    for (let i = 0; i < 8; i++) {
      const res = await tokenRequest(`guess${i}@internal`, 'some-password');
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('access_denied');
    }
    expectThrottled(await tokenRequest('other@internal', 'other-password-1'));
    expectThrottled(await t.anon.get(API).set('Authorization', basic('other@internal', 'other-password-1')));
  });

  it("does not count successes, and a success clears the user name's failures", async () => {
    for (let round = 0; round < 3; round++) {
      await t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, 'wrong')).expect(401);
      await t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, 'wrong')).expect(401);
      await t.http.get(API).expect(200);
    }
    for (let i = 0; i < 20; i++) await t.http.get(API).expect(200);
  });
});

interface RawReply {
  status: number;
  body: string;
}

/** A request from a chosen loopback address: the app counts failures by the socket's address (no proxy header is trusted). */
function requestFrom(
  localAddress: string,
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function countStatuses(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

describe('a login attempt is counted before its password is checked', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({ role: 'api', env: LIMITS });
  });
  afterEach(async () => {
    await t.close();
  });

  const tokenRequest = (username: string, password: string) => passwordGrant(t, username, password);

  it('lets exactly the limit of 30 parallel wrong Basic passwords for one user be checked; the rest get 429', async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, `wrong-${i}`))),
    );
    expect(countStatuses(replies.map((r) => r.status))).toEqual({ 401: 3, 429: 27 });
    for (const r of replies.filter((x) => x.status === 429))
      expectThrottled(r as unknown as { status: number; headers: Record<string, string> });
  });

  it('does the same on the token endpoint', async () => {
    await addUser(t, 'other@internal', 'viewer', 'other-password-1');
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => tokenRequest('other@internal', `wrong-${i}`)),
    );
    expect(countStatuses(replies.map((r) => r.status))).toEqual({ 400: 3, 429: 27 });
    expect(replies.filter((r) => r.status === 400).map((r) => (r.body as { error_code: string }).error_code)).toEqual([
      'access_denied',
      'access_denied',
      'access_denied',
    ]);
  });

  it('lets parallel requests with the right password all through', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, TEST_ADMIN.password)),
      ),
    );
    expect(countStatuses(replies.map((r) => r.status))).toEqual({ 200: 12 });
  });
});

describe('failed logins from one address do not lock the user out elsewhere', () => {
  let t: TestApp;
  let port: number;

  beforeEach(async () => {
    t = await startTestApp({ role: 'api', env: LIMITS });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterEach(async () => {
    await t.close();
  });

  const basicFrom = (address: string, password: string) =>
    requestFrom(address, port, {
      path: API,
      headers: { Authorization: basic(TEST_ADMIN.user, password), Accept: JSON_TYPE },
    });
  const tokenFrom = (address: string, password: string) =>
    requestFrom(address, port, {
      method: 'POST',
      path: TOKEN_URL,
      headers: { 'Content-Type': FORM_TYPE, Accept: JSON_TYPE },
      body: form({ grant_type: 'password', scope: 'ovirt-app-api', username: TEST_ADMIN.user, password }),
    });

  /** The per-name limit (3), then the per-address limit (8), from the guessing address; then even the right password is refused there. */
  async function guessFrom(address: string): Promise<void> {
    for (let i = 0; i < 3; i++) expect((await basicFrom(address, `guess-${i}`)).status).toBe(401);
    expect((await basicFrom(address, 'guess-3')).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      const guess = await requestFrom(address, port, {
        path: API,
        headers: { Authorization: basic(`guess${i}@internal`, 'x') },
      });
      expect(guess.status).toBe(401);
    }
    expect((await basicFrom(address, TEST_ADMIN.password)).status).toBe(429);
    expect((await tokenFrom(address, TEST_ADMIN.password)).status).toBe(429);
  }

  it('after anonymous bad guesses from 127.0.0.1, a client at 127.0.0.2 that never logged in gets a token and Basic access with the right password', async () => {
    await guessFrom('127.0.0.1');
    const token = await tokenFrom('127.0.0.2', TEST_ADMIN.password);
    expect(token.status).toBe(200);
    expect(JSON.parse(token.body)).toHaveProperty('access_token');
    expect((await basicFrom('127.0.0.2', TEST_ADMIN.password)).status).toBe(200);
    expect((await basicFrom('127.0.0.2', 'one-wrong-guess')).status).toBe(401);
  });

  it('after anonymous bad guesses from 127.0.0.1, a Basic client at 127.0.0.2 whose credentials were verified before keeps working', async () => {
    expect((await basicFrom('127.0.0.2', TEST_ADMIN.password)).status).toBe(200);
    await guessFrom('127.0.0.1');
    for (let i = 0; i < 3; i++) expect((await basicFrom('127.0.0.2', TEST_ADMIN.password)).status).toBe(200);
    expect((await tokenFrom('127.0.0.2', TEST_ADMIN.password)).status).toBe(200);
  });
});
