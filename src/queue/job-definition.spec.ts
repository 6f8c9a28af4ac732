import { MetadataScanner, Reflector } from '@nestjs/core';
import { Job } from 'bullmq';
import { ClusterGlusterEventsDisable, ClusterGlusterEventsEnable, ClusterRefresh } from '../clusters/cluster-jobs';
import { GlusterEventRefresh } from '../gluster-events/gluster-event-jobs';
import { SyncAllClusters } from '../discovery/discovery-jobs';
import { DrRun, DrScheduleFire } from '../dr/dr-jobs';
import { HostRefresh, HostRepin } from '../hosts/host-jobs';
import { PruneHistory, ReconcileOutbox, SweepLostJobs } from '../jobs/maintenance-jobs';
import { DeliverNotification, ReconcileNotifications } from '../notifications/notification-jobs';
import { GeoRepSessionCreate } from '../session-create/session-create-jobs';
import { VerifySweep } from '../session-worker/session-worker-jobs';
import * as sessionJobs from '../sessions/session-jobs';
import { PruneExpiredTokens } from '../users/user-jobs';
import { AnyJobDefinition, defineJob, definedJobs, jobDefinition, NoJobData } from './job-definition';
import { OnJob } from './on-job.decorator';
import { QueueName } from './queue-names';
import { WorkerRunner } from './worker-runner';

const Tick = defineJob<Job<NoJobData>>('test.tick', QueueName.Maintenance);
const Tock = defineJob<Job<{ n: number }>>('test.tock', QueueName.Maintenance);

class TickHandler {
  @OnJob(Tick)
  async tick(): Promise<string> {
    return 'tick';
  }
}

class TockHandler {
  @OnJob(Tock)
  async tock(job: Job<{ n: number }>): Promise<number> {
    return job.data.n;
  }
}

const collect = (instances: object[], definitions: readonly AnyJobDefinition[]) =>
  WorkerRunner.collectHandlers(instances, new MetadataScanner(), new Reflector(), definitions);

describe('job definitions', () => {
  it('refuses a second definition of a name', () => {
    expect(() => defineJob('test.tick', QueueName.Actions)).toThrow('job "test.tick" is defined twice');
    expect(jobDefinition('test.tick')).toBe(Tick);
  });

  it('looks a stored name up, and knows no other', () => {
    expect(jobDefinition('test.tock')?.queue).toBe(QueueName.Maintenance);
    expect(jobDefinition('test.gone')).toBeUndefined();
    expect(jobDefinition(null)).toBeUndefined();
  });

  it('keeps the names and queues stored in the jobs table and in BullMQ', () => {
    const feature = [
      ClusterRefresh,
      ClusterGlusterEventsEnable,
      ClusterGlusterEventsDisable,
      GlusterEventRefresh,
      HostRefresh,
      HostRepin,
      GeoRepSessionCreate,
      ...Object.values(sessionJobs),
      PruneExpiredTokens,
      ReconcileOutbox,
      SweepLostJobs,
      PruneHistory,
      SyncAllClusters,
      VerifySweep,
      DrRun,
      DrScheduleFire,
      DeliverNotification,
      ReconcileNotifications,
    ];
    const table = Object.fromEntries(feature.map((d) => [d.name, d.queue]));
    expect(table).toEqual({
      'cluster.refresh': 'actions',
      'cluster.gluster-events-enable': 'actions',
      'cluster.gluster-events-disable': 'actions',
      'gluster-event-refresh': 'maintenance',
      'host.refresh': 'actions',
      'host.repin': 'actions',
      'georep-session.create': 'actions',
      'session.control': 'actions',
      'session.checkpoint': 'actions',
      'session.delete': 'actions',
      'session.failback': 'actions',
      'session.failover': 'actions',
      'session.config-set': 'actions',
      'session.config-reset': 'actions',
      'session.verify': 'actions',
      'session.heal': 'actions',
      'prune-expired-tokens': 'maintenance',
      'reconcile-outbox': 'maintenance',
      'sweep-lost-jobs': 'maintenance',
      'prune-history': 'maintenance',
      'sync-all-clusters': 'maintenance',
      'verify-sweep': 'maintenance',
      'dr.run': 'actions',
      'dr.schedule-fire': 'maintenance',
      'deliver-notification': 'maintenance',
      'reconcile-notifications': 'maintenance',
    });
    expect(definedJobs().map((d) => d.name)).toEqual(expect.arrayContaining(Object.keys(table)));
  });
});

describe('worker start-up check', () => {
  it('finds one handler per defined job, by name', async () => {
    const handlers = collect([new TickHandler(), new TockHandler()], [Tick, Tock]);
    expect([...handlers.keys()].sort()).toEqual(['test.tick', 'test.tock']);
    await expect(handlers.get('test.tock')?.({ data: { n: 7 } })).resolves.toBe(7);
  });

  it('stops when a defined job has no handler', () => {
    expect(() => collect([new TickHandler()], [Tick, Tock])).toThrow('no handler for job name(s): test.tock');
  });

  it('stops when a job has two handlers', () => {
    expect(() => collect([new TickHandler(), new TickHandler()], [Tick])).toThrow('job "test.tick" has two handlers');
  });
});
