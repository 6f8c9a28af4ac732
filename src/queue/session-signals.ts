import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { QUEUE_PREFIX, REDIS_PRODUCER } from './queue.tokens';

/**
 * "Something just happened to this session" across processes, over Redis pub/sub: the API process that
 * receives gluster's event signals it; a DR run waiting for its checkpoint in a worker wakes up and reads
 * the status at once instead of at its next poll. Only a nudge: a lost signal costs one poll interval,
 * never correctness, so a Redis outage falls back to plain polling.
 */
const SUBSCRIBE_WAIT_MS = 2000;

@Injectable()
export class SessionSignals implements OnApplicationShutdown {
  private readonly logger = new Logger(SessionSignals.name);
  private subscriber: IORedis | null = null;
  private subscribing: Promise<boolean> | null = null;
  private subscribed = false;
  /** When each session was last signalled (this process's clock), for waits that start after the signal. */
  private readonly lastSignal = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    @Inject(REDIS_PRODUCER) private readonly redis: IORedis,
    @Inject(QUEUE_PREFIX) private readonly prefix: string,
  ) {}

  private get channel(): string {
    return `${this.prefix}:session-signals`;
  }

  /** Tells every process; false when Redis could not take it (the waiters then poll as before). */
  async signal(sessionId: string): Promise<boolean> {
    try {
      await this.redis.publish(this.channel, sessionId);
      return true;
    } catch (e) {
      this.logger.warn({ session: sessionId, err: (e as Error).message }, 'session signal not published');
      return false;
    }
  }

  /** Subscribes this process (once); a wait should call it before it reads the state it waits on. */
  listen(): Promise<boolean> {
    if (this.subscribed) return Promise.resolve(true);
    this.subscribing ??= this.subscribe();
    // While Redis is away a subscribe waits for it: the caller goes on polling meanwhile.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS)));
    return Promise.race([this.subscribing, gaveUp]).finally(() => clearTimeout(timer));
  }

  /**
   * Waits `ms`, or less when the session is signalled after `since` (epoch ms: when the caller last read
   * the session's state, so a signal that came while it was reading is not missed). True when signalled.
   */
  async sleep(sessionId: string, ms: number, since: number): Promise<boolean> {
    if (!(await this.listen())) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return false;
    }
    if ((this.lastSignal.get(sessionId) ?? 0) >= since) return true;
    return new Promise<boolean>((resolve) => {
      const set = this.waiters.get(sessionId) ?? new Set<() => void>();
      this.waiters.set(sessionId, set);
      const done = (woken: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(sessionId);
        resolve(woken);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      set.add(wake);
    });
  }

  private async subscribe(): Promise<boolean> {
    // The producer's connection fails fast without an offline queue; a subscriber waits for Redis instead.
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, sessionId: string) => {
      if (channel !== this.channel) return;
      this.lastSignal.set(sessionId, Date.now());
      if (this.lastSignal.size > 10_000) this.lastSignal.clear();
      for (const wake of [...(this.waiters.get(sessionId) ?? [])]) wake();
    });
    try {
      this.subscriber = subscriber;
      await subscriber.subscribe(this.channel);
      this.subscribed = true;
      return true;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'session signals unavailable; DR runs poll only');
      subscriber.disconnect();
      this.subscriber = null;
      this.subscribing = null;
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const s = this.subscriber;
    this.subscriber = null;
    this.subscribed = false;
    if (s) await s.quit().catch(() => s.disconnect());
  }
}
