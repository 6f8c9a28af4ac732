import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { OvirtFault } from './faults';
import { PUBLIC_ROUTE } from './routes';

/** Who made a request: set on the request (`req.principal`) by AccessGuard for every non-public route. */
export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly role: 'admin' | 'viewer';
  readonly via: 'basic' | 'bearer';
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/**
 * Checks the credentials of a request (the Authorization header) and says who sent it, or throws an
 * OvirtFault (401, or 429 with Retry-After already set on `res`). Provided by the auth module, so that
 * this layer knows no users.
 */
export interface Authenticator {
  /** `bodyToken`: without an Authorization header, a token in the form field `token` is the credential. */
  authenticate(req: Request, res: Response, options?: { bodyToken?: boolean }): Promise<Principal>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

export const ADMIN_ONLY = 'ovirt:admin-only';

/** Only admins, even for reading (the `/users` collection). */
export function AdminOnly(): ClassDecorator & MethodDecorator {
  return SetMetadata(ADMIN_ONLY, true);
}

export const OWN_SESSION = 'ovirt:own-session';

/**
 * A route on the caller's own session (SSO logout): any role may use it, and the bearer token may also
 * come as the form field `token` (what the oVirt SDKs send). Still authenticated: not public.
 */
export function OwnSession(): ClassDecorator & MethodDecorator {
  return SetMetadata(OWN_SESSION, true);
}

/** What a viewer may do: read. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The principal of an authenticated request; undefined on public routes. */
export function principalOf(req: Request): Principal | undefined {
  return (req as AuthenticatedRequest).principal;
}

/**
 * The one place where requests are authenticated and authorised (registered globally by OvirtModule).
 * Routes marked `@Public()` pass as they are. Everything else needs Basic (`user@domain:password`) or
 * Bearer credentials (401 with `WWW-Authenticate: Basic realm="RESTAPI"`, written by the fault writer);
 * `admin` may do everything, `viewer` only GET/HEAD and nothing on `@AdminOnly()` routes (403).
 * Authentication comes before anything else the route does, so an unknown id is a 401/403, not a 404.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const ownSession = this.reflector.getAllAndOverride<boolean | undefined>(OWN_SESSION, targets) === true;
    const principal = await this.authenticator.authenticate(req, http.getResponse<Response>(), {
      bodyToken: ownSession,
    });
    req.principal = principal;
    if (principal.role === 'admin' || ownSession) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_ONLY, targets)) {
      throw new OvirtFault(403, 'Forbidden', 'only admins may do this');
    }
    if (!READ_METHODS.has(req.method)) {
      throw new OvirtFault(403, 'Forbidden', `the user's role (viewer) may only read`);
    }
    return true;
  }
}
