import { EmbeddedRedis } from '../../src/embedded/embedded-redis';
import { startReceiver } from '../notifications/notification-support';
import { ServiceProcess } from '../support/processes';
import { createTestDatabase } from '../support/test-app';
import {
  call,
  newDeployment,
  RunningApi,
  Sql,
  sqlOn,
  startApi,
  startOwnRedis,
  startWorker,
  stopService,
  until,
} from './resilience-support';

/**
 * Issue 19: an event recorded while Redis is down still reaches its subscribers. Its delivery jobs cannot
 * be queued then; the event stays marked in PostgreSQL (the notification outbox) and the worker's
 * reconciler queues them once Redis is back. An `api` and a `worker` process run the built service against
 * this file's own redis-server, stopped and started again with its data.
 */
describe('notifications of events recorded while Redis is down', () => {
  let redis: EmbeddedRedis;
  let sql: Sql;
  let api: RunningApi | undefined;
  let worker: ServiceProcess | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver([200]);
    redis = await startOwnRedis('notify-redis');
    const db = await createTestDatabase();
    sql = sqlOn(db.url);
    const deployment = newDeployment(db.url, redis.url);
    api = await startApi(deployment, 'api');
    worker = await startWorker(deployment);
  });
  afterAll(async () => {
    await stopService(api?.proc);
    await stopService(worker);
    await redis.stop();
    await new Promise<void>((r) => receiver?.server.close(() => r()));
  });

  const addError = (description: string, customId: number) =>
    call(api!.base, 'POST', '/events', {
      body: { description, severity: 'error', origin: 'backup-tool', custom_id: customId },
    });

  it('keeps the event marked while its deliveries cannot be queued, and delivers it once Redis is back', async () => {
    const admin = (await sql<{ id: string }>(`SELECT id FROM users WHERE name = 'admin@internal'`))[0].id;
    const subscribed = await call(api!.base, 'POST', `/users/${admin}/eventsubscriptions`, {
      body: {
        event: 'external_event_error',
        notification_method: 'webhook',
        url: receiver.url,
        secret: 'a-webhook-secret-of-some-length',
      },
    });
    expect(subscribed.status).toBe(201);

    // With Redis up the delivery is queued at once and the event is not left marked.
    expect((await addError('the backup before the outage failed', 1)).status).toBe(201);
    // A client's event (external_event_error): these reached no subscriber before this test.
    await until('the first delivery', async () => (receiver.received.length === 1 ? true : undefined));
    expect(await sql(`SELECT count(*)::int AS n FROM events WHERE notifications_pending`)).toEqual([{ n: 0 }]);

    await redis.stop();
    const during = await addError('the backup during the outage failed', 2);
    expect(during.status).toBe(201);
    const eventId = String(during.body.id);
    expect(await sql(`SELECT id::text FROM events WHERE notifications_pending`)).toEqual([{ id: eventId }]);

    await redis.start();
    await until(
      'the delivery of the event recorded during the outage',
      async () => (receiver.received.length === 2 ? true : undefined),
      60_000,
    );
    const body = JSON.parse(receiver.received[1].body) as { event: { id: string; description: string } };
    expect(body.event).toMatchObject({ id: eventId, description: 'the backup during the outage failed' });
    await until('the mark to be cleared', async () => {
      const [row] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE notifications_pending`);
      return row.n === 0 ? true : undefined;
    });
    const deliveries = await sql<{ event_id: string; outcome: string }>(
      `SELECT event_id::text, outcome FROM notification_deliveries ORDER BY time`,
    );
    expect(deliveries.map((d) => d.outcome)).toEqual(['delivered', 'delivered']);
    expect(deliveries[1].event_id).toBe(eventId);
  }, 120_000);
});
