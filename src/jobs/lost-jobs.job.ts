import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OnJob } from '../queue/on-job.decorator';
import { jobDefinition } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';
import { QueueProducer } from '../queue/queue-producer';
import { JobEntity, JobError } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { SweepLostJobs } from './maintenance-jobs';
import { OPERATION_FAILED } from './action-failure';

/** Queue states from which BullMQ will never run the job again. */
const OVER = new Set<string>(['completed', 'failed', 'unknown']);

/** How a lost job's queue entry is named in the sentences that report it. */
const STATE_WORDS: Readonly<Record<string, string>> = { completed: 'completed', failed: 'failed', unknown: 'gone' };

/**
 * Jobs the worker lost track of: the job row says queued or running, but its BullMQ job is gone,
 * completed or failed, so nothing will ever end the row (e.g. PostgreSQL failed during the job's
 * final write). Left alone, such a row blocks every exclusive action on its target for good.
 */
@Injectable()
export class LostJobs {
  private readonly logger = new Logger(LostJobs.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly producer: QueueProducer,
    private readonly events: EventsService,
  ) {}

  /**
   * The state of a service job's queue entry when BullMQ will never run it again (`completed`,
   * `failed`, `unknown` for gone); undefined while it waits, is delayed, or is active on a worker.
   */
  async lostState(job: JobEntity): Promise<string | undefined> {
    const queue = jobDefinition(job.action)?.queue ?? QueueName.Actions;
    const state = await this.producer.jobState(queue, job.id);
    return OVER.has(state) ? state : undefined;
  }

  /** Periodic, and once at worker start-up: ends as failed every job whose queue entry is over. */
  @OnJob(SweepLostJobs)
  async sweep(): Promise<{ ended: number }> {
    let ended = 0;
    for (const job of await this.jobs.unfinishedSentJobs()) {
      try {
        if (await this.endLost(job)) ended += 1;
      } catch (e) {
        this.logger.warn(
          { job: job.id, err: (e as Error).message },
          'could not end a job the worker lost track of; the next sweep tries again',
        );
      }
    }
    if (ended) this.logger.warn(`ended ${ended} job(s) the worker had lost track of`);
    return { ended };
  }

  private async endLost(job: JobEntity): Promise<boolean> {
    const state = await this.lostState(job);
    if (state === undefined) return false;
    const words = STATE_WORDS[state];
    const error: JobError = {
      status: 500,
      reason: OPERATION_FAILED,
      detail: `The worker lost track of this job: its queue entry is ${words} but its outcome was never recorded (e.g. the database failed during its final write). It was ended as failed; check the real state of the ${targetWords(job)} before trying again.`,
    };
    return this.jobs.endUnfinishable(
      job.id,
      'failed',
      error,
      `The worker lost track of this job (queue entry ${words}); ended as failed`,
      (manager) =>
        this.events.record(
          {
            code: EventCode.ActionJobLost,
            severity: 'error',
            description: `${job.description}: failed: the worker lost track of this job (its queue entry is ${words}); it was ended as failed.`,
            jobId: job.id,
            correlationId: job.correlationId,
            userId: job.ownerId,
            targetType: job.targetType,
            targetId: job.targetId,
          },
          manager,
        ),
    );
  }

  /** A user's `end force` on a job whose queue entry is over (`state` from lostState): ends it aborted. */
  endByUser(job: JobEntity, state: string, alsoDo: (manager: EntityManager) => Promise<unknown>): Promise<boolean> {
    const words = STATE_WORDS[state] ?? state;
    const error: JobError = {
      status: 409,
      reason: 'Operation Aborted',
      detail: `Ended by the user after the worker lost track of this job (its queue entry is ${words}).`,
    };
    return this.jobs.endUnfinishable(
      job.id,
      'aborted',
      error,
      `The worker lost track of this job (queue entry ${words}); ended by the user`,
      alsoDo,
    );
  }
}

function targetWords(job: JobEntity): string {
  return (job.targetType ?? 'target').replace(/_/g, ' ');
}
