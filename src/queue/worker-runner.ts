import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config';
import { createRedisConnection } from './redis-connection';
import { ON_JOB } from './on-job.decorator';
import { AnyJobDefinition, definedJobs, jobDefinition } from './job-definition';
import { QueueName } from './queue-names';
import { QUEUE_PREFIX, REDIS_URL } from './queue.tokens';

/**
 * An @OnJob method found by reflection. @OnJob checked at compile time that it takes its definition's
 * input (the BullMQ job, or what its queue's wrapper makes of it) and answers its result.
 */
export type JobHandler = (input: unknown, token?: string) => Promise<unknown>;

/**
 * Wraps every handler of a queue (the actions queue wraps its handlers in the job lifecycle:
 * lock, job row, steps, events). Provided by the feature that owns that lifecycle.
 */
export type QueueHandlerWrapper = (job: Job, handler: JobHandler, token: string | undefined) => Promise<unknown>;
export const QUEUE_HANDLER_WRAPPERS = Symbol('QUEUE_HANDLER_WRAPPERS');

/** Finds every @OnJob handler, refuses to start when a job name has none (or two), and runs one BullMQ Worker per queue. */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerRunner.name);
  private readonly workers: Worker[] = [];
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(REDIS_URL) private readonly redisUrl: string,
    @Inject(QUEUE_PREFIX) private readonly prefix: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional()
    @Inject(QUEUE_HANDLER_WRAPPERS)
    private readonly wrappers: Partial<Record<QueueName, QueueHandlerWrapper>> = {},
  ) {}

  /** The handler table, checked against the defined jobs. Exposed for the start-up check's test. */
  static collectHandlers(
    instances: object[],
    scanner: MetadataScanner,
    reflector: Reflector,
    definitions: readonly AnyJobDefinition[] = definedJobs(),
  ): Map<string, JobHandler> {
    const found = new Map<string, JobHandler>();
    for (const instance of instances) {
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of scanner.getAllMethodNames(proto)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const name = reflector.get<string | undefined>(ON_JOB, fn as () => unknown);
        if (!name) continue;
        if (found.has(name)) throw new Error(`job "${name}" has two handlers`);
        found.set(name, (fn as JobHandler).bind(instance));
      }
    }
    const missing = definitions.map((d) => d.name).filter((n) => !found.has(n));
    if (missing.length) throw new Error(`no handler for job name(s): ${missing.join(', ')}`);
    return found;
  }

  onApplicationBootstrap(): void {
    const instances = this.discovery
      .getProviders()
      .map((w) => w.instance as object | undefined)
      .filter((i): i is object => !!i && typeof i === 'object');
    for (const [name, handler] of WorkerRunner.collectHandlers(instances, this.scanner, this.reflector))
      this.handlers.set(name, handler);

    const queues = new Set<QueueName>(definedJobs().map((d) => d.queue));
    for (const queue of queues) {
      const worker = new Worker(queue, (job, token) => this.dispatch(job, token), {
        connection: createRedisConnection(this.redisUrl, 'worker'),
        prefix: this.prefix,
        concurrency: 4,
        // A job whose worker died is picked up again after the lock lapses.
        lockDuration: this.config.jobLockMs,
        stalledInterval: Math.max(1000, Math.floor(this.config.jobLockMs / 2)),
        maxStalledCount: 3,
      });
      worker.on('failed', (job, err) =>
        this.logger.warn({ job: job?.id, name: job?.name, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => this.logger.warn({ err: err.message }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.log(`worker running ${this.handlers.size} job type(s) on ${queues.size} queue(s)`);
  }

  private dispatch(job: Job, token: string | undefined): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const queue = jobDefinition(job.name)?.queue;
    const wrapper = queue && this.wrappers?.[queue];
    return wrapper ? wrapper(job, handler, token) : handler(job, token);
  }

  /** Stop taking work, let in-flight jobs finish within the grace period, then hand them back. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<'timeout'>(
          (resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs)),
        );
        const outcome = await Promise.race([worker.close().then(() => 'closed' as const), grace]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          this.logger.warn('grace period over: handing in-flight jobs back to the queue');
          await worker.close(true);
        }
        await worker.disconnect().catch(() => undefined);
      }),
    );
  }
}
