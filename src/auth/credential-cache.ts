import * as crypto from 'node:crypto';

const MAX_ENTRIES = 1_000;

/**
 * Remembers, for a short time, that a Basic user name and password matched a stored password hash, so
 * that a client sending Basic credentials with every request does not pay for an argon2 verification
 * (tens of milliseconds and 64 MiB) each time.
 *
 * Only HMACs (with a key made at random per process) of the name and password and of the stored hash are
 * kept, never the password. An entry counts only while the stored hash still matches, so a password reset
 * (new hash) or a removed user (no hash) makes old entries useless at once; the user's role is read for
 * every request. `knows` answers before the user is read, so a remembered client skips the login throttle's
 * reservation (it does not skip its refusal).
 */
export class CredentialCache {
  private readonly key = crypto.randomBytes(32);
  /** HMAC(name, password) → HMAC(stored hash) and expiry. */
  private readonly entries = new Map<string, { hashTag: string; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this name and password matched some stored hash lately (before the user is read: confirm with `has`). */
  knows(name: string, password: string): boolean {
    return this.entry(name, password) !== undefined;
  }

  has(storedHash: string, name: string, password: string): boolean {
    return this.entry(name, password)?.hashTag === this.mac(storedHash);
  }

  remember(storedHash: string, name: string, password: string): void {
    if (this.ttlMs <= 0) return;
    const k = this.keyOf(name, password);
    this.entries.delete(k);
    while (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(k, { hashTag: this.mac(storedHash), expires: this.now() + this.ttlMs });
  }

  private entry(name: string, password: string): { hashTag: string } | undefined {
    if (this.ttlMs <= 0) return undefined;
    const k = this.keyOf(name, password);
    const e = this.entries.get(k);
    if (e === undefined) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return e;
  }

  private keyOf(name: string, password: string): string {
    const lower = name.toLowerCase();
    return this.mac(`${lower.length}:${lower}\0${password}`);
  }

  private mac(text: string): string {
    return crypto.createHmac('sha256', this.key).update(text).digest('base64');
  }
}
