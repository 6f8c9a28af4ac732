/** Keeps this many keys per kind at most; the oldest go first (a flood of made-up names cannot grow memory). */
const MAX_KEYS = 10_000;

interface Window {
  count: number;
  startedAt: number;
}

export interface ThrottleLimits {
  readonly maxPerUser: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
}

/**
 * Failed logins per user name and per client address, in fixed windows that start at the first failure.
 * Once a name or an address has `max` failures in its window, every login with it is refused (429,
 * whatever the password) until the window ends. A success clears the name's count, not the address's.
 *
 * Kept in process memory: each API replica counts on its own, so N replicas allow up to N times the
 * limit. That still makes guessing slow, which is the point; a shared store can replace this class.
 */
export class LoginThrottle {
  private readonly users = new Map<string, Window>();
  private readonly addresses = new Map<string, Window>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until a login for this name from this address may be tried again; 0 when it may now. */
  retryAfterSeconds(name: string, address: string): number {
    const wait = Math.max(this.wait(this.users, userKey(name), this.limits.maxPerUser), this.wait(this.addresses, address, this.limits.maxPerAddress));
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  recordFailure(name: string, address: string): void {
    this.bump(this.users, userKey(name));
    this.bump(this.addresses, address);
  }

  recordSuccess(name: string): void {
    this.users.delete(userKey(name));
  }

  private wait(map: Map<string, Window>, key: string, max: number): number {
    const w = this.current(map, key);
    return w !== undefined && w.count >= max ? w.startedAt + this.limits.windowMs - this.now() : 0;
  }

  private current(map: Map<string, Window>, key: string): Window | undefined {
    const w = map.get(key);
    if (w !== undefined && this.now() - w.startedAt >= this.limits.windowMs) {
      map.delete(key);
      return undefined;
    }
    return w;
  }

  private bump(map: Map<string, Window>, key: string): void {
    const w = this.current(map, key);
    if (w !== undefined) {
      w.count += 1;
      return;
    }
    if (map.size >= MAX_KEYS) this.evict(map);
    map.set(key, { count: 1, startedAt: this.now() });
  }

  private evict(map: Map<string, Window>): void {
    for (const [key, w] of map) {
      if (this.now() - w.startedAt >= this.limits.windowMs) map.delete(key);
    }
    while (map.size >= MAX_KEYS) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
    }
  }
}

function userKey(name: string): string {
  return name.toLowerCase().slice(0, 200);
}
