import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { addUser, API, basic, FORM_TYPE, form, JSON_TYPE, TOKEN_URL } from './auth-helpers';

const WINDOW_SECONDS = 600;

/** A small limit so a few requests reach it; the window is long enough that nothing here outlives it. */
const LIMITS = { GEOREP_LOGIN_MAX_FAILURES: '3', GEOREP_LOGIN_MAX_FAILURES_PER_ADDRESS: '8', GEOREP_LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS) };

function expectThrottled(res: { status: number; headers: Record<string, string> }): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
}

describe('failed logins are limited per user name and per client address', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({ role: 'api', env: LIMITS });
  });
  afterEach(async () => {
    await t.close();
  });

  const tokenRequest = (username: string, password: string) =>
    t.anon.post(TOKEN_URL).set('Content-Type', FORM_TYPE).set('Accept', JSON_TYPE).send(form({ grant_type: 'password', scope: 'ovirt-app-api', username, password }));

  it('answers 429 with Retry-After for a user name after its failures (Basic), even with the right password; other users go on', async () => {
    await addUser(t, 'other@internal', 'viewer', 'other-password-1');
    for (let i = 0; i < 3; i++) {
      await t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, `wrong-${i}`)).expect(401);
    }
    const refused = await t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, TEST_ADMIN.password)).set('Accept', JSON_TYPE);
    expectThrottled(refused);
    expect(refused.body).toEqual({ reason: 'Too Many Requests', detail: expect.stringMatching(/too many failed logins/) });
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

  it('does not count successes, and a success clears the user name\'s failures', async () => {
    for (let round = 0; round < 3; round++) {
      await t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, 'wrong')).expect(401);
      await t.anon.get(API).set('Authorization', basic(TEST_ADMIN.user, 'wrong')).expect(401);
      await t.http.get(API).expect(200);
    }
    for (let i = 0; i < 20; i++) await t.http.get(API).expect(200);
  });
});
