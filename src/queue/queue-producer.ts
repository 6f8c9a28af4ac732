import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobState, JobsOptions, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { JobName, QUEUE_OF_JOB, QueueName } from './queue-names';
import { QUEUE_PREFIX, REDIS_PRODUCER } from './queue.tokens';

/** The one place that puts jobs on BullMQ queues. */
@Injectable()
export class QueueProducer implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(REDIS_PRODUCER) private readonly connection: IORedis,
    @Inject(QUEUE_PREFIX) private readonly prefix: string,
  ) {}

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  add(name: JobName, data: object, opts: JobsOptions = {}) {
    return this.queue(QUEUE_OF_JOB[name]).add(name, data, opts);
  }

  /** Where a job is on its queue; `unknown` when the queue no longer has it. */
  jobState(queue: QueueName, jobId: string): Promise<JobState | 'unknown'> {
    return this.queue(queue).getJobState(jobId);
  }

  /** A repeating job; BullMQ's job scheduler keeps exactly one per id however many workers start. */
  every(name: JobName, schedulerId: string, everyMs: number, data: object = {}) {
    return this.queue(QUEUE_OF_JOB[name]).upsertJobScheduler(schedulerId, { every: everyMs }, { name, data });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}
