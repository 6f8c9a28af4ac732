import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request, { Response } from 'supertest';
import { runService, ServiceProcess } from '../support/processes';
import { createTestDatabase } from '../support/test-app';
import { testServices } from '../support/test-env';
import { API, basic, FORM_TYPE, form, JSON_TYPE, LOGOUT_URL, TOKEN_URL } from './auth-helpers';

const secret = (label: string) => `${label}-${crypto.randomBytes(9).toString('base64url')}`;

/**
 * The service as its own process at LOG_LEVEL=debug, through every authentication path (Basic, tokens,
 * logout, users with passwords, failures, throttling): no password and no token may appear in any
 * response (body or header) or in anything the process prints.
 */
describe('no password or token in responses or logs', () => {
  let svc: ServiceProcess;
  let base: string;
  const admin = { user: 'admin@internal', password: secret('adminpw') };

  beforeAll(async () => {
    const db = await createTestDatabase();
    svc = runService(['api'], {
      DATABASE_URL: db.url,
      REDIS_URL: testServices().redisUrl,
      GEOREP_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      GEOREP_ADMIN_PASSWORD: admin.password,
      GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'scan-')),
      GEOREP_QUEUE_PREFIX: `test-${db.name}`,
      GEOREP_LOGIN_MAX_FAILURES: '2',
      LOG_LEVEL: 'debug',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    const [, url] = await svc.waitFor(/listening on (http:\/\/\S+?)\/ovirt-engine\/api/);
    base = url;
  });
  afterAll(async () => {
    if (svc.child.exitCode === null) {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  });

  it('holds for every authentication path', async () => {
    const secrets: string[] = [admin.password];
    const responses: Response[] = [];
    const keep = async (r: Promise<Response> | request.Test) => {
      const res = await r;
      responses.push(res);
      return res;
    };
    const http = () => request(base);
    const remember = (s: string) => {
      secrets.push(s);
      return s;
    };

    // Basic, right and wrong.
    expect((await keep(http().get(API).set('Authorization', basic(admin.user, admin.password)))).status).toBe(200);
    expect(
      (
        await keep(
          http()
            .get(API)
            .set('Authorization', basic(admin.user, remember(secret('wrongpw')))),
        )
      ).status,
    ).toBe(401);

    // Users with passwords, in JSON and XML; a reset; a password too short to accept.
    const carol = remember(secret('carolpw'));
    const added = await keep(
      http()
        .post(`${API}/users`)
        .set('Authorization', basic(admin.user, admin.password))
        .set('Content-Type', JSON_TYPE)
        .set('Accept', JSON_TYPE)
        .send(JSON.stringify({ user_name: 'carol@internal', role: 'viewer', password: carol })),
    );
    expect(added.status).toBe(201);
    const dave = remember(secret('davepw'));
    expect(
      (
        await keep(
          http()
            .post(`${API}/users`)
            .set('Authorization', basic(admin.user, admin.password))
            .set('Content-Type', 'application/xml')
            .send(`<user><user_name>dave@internal</user_name><role>admin</role><password>${dave}</password></user>`),
        )
      ).status,
    ).toBe(201);
    const carol2 = remember(secret('carolnew'));
    expect(
      (
        await keep(
          http()
            .put(`${API}/users/${added.body.id}`)
            .set('Authorization', basic(admin.user, admin.password))
            .set('Content-Type', JSON_TYPE)
            .send(JSON.stringify({ password: carol2 })),
        )
      ).status,
    ).toBe(200);
    const short = remember('Sh0rt!x');
    expect(
      (
        await keep(
          http()
            .post(`${API}/users`)
            .set('Authorization', basic(admin.user, admin.password))
            .set('Content-Type', JSON_TYPE)
            .send(JSON.stringify({ user_name: 'erin@internal', role: 'viewer', password: short })),
        )
      ).status,
    ).toBe(400);

    // Tokens: issue, use (also in a query string, as a misbehaving client might), a failed login, logout, reuse.
    const issued = await keep(
      http()
        .post(TOKEN_URL)
        .set('Content-Type', FORM_TYPE)
        .set('Accept', JSON_TYPE)
        .send(form({ grant_type: 'password', scope: 'ovirt-app-api', username: 'carol@internal', password: carol2 })),
    );
    expect(issued.status).toBe(200);
    const token = remember(issued.body.access_token as string);
    responses.pop(); // the one response that must carry the token
    expect((await keep(http().get(`${API}/clusters`).set('Authorization', `Bearer ${token}`))).status).toBe(200);
    expect((await keep(http().get(`${API}/clusters`).query({ access_token: token }))).status).toBe(401);
    expect(
      (
        await keep(
          http()
            .post(TOKEN_URL)
            .set('Content-Type', FORM_TYPE)
            .send(
              form({
                grant_type: 'password',
                scope: 'ovirt-app-api',
                username: 'carol@internal',
                password: remember(secret('badpw')),
              }),
            ),
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await keep(
          http()
            .post(LOGOUT_URL)
            .set('Content-Type', FORM_TYPE)
            .send(form({ scope: 'ovirt-app-api', token })),
        )
      ).status,
    ).toBe(200);
    expect((await keep(http().get(API).set('Authorization', `Bearer ${token}`))).status).toBe(401);
    expect((await keep(http().post(LOGOUT_URL).set('Authorization', `Bearer ${token}`))).status).toBe(401);

    // Throttling (2 failures for dave, then even the right password is refused).
    for (let i = 0; i < 2; i++)
      await keep(
        http()
          .get(API)
          .set('Authorization', basic('dave@internal', remember(secret('daveguess')))),
      );
    expect((await keep(http().get(API).set('Authorization', basic('dave@internal', dave)))).status).toBe(429);

    svc.child.kill('SIGTERM');
    await svc.exited;
    const logs = svc.output();
    // Not vacuous: the requests and the failed logins were logged.
    expect(logs).toContain(TOKEN_URL);
    expect(logs).toContain(`${API}/users`);
    expect(logs).toMatch(/login failed \(basic\) for \\"admin@internal\\"/);
    expect(logs).toMatch(/login refused \(basic\) for \\"dave@internal\\"/);
    expect(responses.length).toBeGreaterThan(12);

    for (const s of secrets) {
      expect(logs).not.toContain(s);
      for (const res of responses) {
        expect(res.text ?? '').not.toContain(s);
        expect(JSON.stringify(res.headers)).not.toContain(s);
      }
    }
  });
});
