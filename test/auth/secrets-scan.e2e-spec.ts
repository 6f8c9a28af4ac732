import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import request, { Response } from 'supertest';
import { SERVICE_KEY_SECRET_NAME } from '../../src/ssh/service-key';
import { decryptSecret } from '../../src/ssh/secret-box';
import { runService, ServiceProcess } from '../support/processes';
import { createTestDatabase } from '../support/test-app';
import { testServices } from '../support/test-env';
import { API, basic, FORM_TYPE, form, JSON_TYPE, LOGOUT_URL, TOKEN_URL } from './auth-helpers';

const secret = (label: string) => `${label}-${crypto.randomBytes(9).toString('base64url')}`;

/** Every row of every table as text (all columns), for a search. */
async function databaseText(databaseUrl: string): Promise<{ where: string; text: string }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const out: { where: string; text: string }[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      rows.forEach(({ row }, i) => out.push({ where: `table ${name}, row ${i + 1}`, text: row }));
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Every key under the queue prefix with its value, whatever its type, as text. */
async function redisText(redisUrl: string, prefix: string): Promise<{ where: string; text: string }[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const out: { where: string; text: string }[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'zset'
                    ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : null;
        out.push({ where: `redis ${type} ${key}`, text: `${key} ${JSON.stringify(value)}` });
      }
    } while (cursor !== '0');
    return out;
  } finally {
    redis.disconnect();
  }
}

/**
 * The service as its own process at LOG_LEVEL=debug, through every authentication path (Basic, tokens,
 * logout, users with passwords, failures, throttling) and the one-time root passwords (a host added
 * with one, a session to an unmanaged slave): no password, no token and not the service's SSH private
 * key may appear in any response (body or header), in anything the process prints, in any column of
 * any table or in anything under its queue prefix in Redis.
 */
describe('no password, token or private key in responses, logs, the database or Redis', () => {
  let svc: ServiceProcess;
  let base: string;
  let databaseUrl: string;
  let queuePrefix: string;
  const secretKey = crypto.randomBytes(32).toString('hex');
  const admin = { user: 'admin@internal', password: secret('adminpw') };
  const secrets: string[] = [admin.password, secretKey];
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
  const asAdmin = (req: request.Test) =>
    req.set('Authorization', basic(admin.user, admin.password)).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE);

  beforeAll(async () => {
    const db = await createTestDatabase();
    databaseUrl = db.url;
    queuePrefix = `test-${db.name}`;
    svc = runService(['api'], {
      DATABASE_URL: db.url,
      REDIS_URL: testServices().redisUrl,
      GEOREP_SECRET_KEY: secretKey,
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

  it('goes through every authentication path', async () => {
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
  });

  it('uses the one-time root passwords and keeps them nowhere', async () => {
    const cluster = await keep(asAdmin(http().post(`${API}/clusters`)).send(JSON.stringify({ name: 'site1' })));
    expect(cluster.status).toBe(201);
    const clusterId = (cluster.body as { id: string }).id;
    // A port nothing listens on: the password goes to the SSH client, which cannot connect.
    const rootPassword = remember(secret('rootpw'));
    const host = await keep(
      asAdmin(http().post(`${API}/hosts`)).send(
        JSON.stringify({
          name: 'gluster1',
          address: '127.0.0.1',
          ssh: { port: 1 },
          cluster: { id: clusterId },
          root_password: rootPassword,
        }),
      ),
    );
    expect(host.status).toBe(201);
    expect(host.body.status).toBe('install_failed');
    // One without a password is contacted by a queued job (no worker here), so the queue holds a job to scan.
    expect(
      (
        await keep(
          asAdmin(http().post(`${API}/hosts`)).send(
            JSON.stringify({ name: 'gluster2', address: '127.0.0.1', ssh: { port: 2 }, cluster: { id: clusterId } }),
          ),
        )
      ).status,
    ).toBe(201);

    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const {
      rows: [volume],
    } = await client.query<{ id: string }>(
      `INSERT INTO gluster_volumes (cluster_id, name, volume_type, status, brick_count, replica_count, disperse_count, redundancy_count, transport_types, last_refreshed)
       VALUES ($1, 'mastervol', 'distribute', 'up', 1, 1, 0, 0, 'tcp', now()) RETURNING id`,
      [clusterId],
    );
    await client.end();
    const slavePassword = remember(secret('slavepw'));
    const session = await keep(
      asAdmin(http().post(`${API}/clusters/${clusterId}/glustervolumes/${volume.id}/georeplication-sessions`)).send(
        JSON.stringify({
          slave_host_name: '127.0.0.2',
          slave_volume_name: 'slavevol',
          slave_root_password: slavePassword,
          slave_fingerprint: `SHA256:${'A'.repeat(43)}`,
        }),
      ),
    );
    // The unmanaged slave cannot be reached with it: a fault, and nothing created.
    expect(session.status).toBeGreaterThanOrEqual(400);
  });

  it('keeps no secret in any column of any table or in Redis', async () => {
    // A token still valid, so that its hash is in the tokens table (the one answer that carries it is not kept).
    const live = await http()
      .post(TOKEN_URL)
      .set('Content-Type', FORM_TYPE)
      .set('Accept', JSON_TYPE)
      .send(form({ grant_type: 'password', scope: 'ovirt-app-api', username: admin.user, password: admin.password }));
    expect(live.status).toBe(200);
    remember(live.body.access_token as string);
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ value: string }>('SELECT value FROM service_secrets WHERE name = $1', [
      SERVICE_KEY_SECRET_NAME,
    ]);
    await client.end();
    expect(rows).toHaveLength(1);
    const privateKey = decryptSecret(rows[0].value, secretKey, SERVICE_KEY_SECRET_NAME);
    expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    // Every line of the PEM body, so that the key is found also when it was stored with its newlines escaped.
    for (const line of privateKey.split('\n').filter((l) => l.length >= 32 && !l.startsWith('-----'))) remember(line);

    const stored = [...(await databaseText(databaseUrl)), ...(await redisText(testServices().redisUrl, queuePrefix))];
    // Not vacuous: the hashes, the sealed key, the host that failed and the queued contact job are there.
    expect(stored.filter((s) => s.where.startsWith('table users,')).length).toBe(3);
    expect(stored.some((s) => s.where.startsWith('table tokens,'))).toBe(true);
    expect(stored.some((s) => s.where.startsWith('table service_secrets,'))).toBe(true);
    expect(stored.some((s) => s.where.startsWith('table hosts,') && s.text.includes('install_failed'))).toBe(true);
    expect(stored.some((s) => s.where.startsWith('redis '))).toBe(true);

    const found = secrets.flatMap((s) =>
      stored.filter((place) => place.text.includes(s)).map((place) => `${s.slice(0, 12)}… in ${place.where}`),
    );
    expect(found).toEqual([]);
  });

  it('printed no secret and answered none', async () => {
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
