import { Injectable } from '@nestjs/common';
import { OvirtFault } from '../ovirt/faults';

/** Different remote reads that may run at once in one process; a viewer cannot make more. */
export const MAX_CONCURRENT_REMOTE_READS = 4;

/**
 * Bounds the SSH work that GET requests cause (preflight and georeplication-targets read every host
 * of a cluster): a request for a resource whose read is already running shares that read's answer,
 * and at most MAX_CONCURRENT_REMOTE_READS different reads run at once; beyond, 429. Nothing is kept
 * after a read ends, so no answer is older than its request.
 */
@Injectable()
export class RemoteReadLimiter {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly maxConcurrent = MAX_CONCURRENT_REMOTE_READS) {}

  run<T>(key: string, read: () => Promise<T>): Promise<T> {
    const shared = this.running.get(key);
    if (shared) return shared as Promise<T>;
    if (this.running.size >= this.maxConcurrent) {
      throw new OvirtFault(
        429,
        'Too Many Requests',
        `${this.running.size} checks over SSH are running already; try again when they have answered.`,
      );
    }
    const started = read().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
