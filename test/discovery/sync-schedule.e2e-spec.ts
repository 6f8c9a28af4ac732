import { DiscoverySchedule, SYNC_ALL_SCHEDULER_ID } from '../../src/discovery/discovery-schedule.job';
import { SyncAllClusters } from '../../src/discovery/discovery-jobs';
import { QueueName } from '../../src/queue/queue-names';
import { QueueProducer } from '../../src/queue/queue-producer';
import { API, JSON_TYPE } from '../api/api-helpers';
import { startTestApp, TestApp } from '../support/test-app';

/** The periodic discovery sync: one repeatable maintenance job, at GEOREP_SYNC_INTERVAL_SECONDS; 0 turns it off. */
describe('periodic discovery sync schedule', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('is scheduled every GEOREP_SYNC_INTERVAL_SECONDS on the maintenance queue, and skips clusters with no host up', async () => {
    t = await startTestApp({ env: { GEOREP_SYNC_INTERVAL_SECONDS: '45' } });
    const scheduler = await t.app
      .get(QueueProducer)
      .queue(QueueName.Maintenance)
      .getJobScheduler(SYNC_ALL_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ name: SyncAllClusters.name, every: 45_000 });
    // a cluster whose only host was never reached is not polled (its refresh action reports it instead)
    const cluster = (
      (
        await t.http
          .post(`${API}/clusters`)
          .set('Content-Type', JSON_TYPE)
          .set('Accept', JSON_TYPE)
          .send('{"name":"nobody-up"}')
          .expect(201)
      ).body as { id: string }
    ).id;
    await t.sql(`INSERT INTO hosts (name, address, cluster_id) VALUES ('down-host', '192.0.2.1', $1)`, [cluster]);
    expect(await t.app.get(DiscoverySchedule).syncAll()).toEqual({ synced: 0, skipped: 0, failed: 0 });
    expect((await t.sql(`SELECT status FROM hosts WHERE name = 'down-host'`))[0]).toEqual({ status: 'unknown' });
  });

  it('0 removes the schedule an earlier start left in Redis', async () => {
    const prefix = `test-sync-${process.pid}-${Date.now()}`;
    t = await startTestApp({ env: { GEOREP_SYNC_INTERVAL_SECONDS: '30', GEOREP_QUEUE_PREFIX: prefix } });
    expect(
      await t.app.get(QueueProducer).queue(QueueName.Maintenance).getJobScheduler(SYNC_ALL_SCHEDULER_ID),
    ).toMatchObject({ every: 30_000 });
    await t.close();
    t = await startTestApp({ env: { GEOREP_SYNC_INTERVAL_SECONDS: '0', GEOREP_QUEUE_PREFIX: prefix } });
    expect(
      await t.app.get(QueueProducer).queue(QueueName.Maintenance).getJobScheduler(SYNC_ALL_SCHEDULER_ID),
    ).toBeFalsy();
  });
});
