import { Inject, Injectable, Logger } from '@nestjs/common';
import { OvirtFault } from '../ovirt/faults';
import { APP_CONFIG, AppConfig } from '../config/config';
import { EventCode } from '../events/event-codes';
import { refTo } from '../ovirt/api-paths';
import type { ActionReply } from '../ovirt/routes';
import { EventsService } from '../events/events.service';
import { AnyJobDefinition } from '../queue/job-definition';
import { QueueProducer } from '../queue/queue-producer';
import { ActionCaller, ActionRequest } from './action-definition';
import { JobEntity } from './job.entity';
import { JOBS } from './job.representation';
import { JobsRepository } from './jobs.repository';
import { OPERATION_FAILED } from './action-failure';

/** What an action request became: oVirt's action status, and the job that carries it. */
export interface ActionSubmission {
  status: 'complete' | 'failed' | 'pending' | 'in_progress';
  job: JobEntity;
}

/** The envelope an @ActionRoute answers with for a submission: the job, and the fault when it failed. */
export function actionReply(submission: ActionSubmission, params?: Readonly<Record<string, unknown>>): ActionReply {
  const { status, job } = submission;
  const reply: ActionReply = { status, job: refTo(JOBS, job.id), params };
  if (status !== 'failed') return reply;
  const error = job.error;
  const httpStatus = error?.status !== undefined && error.status >= 400 && error.status < 600 ? error.status : 500;
  return {
    ...reply,
    fault: { reason: error?.reason ?? OPERATION_FAILED, detail: error?.detail ?? 'the job failed', httpStatus },
  };
}

/** The payload every action job carries in Redis: ids and event codes, never secrets. */
export interface ActionJobData {
  jobId: string;
  events: ActionRequest['events'];
  eventRefs: NonNullable<ActionRequest['eventRefs']>;
}

/**
 * What an action's outbox entry holds: everything its BullMQ job is made of. The API enqueues it
 * right after commit and the reconciler enqueues the same stored entry later, so they cannot differ.
 */
export interface QueuedActionJob {
  data: ActionJobData;
  attempts: number;
}

export function queuedActionJob(
  jobId: string,
  request: Pick<ActionRequest, 'events' | 'eventRefs' | 'retries'>,
): QueuedActionJob {
  return {
    data: { jobId, events: request.events, eventRefs: request.eventRefs ?? {} },
    attempts: 1 + (request.retries ?? 0),
  };
}

/** An outbox entry read back, or undefined when it is not one `queuedActionJob` wrote (e.g. a bare `{jobId}` of older versions). */
export function storedQueuedActionJob(jobId: string, payload: unknown): QueuedActionJob | undefined {
  const stored = payload as Partial<QueuedActionJob> | null;
  const data = stored?.data;
  const code = (value: unknown) => Number.isInteger(value);
  if (
    !data ||
    data.jobId !== jobId ||
    !code(data.events?.success) ||
    !code(data.events?.failure) ||
    typeof data.eventRefs !== 'object'
  )
    return undefined;
  if (!Number.isInteger(stored.attempts) || (stored.attempts as number) < 1) return undefined;
  return queuedActionJob(jobId, {
    events: data.events,
    eventRefs: data.eventRefs,
    retries: (stored.attempts as number) - 1,
  });
}

const ENQUEUE_TIMEOUT_MS = 3000;
const WAIT_POLL_MS = 100;

/**
 * The API side of every action: job row + outbox entry in one transaction, enqueue (job id =
 * BullMQ job id), then wait up to the configured limit or answer with the job still pending.
 */
@Injectable()
export class ActionRunner {
  private readonly logger = new Logger(ActionRunner.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly producer: QueueProducer,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async submit<P extends object>(request: ActionRequest<P>, caller: ActionCaller): Promise<ActionSubmission> {
    const { job, queued } = await this.jobs.transaction(async (manager) => {
      await this.jobs.lockTargetForSubmit(manager, request.targetType, request.targetId);
      const unfinished = await this.jobs.countUnfinishedForTarget(manager, request.targetType, request.targetId);
      if (unfinished > 0 && request.conflict === 'exclusive') {
        throw OvirtFault.conflict(`Another operation is in progress on this ${request.targetType.replace(/_/g, ' ')}.`);
      }
      if (unfinished > this.config.actionQueueLimit) {
        throw new OvirtFault(
          429,
          'Too Many Requests',
          `Too many queued operations on this ${request.targetType.replace(/_/g, ' ')} (at most ${this.config.actionQueueLimit} may wait).`,
        );
      }
      const row = await this.jobs.insertActionJob(
        manager,
        {
          description: request.description,
          action: request.action.name,
          targetType: request.targetType,
          targetId: request.targetId,
          params: request.params,
          correlationId: caller.correlationId,
          ownerId: caller.userId,
        },
        request.action.queue,
        request.action.name,
        (jobId) => queuedActionJob(jobId, request),
      );
      return { job: row.job, queued: row.outbox };
    });

    try {
      await this.enqueue(request.action, queued);
    } catch (e) {
      this.logger.warn({ job: job.id, err: (e as Error).message }, 'enqueue failed: queue unavailable');
      const detail = 'The job queue (Redis) is not reachable; the action was not started.';
      await this.jobs.fail(job.id, { status: 503, reason: 'Service Unavailable', detail });
      await this.events.record({
        code: EventCode.ActionQueueUnavailable,
        severity: 'error',
        description: `${request.description}: not started, the job queue is unavailable.`,
        jobId: job.id,
        correlationId: caller.correlationId,
        targetType: request.targetType,
        targetId: request.targetId,
        userId: caller.userId,
      });
      throw new OvirtFault(503, 'Service Unavailable', detail);
    }
    await this.jobs.markEnqueued(job.id);

    const wantsAsync = caller.async ?? request.asyncByDefault ?? false;
    return this.waitFor(job.id, wantsAsync ? 0 : this.config.actionWaitMs);
  }

  /** Puts an outbox entry on its queue; BullMQ ignores a second add with the same job id. */
  enqueue(action: AnyJobDefinition, queued: QueuedActionJob): Promise<unknown> {
    const add = this.producer.add(action, queued.data, {
      jobId: queued.data.jobId,
      attempts: queued.attempts,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS)),
    );
    return Promise.race([add, timeout]).finally(() => clearTimeout(timer));
  }

  /** Polls the job row (the truth, shared by every replica) until it is done or the wait is over. */
  async waitFor(jobId: string, waitMs: number): Promise<ActionSubmission> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await this.jobs.findById(jobId);
      if (!job) throw new Error(`job ${jobId} vanished`);
      // oVirt's action statuses have no `aborted`: an aborted job answers `failed` with its fault ("Operation Aborted").
      if (job.runState === 'done') return { status: job.status === 'finished' ? 'complete' : 'failed', job };
      if (Date.now() >= deadline) return { status: job.runState === 'running' ? 'in_progress' : 'pending', job };
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    }
  }
}
