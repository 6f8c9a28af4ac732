import * as crypto from 'node:crypto';

const MAX_ENTRIES = 1_000;

/**
 * Remembers, for a short time, that a Basic user name and password matched a stored password hash, so
 * that a client sending Basic credentials with every request does not pay for an argon2 verification
 * (tens of milliseconds and 64 MiB) each time.
 *
 * Only an HMAC (with a key made at random per process) of the stored hash, the name and the password is
 * kept, never the password. The stored hash is part of the key, so a password reset (new hash) or a
 * removed user (no hash) makes old entries useless at once; the user's role is read for every request.
 */
export class CredentialCache {
  private readonly key = crypto.randomBytes(32);
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(storedHash: string, name: string, password: string): boolean {
    if (this.ttlMs <= 0) return false;
    const k = this.keyOf(storedHash, name, password);
    const expires = this.entries.get(k);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.entries.delete(k);
      return false;
    }
    return true;
  }

  remember(storedHash: string, name: string, password: string): void {
    if (this.ttlMs <= 0) return;
    const k = this.keyOf(storedHash, name, password);
    this.entries.delete(k);
    while (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(k, this.now() + this.ttlMs);
  }

  private keyOf(storedHash: string, name: string, password: string): string {
    return crypto.createHmac('sha256', this.key).update(storedHash).update('\0').update(name.toLowerCase()).update('\0').update(password).digest('base64');
  }
}
