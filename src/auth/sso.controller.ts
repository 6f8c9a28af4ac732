import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OwnSession, Principal, principalOf } from '../ovirt/access.guard';
import { Public } from '../ovirt/routes';
import { AuthService, clientAddress, LoginBusyServer, LoginFailed, LoginThrottled } from './auth.service';
import { FormError, readForm } from './form';

/** The scope oVirt API clients ask for (required, as on an engine). */
export const API_SCOPE = 'ovirt-app-api';

type SsoErrorCode =
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_grant'
  | 'temporarily_unavailable';

/** oVirt's SSO error for the ovirt-app-api scope: `{"error_code", "error"}`, HTTP 400 (429 when throttled, 503 when busy). */
function sendError(res: Response, code: SsoErrorCode, message: string, status = 400): void {
  res.status(status).type('application/json').json({ error_code: code, error: message });
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

/**
 * oVirt's SSO endpoints, as the SDKs use them:
 *
 * - `POST /ovirt-engine/sso/oauth/token` (form: grant_type=password, scope=ovirt-app-api, username,
 *   password) answers `{access_token, token_type: "bearer", exp, scope}`, `exp` being the expiry in epoch
 *   ms as a string. Public: it is where credentials are exchanged.
 * - `POST /ovirt-engine/services/sso-logout` revokes a token: the form field `token` (as the SDKs send
 *   it, with no other credentials: AccessGuard then takes that token as the credential, @OwnSession) or
 *   the `Authorization: Bearer` one. Not public: without a valid token (or Basic) it is a 401. A user
 *   may revoke only its own tokens; an admin any.
 *
 * JSON, not oVirt representations, so they stay out of the API description (like the PKI resource).
 */
@ApiExcludeController()
@Controller('ovirt-engine')
export class SsoController {
  constructor(private readonly auth: AuthService) {}

  @Post('sso/oauth/token')
  @Public()
  @HttpCode(200)
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    noStore(res);
    let form: Map<string, string>;
    try {
      form = readForm(req);
    } catch (e) {
      if (e instanceof FormError) return sendError(res, 'invalid_request', e.message);
      throw e;
    }
    const grantType = form.get('grant_type');
    if (!grantType) return sendError(res, 'invalid_request', 'grant_type is required');
    if (grantType !== 'password')
      return sendError(res, 'unsupported_grant_type', 'only grant_type=password is supported');
    const scope = form.get('scope');
    if (!scope) return sendError(res, 'invalid_request', `scope is required (${API_SCOPE})`);
    if (!scope.split(' ').includes(API_SCOPE))
      return sendError(res, 'invalid_scope', `the scope must include ${API_SCOPE}`);
    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === undefined || password === '')
      return sendError(res, 'invalid_request', 'username and password are required');
    try {
      const user = await this.auth.passwordLogin(username, password, clientAddress(req), 'sso');
      const { token, expiresAt } = await this.auth.issueToken(user);
      res
        .status(200)
        .type('application/json')
        .json({ access_token: token, token_type: 'bearer', exp: String(expiresAt.getTime()), scope });
    } catch (e) {
      if (e instanceof LoginThrottled) {
        res.setHeader('Retry-After', String(e.retryAfterSeconds));
        return sendError(
          res,
          'access_denied',
          `too many failed logins; try again in ${e.retryAfterSeconds} seconds`,
          429,
        );
      }
      if (e instanceof LoginBusyServer) {
        res.setHeader('Retry-After', String(e.retryAfterSeconds));
        return sendError(res, 'temporarily_unavailable', e.message, 503);
      }
      if (e instanceof LoginFailed) return sendError(res, 'access_denied', `cannot authenticate: ${e.message}`);
      throw e;
    }
  }

  @Post('services/sso-logout')
  @OwnSession()
  @HttpCode(200)
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    noStore(res);
    const by = principalOf(req) as Principal;
    let token: string | undefined;
    if (Buffer.isBuffer(req.body) && (req.body as Buffer).length > 0) {
      try {
        token = readForm(req).get('token') || undefined;
      } catch (e) {
        if (e instanceof FormError) return sendError(res, 'invalid_request', e.message);
        throw e;
      }
    }
    const header = req.header('authorization')?.trim();
    if (token === undefined && header && /^bearer\s+/i.test(header)) token = header.replace(/^bearer\s+/i, '');
    if (token === undefined)
      return sendError(res, 'invalid_request', 'give the token to revoke: form field token, or Authorization: Bearer');
    if (!(await this.auth.revokeToken(token, by)))
      return sendError(
        res,
        'invalid_grant',
        'the token is not valid, has expired, was already revoked or is not yours',
      );
    res.status(200).type('application/json').json({});
  }
}
