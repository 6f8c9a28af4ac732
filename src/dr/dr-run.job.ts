import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { sessionLogsHref } from '../session-logs/session-logs.representation';
import { GeoRepSessionEntity, SESSION_JOB_TARGET } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import {
  checkpointProgress,
  geoRepCheckpointNowCommand,
  geoRepConfigGetCommand,
  GeoRepBrickStatus,
  GeoRepControlVerb,
  geoRepStatusCommand,
  parseCheckpointEpoch,
  parseGeoRepConfigSet,
  parseGeoRepStatus,
} from '../gluster';
import type { ActionContext, ActionOutcome, StepHandle } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { isCancel, runCancelled } from './run-cancel';
import { HeldLock, TargetLock } from '../jobs/target-lock';
import { OnJob } from '../queue/on-job.decorator';
import { SessionSignals } from '../queue/session-signals';
import type { SyncOrigin } from '../discovery/discovery-sync';
import { asActionFailure } from '../hosts/host-failures';
import { SessionGluster } from '../session-worker/session-gluster';
import { StorageDomainEntity } from '../storage-domains/storage-domain.entity';
import { StorageDomainsRepository } from '../storage-domains/storage-domains.repository';
import { DrRunBrickProgress, DrRunEntity } from './dr-run.entity';
import { DrScheduleEntity } from './dr-schedule.entity';
import { DR_QUIESCER, DR_STALL_HEALER, DrQuiescer, DrRunHookSubject, DrStallHealer } from './dr-hooks';
import { DrRepository } from './dr.repository';
import { DrRun, DrRunParams } from './dr-jobs';
import {
  checkpointCompletedAt,
  checkpointRowsOf,
  decidePoll,
  planSession,
  progressPercent,
  progressSignature,
  rpoSeconds,
  SessionPlan,
} from './run-logic';
import { failedOverRefusal } from '../sessions/failover-logic';

const SESSION_LOCK_WAIT_MS = 30_000;
const SESSION_LOCK_RETRY_MS = 500;
/** Polls without movement before the stall hook is called. */
const STALL_POLLS = 6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run's records, loaded and checked before anything is touched. */
interface RunSubject {
  run: DrRunEntity;
  schedule: DrScheduleEntity;
  domain: StorageDomainEntity;
  session: GeoRepSessionEntity;
  origin: SyncOrigin;
}

/** What the run found and did so far: what putting the session back and the outcome need. */
interface RunProgress {
  plan: SessionPlan;
  /** This run started or resumed the session (so it stops or pauses it afterwards). */
  started: boolean;
  epoch: number | null;
  completedAt: Date | null;
  /** The quiescer was asked (its record on the run row says what it made). */
  quiesced: boolean;
}

const NO_PLAN: SessionPlan = { before: 'none', after: 'none' };

function originOf(ctx: ActionContext): SyncOrigin {
  return { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId };
}

/**
 * One DR run (job `dr.run`, target the storage domain: the executor holds the domain's lock for the
 * whole run). Holds the session's lock too, sets `checkpoint now` and reads its epoch back, starts or
 * resumes the session when needed, waits until every Active worker completed THAT checkpoint (not an
 * older one), and puts the session back as it found it. Steps go to the job and to the run row.
 */
@Injectable()
export class DrRunJob {
  private readonly logger = new Logger(DrRunJob.name);

  constructor(
    private readonly repo: DrRepository,
    private readonly sessions: SessionsRepository,
    private readonly domains: StorageDomainsRepository,
    private readonly gluster: SessionGluster,
    private readonly locks: TargetLock,
    private readonly events: EventsService,
    private readonly signals: SessionSignals,
    @Optional() @Inject(DR_QUIESCER) private readonly quiescer?: DrQuiescer,
    @Optional() @Inject(DR_STALL_HEALER) private readonly stallHealer?: DrStallHealer,
  ) {}

  @OnJob(DrRun)
  async run(ctx: ActionContext<DrRunParams>): Promise<ActionOutcome> {
    const loaded = await this.load(ctx);
    if ('done' in loaded) return loaded.done;
    const sessionLock = await this.lockSession(loaded);
    await this.recordStarted(ctx, loaded);
    const progress: RunProgress = { plan: NO_PLAN, started: false, epoch: null, completedAt: null, quiesced: false };
    let failure: unknown = null;
    try {
      await this.sync(ctx, loaded, progress);
    } catch (e) {
      failure = e;
    }
    failure = await this.putSessionBack(ctx, loaded, progress, failure, sessionLock);
    if (failure !== null) return this.fail(loaded.run, loaded.schedule, loaded.domain, failure, loaded.session);
    return this.finish(loaded, progress);
  }

  /** The run's records, checked before anything is touched; a run already ended is done. */
  private async load(ctx: ActionContext<DrRunParams>): Promise<RunSubject | { done: ActionOutcome }> {
    const { runId } = ctx.params;
    const run = await this.repo.findRunById(runId);
    if (!run) throw ActionFailedError.refused('The DR run record is gone (its schedule was removed).');
    if (run.status !== 'started') return { done: { result: { runId, status: run.status } } };
    if (run.jobId !== ctx.job.id) {
      await this.repo.updateRun(run.id, { jobId: ctx.job.id });
      run.jobId = ctx.job.id;
    }
    const schedule = await this.repo.findScheduleById(run.scheduleId);
    const domain = await this.domains.findById(run.storageDomainId);
    if (!schedule || !domain)
      return this.fail(
        run,
        null,
        null,
        ActionFailedError.refused('The DR schedule or its storage domain was removed.'),
      );
    const session = run.sessionId ? await this.sessions.findById(run.sessionId) : null;
    if (!session) return this.fail(run, schedule, domain, await this.sessionVanished(schedule, domain, ctx));
    if (run.cancelRequested) return this.fail(run, schedule, domain, runCancelled());
    return { run, schedule, domain, session, origin: originOf(ctx) };
  }

  /** The session's lock for the whole run; a failure or a cancel meanwhile ends the run. */
  private async lockSession({ run, schedule, domain, session }: RunSubject): Promise<HeldLock> {
    let sessionLock: HeldLock;
    try {
      sessionLock = await this.sessionLock(session.id, run.id);
    } catch (e) {
      return this.fail(run, schedule, domain, e, session);
    }
    if (await this.repo.isCancelRequested(run.id)) {
      await sessionLock.release();
      return this.fail(run, schedule, domain, runCancelled());
    }
    return sessionLock;
  }

  private async recordStarted(ctx: ActionContext, { domain, session }: RunSubject): Promise<void> {
    await this.events.record({
      code: EventCode.StorageDomainSyncStarted,
      severity: 'normal',
      description: `Storage domain ${domain.name}: data synchronization to ${session.slaveHostName}::${session.slaveVolumeName} started.`,
      clusterId: session.clusterId,
      jobId: ctx.job.id,
      correlationId: ctx.job.correlationId,
      userId: ctx.job.ownerId,
      targetType: 'storage_domain',
      targetId: domain.id,
    });
  }

  /** Reads the session, quiesces, sets the checkpoint (starting the session when needed) and waits for it. */
  private async sync(ctx: ActionContext, subject: RunSubject, progress: RunProgress): Promise<void> {
    const { run, schedule, domain, session } = subject;
    const fresh = await this.step(ctx, run, 'Reading the status of the geo-replication session', () =>
      this.gluster.refresh(session, subject.origin),
    );
    if (!fresh) throw await this.sessionVanished(schedule, domain, ctx);
    // Failed over after the run was queued: syncing master → slave now would overwrite the slave.
    const failedOver = failedOverRefusal(fresh, 'a DR run');
    if (failedOver) throw ActionFailedError.refused(failedOver);
    progress.plan = planSession(fresh.status);
    if (run.startedSession && progress.plan.before === 'none') {
      // Run again after a worker died mid-run: the session running now is the one this run started.
      progress.plan = { before: 'none', after: 'stop' };
      progress.started = true;
    }
    if (this.quiescer && (schedule.quiescePolicy !== 'off' || run.quiesce)) {
      progress.quiesced = true;
      const hook = this.hookSubject(ctx, subject);
      // Run again after a worker died mid-run: remove what the first try made, then quiesce afresh.
      if (run.quiesce) await this.quiescer.release(hook);
      await this.quiescer.quiesce(hook);
    }
    // The checkpoint first (so the crawl after a start already counts towards it); a gluster that
    // refuses a checkpoint on a session that is not running gets it right after the start.
    let epoch: number;
    try {
      epoch = await this.setCheckpoint(ctx, run, fresh);
    } catch (e) {
      if (!(e instanceof ActionFailedError && e.status === 409 && progress.plan.before !== 'none')) throw e;
      await this.startOrResume(ctx, run, fresh, progress);
      epoch = await this.setCheckpoint(ctx, run, fresh);
    }
    progress.epoch = epoch;
    await this.startOrResume(ctx, run, fresh, progress);
    progress.completedAt = await this.step(
      ctx,
      run,
      'Waiting for every active worker to complete the checkpoint',
      (h) => this.waitForCheckpoint(ctx, run, fresh, schedule, epoch, h),
    );
  }

  /** `checkpoint now`, then its epoch read back (and kept on the run row). */
  private setCheckpoint(ctx: ActionContext, run: DrRunEntity, session: GeoRepSessionEntity): Promise<number> {
    return this.step(ctx, run, 'Setting a geo-replication checkpoint', async (h) => {
      await this.gluster.run(
        session,
        (ref) => geoRepCheckpointNowCommand(ref),
        parseGeoRepConfigSet,
        (host) => h.ranOn(host.id),
      );
      const value = await this.gluster.run(
        session,
        (ref) => geoRepConfigGetCommand(ref, 'checkpoint'),
        parseCheckpointEpoch,
      );
      if (value === null) throw ActionFailedError.refused('gluster reports no checkpoint right after setting one');
      await this.repo.updateRun(run.id, { checkpointTime: new Date(value * 1000) });
      return value;
    });
  }

  /** Starts or resumes the session when the plan says so, once. */
  private async startOrResume(
    ctx: ActionContext,
    run: DrRunEntity,
    session: GeoRepSessionEntity,
    progress: RunProgress,
  ): Promise<void> {
    if (progress.plan.before === 'none' || progress.started) return;
    const verb: GeoRepControlVerb = progress.plan.before;
    await this.step(
      ctx,
      run,
      verb === 'start' ? 'Starting the geo-replication session' : 'Resuming the geo-replication session',
      (h) => this.control(session, verb, false, h),
    );
    progress.started = true;
    await this.repo.updateRun(run.id, { startedSession: true });
  }

  /**
   * Puts the session back as the run found it (stopped or paused), re-reads it, releases the quiesce and
   * the session's lock. Returns the run's failure: the sync's, else the first one here.
   */
  private async putSessionBack(
    ctx: ActionContext,
    subject: RunSubject,
    progress: RunProgress,
    failure: unknown,
    sessionLock: HeldLock,
  ): Promise<unknown> {
    const { run, session, origin } = subject;
    try {
      if (progress.started && progress.plan.after !== 'none') {
        const verb: GeoRepControlVerb = progress.plan.after;
        // After a failure or a cancel the session may be faulty or busy: force the stop.
        await this.step(
          ctx,
          run,
          verb === 'stop' ? 'Stopping the geo-replication session' : 'Pausing the geo-replication session',
          (h) => this.control(session, verb, verb === 'stop' && failure !== null, h),
        );
      }
      const put = progress.started && progress.plan.after !== 'none' ? progress.plan.after : null;
      await (put ? this.gluster.refreshSettled(session, origin, put) : this.gluster.refresh(session, origin)).catch(
        (e: Error) => this.logger.warn({ run: run.id, err: e.message }, 'refresh after the DR run failed'),
      );
    } catch (e) {
      failure ??= e;
    } finally {
      if (progress.quiesced && this.quiescer)
        await this.quiescer.release(this.hookSubject(ctx, subject)).catch((e: unknown) => {
          failure ??= e;
        });
      await sessionLock.release();
    }
    return failure;
  }

  /** A successful run: its checkpoint, RPO and the schedule's last success. */
  private async finish({ run, schedule, domain, session }: RunSubject, progress: RunProgress): Promise<ActionOutcome> {
    const end = new Date();
    const checkpointTime = new Date((progress.epoch ?? 0) * 1000);
    const rpo = rpoSeconds(progress.epoch ?? 0, progress.completedAt ?? end);
    await this.repo.updateRun(run.id, {
      status: 'finished',
      endTime: end,
      checkpointCompletedTime: progress.completedAt,
      rpoSeconds: rpo,
    });
    await this.repo.updateSchedule(schedule.id, {
      lastRunId: run.id,
      lastSuccessRunId: run.id,
      lastSuccessCheckpoint: checkpointTime,
    });
    return {
      result: { runId: run.id, checkpoint: checkpointTime.toISOString(), rpoSeconds: rpo },
      description: `Storage domain ${domain.name}: data synchronized to ${session.slaveHostName}::${session.slaveVolumeName} up to the checkpoint of ${checkpointTime.toISOString()} (RPO ${rpo} s).`,
    };
  }

  /** Polls `status detail` (at once when gluster signals the session) until the checkpoint is complete, a worker is faulty, the timeout passes or a cancel arrives. */
  private async waitForCheckpoint(
    ctx: ActionContext,
    run: DrRunEntity,
    session: GeoRepSessionEntity,
    schedule: DrScheduleEntity,
    epoch: number,
    h: StepHandle,
  ): Promise<Date | null> {
    const startedAt = Date.now();
    const timeoutMs = schedule.checkpointTimeoutMinutes * 60_000;
    let lastSignature = '';
    let still = 0;
    await this.signals.listen();
    for (;;) {
      const polledAt = Date.now();
      const rows = await this.statusRows(session);
      const checkpointRows = checkpointRowsOf(rows);
      const progress = checkpointProgress(epoch, checkpointRows);
      await this.repo.setProgress(
        run.id,
        rows.map((r) => brickProgress(r, epoch)),
      );
      await h.progress(progressPercent(progress));
      const decision = decidePoll({
        progress,
        cancelRequested: await this.repo.isCancelRequested(run.id),
        elapsedMs: Date.now() - startedAt,
        timeoutMs,
      });
      switch (decision.kind) {
        case 'complete':
          return checkpointCompletedAt(checkpointRows);
        case 'cancelled':
          throw runCancelled();
        case 'faulty':
          throw ActionFailedError.refused(`${decision.detail} (${sessionLogsHref(session)})`);
        case 'timeout':
          throw ActionFailedError.timedOut(decision.detail);
        case 'wait':
          break;
      }
      const signature = progressSignature(rows);
      still = signature === lastSignature ? still + 1 : 0;
      lastSignature = signature;
      if (this.stallHealer && still > 0 && still % STALL_POLLS === 0)
        await this.stallHealer.nothingMoves(session, rows, still);
      // gluster's own events (gluster-events/) cut the wait short: the checkpoint is seen as it completes.
      await this.signals.sleep(session.id, ctx.config.drPollIntervalMs, polledAt);
    }
  }

  private async statusRows(session: GeoRepSessionEntity): Promise<GeoRepBrickStatus[]> {
    const sessions = await this.gluster.run(session, (ref) => geoRepStatusCommand(ref), parseGeoRepStatus);
    return sessions.flatMap((s) => s.bricks);
  }

  private async control(
    session: GeoRepSessionEntity,
    verb: GeoRepControlVerb,
    force: boolean,
    h: StepHandle,
  ): Promise<void> {
    await this.gluster.controlIfNeeded(session, verb, { force }, (host) => h.ranOn(host.id));
  }

  private hookSubject(ctx: ActionContext, { run, schedule, domain, session }: RunSubject): DrRunHookSubject {
    return { ctx, run, schedule, domain, session, step: (description, work) => this.step(ctx, run, description, work) };
  }

  /** Runs a job step and mirrors it on the run row. */
  private async step<T>(
    ctx: ActionContext,
    run: DrRunEntity,
    description: string,
    work: (h: StepHandle) => Promise<T>,
  ): Promise<T> {
    return ctx.step(description, async (h) => {
      const index = await this.repo.appendStep(run.id, {
        description,
        status: 'started',
        start_time: new Date().toISOString(),
        end_time: null,
      });
      try {
        const value = await work(h);
        await this.repo.endStep(run.id, index, 'finished');
        return value;
      } catch (e) {
        await this.repo.endStep(run.id, index, isCancel(e) ? 'aborted' : 'failed');
        throw e;
      }
    });
  }

  /** Waits a while for the session's lock (a session action may be finishing); a cancel stops the wait. */
  private async sessionLock(sessionId: string, runId: string): Promise<HeldLock> {
    const deadline = Date.now() + SESSION_LOCK_WAIT_MS;
    for (;;) {
      const lock = await this.locks.tryAcquire(SESSION_JOB_TARGET, sessionId);
      if (lock) return lock;
      if (await this.repo.isCancelRequested(runId)) throw runCancelled();
      if (Date.now() >= deadline)
        throw ActionFailedError.refused(
          'Another operation holds the geo-replication session; the DR run did not start.',
        );
      await sleep(SESSION_LOCK_RETRY_MS);
    }
  }

  /** The session vanished from gluster (discovery removed it): disable the schedule, with an error event. */
  private async sessionVanished(
    schedule: DrScheduleEntity,
    domain: StorageDomainEntity,
    ctx: ActionContext | null,
  ): Promise<ActionFailedError> {
    const reason = 'its geo-replication session no longer exists in gluster';
    await this.repo.updateSchedule(schedule.id, {
      enabled: false,
      nextRun: null,
      disabledReason: `disabled by the service: ${reason}`,
    });
    await this.events.record({
      code: EventCode.DrSessionVanished,
      severity: 'error',
      description: `DR schedule ${schedule.name} of storage domain ${domain.name} was disabled: ${reason}. Create a session and set it on the schedule, then resume it.`,
      jobId: ctx?.job.id ?? null,
      correlationId: ctx?.job.correlationId ?? null,
      targetType: 'storage_domain',
      targetId: domain.id,
    });
    return ActionFailedError.refused(`The DR schedule was disabled: ${reason}.`);
  }

  /**
   * Ends the run failed (or aborted) and says so, once: 4164 with alert severity for a failure (the job
   * then writes no event of its own), 11219 from the job for a cancel.
   */
  private async fail(
    run: DrRunEntity,
    schedule: DrScheduleEntity | null,
    domain: StorageDomainEntity | null,
    e: unknown,
    session?: GeoRepSessionEntity,
  ): Promise<never> {
    const cancelled = isCancel(e);
    const translated = asActionFailure(e);
    const failure =
      translated instanceof ActionFailedError
        ? translated
        : ActionFailedError.unexpected('The DR run failed unexpectedly; see the service log.');
    if (!(translated instanceof ActionFailedError))
      this.logger.error(
        { run: run.id, err: (e as Error).message, stack: (e as Error).stack },
        'DR run failed unexpectedly',
      );
    await this.repo.updateRun(run.id, {
      status: cancelled ? 'aborted' : 'failed',
      endTime: new Date(),
      error: failure.detail,
    });
    if (schedule) await this.repo.updateSchedule(schedule.id, { lastRunId: run.id });
    if (cancelled) throw failure;
    if (domain) {
      await this.events.record({
        code: EventCode.StorageDomainSyncFailed,
        severity: 'alert',
        description: `Storage domain ${domain.name}: data synchronization${session ? ` to ${session.slaveHostName}::${session.slaveVolumeName}` : ''} failed: ${failure.detail}`,
        clusterId: session?.clusterId ?? null,
        jobId: run.jobId,
        targetType: 'storage_domain',
        targetId: domain.id,
      });
    }
    // 4164 said it; without a domain to name, the job's own failure event (11218) does.
    throw new ActionFailedError(
      failure.status,
      failure.reason,
      failure.detail,
      domain ? EventCode.StorageDomainSyncFailed : EventCode.DrRunJobFailed,
      { eventRecorded: domain !== null },
    );
  }
}

function brickProgress(r: GeoRepBrickStatus, epoch: number): DrRunBrickProgress {
  return {
    master_host_name: r.masterNode,
    master_brick_dir: r.masterBrick,
    status: r.status,
    checkpoint_completed:
      r.checkpointCompleted === true && r.checkpointTime !== null && r.checkpointTime.getTime() >= epoch * 1000,
    entry_pending: r.entry,
    data_pending: r.data,
    meta_pending: r.meta,
    last_synced: r.lastSynced?.toISOString() ?? null,
  };
}
