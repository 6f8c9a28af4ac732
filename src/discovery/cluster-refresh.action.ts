import { Injectable } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { GlusterCommandError, parsePeerStatus, peerStatusCommand } from '../gluster';
import { HostShell, NoReachableHostError } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { JobName } from '../queue/queue-names';

/**
 * `POST /clusters/{id}/refresh`: reads `peer status` on the first host of the cluster that answers
 * (failing over to the next on connection errors) and marks the hosts that did not answer
 * non_responsive. Volumes and sessions join with the discovery issue. A cluster without hosts has
 * nothing to read. GEOREP_TEST_ACTION_DELAY_MS lets tests catch the job while it runs.
 */
@Injectable()
export class ClusterRefreshAction {
  constructor(
    private readonly clusters: ClustersRepository,
    private readonly hosts: HostsRepository,
    private readonly shell: HostShell,
    private readonly events: EventsService,
  ) {}

  @OnJob(JobName.ClusterRefresh)
  async run(ctx: ActionContext): Promise<ActionOutcome> {
    const clusterId = ctx.job.targetId;
    const cluster = clusterId === null ? null : await this.clusters.findById(clusterId);
    if (!cluster) throw new ActionFailedError(409, 'Operation Failed', 'The cluster was removed before it could be refreshed.');
    return ctx.step(`Refreshing cluster ${cluster.name}`, async (step) => {
      if (ctx.config.testActionDelayMs > 0) {
        await step.progress(50);
        await new Promise((resolve) => setTimeout(resolve, ctx.config.testActionDelayMs));
      }
      try {
        const ran = await this.shell.runOnCluster(cluster.id, peerStatusCommand());
        await step.ranOn(ran.host.id);
        for (const { host, error } of ran.unreachable) await this.markUnreachable(ctx, host.id, host.name, host.clusterId, host.status, error.message);
        const peers = parsePeerStatus(ran.result);
        return { result: { host: ran.host.id, peers: peers.length }, description: `Cluster ${cluster.name} refreshed on host ${ran.host.name}: ${peers.length} other peer(s).` };
      } catch (e) {
        if (e instanceof NoReachableHostError) {
          if (e.unreachable.length === 0) return { result: { hosts: 0 }, description: `Cluster ${cluster.name} refreshed: it has no hosts yet.` };
          for (const { host, error } of e.unreachable) await this.markUnreachable(ctx, host.id, host.name, host.clusterId, host.status, error.message);
          throw new ActionFailedError(502, 'Operation Failed', `No host of cluster ${cluster.name} could be reached: ${e.message.replace(/^no host of the cluster could be reached: /, '')}`);
        }
        if (e instanceof GlusterCommandError) throw new ActionFailedError(409, 'Operation Failed', `gluster peer status failed: ${e.message}`);
        throw e;
      }
    });
  }

  private async markUnreachable(ctx: ActionContext, hostId: string, name: string, clusterId: string, status: string, reason: string): Promise<void> {
    await this.hosts.recordContact(hostId, { status: 'non_responsive', statusDetail: reason.slice(0, 1000) });
    if (status === 'non_responsive') return;
    await this.events.record({
      code: EventCode.HostNonResponsive,
      severity: 'warning',
      description: `Host ${name} is not responding: ${reason}.`,
      hostId,
      clusterId,
      jobId: ctx.job.id,
      correlationId: ctx.job.correlationId,
      userId: ctx.job.ownerId,
    });
  }
}
