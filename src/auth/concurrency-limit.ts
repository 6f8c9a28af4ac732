/** Thrown by ConcurrencyLimit.run when every slot is taken and the queue is full. */
export class ConcurrencyLimitFull extends Error {
  override readonly name = 'ConcurrencyLimitFull';
  constructor() {
    super('too many password checks are running; try again shortly');
  }
}

/**
 * Runs at most `maxRunning` tasks at a time; up to `maxQueued` more wait their turn (first come, first
 * served) and any beyond that are refused at once with ConcurrencyLimitFull.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly maxRunning: number,
    private readonly maxQueued: number,
  ) {
    if (!Number.isInteger(maxRunning) || maxRunning < 1)
      throw new RangeError('maxRunning must be a whole number of at least 1');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) {
      if (this.queue.length >= this.maxQueued) throw new ConcurrencyLimitFull();
      // The slot is handed over by the task that finishes (running is not decremented in between).
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }
}
