import { Injectable } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { DiscoverySync, SyncOrigin } from '../discovery/discovery-sync';
import { DrService } from '../dr/dr.service';
import {
  geoRepConfigSetCommand,
  geoRepDeleteCommand,
  glusterUuidCommand,
  parseGeoRepAction,
  parseGeoRepConfigSet,
} from '../gluster';
import { asActionFailure } from '../hosts/host-failures';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { SessionCreateJob } from '../session-create/session-create.job';
import { SessionGluster } from '../session-worker/session-gluster';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionFailback, SessionFailbackParams } from '../sessions/session-jobs';
import { syncFailures } from '../sessions/failover-logic';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import { VolumesRepository } from '../volumes/volumes.repository';
import { CheckpointCatchUp } from './checkpoint-catch-up';
import { FailoverSlaveVolume } from './slave-volume';

const RUNNING = ['active', 'passive', 'initializing', 'partial_faulty', 'faulty'];

/**
 * The failback of a failed-over session (job `session.failback`), the steps of the Red Hat Gluster
 * Storage guide's "Failover and Failback", each re-run safely after a crash because each reads the
 * real state first. Phase sync: stop the original session (force); create the reverse session (the
 * slave volume → the master volume, root, no-verify, force, its keys distributed as a create does);
 * `special-sync-mode recover` and `gfid-conflict-resolution false` on it; start it. Phase complete
 * (writes on the slave stopped by the admin): the same, then a checkpoint on the reverse session and a
 * wait until it completed, a refusal if its workers counted entries they could not sync (unless the
 * request says force), the reverse session stopped and deleted, the slave volume's options put back,
 * and the original session started with force.
 */
@Injectable()
export class SessionFailbackJob {
  constructor(
    private readonly gluster: SessionGluster,
    private readonly sessions: SessionsRepository,
    private readonly volumes: VolumesRepository,
    private readonly clusters: ClustersRepository,
    private readonly sync: DiscoverySync,
    private readonly creator: SessionCreateJob,
    private readonly slave: FailoverSlaveVolume,
    private readonly catchUp: CheckpointCatchUp,
    private readonly dr: DrService,
  ) {}

  @OnJob(SessionFailback)
  async failback(ctx: ActionContext<SessionFailbackParams>): Promise<ActionOutcome> {
    const [known] = ctx.job.targetId === null ? [] : await this.sessions.findByIds([ctx.job.targetId]);
    if (!known) throw ActionFailedError.refused('The session is no longer known; it was removed before the failback.');
    if (!known.failedOver) {
      return { result: { failed_over: false, ran: false }, description: `${sessionName(known)} is not failed over.` };
    }
    if (!known.slaveClusterId || !known.slaveVolumeId)
      throw ActionFailedError.refused('The slave volume is not on a cluster the service manages.');
    const domainLocks = await this.slave.domainLocks(known, 'fail back');
    try {
      const origin: SyncOrigin = { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId };
      const original = await this.stopOriginal(ctx, known, origin);
      const reverse = await this.startReverse(ctx, original, origin);
      if (ctx.params.phase === 'sync') {
        return {
          result: { phase: 'sync', reverse_session: reverse.id },
          description: `Failback of ${sessionName(original)}: the reverse session ${original.slaveVolumeName} → ${reverse.slaveHostName}::${reverse.slaveVolumeName} runs. Stop the writes on the slave, then fail back with phase complete.`,
        };
      }
      return await this.complete(ctx, original, reverse, origin);
    } finally {
      for (const lock of domainLocks) await lock.release();
    }
  }

  /** The master cluster must answer (502: nothing changed); the original session stopped with force. */
  private async stopOriginal(
    ctx: ActionContext<SessionFailbackParams>,
    known: GeoRepSessionEntity,
    origin: SyncOrigin,
  ): Promise<GeoRepSessionEntity> {
    const session = await ctx.step(
      `Reading the state of ${sessionName(known)}`,
      () =>
        this.gluster.refresh(known, origin).catch((e) => {
          if (e instanceof ActionFailedError && e.status === 502)
            throw ActionFailedError.unreachable(
              `${e.detail}; a failback needs the master cluster to answer. Nothing was changed.`,
            );
          throw e;
        }),
      'validating',
    );
    if (!session) throw ActionFailedError.refused('The original session no longer exists in gluster.');
    if (RUNNING.includes(session.status) || session.status === 'paused') {
      await ctx.step(`Stopping ${sessionName(session)} (force)`, (h) =>
        this.gluster.control(session, 'stop', { force: true }, (host) => h.ranOn(host.id)),
      );
    }
    return session;
  }

  /** Creates (unless gluster has it), configures and starts the reverse session; returns its row. */
  private async startReverse(
    ctx: ActionContext<SessionFailbackParams>,
    original: GeoRepSessionEntity,
    origin: SyncOrigin,
  ): Promise<GeoRepSessionEntity> {
    const [masterVolume] = await this.volumes.findByIds([original.masterVolumeId]);
    if (!masterVolume) throw ActionFailedError.refused('The master volume is no longer known; refresh the cluster.');
    // The reverse session writes to a master host that answers now (whatever status the service last gave it).
    const masterHost = await ctx.step('Choosing the master host the reverse session writes to', async (h) => {
      const ran = await this.gluster.onCluster(original.clusterId, glusterUuidCommand());
      await h.ranOn(ran.host.id);
      return ran.host;
    });
    const slaveClusterId = original.slaveClusterId!;
    await this.creator.createRootSession(ctx, {
      masterClusterId: slaveClusterId,
      masterVolumeId: original.slaveVolumeId!,
      slaveHostName: masterHost.address,
      slaveVolumeName: masterVolume.name,
      slaveClusterId: original.clusterId,
      slaveVolumeId: original.masterVolumeId,
      userName: 'root',
      userGroup: null,
      force: true,
      start: false,
      enforcePreflight: false,
      method: 'no_verify',
      unmanagedSlave: null,
    });
    const reverse = await ctx.step('Refreshing the slave cluster', async (h) => {
      const cluster = await this.clusters.findById(slaveClusterId);
      if (!cluster) throw ActionFailedError.refused('The slave cluster was removed.');
      try {
        await this.sync.syncCluster(cluster, origin, (host) => h.ranOn(host.id));
      } catch (e) {
        throw asActionFailure(e);
      }
      const row = (await this.sessions.allOfMasterVolume(original.slaveVolumeId!)).find(
        (s) => s.slaveHostName === masterHost.address && s.slaveVolumeName === masterVolume.name,
      );
      if (!row) throw ActionFailedError.refused('gluster does not list the reverse session.');
      await this.sessions.markFailbackSession(row.id, original.id);
      return row;
    });
    await ctx.step(
      `Setting special-sync-mode recover and gfid-conflict-resolution false on ${sessionName(reverse)}`,
      async (h) => {
        for (const [name, value] of [
          ['special-sync-mode', 'recover'],
          ['gfid-conflict-resolution', false],
        ] as const) {
          await this.gluster.run(
            reverse,
            (ref) => geoRepConfigSetCommand(ref, name, value),
            parseGeoRepConfigSet,
            (host) => h.ranOn(host.id),
          );
        }
      },
    );
    if (!RUNNING.includes(reverse.status)) {
      await ctx.step(`Starting ${sessionName(reverse)} from ${original.slaveVolumeName}`, (h) =>
        this.gluster.controlIfNeeded(reverse, 'start', { force: false }, (host) => h.ranOn(host.id)),
      );
    }
    await this.sessions.recordFailbackPhase(original.id, 'syncing');
    return (await this.gluster.refreshSettled(reverse, origin, 'start')) ?? reverse;
  }

  private async complete(
    ctx: ActionContext<SessionFailbackParams>,
    original: GeoRepSessionEntity,
    reverse: GeoRepSessionEntity,
    origin: SyncOrigin,
  ): Promise<ActionOutcome> {
    const { checkpoint, rows } = await this.catchUp.run(ctx, reverse, ctx.params.timeout);
    // The status read that saw the checkpoint completed counts the failures too: no second read.
    await ctx.step(`Checking that ${sessionName(reverse)} synced every entry`, async () => {
      const failed = syncFailures(rows);
      if (failed.count === 0) return { failures: 0 };
      if (ctx.params.acceptSyncFailures === true) return { failures: failed.count, accepted: true };
      // Switching back now would leave those entries as the master has them, and start the original session,
      // which then overwrites the slave's copies: stop before anything is switched.
      throw ActionFailedError.refused(
        `${sessionName(reverse)} could not sync ${failed.count} ${failed.count === 1 ? 'entry' : 'entries'} to the master (gluster's failures on ${failed.bricks.join(', ')}), such as a file made under the same name at both sites, which gfid-conflict-resolution false leaves alone. Nothing was switched and the reverse session still runs: find them in its log (ENTRY FAILED), bring each to the master by hand, then run phase complete again with force=true, which switches back and keeps the master's copies.`,
      );
    });
    await ctx.step(`Stopping ${sessionName(reverse)}`, (h) =>
      this.gluster.controlIfNeeded(reverse, 'stop', { force: false }, (host) => h.ranOn(host.id)),
    );
    await ctx.step(`Deleting ${sessionName(reverse)}`, async (h) => {
      await this.gluster.run(
        reverse,
        (ref) => geoRepDeleteCommand(ref, { resetSyncTime: false }),
        parseGeoRepAction,
        (host) => h.ranOn(host.id),
      );
      await this.sessions.remove(reverse.id);
    });
    const left = await ctx.step(`Putting back the options of slave volume ${original.slaveVolumeName}`, (h) =>
      this.slave.restore(original, original.slaveClusterId!, h),
    );
    await ctx.step(`Starting ${sessionName(original)} (force)`, (h) =>
      this.gluster.controlIfNeeded(original, 'start', { force: true }, (host) => h.ranOn(host.id)),
    );
    await this.sessions.clearFailover(original.id, new Date());
    await this.dr.sessionFailedBack(original, { correlationId: ctx.job.correlationId, userId: ctx.job.ownerId });
    const fresh = (await this.gluster.refreshSettled(original, origin, 'start')) ?? original;
    return {
      result: { phase: 'complete', checkpoint: checkpoint.toISOString(), status: fresh.status },
      description: `Failed back ${sessionName(original)}: the master has the slave's data up to ${checkpoint.toISOString()}; the session is ${fresh.status} again${left.length > 0 ? `; ${left.join(', ')} left on ${original.slaveVolumeName}, which another session uses as its master` : ''}.`,
    };
  }
}
