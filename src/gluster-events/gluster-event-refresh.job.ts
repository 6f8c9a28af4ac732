import { Injectable, Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { ClustersRepository } from '../clusters/clusters.repository';
import { DiscoverySync } from '../discovery/discovery-sync';
import { NoReachableHostError } from '../hosts/host-shell';
import { TargetLock } from '../jobs/target-lock';
import { OnJob } from '../queue/on-job.decorator';
import { GlusterEventRefresh } from './gluster-event-jobs';

/**
 * The discovery sync a gluster event asked for. Like the periodic sync it writes no job row (changes are
 * events) and leaves a cluster whose refresh action runs (its lock is held) alone: that refresh reads it anyway.
 */
@Injectable()
export class GlusterEventRefreshJob {
  private readonly logger = new Logger(GlusterEventRefreshJob.name);

  constructor(
    private readonly clusters: ClustersRepository,
    private readonly locks: TargetLock,
    private readonly sync: DiscoverySync,
  ) {}

  @OnJob(GlusterEventRefresh)
  async refresh(job: Job<{ clusterId: string }>): Promise<{ synced: boolean }> {
    const cluster = await this.clusters.findById(job.data.clusterId);
    if (!cluster) return { synced: false };
    const lock = await this.locks.tryAcquire('cluster', cluster.id);
    if (!lock) return { synced: false };
    try {
      await this.sync.syncCluster(cluster, { markUnreachable: false });
      return { synced: true };
    } catch (e) {
      if (!(e instanceof NoReachableHostError && e.unreachable.length === 0))
        this.logger.warn({ cluster: cluster.id, err: (e as Error).message }, 'refresh after a gluster event failed');
      return { synced: false };
    } finally {
      await lock.release();
    }
  }
}
