import { Inject, Injectable } from '@nestjs/common';
import { DR_STALL_HEALER, DrStallHealer } from '../dr/dr-hooks';
import { DrRepository } from '../dr/dr.repository';
import { decidePoll, planSession, progressPercent } from '../dr/run-logic';
import {
  checkpointProgress,
  CheckpointRow,
  FAILOVER_SLAVE_OPTIONS,
  FailoverSlaveOption,
  geoRepCheckpointNowCommand,
  geoRepConfigGetCommand,
  geoRepStatusCommand,
  parseCheckpointEpoch,
  parseGeoRepConfigSet,
  parseGeoRepStatus,
  parsePlainOutput,
  parseVolumeInfo,
  volumeInfoCommand,
  volumeSetFailoverOptionCommand,
} from '../gluster';
import { asActionFailure } from '../hosts/host-failures';
import { ActionContext, ActionOutcome, StepHandle } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { HeldLock, TargetLock } from '../jobs/target-lock';
import { OnJob } from '../queue/on-job.decorator';
import { SessionGluster } from '../session-worker/session-gluster';
import { dataLossWindowSeconds, recoveryPoint } from '../sessions/failover-logic';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionFailover, SessionFailoverParams } from '../sessions/session-jobs';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls with nothing moving before the master volume's root is touched again (as a DR run does). */
const STALL_POLLS = 6;

/** What the slave volume must have to take writes and to be synced back later (the guide's failover steps). */
const SLAVE_FAILOVER_VALUES: Readonly<Record<FailoverSlaveOption, boolean>> = {
  'geo-replication.indexing': true,
  'changelog.changelog': true,
  'features.read-only': false,
};

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
    private readonly dr: DrRepository,
    private readonly locks: TargetLock,
    @Inject(DR_STALL_HEALER) private readonly stallHealer: DrStallHealer,
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
    const schedule = await this.dr.findScheduleBySession(known.id);
    const domainLock = schedule ? await this.domainLock(schedule.storageDomainId) : null;
    try {
      const planned = ctx.params.force !== true;
      const recovery = planned ? await this.catchUpAndStop(ctx, known) : await this.lastKnownOnSlave(known);
      await ctx.step(`Making slave volume ${known.slaveVolumeName} take writes`, (h) =>
        this.openSlave(known, known.slaveClusterId!, h),
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
      await domainLock?.release();
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
    const epoch = await ctx.step(`Setting a checkpoint on ${sessionName(session)}`, async (h) => {
      await this.gluster.run(session, geoRepCheckpointNowCommand, parseGeoRepConfigSet, (host) => h.ranOn(host.id));
      const value = await this.gluster.run(
        session,
        (ref) => geoRepConfigGetCommand(ref, 'checkpoint'),
        parseCheckpointEpoch,
      );
      if (value === null) throw ActionFailedError.refused('gluster reports no checkpoint right after setting one');
      return value;
    });
    await ctx.step('Waiting for every active worker to complete the checkpoint', (h) =>
      this.waitForCheckpoint(ctx, session, epoch, h),
    );
    await ctx.step(`Stopping ${sessionName(session)}`, (h) =>
      this.gluster.control(session, 'stop', { force: false }, (host) => h.ranOn(host.id)),
    );
    await this.gluster.refreshSettled(session, origin, 'stop');
    return new Date(epoch * 1000);
  }

  private async waitForCheckpoint(
    ctx: ActionContext<SessionFailoverParams>,
    session: GeoRepSessionEntity,
    epoch: number,
    h: StepHandle,
  ): Promise<void> {
    const startedAt = Date.now();
    let lastSignature = '';
    let still = 0;
    for (let poll = 0; ; poll++) {
      const rows = (await this.gluster.run(session, (ref) => geoRepStatusCommand(ref), parseGeoRepStatus)).flatMap(
        (s) => s.bricks,
      );
      const checkpointRows: CheckpointRow[] = rows.map((r) => ({
        masterNodeUuid: r.masterNodeUuid,
        masterBrick: `${r.masterNode}:${r.masterBrick}`,
        status: r.status,
        checkpointTime: r.checkpointTime,
        checkpointCompleted: r.checkpointCompleted,
        checkpointCompletionTime: r.checkpointCompletionTime,
      }));
      const progress = checkpointProgress(epoch, checkpointRows);
      const decision = decidePoll({
        progress,
        cancelRequested: false,
        elapsedMs: Date.now() - startedAt,
        timeoutMs: ctx.params.timeout * 1000,
      });
      switch (decision.kind) {
        case 'complete':
          return;
        case 'faulty':
          throw ActionFailedError.refused(
            `${decision.detail}; nothing was changed on the slave (fail over with force=true to use the slave as it is)`,
          );
        case 'timeout':
          throw ActionFailedError.timedOut(
            `${decision.detail}; the session was left running and nothing was changed on the slave`,
          );
        default: {
          await h.progress(progressPercent(progress));
          // A worker completes a checkpoint when it syncs a changelog newer than it: on an idle master
          // volume there is none until something changes, so touch its root at once and whenever nothing moves.
          const signature = JSON.stringify(
            rows
              .filter((r) => r.status === 'active')
              .map((r) => [r.entry, r.data, r.meta, r.lastSynced?.getTime() ?? null]),
          );
          still = signature === lastSignature ? still + 1 : 0;
          lastSignature = signature;
          if (poll === 0 || (still > 0 && still % STALL_POLLS === 0))
            await this.stallHealer.nothingMoves(session, rows, still);
          await sleep(ctx.config.drPollIntervalMs);
        }
      }
    }
  }

  /** Unplanned: the last point the service knows to be on the slave, from what it last read (the master may be gone). */
  private async lastKnownOnSlave(session: GeoRepSessionEntity): Promise<Date | null> {
    const rows = await this.sessions.allDetails(session.id);
    const schedule = await this.dr.findScheduleBySession(session.id);
    return recoveryPoint(rows, schedule?.lastSuccessCheckpoint ?? null);
  }

  /** Reads the slave volume's options, keeps the values found (for the failback), and sets what differs. */
  private async openSlave(session: GeoRepSessionEntity, slaveClusterId: string, h: StepHandle): Promise<void> {
    const volume = session.slaveVolumeName;
    const ran = await this.gluster.onCluster(slaveClusterId, volumeInfoCommand(volume));
    await h.ranOn(ran.host.id);
    let info;
    try {
      info = parseVolumeInfo(ran.output).find((v) => v.name === volume);
    } catch (e) {
      throw asActionFailure(e);
    }
    if (!info) throw ActionFailedError.refused(`The slave volume ${volume} is not on the slave cluster any more.`);
    const current = new Map(info.options.map((o) => [o.name, o.value]));
    const before: Record<string, string | null> = {};
    for (const name of FAILOVER_SLAVE_OPTIONS) before[name] = current.get(name) ?? null;
    await this.sessions.keepSlaveOptionsBeforeFailover(session.id, before);
    for (const name of FAILOVER_SLAVE_OPTIONS) {
      const wanted = SLAVE_FAILOVER_VALUES[name];
      if (isOn(current.get(name)) === wanted) continue;
      const set = await this.gluster.onCluster(slaveClusterId, volumeSetFailoverOptionCommand(volume, name, wanted));
      try {
        parsePlainOutput(set.output);
      } catch (e) {
        throw asActionFailure(e);
      }
    }
  }

  /** The storage domain's lock: a DR run of the domain in progress makes the failover wait for nothing, it is refused. */
  private async domainLock(domainId: string): Promise<HeldLock> {
    const lock = await this.locks.tryAcquire('storage_domain', domainId);
    if (!lock)
      throw ActionFailedError.refused(
        'A DR run of the storage domain that syncs through this session is in progress; cancel it or let it end, then fail over.',
      );
    return lock;
  }
}

/** gluster's boolean option values as `volume info` prints them (`on`, `off`, `enable`, `true`, …). */
function isOn(value: string | undefined): boolean {
  return value !== undefined && ['on', 'yes', 'true', 'enable', '1'].includes(value.toLowerCase());
}

/** A master cluster that does not answer: the fault says how to fail over without it. */
function namingForce(e: unknown): unknown {
  if (e instanceof ActionFailedError && e.status === 502)
    return ActionFailedError.unreachable(
      `${e.detail}; a planned failover needs the master cluster. If the master site is lost, fail over with force=true (unplanned: only the slave is touched).`,
    );
  return e;
}
