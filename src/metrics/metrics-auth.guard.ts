import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import * as crypto from 'node:crypto';
import { bearerToken } from '../auth/bearer-token';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AUTHENTICATOR, Authenticator } from '../ovirt/access.guard';

/** Equal-length digests compared in constant time, so neither the token's content nor its length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Whether an Authorization header is `Bearer <GEOREP_METRICS_TOKEN>` (false when no token is configured). */
export function bearsMetricsToken(authorization: string | undefined, token: string | undefined): boolean {
  const given = bearerToken(authorization);
  return token !== undefined && given !== undefined && sameSecret(given, token);
}

/**
 * `/metrics` takes the scrape token (GEOREP_METRICS_TOKEN as a bearer) or any login the API takes
 * (admin or viewer, Basic or an SSO token); anything else is the API's own 401 fault.
 */
@Injectable()
export class MetricsAuthGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (bearsMetricsToken(req.header('authorization'), this.config.metricsToken)) return true;
    await this.authenticator.authenticate(req, http.getResponse<Response>());
    return true;
  }
}
