import type { EntityManager } from 'typeorm';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config';
import type { EventSeverity } from '../events/event.entity';
import { EventsService } from '../events/events.service';
import { ActionFailedError } from './action-failure';
import { ActionJobData } from './action-runner';
import { JobEndHooks } from './job-end-hooks';
import { JobEntity } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { StepType } from './step.entity';
import { TargetLock } from './target-lock';

export interface StepHandle {
  progress(percent: number): Promise<void>;
  /** Records the host the step's remote command ran on (oVirt's execution_host). */
  ranOn(hostId: string): Promise<void>;
}

/** What an action handler gets: its job row, its params, and a way to record steps. */
export interface ActionContext<P extends object = object> {
  job: JobEntity;
  params: P;
  config: AppConfig;
  step<T>(description: string, work: (step: StepHandle) => Promise<T>, type?: StepType): Promise<T>;
}

/** What a handler returns: a result to store and the sentence for the success event. */
export interface ActionOutcome {
  result?: Record<string, unknown>;
  description?: string;
}

export type ActionHandler<P extends object = object> = (ctx: ActionContext<P>) => Promise<ActionOutcome>;

const LOCK_BUSY_RETRY_MS = 500;

/**
 * The worker side of every action: take the target's lock (or wait for it), run the handler with
 * steps, store the outcome on the job row and write the event. Safe to run again after a crash:
 * a job already done is skipped, and handlers read real state before acting.
 */
@Injectable()
export class ActionExecutor {
  private readonly logger = new Logger(ActionExecutor.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly locks: TargetLock,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly endHooks?: JobEndHooks,
  ) {}

  /**
   * `handler` is the @OnJob method of the action the job row names (the worker found it by that name),
   * so @OnJob checked at compile time that it takes that action's ActionContext<P> and answers an
   * ActionOutcome; the row's params are what the API stored from an ActionRequest<P>.
   */
  async run(
    bullJob: Job<ActionJobData>,
    handler: (ctx: ActionContext<Record<string, unknown>>) => Promise<unknown>,
    token: string | undefined,
  ): Promise<unknown> {
    const data = bullJob.data;
    const job = await this.jobs.findById(data.jobId);
    if (!job || job.runState === 'done') return { skipped: true };

    const lock = await this.locks.tryAcquire(job.targetType ?? 'none', job.targetId ?? job.id);
    if (!lock) {
      // Another action runs on this target: come back shortly, without using up an attempt.
      await bullJob.moveToDelayed(Date.now() + LOCK_BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    try {
      if (!(await this.jobs.markRunning(job.id))) return { skipped: true };
      const running = performance.now();
      const ctx: ActionContext<Record<string, unknown>> = {
        job,
        params: job.params ?? {},
        config: this.config,
        step: (d, w, t) => this.step(job.id, d, w, t),
      };
      try {
        // The one cast between a job's stored JSON and its handler's types (see above).
        const outcome = (await handler(ctx)) as ActionOutcome;
        // The row's end and its event together: PostgreSQL lost between them left a finished job without its event.
        await this.jobs.transaction(async (m) => {
          await this.jobs.finish(job.id, outcome.result ?? null, m);
          const description = outcome.description ?? `${job.description}: done.`;
          await this.event(job, data, 'normal', data.events.success, description, m);
        });
        this.ended(job, 'finished', running);
        return outcome.result ?? {};
      } catch (e) {
        const ended = await this.recordFailure(bullJob, job, e);
        this.ended(job, ended.outcome, running);
        return { [ended.outcome]: true };
      }
    } finally {
      await lock.release();
    }
  }

  /**
   * Ends the job failed (or aborted) with its fault and event; an unexpected error with attempts left is
   * thrown again so BullMQ retries it with backoff.
   */
  private async recordFailure(
    bullJob: Job<ActionJobData>,
    job: JobEntity,
    e: unknown,
  ): Promise<{ outcome: 'failed' | 'aborted' }> {
    const data = bullJob.data;
    if (!(e instanceof ActionFailedError) && bullJob.attemptsMade + 1 < (bullJob.opts.attempts ?? 1)) {
      this.logger.warn({ job: job.id, err: (e as Error).message }, 'action step failed; retrying with backoff');
      throw e;
    }
    const failure =
      e instanceof ActionFailedError
        ? e
        : ActionFailedError.unexpected('The action failed unexpectedly; see the service log.');
    if (!(e instanceof ActionFailedError))
      this.logger.error(
        { job: job.id, err: (e as Error).message, stack: (e as Error).stack },
        'action failed unexpectedly',
      );
    await this.jobs.transaction(async (m) => {
      const error = { status: failure.status, reason: failure.reason, detail: failure.detail };
      await this.jobs.fail(job.id, error, failure.outcome, m);
      if (failure.eventRecorded) return;
      const severity = failure.severity ?? (failure.outcome === 'aborted' ? 'warning' : 'error');
      const description = `${job.description}: ${failure.outcome}: ${failure.detail}`;
      await this.event(job, data, severity, failure.eventCode ?? data.events.failure, description, m);
    });
    return { outcome: failure.outcome };
  }

  private ended(job: JobEntity, outcome: 'finished' | 'failed' | 'aborted', running: number): void {
    this.endHooks?.ended({
      type: job.action ?? 'unknown',
      outcome,
      durationSeconds: (performance.now() - running) / 1000,
    });
  }

  private async step<T>(
    jobId: string,
    description: string,
    work: (s: StepHandle) => Promise<T>,
    type: StepType = 'executing',
  ): Promise<T> {
    const step = await this.jobs.startStep(jobId, description, type);
    try {
      const value = await work({
        progress: (p) => this.jobs.stepProgress(step.id, p),
        ranOn: (hostId) => this.jobs.stepHost(step.id, hostId),
      });
      await this.jobs.endStep(step.id, 'finished');
      return value;
    } catch (e) {
      // A cancel that lands inside a step aborts it; anything else fails it.
      await this.jobs.endStep(
        step.id,
        e instanceof ActionFailedError && e.outcome === 'aborted' ? 'aborted' : 'failed',
      );
      throw e;
    }
  }

  private event(
    job: JobEntity,
    data: ActionJobData,
    severity: EventSeverity,
    code: number,
    description: string,
    manager: EntityManager,
  ) {
    return this.events.record(
      {
        code,
        severity,
        description,
        jobId: job.id,
        correlationId: job.correlationId,
        userId: job.ownerId,
        targetType: job.targetType,
        targetId: job.targetId,
        clusterId: data.eventRefs.clusterId ?? null,
        hostId: data.eventRefs.hostId ?? null,
      },
      manager,
      // The job's target may be gone (a refresh of a removed cluster): the event keeps its text.
      { dropDanglingLinks: true },
    );
  }
}
