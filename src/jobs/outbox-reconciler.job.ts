import { Injectable, Logger } from '@nestjs/common';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OnJob } from '../queue/on-job.decorator';
import { jobDefinition } from '../queue/job-definition';
import { ActionRunner, storedQueuedActionJob } from './action-runner';
import { JobsRepository, OutboxRow } from './jobs.repository';
import { ReconcileOutbox } from './maintenance-jobs';
import { OPERATION_FAILED } from './action-failure';

/** Grace before an unsent outbox entry counts as lost (the API enqueues right after commit). */
const LOST_AFTER_MS = 5000;

/** Enqueues outbox entries that never reached Redis: Redis was down, or the API died after commit. */
@Injectable()
export class OutboxReconciler {
  private readonly logger = new Logger(OutboxReconciler.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly runner: ActionRunner,
    private readonly events: EventsService,
  ) {}

  @OnJob(ReconcileOutbox)
  async reconcile(): Promise<{ enqueued: number }> {
    const pending = await this.jobs.pendingOutbox(new Date(Date.now() - LOST_AFTER_MS));
    let enqueued = 0;
    for (const row of pending) {
      const queued = storedQueuedActionJob(row.job_id, row.payload);
      if (!queued) {
        await this.endUnrecoverable(row);
        continue;
      }
      try {
        const action = jobDefinition(row.name);
        if (!action) throw new Error(`no job is named "${row.name}"`);
        await this.runner.enqueue(action, queued);
        await this.jobs.markEnqueued(row.job_id);
        enqueued += 1;
      } catch (e) {
        this.logger.warn({ job: row.job_id, err: (e as Error).message }, 'outbox entry still cannot be enqueued');
      }
    }
    if (enqueued) this.logger.log(`re-enqueued ${enqueued} lost action job(s)`);
    return { enqueued };
  }

  /** An entry without what its job needs (an older version stored only the job id): the job ends failed instead of running without its events. */
  private async endUnrecoverable(row: OutboxRow): Promise<void> {
    const job = await this.jobs.findById(row.job_id);
    if (!job) return;
    const detail =
      'This job was queued by an older version of the service and its queue entry cannot be rebuilt; it did not run. Submit the action again.';
    await this.jobs.endUnfinishable(
      job.id,
      'failed',
      { status: 500, reason: OPERATION_FAILED, detail },
      'The queue entry of this job could not be rebuilt; ended as failed',
      (manager) =>
        this.events.record(
          {
            code: EventCode.ActionJobLost,
            severity: 'error',
            description: `${job.description}: failed: ${detail}`,
            jobId: job.id,
            correlationId: job.correlationId,
            userId: job.ownerId,
            targetType: job.targetType,
            targetId: job.targetId,
          },
          manager,
        ),
    );
    this.logger.warn({ job: job.id }, 'outbox entry cannot be rebuilt; job ended failed');
  }
}
