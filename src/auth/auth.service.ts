import { Inject, Injectable, Logger } from '@nestjs/common';
import * as crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Authenticator, Principal } from '../ovirt/access.guard';
import { OvirtFault } from '../ovirt/faults';
import { hashPassword, verifyPassword } from '../users/password-hasher';
import { UserEntity } from '../users/user.entity';
import { USER_NAME } from '../users/user.representation';
import { UsersRepository } from '../users/users.repository';
import { ConcurrencyLimit, ConcurrencyLimitFull } from './concurrency-limit';
import { CredentialCache } from './credential-cache';
import { FormError, readForm } from './form';
import { LoginAttempt, LoginBusy, LoginRefused, LoginThrottle } from './login-throttle';
import { looksLikeToken, newToken, tokenHash } from './tokens';

/** A login was refused because of too many failures; try again after this many seconds. */
export class LoginThrottled extends Error {
  override readonly name = 'LoginThrottled';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed logins; try again in ${retryAfterSeconds} s`);
  }
}

/** The user name or the password is wrong (which one is not said). */
export class LoginFailed extends Error {
  override readonly name = 'LoginFailed';
  constructor() {
    super('the user name or password is incorrect');
  }
}

/** Every password-check slot is taken and the queue for them is full; try again in a second. */
export class LoginBusyServer extends Error {
  override readonly name = 'LoginBusyServer';
  readonly retryAfterSeconds = 1;
  constructor() {
    super('too many logins are being checked at the moment; try again in a second');
  }
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** Longer values are not looked up at all (and cannot be a valid login or password of ours). */
const MAX_NAME = 129;
const MAX_PASSWORD = 1024;
/** Password checks that may wait for a slot, per slot; beyond that a login gets 503 at once. */
const QUEUED_PER_SLOT = 8;

/** The client address as the socket sees it (no proxy headers are trusted). */
export function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** A user name fit to appear in a log line; anything else is shown as a placeholder. */
function loggable(name: string): string {
  return USER_NAME.test(name) ? `"${name}"` : 'an invalid user name';
}

/**
 * Password logins (Basic on every request, or the SSO token endpoint) and bearer tokens.
 *
 * - Passwords are checked with argon2id; a successful Basic check is remembered for a short while
 *   (CredentialCache) so Basic on every request stays cheap. Unknown users cost the same as known ones.
 * - Failed logins are counted per user name and client address, and per client address (LoginThrottle);
 *   an attempt counts from before its password is checked. Beyond the limit logins are refused with 429
 *   and Retry-After. A remembered Basic credential needs no reservation, but is refused too once its
 *   name and address are over the limit (else guesses could go on against the cache).
 * - At most GEOREP_LOGIN_MAX_CONCURRENT argon2 checks run at once (each takes 64 MiB and a libuv thread,
 *   which PostgreSQL's connection set-up also needs); a few more wait, beyond that 503 and Retry-After.
 * - Tokens are random, stored as SHA-256 only, expire after GEOREP_TOKEN_TTL_MINUTES and can be revoked.
 */
@Injectable()
export class AuthService implements Authenticator {
  private readonly logger = new Logger('Auth');
  private readonly throttle: LoginThrottle;
  private readonly cache: CredentialCache;
  private readonly verifications: ConcurrencyLimit;
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.throttle = new LoginThrottle({
      maxPerUser: config.loginMaxFailuresPerUser,
      maxPerAddress: config.loginMaxFailuresPerAddress,
      windowMs: config.loginWindowMs,
    });
    this.cache = new CredentialCache(config.credentialCacheMs);
    this.verifications = new ConcurrencyLimit(config.loginMaxConcurrent, config.loginMaxConcurrent * QUEUED_PER_SLOT);
  }

  /** AccessGuard's check: Basic or Bearer, else a 401 fault (429 with Retry-After when throttled). */
  async authenticate(req: Request, res: Response, options: { bodyToken?: boolean } = {}): Promise<Principal> {
    const header = req.header('authorization');
    if (header === undefined || header.trim() === '') {
      const token = options.bodyToken ? bodyToken(req) : undefined;
      if (token !== undefined) {
        const user = await this.tokenUser(token);
        if (!user) throw unauthorized('the token is not valid, has expired or was revoked');
        return principal(user, 'bearer');
      }
      throw unauthorized('authentication is required: use Basic (user@domain:password) or a Bearer token');
    }
    const [scheme, ...rest] = header.trim().split(/\s+/);
    const value = rest.join(' ');
    switch (scheme.toLowerCase()) {
      case 'basic': {
        const credentials = decodeBasic(value);
        if (credentials === undefined)
          throw unauthorized('the Basic credentials are malformed: expected base64 of user@domain:password');
        try {
          const user = await this.passwordLogin(credentials.name, credentials.password, clientAddress(req), 'basic');
          return principal(user, 'basic');
        } catch (e) {
          throw this.asFault(e, res);
        }
      }
      case 'bearer': {
        const user = await this.tokenUser(value);
        if (!user) throw unauthorized('the bearer token is not valid, has expired or was revoked');
        return principal(user, 'bearer');
      }
      default:
        throw unauthorized('unsupported authorization scheme: use Basic or Bearer');
    }
  }

  /**
   * Checks a user name and password, counting failures. Throws LoginThrottled (before any check),
   * LoginBusyServer or LoginFailed.
   */
  async passwordLogin(name: string, password: string, address: string, via: 'basic' | 'sso'): Promise<UserEntity> {
    // PostgreSQL text cannot hold a NUL, so no user has one in the name: such a name is not looked up.
    const checkable = name.length <= MAX_NAME && !name.includes('\u0000') && password.length <= MAX_PASSWORD;
    if (checkable && this.cache.knows(name, password)) {
      this.refuseIfThrottled(name, address, via);
      const user = await this.users.findByNameWithHash(name);
      if (user && this.cache.has(user.passwordHash, name, password)) {
        this.throttle.recordSuccess(name, address);
        return withoutHash(user);
      }
    }
    const attempt = await this.admit(name, address, via);
    try {
      const user = checkable ? await this.users.findByNameWithHash(name) : null;
      const ok =
        user !== null &&
        (this.cache.has(user.passwordHash, name, password) || (await this.verify(user.passwordHash, password)));
      // Same cost as a real check, so response times do not tell which user names exist.
      if (user === null)
        await this.verifications.run(async () => verifyPassword(await this.dummy(), password.slice(0, MAX_PASSWORD)));
      if (!user || !ok) {
        attempt.failed();
        this.logger.warn(`login failed (${via}) for ${loggable(name)} from ${address}`);
        throw new LoginFailed();
      }
      attempt.succeeded();
      if (via === 'basic') this.cache.remember(user.passwordHash, name, password);
      return withoutHash(user);
    } catch (e) {
      if (e instanceof ConcurrencyLimitFull) {
        this.logger.warn(
          `login refused (${via}) for ${loggable(name)} from ${address}: every password check slot is taken`,
        );
        throw new LoginBusyServer();
      }
      throw e;
    } finally {
      attempt.abandoned();
    }
  }

  /** A reserved attempt; waits while only attempts being checked fill the limit. */
  private async admit(name: string, address: string, via: 'basic' | 'sso'): Promise<LoginAttempt> {
    for (;;) {
      const admission = this.throttle.admit(name, address);
      if (admission instanceof LoginAttempt) return admission;
      if (admission instanceof LoginRefused) throw this.throttled(name, address, via, admission.retryAfterSeconds);
      await (admission as LoginBusy).settled;
    }
  }

  private refuseIfThrottled(name: string, address: string, via: 'basic' | 'sso'): void {
    const wait = this.throttle.retryAfterSeconds(name, address);
    if (wait > 0) throw this.throttled(name, address, via, wait);
  }

  private throttled(name: string, address: string, via: 'basic' | 'sso', retryAfterSeconds: number): LoginThrottled {
    this.logger.warn(`login refused (${via}) for ${loggable(name)} from ${address}: too many failed logins`);
    return new LoginThrottled(retryAfterSeconds);
  }

  private verify(hash: string, password: string): Promise<boolean> {
    return this.verifications.run(() => verifyPassword(hash, password));
  }

  async issueToken(user: UserEntity): Promise<IssuedToken> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.config.tokenTtlMs);
    await this.users.insertToken(undefined, user.id, tokenHash(token), expiresAt);
    this.logger.log(`token issued for ${loggable(user.name)}, valid until ${expiresAt.toISOString()}`);
    return { token, expiresAt };
  }

  /** The user of a valid token, else null. */
  async tokenUser(token: string): Promise<UserEntity | null> {
    return looksLikeToken(token) ? this.users.findByValidToken(tokenHash(token)) : null;
  }

  /** True when a valid token of this user (or of anyone, for an admin) was revoked. */
  async revokeToken(token: string, by: Principal): Promise<boolean> {
    if (!looksLikeToken(token)) return false;
    const owner = await this.users.findByValidToken(tokenHash(token));
    if (!owner || (owner.id !== by.id && by.role !== 'admin')) return false;
    return this.users.revokeToken(tokenHash(token));
  }

  private asFault(e: unknown, res: Response): unknown {
    if (e instanceof LoginThrottled) {
      res.setHeader('Retry-After', String(e.retryAfterSeconds));
      return new OvirtFault(
        429,
        'Too Many Requests',
        `too many failed logins; try again in ${e.retryAfterSeconds} seconds`,
      );
    }
    if (e instanceof LoginBusyServer) {
      res.setHeader('Retry-After', String(e.retryAfterSeconds));
      return new OvirtFault(503, 'Service Unavailable', e.message);
    }
    if (e instanceof LoginFailed) return unauthorized(e.message);
    return e;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    return this.dummyHash;
  }
}

/** The form field `token` of a form body, if there is one (SSO logout). */
function bodyToken(req: Request): string | undefined {
  if (!Buffer.isBuffer(req.body) || (req.body as Buffer).length === 0) return undefined;
  try {
    return readForm(req).get('token') || undefined;
  } catch (e) {
    if (e instanceof FormError) return undefined;
    throw e;
  }
}

function unauthorized(detail: string): OvirtFault {
  return new OvirtFault(401, 'Unauthorized', detail);
}

function withoutHash(user: UserEntity): UserEntity {
  const { passwordHash: _hash, ...rest } = user;
  return Object.assign(new UserEntity(), rest);
}

function principal(user: UserEntity, via: Principal['via']): Principal {
  return { id: user.id, name: user.name, role: user.role, via };
}

/** `base64(user:password)`; the password may contain ':'. */
export function decodeBasic(value: string): { name: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { name: text.slice(0, colon), password: text.slice(colon + 1) };
}
