/** Keeps this many keys per kind at most; the oldest go first (a flood of made-up names cannot grow memory). */
const MAX_KEYS = 10_000;

interface Counter {
  failures: number;
  /** When the first failure of the current window happened; undefined while there is none. */
  startedAt?: number;
  /** Attempts admitted and not yet settled: they count against the limit until they do. */
  pending: number;
  /** Resolved when one of the pending attempts settles. */
  waiters: (() => void)[];
}

export interface ThrottleLimits {
  /** Failures per user name from one client address. */
  readonly maxPerUser: number;
  /** Failures per client address, whatever the names. */
  readonly maxPerAddress: number;
  readonly windowMs: number;
}

/** Refused: too many failures; the window ends in this many seconds. */
export class LoginRefused {
  constructor(readonly retryAfterSeconds: number) {}
}

/** The limit is reached only by attempts still being checked: ask again once `settled` resolves. */
export class LoginBusy {
  constructor(readonly settled: Promise<void>) {}
}

/**
 * An admitted login attempt: counted as a failure from the moment it is admitted until it is settled.
 * Settle it exactly once; later calls do nothing.
 */
export class LoginAttempt {
  private open = true;

  constructor(
    private readonly throttle: LoginThrottle,
    private readonly counters: readonly Counter[],
    private readonly userCounter: Counter,
  ) {}

  /** The password was right: the name's failures from this address are forgotten (the address's stay). */
  succeeded(): void {
    if (!this.close()) return;
    this.userCounter.failures = 0;
    this.userCounter.startedAt = undefined;
  }

  /** The password was wrong: the reservation becomes a failure. */
  failed(): void {
    if (!this.close()) return;
    for (const c of this.counters) this.throttle.addFailure(c);
  }

  /** Nothing was checked (an error on our side): the reservation is released, nothing is counted. */
  abandoned(): void {
    this.close();
  }

  private close(): boolean {
    if (!this.open) return false;
    this.open = false;
    for (const c of this.counters) {
      c.pending -= 1;
      const waiters = c.waiters.splice(0);
      for (const wake of waiters) wake();
    }
    return true;
  }
}

/**
 * Failed logins per user name and client address, and per client address, in fixed windows that start at
 * the first failure. Once a key has `max` failures in its window, every login with it is refused (429,
 * whatever the password) until the window ends.
 *
 * A user name is counted per address, so that guesses from one address cannot lock the user out of
 * another; the per-address limit bounds what one address may try across names.
 *
 * `admit` checks and reserves in one synchronous step: an attempt counts as a failure while its password
 * is being checked, so parallel guesses cannot all pass the check before the first one is counted. When
 * only such pending attempts fill the limit the caller waits for one to settle (a right password frees
 * its slot at once) instead of being refused.
 *
 * Kept in process memory: each API replica counts on its own, so N replicas allow up to N times the
 * limit. That still makes guessing slow, which is the point; a shared store can replace this class.
 */
export class LoginThrottle {
  private readonly users = new Map<string, Counter>();
  private readonly addresses = new Map<string, Counter>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the failures alone stop refusing this name from this address; 0 when they do not. */
  retryAfterSeconds(name: string, address: string): number {
    const wait = Math.max(
      this.failureWait(this.current(this.users, userKey(name, address)), this.limits.maxPerUser),
      this.failureWait(this.current(this.addresses, address), this.limits.maxPerAddress),
    );
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** Reserves an attempt, or says why not. Synchronous: nothing can come between the check and the reservation. */
  admit(name: string, address: string): LoginAttempt | LoginRefused | LoginBusy {
    const wait = this.retryAfterSeconds(name, address);
    if (wait > 0) return new LoginRefused(wait);
    const user = this.counter(this.users, userKey(name, address));
    const byAddress = this.counter(this.addresses, address);
    for (const [c, max] of [
      [user, this.limits.maxPerUser],
      [byAddress, this.limits.maxPerAddress],
    ] as const) {
      if (c.failures + c.pending >= max) return new LoginBusy(new Promise<void>((resolve) => c.waiters.push(resolve)));
    }
    user.pending += 1;
    byAddress.pending += 1;
    return new LoginAttempt(this, [user, byAddress], user);
  }

  /** A success that needed no attempt (a remembered credential): forgets the name's failures from this address. */
  recordSuccess(name: string, address: string): void {
    const c = this.users.get(userKey(name, address));
    if (c === undefined) return;
    c.failures = 0;
    c.startedAt = undefined;
    if (c.pending === 0) this.users.delete(userKey(name, address));
  }

  /** @internal LoginAttempt's conversion of a reservation into a failure. */
  addFailure(c: Counter): void {
    this.expire(c);
    if (c.failures === 0) c.startedAt = this.now();
    c.failures += 1;
  }

  private failureWait(c: Counter | undefined, max: number): number {
    return c !== undefined && c.startedAt !== undefined && c.failures >= max
      ? c.startedAt + this.limits.windowMs - this.now()
      : 0;
  }

  private expire(c: Counter): void {
    if (c.startedAt !== undefined && this.now() - c.startedAt >= this.limits.windowMs) {
      c.failures = 0;
      c.startedAt = undefined;
    }
  }

  private current(map: Map<string, Counter>, key: string): Counter | undefined {
    const c = map.get(key);
    if (c === undefined) return undefined;
    this.expire(c);
    if (c.failures === 0 && c.pending === 0) {
      map.delete(key);
      return undefined;
    }
    return c;
  }

  private counter(map: Map<string, Counter>, key: string): Counter {
    const existing = this.current(map, key);
    if (existing !== undefined) return existing;
    if (map.size >= MAX_KEYS) this.evict(map);
    const c: Counter = { failures: 0, pending: 0, waiters: [] };
    map.set(key, c);
    return c;
  }

  /** Drops finished windows, then the oldest keys with nothing pending, then the oldest keys. */
  private evict(map: Map<string, Counter>): void {
    for (const [key, c] of map) {
      this.expire(c);
      if (c.failures === 0 && c.pending === 0) map.delete(key);
    }
    for (const [key, c] of map) {
      if (map.size < MAX_KEYS) return;
      if (c.pending === 0) map.delete(key);
    }
    while (map.size >= MAX_KEYS) map.delete(map.keys().next().value as string);
  }
}

function userKey(name: string, address: string): string {
  return `${name.toLowerCase().slice(0, 200)}\0${address}`;
}
