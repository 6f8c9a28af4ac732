import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Job, JobState, JobsOptions, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AnyJobDefinition, JobDefinition, NoJobData } from './job-definition';
import { QueueName } from './queue-names';
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

  add(job: AnyJobDefinition, data: object, opts: JobsOptions = {}) {
    return this.queue(job.queue).add(job.name, data, opts);
  }

  /** Where a job is on its queue; `unknown` when the queue no longer has it. */
  jobState(queue: QueueName, jobId: string): Promise<JobState | 'unknown'> {
    return this.queue(queue).getJobState(jobId);
  }

  /** A repeating job; BullMQ's job scheduler keeps exactly one per id however many workers start. */
  every(job: JobDefinition<Job<NoJobData>>, schedulerId: string, everyMs: number) {
    const data: NoJobData = {};
    return this.queue(job.queue).upsertJobScheduler(schedulerId, { every: everyMs }, { name: job.name, data });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}
