import { Injectable } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { asActionFailure } from '../hosts/host-failures';
import { NoReachableHostError } from '../hosts/host-shell';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { ClusterRefresh } from '../clusters/cluster-jobs';
import { DiscoverySync } from './discovery-sync';

/**
 * `POST /clusters/{id}/refresh` (and the `refresh` of its volumes and sessions): the discovery sync of
 * the cluster on the first host that answers (failing over to the next on connection errors; the
 * hosts that did not answer are marked non_responsive). A cluster without hosts has nothing to read.
 * GEOREP_TEST_ACTION_DELAY_MS lets tests catch the job while it runs.
 */
@Injectable()
export class ClusterRefreshJob {
  constructor(
    private readonly clusters: ClustersRepository,
    private readonly sync: DiscoverySync,
  ) {}

  @OnJob(ClusterRefresh)
  async run(ctx: ActionContext): Promise<ActionOutcome> {
    const clusterId = ctx.job.targetId;
    const cluster = clusterId === null ? null : await this.clusters.findById(clusterId);
    if (!cluster) throw ActionFailedError.refused('The cluster was removed before it could be refreshed.');
    return ctx.step(`Refreshing cluster ${cluster.name}`, async (step) => {
      if (ctx.config.testActionDelayMs > 0) {
        await step.progress(50);
        await new Promise((resolve) => setTimeout(resolve, ctx.config.testActionDelayMs));
      }
      try {
        const synced = await this.sync.syncCluster(
          cluster,
          { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId },
          (host) => step.ranOn(host.id),
        );
        return {
          result: { host: synced.host.id, volumes: synced.volumes, bricks: synced.bricks, sessions: synced.sessions },
          description: `Cluster ${cluster.name} refreshed on host ${synced.host.name}: ${synced.volumes} volume(s), ${synced.sessions} geo-replication session(s).`,
        };
      } catch (e) {
        if (e instanceof NoReachableHostError && e.unreachable.length === 0) {
          const why =
            e.skipped > 0
              ? `none of its ${e.skipped} host(s) can be used: each is install_failed`
              : 'it has no hosts yet';
          return { result: { hosts: 0 }, description: `Cluster ${cluster.name} refreshed: ${why}.` };
        }
        throw asActionFailure(e, {
          cluster: `cluster ${cluster.name}`,
          glusterSays: "gluster refused to report the cluster's state",
        });
      }
    });
  }
}
