import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import IORedis from 'ioredis';
import { Gauge, Histogram, Registry } from 'prom-client';
import { JobEndHooks } from '../jobs/job-end-hooks';
import { QueueName } from '../queue/queue-names';
import { QueueProducer } from '../queue/queue-producer';
import { REDIS_PRODUCER } from '../queue/queue.tokens';
import { SshClient } from '../ssh/ssh-client';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
/** A scrape does not wait longer than this for Redis (the API keeps serving reads while Redis is down). */
const REDIS_WAIT_MS = 2000;
const JOB_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const SSH_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

function withinRedisWait<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Redis did not answer in time')), REDIS_WAIT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What this process sees while it runs: the BullMQ queues (counted in Redis at scrape time), its SSH
 * pool and the commands it ran, and the action jobs it ended. The SSH client and the action executor
 * tell through their hooks, so neither knows this folder.
 */
@Injectable()
export class RuntimeMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly queueJobs: Gauge;
  private readonly queueOldestWaiting: Gauge;
  private readonly queueReachable: Gauge;
  private readonly sshConnections: Gauge;
  private readonly sshCommands: Gauge;
  private readonly sshDuration: Histogram;
  private readonly jobDuration: Histogram;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    registry: Registry,
    private readonly producer: QueueProducer,
    @Inject(REDIS_PRODUCER) private readonly redis: IORedis,
    private readonly ssh: SshClient,
    private readonly jobEnds: JobEndHooks,
  ) {
    const registers = [registry];
    this.queueJobs = new Gauge({
      name: 'georep_queue_jobs',
      help: 'BullMQ jobs of a queue by state, counted in Redis at scrape time.',
      labelNames: ['queue', 'state'],
      registers,
    });
    this.queueOldestWaiting = new Gauge({
      name: 'georep_queue_oldest_waiting_age_seconds',
      help: 'Age of the oldest job waiting on the queue (0 when none waits).',
      labelNames: ['queue'],
      registers,
    });
    this.queueReachable = new Gauge({
      name: 'georep_queue_redis_up',
      help: "1 when Redis answered this scrape's queue counts.",
      registers,
    });
    this.sshConnections = new Gauge({
      name: 'georep_ssh_connections',
      help: "Open connections in this process's SSH pool.",
      registers,
    });
    this.sshCommands = new Gauge({
      name: 'georep_ssh_commands',
      help: 'SSH commands of this process running or queued behind the per-endpoint limit.',
      labelNames: ['state'],
      registers,
    });
    this.sshDuration = new Histogram({
      name: 'georep_ssh_command_duration_seconds',
      help: 'How long SSH commands of this process took, by how they ended.',
      labelNames: ['outcome'],
      buckets: SSH_BUCKETS,
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'georep_job_duration_seconds',
      help: 'How long action jobs ended by this process ran (from taking the lock to the outcome), by type and outcome.',
      labelNames: ['type', 'outcome'],
      buckets: JOB_BUCKETS,
      registers,
    });
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.ssh.observeCommands((o) => this.sshDuration.observe({ outcome: o.outcome }, o.durationSeconds)),
      this.jobEnds.register((j) => this.jobDuration.observe({ type: j.type, outcome: j.outcome }, j.durationSeconds)),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  async refresh(now: Date): Promise<void> {
    const pool = this.ssh.poolStats();
    this.sshConnections.set(pool.connections);
    this.sshCommands.set({ state: 'active' }, pool.activeCommands);
    this.sshCommands.set({ state: 'queued' }, pool.queuedCommands);
    this.queueJobs.reset();
    this.queueOldestWaiting.reset();
    try {
      // A connection that is not ready would make BullMQ wait for it: answer at once instead.
      if (this.redis.status !== 'ready') throw new Error('Redis is not connected');
      await Promise.all(Object.values(QueueName).map((name) => this.refreshQueue(name, now)));
      this.queueReachable.set(1);
    } catch {
      this.queueJobs.reset();
      this.queueOldestWaiting.reset();
      this.queueReachable.set(0);
    }
  }

  private async refreshQueue(name: QueueName, now: Date): Promise<void> {
    const queue = this.producer.queue(name);
    const [counts, oldest] = await withinRedisWait(
      Promise.all([queue.getJobCounts(...QUEUE_STATES), queue.getWaiting(0, 0)]),
    );
    for (const state of QUEUE_STATES) this.queueJobs.set({ queue: name, state }, counts[state] ?? 0);
    const since = oldest[0]?.timestamp;
    this.queueOldestWaiting.set({ queue: name }, since ? Math.max(0, (now.getTime() - since) / 1000) : 0);
  }
}
