import { Injectable } from '@nestjs/common';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { JobName } from '../queue/queue-names';
import { ClustersRepository } from './clusters.repository';

/**
 * `POST /clusters/{id}/refresh`. Nothing remote yet (discovery over SSH arrives with the gluster
 * issues): it checks the cluster still exists and records a step, so the action mechanism runs end
 * to end. GEOREP_TEST_ACTION_DELAY_MS lets tests catch the job while it runs.
 */
@Injectable()
export class ClusterRefreshAction {
  constructor(private readonly clusters: ClustersRepository) {}

  @OnJob(JobName.ClusterRefresh)
  async run(ctx: ActionContext): Promise<ActionOutcome> {
    const clusterId = ctx.job.targetId;
    const cluster = clusterId === null ? null : await this.clusters.findById(clusterId);
    if (!cluster) throw new ActionFailedError(409, 'Operation Failed', 'The cluster was removed before it could be refreshed.');
    await ctx.step(`Refreshing cluster ${cluster.name}`, async (step) => {
      if (ctx.config.testActionDelayMs > 0) {
        await step.progress(50);
        await new Promise((resolve) => setTimeout(resolve, ctx.config.testActionDelayMs));
      }
    });
    return { result: { refreshed: true }, description: `Cluster ${cluster.name} refreshed.` };
  }
}
