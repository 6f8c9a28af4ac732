import * as crypto from 'node:crypto';
import { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { EventCode } from '../../src/events/event-codes';
import { EventsService } from '../../src/events/events.service';
import { API, faultOf, JSON_TYPE, XML } from '../api/api-helpers';
import { addUser } from '../auth/auth-helpers';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { startReceiver, until } from './notification-support';

/**
 * Issue 19's notifications on the real app: event subscriptions in oVirt's shape (XML and JSON) with
 * their faults, and a DR failure event delivered as an e-mail to a real SMTP server (smtp-server) and
 * as a signed webhook to a real HTTP receiver that first answers 500, retried with backoff, every
 * attempt in the subscription's delivery history. The webhook secret never comes back out.
 */

const VIEWER = { user: 'watcher@internal', password: 'watcher-password-1' };
const SECRET = `whsec-${crypto.randomBytes(24).toString('hex')}`;
const DR_FAILED = 'Storage domain sd-east: data synchronization to gl2::backup failed: the checkpoint did not complete';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({ server, port, mails });
    });
  });
}

/** A mail's header value (unfolded) and its text body with quoted-printable undone. */
function parseMail(raw: string): { header(name: string): string | undefined; body: string } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const qp = /content-transfer-encoding:\s*quoted-printable/i.test(unfolded);
  let body = rest.join('\r\n\r\n');
  if (qp)
    body = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return {
    header: (name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim(),
    body: body.replace(/\r\n/g, '\n'),
  };
}

async function redisText(redisUrl: string, prefix: string): Promise<string> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const out: string[] = [];
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
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1)
                  : type === 'set'
                    ? await redis.smembers(key)
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : null;
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
    return out.join('\n');
  } finally {
    redis.disconnect();
  }
}

describe('event subscriptions and notifications (issue 19)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let adminId: string;
  let opsId: string;
  const responses: string[] = [];

  const subscriptions = (userId: string) => `${API}/users/${userId}/eventsubscriptions`;

  async function addJson(userId: string, body: Record<string, unknown>) {
    const res = await t.http
      .post(subscriptions(userId))
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify(body));
    responses.push(res.text);
    return res;
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    receiver = await startReceiver([500, 200]);
    t = await startTestApp({
      env: {
        GEOREP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        GEOREP_SMTP_FROM: 'georep@dr.example.org',
        GEOREP_NOTIFY_ATTEMPTS: '4',
        GEOREP_NOTIFY_RETRY_DELAY_MS: '300',
      },
    });
    const me = await t.http.get(`${API}/users`).set('Accept', JSON_TYPE).query({ search: 'user_name=admin@internal' });
    adminId = (me.body as { user: { id: string }[] }).user[0].id;
    opsId = await addUser(t, 'ops@internal', 'admin', 'ops-password-1');
    await addUser(t, VIEWER.user, 'viewer', VIEWER.password);
  });

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((r) => smtp?.server.close(() => r()));
    await new Promise<void>((r) => receiver?.server.close(() => r()));
  });

  it('adds, lists, gets and removes a subscription in XML, in oVirt shape', async () => {
    const add = await t.http
      .post(subscriptions(adminId))
      .set('Content-Type', XML)
      .send(
        '<event_subscription><event>GLUSTER_STORAGE_DOMAIN_SYNCED</event><notification_method>smtp</notification_method><address>dr-team@example.org</address></event_subscription>',
      );
    expect(add.status).toBe(201);
    const id = /<event_subscription id="([0-9a-f-]{36})" href="[^"]+">/.exec(add.text)?.[1] as string;
    const href = `${subscriptions(adminId)}/${id}`;
    expect(add.headers.location).toBe(href);
    expect(add.text).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        `<event_subscription id="${id}" href="${href}">`,
        '    <event>gluster_storage_domain_synced</event>',
        `    <user id="${adminId}" href="${API}/users/${adminId}"/>`,
        '    <notification_method>smtp</notification_method>',
        '    <address>dr-team@example.org</address>',
        `    <link rel="deliveries" href="${href}/deliveries"/>`,
        '</event_subscription>',
        '',
      ].join('\n'),
    );
    const list = await t.http.get(subscriptions(adminId));
    expect(list.status).toBe(200);
    expect(list.text).toContain('<event_subscriptions>');
    expect(list.text).toContain(`<event_subscription id="${id}" href="${href}">`);
    expect((await t.http.get(href)).text).toBe(add.text);
    // Below /users, as /users itself, only admins: a viewer may neither read (addresses, URLs) nor write.
    expect((await t.as(VIEWER.user, VIEWER.password).get(href)).status).toBe(403);
    expect((await t.as(VIEWER.user, VIEWER.password).get(subscriptions(adminId))).status).toBe(403);
    const denied = await t
      .as(VIEWER.user, VIEWER.password)
      .post(subscriptions(adminId))
      .set('Content-Type', XML)
      .send('<event_subscription/>');
    expect(denied.status).toBe(403);
    expect((await t.as(VIEWER.user, VIEWER.password).delete(href)).status).toBe(403);

    expect((await t.http.delete(href)).status).toBe(200);
    const gone = await t.http.get(href);
    expect(gone.status).toBe(404);
    expect(faultOf(gone).detail).toBe(`event_subscription with id "${id}" does not exist`);

    // The user links its subscriptions, and each change is an audit event without the destination.
    expect((await t.http.get(`${API}/users/${adminId}`)).text).toContain(
      `<link rel="eventsubscriptions" href="${API}/users/${adminId}/eventsubscriptions"/>`,
    );
    const audit = await t.sql<{ code: number; description: string; user_id: string }>(
      `SELECT code, description, user_id FROM events WHERE code IN (11040, 11041) ORDER BY id`,
    );
    expect(audit).toEqual([
      {
        code: 11040,
        description: `User ${TEST_ADMIN.user} subscribed to gluster_storage_domain_synced by smtp.`,
        user_id: adminId,
      },
      {
        code: 11041,
        description: `User ${TEST_ADMIN.user}'s subscription to gluster_storage_domain_synced by smtp was removed.`,
        user_id: adminId,
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain('dr-team@example.org');
  });

  it('refuses bad input with faults: unknown event name, bad address or URL, missing secret, unknown user', async () => {
    const unknownEvent = await t.http
      .post(subscriptions(adminId))
      .set('Content-Type', XML)
      .send(
        '<event_subscription><event>vm_paused</event><notification_method>smtp</notification_method><address>a@example.org</address></event_subscription>',
      );
    expect(unknownEvent.status).toBe(400);
    expect(faultOf(unknownEvent).detail).toMatch(/event/);

    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ event: 'no_such_event', notification_method: 'smtp', address: 'a@example.org' }, 400, /event/],
      [
        { event: 'host_failure', notification_method: 'smtp', address: 'not an address' },
        400,
        /^address: must be an e-mail address/,
      ],
      [{ event: 'host_failure', notification_method: 'smtp' }, 400, /^address is required/],
      [{ event: 'host_failure', notification_method: 'pigeon', address: 'a@example.org' }, 400, /notification_method/],
      [
        { event: 'host_failure', notification_method: 'webhook', url: 'ftp://files.example.org/x', secret: SECRET },
        400,
        /^url: must be an absolute http or https URL$/,
      ],
      [
        { event: 'host_failure', notification_method: 'webhook', url: 'not a url', secret: SECRET },
        400,
        /^url: must be an absolute http/,
      ],
      [
        {
          event: 'host_failure',
          notification_method: 'webhook',
          url: 'https://u:p@hooks.example.org/',
          secret: SECRET,
        },
        400,
        /^url: must not hold a user or password/,
      ],
      [
        { event: 'host_failure', notification_method: 'webhook', url: 'https://hooks.example.org/' },
        400,
        /^secret is required/,
      ],
      [
        {
          event: 'host_failure',
          notification_method: 'webhook',
          url: 'https://hooks.example.org/',
          secret: 'short-secret',
        },
        400,
        /secret/,
      ],
      [
        {
          event: 'host_failure',
          notification_method: 'webhook',
          url: 'https://hooks.example.org/',
          secret: SECRET,
          address: 'a@example.org',
        },
        400,
        /^address is for notification_method smtp/,
      ],
      [
        { event: 'host_failure', notification_method: 'smtp', address: 'a@example.org', secret: SECRET },
        400,
        /^url and secret are for notification_method webhook/,
      ],
    ];
    for (const [body, status, detail] of cases) {
      const res = await addJson(adminId, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(faultOf(res).detail).toMatch(detail);
      expect(res.text).not.toContain('short-secret');
    }

    const missing = crypto.randomUUID();
    const unknownUser = await addJson(missing, {
      event: 'host_failure',
      notification_method: 'smtp',
      address: 'a@example.org',
    });
    expect(unknownUser.status).toBe(404);
    expect(faultOf(unknownUser).detail).toBe(`user with id "${missing}" does not exist`);
    expect((await t.http.get(subscriptions(missing))).status).toBe(404);
    expect((await t.http.get(subscriptions('not-a-uuid'))).status).toBe(404);
    expect((await t.http.get(`${subscriptions(adminId)}/${missing}`)).status).toBe(404);
    expect((await t.http.get(`${subscriptions(adminId)}/${missing}/deliveries`)).status).toBe(404);
  });

  it("keeps oVirt's one address per user and refuses a second subscription to the same event and method", async () => {
    const first = await addJson(opsId, {
      event: 'host_failure',
      notification_method: 'smtp',
      address: 'ops@example.org',
    });
    expect(first.status).toBe(201);
    const other = await addJson(opsId, {
      event: 'host_install_failed',
      notification_method: 'smtp',
      address: 'x@example.org',
    });
    expect(other.status).toBe(409);
    expect(faultOf(other).detail).toMatch(/conflicts with the address of the user's other e-mail subscriptions/);
    const same = await addJson(opsId, {
      event: 'host_failure',
      notification_method: 'smtp',
      address: 'ops@example.org',
    });
    expect(same.status).toBe(409);
    expect(faultOf(same).detail).toBe(
      'the user already subscribes to host_failure by smtp; remove that subscription first',
    );
  });

  it('delivers a failed DR run as an e-mail and as a signed webhook, retrying the receiver that first answers 500', async () => {
    const mail = await addJson(opsId, {
      event: 'gluster_storage_domain_sync_failed',
      notification_method: 'smtp',
      address: 'ops@example.org',
    });
    expect(mail.status).toBe(201);
    const hook = await addJson(opsId, {
      event: 'gluster_storage_domain_sync_failed',
      notification_method: 'webhook',
      url: receiver.url,
      secret: SECRET,
    });
    expect(hook.status).toBe(201);
    const hookView = hook.body as Record<string, unknown>;
    expect(hookView).toEqual({
      id: expect.any(String),
      href: `${subscriptions(opsId)}/${hookView.id as string}`,
      link: [{ rel: 'deliveries', href: `${subscriptions(opsId)}/${hookView.id as string}/deliveries` }],
      event: 'gluster_storage_domain_sync_failed',
      user: { id: opsId, href: `${API}/users/${opsId}` },
      notification_method: 'webhook',
      url: receiver.url,
    });
    const mailId = (mail.body as { id: string }).id;
    const hookId = hookView.id as string;

    const domainId = crypto.randomUUID();
    const event = await t.app.get(EventsService).record({
      code: EventCode.StorageDomainSyncFailed,
      severity: 'alert',
      description: DR_FAILED,
      targetType: 'storage_domain',
      targetId: domainId,
      correlationId: 'nightly-dr-42',
    });

    const delivered = await until('the e-mail', async () => smtp.mails[0]);
    expect(delivered.to).toEqual(['ops@example.org']);
    expect(delivered.from).toBe('georep@dr.example.org');
    const parsed = parseMail(delivered.raw);
    expect(parsed.header('To')).toBe('ops@example.org');
    expect(parsed.header('Subject')).toBe(`[georep-api] alert: ${DR_FAILED}`);
    expect(parsed.body).toContain(DR_FAILED);
    expect(parsed.body).toContain(
      `Event:     gluster_storage_domain_sync_failed (code ${EventCode.StorageDomainSyncFailed})`,
    );
    expect(parsed.body).toContain(`Event URL: ${API}/events/${event.id}`);
    expect(parsed.body).toContain(`Target:    storage_domain ${domainId} (${API}/storagedomains/${domainId})`);

    await until('the second webhook request', async () => (receiver.received.length >= 2 ? true : undefined));
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 200]);
    for (const r of receiver.received) {
      const expected = `sha256=${crypto.createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      expect(r.headers['x-georep-signature']).toBe(expected);
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body) as { timestamp: number };
      expect(r.headers['x-georep-timestamp']).toBe(String(body.timestamp));
      expect(Math.abs(body.timestamp - Date.now() / 1000)).toBeLessThan(60);
      expect(r.body).not.toContain(SECRET);
    }
    const body = JSON.parse(receiver.received[1].body) as Record<string, unknown>;
    expect(body).toEqual({
      event_subscription: {
        id: hookId,
        href: `${subscriptions(opsId)}/${hookId}`,
        event: 'gluster_storage_domain_sync_failed',
      },
      event: {
        id: event.id,
        href: `${API}/events/${event.id}`,
        index: Number(event.id),
        code: 4164,
        severity: 'alert',
        description: DR_FAILED,
        time: event.time.toISOString(),
        origin: 'georep-api',
        correlation_id: 'nightly-dr-42',
        target: { type: 'storage_domain', id: domainId, href: `${API}/storagedomains/${domainId}` },
      },
      timestamp: expect.any(Number),
      link: [
        { rel: 'event', href: `${API}/events/${event.id}` },
        { rel: 'target', href: `${API}/storagedomains/${domainId}` },
        { rel: 'event_subscription', href: `${subscriptions(opsId)}/${hookId}` },
      ],
    });

    // The history shows both attempts, newest first, in JSON and XML.
    const history = await until('two recorded attempts', async () => {
      const res = await t.http.get(`${subscriptions(opsId)}/${hookId}/deliveries`).set('Accept', JSON_TYPE);
      const rows = (res.body as { notification_delivery?: Record<string, unknown>[] }).notification_delivery ?? [];
      return rows.length >= 2 ? rows : undefined;
    });
    expect(history.map((d) => [d.attempt, d.outcome, d.http_status])).toEqual([
      [2, 'delivered', 200],
      [1, 'failed', 500],
    ]);
    expect(history[1].error).toBe('the receiver answered HTTP 500');
    expect(history[0].event).toEqual({ id: event.id, href: `${API}/events/${event.id}` });
    const one = await t.http.get(history[1].href as string);
    expect(one.status).toBe(200);
    expect(one.text).toContain('<outcome>failed</outcome>');
    expect(one.text).toContain('<http_status>500</http_status>');
    expect(one.text).toContain('<attempt>1</attempt>');

    const mailHistory = await until('the e-mail attempt', async () => {
      const res = await t.http.get(`${subscriptions(opsId)}/${mailId}/deliveries`).set('Accept', JSON_TYPE);
      const rows = (res.body as { notification_delivery?: Record<string, unknown>[] }).notification_delivery ?? [];
      return rows.length >= 1 ? rows : undefined;
    });
    expect(mailHistory).toHaveLength(1);
    expect(mailHistory[0]).toMatchObject({ attempt: 1, outcome: 'delivered' });
    expect(mailHistory[0].smtp_reply).toMatch(/^250 /);

    // An event of another name reaches neither subscription.
    await t.app
      .get(EventsService)
      .record({ code: EventCode.StorageDomainSynced, severity: 'normal', description: 'synced' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.mails).toHaveLength(1);
    expect(receiver.received).toHaveLength(2);
  });

  it('tells subscribers only of events whose transaction commits', async () => {
    const before = smtp.mails.length;
    const events = t.app.get(EventsService);
    const ds = t.app.get(DataSource);
    await ds
      .transaction(async (manager) => {
        await events.record(
          { code: EventCode.StorageDomainSyncFailed, severity: 'alert', description: 'rolled back' },
          manager,
        );
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await ds.transaction((manager) =>
      events.record(
        { code: EventCode.StorageDomainSyncFailed, severity: 'alert', description: 'committed in a transaction' },
        manager,
      ),
    );
    const mail = await until('the committed event', async () => smtp.mails[before]);
    expect(parseMail(mail.raw).header('Subject')).toBe('[georep-api] alert: committed in a transaction');
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.mails.slice(before).map((m) => parseMail(m.raw).header('Subject'))).toEqual([
      '[georep-api] alert: committed in a transaction',
    ]);
  });

  it('never shows the webhook secret: not in responses, not in the database in clear, not in Redis', async () => {
    for (const [format, accept] of [
      ['xml', XML],
      ['json', JSON_TYPE],
    ] as const) {
      const list = await t.http.get(subscriptions(opsId)).set('Accept', accept);
      expect({ format, status: list.status }).toEqual({ format, status: 200 });
      responses.push(list.text);
    }
    for (const text of responses) expect(text).not.toContain(SECRET);
    const rows = await t.sql<Record<string, unknown>>('SELECT * FROM event_subscriptions');
    expect(rows.some((r) => typeof r.secret_sealed === 'string' && r.secret_sealed.startsWith('v1:'))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    const deliveries = await t.sql('SELECT * FROM notification_deliveries');
    expect(JSON.stringify(deliveries)).not.toContain(SECRET);
    expect(JSON.stringify(deliveries)).not.toContain('token=abc');
    const queued = await redisText(t.redisUrl, t.config.queuePrefix);
    expect(queued).toContain('deliver-notification');
    expect(queued).not.toContain(SECRET);
    expect(queued).not.toContain(receiver.url);
    expect(queued).not.toContain(DR_FAILED);
  });
});
