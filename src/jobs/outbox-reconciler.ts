import { Injectable, Logger } from '@nestjs/common';
import { OnJob } from '../queue/on-job.decorator';
import { JobName } from '../queue/queue-names';
import { ActionJobData, ActionRunner } from './action-runner';
import { JobsRepository } from './jobs.repository';

/** Grace before an unsent outbox entry counts as lost (the API enqueues right after commit). */
const LOST_AFTER_MS = 5000;

/** Enqueues outbox entries that never reached Redis: Redis was down, or the API died after commit. */
@Injectable()
export class OutboxReconciler {
  private readonly logger = new Logger(OutboxReconciler.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly runner: ActionRunner,
  ) {}

  @OnJob(JobName.ReconcileOutbox)
  async reconcile(): Promise<{ enqueued: number }> {
    const pending = await this.jobs.pendingOutbox(new Date(Date.now() - LOST_AFTER_MS));
    let enqueued = 0;
    for (const row of pending) {
      try {
        await this.runner.enqueue({ name: row.name as JobName }, row.payload as unknown as ActionJobData);
        await this.jobs.markEnqueued(row.job_id);
        enqueued += 1;
      } catch (e) {
        this.logger.warn({ job: row.job_id, err: (e as Error).message }, 'outbox entry still cannot be enqueued');
      }
    }
    if (enqueued) this.logger.log(`re-enqueued ${enqueued} lost action job(s)`);
    return { enqueued };
  }
}
