import { Injectable } from '@nestjs/common';
import * as crypto from 'node:crypto';
import { ClusterGlusterEventsDisable, ClusterGlusterEventsEnable } from '../clusters/cluster-jobs';
import { ClusterEntity } from '../clusters/cluster.entity';
import { ClustersRepository } from '../clusters/clusters.repository';
import {
  EventsApiResult,
  eventsApiWebhookAddCommand,
  eventsApiWebhookDelCommand,
  eventsApiWebhookModCommand,
  eventsApiWebhookTestCommand,
  failedNodes,
  GlusterCommand,
  glustereventsdReloadCommand,
  parseEventsApiJson,
  parseEventsdReload,
} from '../gluster';
import { asActionFailure } from '../hosts/host-failures';
import { HostShell } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { ActionContext, ActionOutcome, StepHandle } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { glusterEventsTokenSha256 } from './gluster-events-token';

const WORDING = { cluster: 'the cluster', glusterSays: "gluster's events API refused" };

/** How the reload of glustereventsd went on each host of the cluster. */
interface ReloadOutcome {
  reloaded: string[];
  notRunning: string[];
  unreachable: string[];
}

/**
 * `enableglusterevents` and `disableglusterevents` of a cluster: the service's webhook in gluster's events API
 * (`gluster-eventsapi` on one host; gluster copies webhooks.json to its peers), then glustereventsd reloaded on
 * every host, which gluster's own reload cannot do (eventsapi.ts). The token is made here and never stored
 * in a job, event or log: gluster keeps it, the service only its SHA-256.
 */
@Injectable()
export class GlusterEventsRegistrationJob {
  constructor(
    private readonly clusters: ClustersRepository,
    private readonly hosts: HostsRepository,
    private readonly shell: HostShell,
  ) {}

  @OnJob(ClusterGlusterEventsEnable)
  async enable(ctx: ActionContext<{ url: string }>): Promise<ActionOutcome> {
    const cluster = await this.cluster(ctx);
    const url = ctx.params.url;
    const token = crypto.randomBytes(32).toString('base64url');
    const previous = {
      glusterEventsUrl: cluster.glusterEventsUrl,
      glusterEventsTokenSha256: cluster.glusterEventsTokenSha256,
      glusterEventsRegisteredAt: cluster.glusterEventsRegisteredAt,
    };
    try {
      await ctx.step(`Checking that every node of cluster ${cluster.name} reaches ${url}`, async (h) => {
        // webhook-test posts with the new token: the receiver must already know it.
        await this.clusters.setGlusterEvents(cluster.id, {
          ...previous,
          glusterEventsTokenSha256: glusterEventsTokenSha256(token),
        });
        const test = await this.eventsApi(cluster, eventsApiWebhookTestCommand(url, token), h);
        const failed = failedNodes(test);
        if (test.nodes.length === 0 || failed !== '')
          throw ActionFailedError.refused(
            `Not every node of cluster ${cluster.name} can post to ${url}: ${(failed || test.error || 'no node answered').slice(0, 500)}. Nothing was registered.`,
          );
      });
    } catch (e) {
      await this.clusters.setGlusterEvents(cluster.id, previous);
      throw e;
    }
    let oldUrlRemoved = false;
    const notSynced = await ctx
      .step(`Registering ${url} with gluster's events API`, async (h) => {
        if (previous.glusterEventsUrl !== null && previous.glusterEventsUrl !== url) {
          await this.eventsApi(cluster, eventsApiWebhookDelCommand(previous.glusterEventsUrl), h, {
            missingIsFine: true,
          });
          oldUrlRemoved = true;
        }
        let added = await this.eventsApi(cluster, eventsApiWebhookAddCommand(url, token), h, { existsIsFine: true });
        if (/already exists/i.test(added.error))
          added = await this.eventsApi(cluster, eventsApiWebhookModCommand(url, token), h);
        await this.clusters.setGlusterEvents(cluster.id, {
          glusterEventsUrl: url,
          glusterEventsTokenSha256: glusterEventsTokenSha256(token),
          glusterEventsRegisteredAt: new Date(),
        });
        return failedNodes(added);
      })
      .catch(async (e: unknown) => {
        // What gluster still has: the previous webhook, unless it was removed on the way.
        await this.clusters.setGlusterEvents(cluster.id, oldUrlRemoved ? emptyRegistration() : previous);
        throw e;
      });
    const reload = await ctx.step('Reloading glustereventsd on every host of the cluster', (h) =>
      this.reloadEverywhere(cluster, h),
    );
    if (reload.reloaded.length === 0)
      throw ActionFailedError.refused(
        `The webhook is registered, but glustereventsd runs on no host of cluster ${cluster.name} that could be reached ` +
          `(${describe(reload)}): start it (systemctl enable --now glustereventsd) and enable again.`,
      );
    const partly = notSynced === '' ? '' : ` gluster could not copy the webhook to every node (${notSynced}).`;
    return {
      result: { url, ...reload, ...(notSynced === '' ? {} : { notSynced }) },
      description: `Cluster ${cluster.name} pushes gluster's events to ${url} (glustereventsd ${describe(reload)}).${partly}`,
    };
  }

  @OnJob(ClusterGlusterEventsDisable)
  async disable(ctx: ActionContext): Promise<ActionOutcome> {
    const cluster = await this.cluster(ctx);
    const url = cluster.glusterEventsUrl;
    if (url === null) {
      await this.clusters.setGlusterEvents(cluster.id, emptyRegistration());
      return { result: { url: null }, description: `Cluster ${cluster.name} had no gluster events webhook.` };
    }
    // The token stops being accepted first: from here on gluster's posts are refused.
    await this.clusters.setGlusterEvents(cluster.id, { ...emptyRegistration(), glusterEventsUrl: url });
    await ctx.step(`Removing ${url} from gluster's events API`, (h) =>
      this.eventsApi(cluster, eventsApiWebhookDelCommand(url), h, { missingIsFine: true }),
    );
    await this.clusters.setGlusterEvents(cluster.id, emptyRegistration());
    const reload = await ctx.step('Reloading glustereventsd on every host of the cluster', (h) =>
      this.reloadEverywhere(cluster, h),
    );
    return {
      result: { url, ...reload },
      description: `Cluster ${cluster.name} no longer pushes gluster's events to ${url}.`,
    };
  }

  private async cluster(ctx: ActionContext<object>): Promise<ClusterEntity> {
    const id = ctx.job.targetId;
    const cluster = id === null ? null : await this.clusters.findById(id);
    if (!cluster) throw ActionFailedError.refused('The cluster was removed before the job ran.');
    return cluster;
  }

  /** A `gluster-eventsapi … --json` on the first host that answers; its own refusals are errors unless allowed. */
  private async eventsApi(
    cluster: ClusterEntity,
    command: GlusterCommand,
    h: StepHandle,
    allow: { existsIsFine?: boolean; missingIsFine?: boolean } = {},
  ): Promise<EventsApiResult> {
    let ran;
    try {
      ran = await this.shell.runOnCluster(cluster.id, command);
    } catch (e) {
      throw asActionFailure(e, WORDING);
    }
    await h.ranOn(ran.host.id);
    const { stdout, stderr, exitCode } = ran.result;
    let answer: EventsApiResult;
    try {
      answer = parseEventsApiJson(stdout);
    } catch {
      const why = (stderr.trim() || stdout.trim()).split('\n').pop() ?? '';
      throw ActionFailedError.refused(
        `gluster-eventsapi failed on host ${ran.host.name} (exit ${exitCode ?? 'signal'}): ${why.slice(0, 300) || 'no output'}` +
          (/not found/i.test(why) ? ' (install glusterfs-server, which has gluster-eventsapi)' : ''),
      );
    }
    if (answer.error !== '') {
      if (allow.existsIsFine && /already exists/i.test(answer.error)) return answer;
      if (allow.missingIsFine && /does not exist/i.test(answer.error)) return answer;
      throw ActionFailedError.refused(`gluster-eventsapi on host ${ran.host.name}: ${answer.error.slice(0, 300)}`);
    }
    return answer;
  }

  private async reloadEverywhere(cluster: ClusterEntity, h: StepHandle): Promise<ReloadOutcome> {
    const outcome: ReloadOutcome = { reloaded: [], notRunning: [], unreachable: [] };
    const hosts = (await this.hosts.listByCluster(cluster.id)).sort((a, b) => a.name.localeCompare(b.name));
    for (const host of hosts) {
      try {
        const ran = await this.shell.run(host, glustereventsdReloadCommand());
        await h.ranOn(host.id);
        const state = parseEventsdReload(ran.stdout);
        (state === 'reloaded' ? outcome.reloaded : outcome.notRunning).push(host.name);
      } catch {
        outcome.unreachable.push(host.name);
      }
    }
    return outcome;
  }
}

function emptyRegistration() {
  return { glusterEventsUrl: null, glusterEventsTokenSha256: null, glusterEventsRegisteredAt: null };
}

function describe(r: ReloadOutcome): string {
  const parts = [
    r.reloaded.length > 0 ? `reloaded on ${r.reloaded.join(', ')}` : '',
    r.notRunning.length > 0 ? `not running on ${r.notRunning.join(', ')}` : '',
    r.unreachable.length > 0 ? `not reachable: ${r.unreachable.join(', ')}` : '',
  ].filter((p) => p !== '');
  return parts.join('; ') || 'the cluster has no hosts';
}
