import { INestApplicationContext } from '@nestjs/common';
import { createNestApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { addCluster, addVolume, API, JSON_TYPE } from '../api/api-helpers';
import { serviceEnvFor, startTestApp, TestApp } from '../support/test-app';

/**
 * A schedule with a one-minute cron fires by itself, once per tick, with two worker processes on the
 * same PostgreSQL and Redis (here two Nest applications with their own connections). The runs fail at
 * their first gluster step (no host), which keeps each tick's run short: a double fire would show as
 * two runs for the same tick.
 */
describe('DR schedule firing with two workers', () => {
  let t: TestApp;
  let second: INestApplicationContext | undefined;

  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('fires a one-minute cron on its own, exactly one run per tick', async () => {
    t = await startTestApp({ env: { GEOREP_DR_POLL_INTERVAL_MS: '200' } });
    const workerEnv = serviceEnvFor(t, {
      GEOREP_ROLE: 'worker',
      LOG_LEVEL: t.config.logLevel,
      GEOREP_SHUTDOWN_GRACE_SECONDS: '5',
      GEOREP_SYNC_INTERVAL_SECONDS: '0',
      GEOREP_DR_POLL_INTERVAL_MS: '200',
    });
    second = (await createNestApp(loadConfig(workerEnv), {
      databaseUrl: t.databaseUrl,
      redisUrl: t.redisUrl,
    })) as INestApplicationContext;
    await second.init();

    const cluster = await addCluster(t, 'cron-site');
    const volumeId = await addVolume(t, cluster, 'cronvol');
    await t.sql(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
         VALUES ($1, $2, '10.200.0.2', 'cronslave', 'k', 'stopped', now())`,
      [cluster, volumeId],
    );
    const post = (p: string, body: unknown) =>
      t.http.post(`${API}${p}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
    const domain = (
      await post('/storagedomains', {
        name: 'cron',
        storage: { type: 'glusterfs', address: 'gluster1', path: '/cronvol' },
      }).expect(201)
    ).body.id as string;
    const schedule = (await post(`/storagedomains/${domain}/dr-schedules`, { schedule: '* * * * *' }).expect(201)).body
      .id as string;

    // wait for two ticks' runs to end (a real condition, with a deadline of three minutes)
    const deadline = Date.now() + 180_000;
    let runs: { scheduled_for: Date; status: string; trigger: string }[] = [];
    for (;;) {
      runs = await t.sql(
        `SELECT scheduled_for, status, trigger FROM dr_runs WHERE schedule_id = $1 ORDER BY scheduled_for`,
        [schedule],
      );
      const ended = runs.filter((r) => r.status !== 'started');
      if (new Set(ended.map((r) => r.scheduled_for.getTime())).size >= 2 && ended.length === runs.length) break;
      if (Date.now() > deadline) throw new Error(`runs: ${JSON.stringify(runs)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const ticks = runs.map((r) => r.scheduled_for.getTime());
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(runs.every((r) => r.trigger === 'schedule' && r.status === 'failed')).toBe(true);
    for (const tick of ticks) expect(new Date(tick).getUTCSeconds()).toBe(0);
    expect(await t.sql('SELECT 1 FROM events WHERE code = 11217')).toHaveLength(0);
  }, 240_000);
});
