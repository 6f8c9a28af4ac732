import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterEntity } from '../clusters/cluster.entity';
import { APP_CONFIG, AppConfig } from '../config/config';
import { NoReachableHostError } from '../hosts/host-shell';
import { TargetLock } from '../jobs/target-lock';
import { OnJob } from '../queue/on-job.decorator';
import { QueueProducer } from '../queue/queue-producer';
import { SyncAllClusters } from './discovery-jobs';
import { DiscoverySync } from './discovery-sync';

export const SYNC_ALL_SCHEDULER_ID = 'discovery-sync-all';

/**
 * The periodic discovery sync: one repeatable maintenance job (BullMQ's job scheduler keeps one
 * schedule however many workers start) that syncs every cluster with a host that is up, one after
 * the other. A cluster whose refresh action is running (its target lock is held) is left for the
 * next round. No job rows: like oVirt's own polling, only changes are recorded (as events); host
 * status is left to the hosts' own refresh (a host that does not answer is only skipped here).
 */
@Injectable()
export class DiscoverySchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(DiscoverySchedule.name);

  constructor(
    private readonly producer: QueueProducer,
    private readonly ds: DataSource,
    private readonly locks: TargetLock,
    private readonly sync: DiscoverySync,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    if (this.config.syncIntervalMs > 0) {
      await this.producer.every(SyncAllClusters, SYNC_ALL_SCHEDULER_ID, this.config.syncIntervalMs);
    } else {
      await this.producer.queue(SyncAllClusters.queue).removeJobScheduler(SYNC_ALL_SCHEDULER_ID);
    }
  }

  @OnJob(SyncAllClusters)
  async syncAll(): Promise<{ synced: number; skipped: number; failed: number }> {
    const clusters: ClusterEntity[] = await this.ds
      .getRepository(ClusterEntity)
      .createQueryBuilder('c')
      .where(`EXISTS (SELECT 1 FROM hosts h WHERE h.cluster_id = c.id AND h.status = 'up')`)
      .orderBy('c.name')
      .getMany();
    let synced = 0;
    let skipped = 0;
    let failed = 0;
    for (const cluster of clusters) {
      const lock = await this.locks.tryAcquire('cluster', cluster.id);
      if (!lock) {
        skipped++;
        continue;
      }
      try {
        await this.sync.syncCluster(cluster, { markUnreachable: false });
        synced++;
      } catch (e) {
        if (e instanceof NoReachableHostError && e.unreachable.length === 0) continue;
        failed++;
        this.logger.warn({ cluster: cluster.id, err: (e as Error).message }, 'periodic discovery sync failed');
      } finally {
        await lock.release();
      }
    }
    return { synced, skipped, failed };
  }
}
