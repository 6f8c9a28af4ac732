import * as crypto from 'node:crypto';

/** A new bearer token: 256 random bits, URL-safe. Only its hash is stored. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What the tokens table keeps: the SHA-256 of the token, hex (char(64)). */
export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Tokens we issue look like this; anything else cannot be one and needs no database look-up. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
