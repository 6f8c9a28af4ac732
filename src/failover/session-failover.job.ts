import { Injectable } from '@nestjs/common';
import { DrRepository } from '../dr/dr.repository';
import { DrService } from '../dr/dr.service';
import { planSession } from '../dr/run-logic';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { SessionGluster } from '../session-worker/session-gluster';
import { dataLossWindowSeconds, recoveryPoint } from '../sessions/failover-logic';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionFailover, SessionFailoverParams } from '../sessions/session-jobs';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import { CheckpointCatchUp } from './checkpoint-catch-up';
import { FailoverSlaveVolume } from './slave-volume';

/**
 * The failover of one session (job `session.failover`, on the session's lock; and on its storage
 * domain's when a DR schedule syncs through it, so no DR run is half-way). A re-run after a crash reads
 * the real state first: a session already recorded failed over is done; the slave options are set
 * again only where they differ.
 */
@Injectable()
export class SessionFailoverJob {
  constructor(
    private readonly gluster: SessionGluster,
    private readonly sessions: SessionsRepository,
    private readonly drRuns: DrRepository,
    private readonly dr: DrService,
    private readonly slave: FailoverSlaveVolume,
    private readonly catchUp: CheckpointCatchUp,
  ) {}

  @OnJob(SessionFailover)
  async failover(ctx: ActionContext<SessionFailoverParams>): Promise<ActionOutcome> {
    const [known] = ctx.job.targetId === null ? [] : await this.sessions.findByIds([ctx.job.targetId]);
    if (!known) throw ActionFailedError.refused('The session is no longer known; it was removed before the failover.');
    if (known.failedOver) {
      return {
        result: { failed_over: true, ran: false },
        description: `${sessionName(known)} was already failed over at ${known.failoverTime?.toISOString()}.`,
      };
    }
    if (!known.slaveClusterId)
      throw ActionFailedError.refused('The slave volume is not on a cluster the service manages.');
    const domainLocks = await this.slave.domainLocks(known, 'fail over');
    try {
      const planned = ctx.params.force !== true;
      const recovery = planned ? await this.catchUpAndStop(ctx, known) : await this.lastKnownOnSlave(known);
      await ctx.step(`Making slave volume ${known.slaveVolumeName} take writes`, (h) =>
        this.slave.open(known, known.slaveClusterId!, h),
      );
      const failoverTime = new Date();
      const window = planned ? 0 : dataLossWindowSeconds(recovery, failoverTime);
      await this.sessions.recordFailover(known.id, {
        failoverTime,
        failoverMode: planned ? 'planned' : 'unplanned',
        failoverUserId: ctx.job.ownerId,
        recoveryPoint: recovery,
        dataLossWindowSeconds: window,
      });
      await this.dr.sessionFailedOver(known, { correlationId: ctx.job.correlationId, userId: ctx.job.ownerId });
      const others = (await this.sessions.allOfMasterVolume(known.masterVolumeId)).filter((s) => s.id !== known.id);
      const windowText =
        window === null
          ? 'the data-loss window is unknown (the service never saw the session synced)'
          : `data-loss window ${window} s (recovery point ${recovery?.toISOString()})`;
      const othersText =
        others.length === 0
          ? ''
          : `; the master volume's other session(s) (${others.map(sessionName).join(', ')}) were left as they are`;
      return {
        result: {
          failed_over: true,
          mode: planned ? 'planned' : 'unplanned',
          failover_time: failoverTime.toISOString(),
          recovery_point: recovery?.toISOString() ?? null,
          data_loss_window: window,
          other_sessions_left_alone: others.map((s) => s.id),
        },
        description: `${planned ? 'Planned' : 'Unplanned'} failover of ${sessionName(known)}: the slave volume takes writes; ${windowText}${othersText}.`,
      };
    } finally {
      for (const lock of domainLocks) await lock.release();
    }
  }

  /**
   * Planned: checkpoint, started or resumed when it is not running (so the slave gets everything),
   * waited for on every active worker, then the session stopped. Returns the checkpoint's time: everything
   * written before it is on the slave.
   */
  private async catchUpAndStop(ctx: ActionContext<SessionFailoverParams>, known: GeoRepSessionEntity): Promise<Date> {
    const origin = { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId };
    const session = await ctx.step(
      `Reading the state of ${sessionName(known)}`,
      () => this.gluster.refresh(known, origin).catch((e) => Promise.reject(namingForce(e))),
      'validating',
    );
    if (!session) throw ActionFailedError.refused('The session no longer exists in gluster.');
    const plan = planSession(session.status);
    if (plan.before !== 'none') {
      await ctx.step(`${plan.before === 'start' ? 'Starting' : 'Resuming'} ${sessionName(session)} to catch up`, (h) =>
        this.gluster.control(session, plan.before as 'start' | 'resume', { force: false }, (host) => h.ranOn(host.id)),
      );
    }
    let checkpoint: Date;
    try {
      ({ checkpoint } = await this.catchUp.run(ctx, session, ctx.params.timeout));
    } catch (e) {
      if (!(e instanceof ActionFailedError) || (e.status !== 409 && e.status !== 504)) throw e;
      const left =
        e.status === 409 ? 'fail over with force=true to use the slave as it is' : 'the session was left running';
      throw new ActionFailedError(e.status, e.reason, `${e.detail}; nothing was changed on the slave (${left})`);
    }
    await ctx.step(`Stopping ${sessionName(session)}`, (h) =>
      this.gluster.control(session, 'stop', { force: false }, (host) => h.ranOn(host.id)),
    );
    await this.gluster.refreshSettled(session, origin, 'stop');
    return checkpoint;
  }

  /** Unplanned: the last point the service knows to be on the slave, from what it last read (the master may be gone). */
  private async lastKnownOnSlave(session: GeoRepSessionEntity): Promise<Date | null> {
    const rows = await this.sessions.allDetails(session.id);
    const checkpoints = (await this.drRuns.schedulesOfSession(session.id)).flatMap((s) =>
      s.lastSuccessCheckpoint ? [s.lastSuccessCheckpoint.getTime()] : [],
    );
    return recoveryPoint(rows, checkpoints.length > 0 ? new Date(Math.max(...checkpoints)) : null);
  }
}

/** A master cluster that does not answer: the fault says how to fail over without it. */
function namingForce(e: unknown): unknown {
  if (e instanceof ActionFailedError && e.status === 502)
    return ActionFailedError.unreachable(
      `${e.detail}; a planned failover needs the master cluster. If the master site is lost, fail over with force=true (unplanned: only the slave is touched).`,
    );
  return e;
}
