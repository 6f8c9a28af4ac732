import { QueueEvents } from 'bullmq';
import { QueueName } from '../../src/queue/queue-names';
import { PruneExpiredTokens } from '../../src/users/user-jobs';
import { QueueProducer } from '../../src/queue/queue-producer';
import { startTestApp, TestApp } from '../support/test-app';

describe('health and the worker (role all)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is live', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL and Redis answer', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details).toEqual({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('echoes a Correlation-Id and makes one when none is sent', async () => {
    const given = await t.http.get('/health/live').set('Correlation-Id', 'abc-123').expect(200);
    expect(given.headers['correlation-id']).toBe('abc-123');
    const made = await t.http.get('/health/live').expect(200);
    expect(made.headers['correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.http.get('/health/live').set('Correlation-Id', 'x\ty;rm -rf /').expect(200);
    expect(hostile.headers['correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs a queued job on the real worker', async () => {
    const expiredUser = await t.sql<{ id: string }>(
      `INSERT INTO users (name, role, password_hash) VALUES ('old@internal', 'viewer', 'x') RETURNING id`,
    );
    await t.sql(
      `INSERT INTO tokens (user_id, token_hash, expires_at) VALUES ($1, repeat('a', 64), now() - interval '2 days'), ($1, repeat('b', 64), now() + interval '1 hour')`,
      [expiredUser[0].id],
    );
    const producer = t.app.get(QueueProducer);
    const events = new QueueEvents(QueueName.Maintenance, {
      connection: { url: t.redisUrl },
      prefix: t.config.queuePrefix,
    });
    await events.waitUntilReady();
    try {
      const job = await producer.add(PruneExpiredTokens, {});
      const result = await job.waitUntilFinished(events, 30_000);
      expect(result).toEqual({ removed: 1 });
    } finally {
      await events.close();
    }
    const left = await t.sql<{ token_hash: string }>('SELECT token_hash FROM tokens');
    expect(left.map((r) => r.token_hash)).toEqual(['b'.repeat(64)]);
  });
});

describe('health (role api)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is ready on PostgreSQL alone and does not report Redis', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.details).toEqual({ database: { status: 'up' } });
  });
});
