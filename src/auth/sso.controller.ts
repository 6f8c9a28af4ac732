import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { OwnSession, Principal, principalOf } from '../ovirt/access.guard';
import { OpenApiSchemas } from '../ovirt/representation';
import { DescribedRoute, DescribedRouteSpec, Public } from '../ovirt/routes';
import { AuthService, clientAddress, LoginBusyServer, LoginFailed, LoginThrottled } from './auth.service';
import { FormError, readForm } from './form';

/** The scope oVirt API clients ask for (required, as on an engine). */
export const API_SCOPE = 'ovirt-app-api';

const SSO_ERROR_CODES = [
  'invalid_request',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'invalid_grant',
  'temporarily_unavailable',
] as const;
type SsoErrorCode = (typeof SSO_ERROR_CODES)[number];

/** oVirt's SSO error for the ovirt-app-api scope: `{"error_code", "error"}`, HTTP 400 (429 when throttled, 503 when busy). */
function sendError(res: Response, code: SsoErrorCode, message: string, status = 400): void {
  res.status(status).type('application/json').json({ error_code: code, error: message });
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

const FORM = 'application/x-www-form-urlencoded';
const SSO_TAG = {
  name: 'sso',
  description:
    "oVirt's SSO endpoints: a bearer token for the API in exchange for a user name and password, and its revocation. " +
    'Forms in, JSON out (not oVirt representations).',
};

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const SSO_SCHEMAS: OpenApiSchemas = {
  SsoTokenRequest: {
    type: 'object',
    properties: {
      grant_type: { type: 'string', enum: ['password'] },
      scope: {
        type: 'string',
        pattern: `(^| )${API_SCOPE}( |$)`,
        description: `Space-separated scopes; must include ${API_SCOPE}.`,
      },
      username: { type: 'string', minLength: 1, description: '`user@domain`, e.g. `admin@internal`.' },
      password: { type: 'string', format: 'password', minLength: 1 },
    },
    required: ['grant_type', 'scope', 'username', 'password'],
  },
  SsoToken: {
    type: 'object',
    properties: {
      access_token: { type: 'string', description: 'Send it as `Authorization: Bearer <access_token>`.' },
      token_type: { type: 'string', enum: ['bearer'] },
      exp: {
        type: 'string',
        pattern: '^[0-9]+$',
        description: 'When the token expires, in epoch milliseconds (text, as oVirt sends it).',
      },
      scope: { type: 'string', description: 'The scope asked for.' },
    },
    required: ['access_token', 'token_type', 'exp', 'scope'],
  },
  SsoError: {
    type: 'object',
    description: "oVirt's SSO error.",
    properties: { error_code: { type: 'string', enum: [...SSO_ERROR_CODES] }, error: { type: 'string' } },
    required: ['error_code', 'error'],
  },
  SsoLogoutRequest: {
    type: 'object',
    properties: {
      token: {
        type: 'string',
        description:
          'The token to revoke (else the one of `Authorization: Bearer`); without an Authorization header it is also the credential.',
      },
    },
  },
  SsoLogout: { type: 'object', description: 'Empty: the token is revoked.', properties: {} },
};

/** An SSO error (always JSON). */
function ssoError(description: string, retryAfter = false): object {
  return {
    description,
    ...(retryAfter ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
    content: { 'application/json': { schema: schema('SsoError') } },
  };
}

/** 400: an SSO error, or an oVirt fault for what is refused before the endpoint (a bad Version, a body that cannot be read). */
function ssoBadRequest(description: string): object {
  return {
    description: `${description} A bad Version header or a body that cannot be read is an oVirt fault instead.`,
    content: {
      'application/json': { schema: { oneOf: [schema('SsoError'), schema('Fault')] } },
      'application/xml': { schema: schema('FaultXml') },
    },
  };
}

/** How the API description has the token endpoint. */
const TOKEN_ROUTE: DescribedRouteSpec = {
  tag: SSO_TAG,
  operationId: 'ssoToken',
  summary: 'Log in: a bearer token for a user name and password',
  description: `The password grant of oVirt's SSO, scope ${API_SCOPE}. Failed logins count against the limit per user name and per client address.`,
  requestBody: { required: true, content: { [FORM]: { schema: schema('SsoTokenRequest') } } },
  responses: {
    '200': { description: 'The token.', content: { 'application/json': { schema: schema('SsoToken') } } },
    '400': ssoBadRequest(
      'Refused: a body that is not a form, a missing or unsupported grant_type or scope, missing credentials, or wrong ones (`access_denied`).',
    ),
    '429': ssoError('Too many failed logins for this user name or from this address (`access_denied`).', true),
    '503': ssoError('Too many password checks are running at once (`temporarily_unavailable`).', true),
  },
  faults: [413, 500],
  schemas: SSO_SCHEMAS,
};

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
 * JSON, not oVirt representations: the API description has them as they are (@DescribedRoute).
 */
@Controller('ovirt-engine')
export class SsoController {
  constructor(private readonly auth: AuthService) {}

  @Post('sso/oauth/token')
  @Public()
  @HttpCode(200)
  @DescribedRoute(TOKEN_ROUTE)
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
  @DescribedRoute({
    tag: SSO_TAG,
    operationId: 'ssoLogout',
    summary: 'Log out: revoke a token',
    description:
      'Revokes the token of the form field `token` (what the oVirt SDKs send, with no other credentials: the token is then the credential) ' +
      'or of `Authorization: Bearer`. A user may revoke only its own tokens; an admin any. Any role may use it.',
    requestBody: { required: false, content: { [FORM]: { schema: schema('SsoLogoutRequest') } } },
    responses: {
      '200': { description: 'Revoked.', content: { 'application/json': { schema: schema('SsoLogout') } } },
      '400': ssoBadRequest(
        'Refused: a body that is not a form, no token given (`invalid_request`), or a token that is not valid, has expired, was already revoked or is not yours (`invalid_grant`).',
      ),
    },
    faults: [413, 500],
    schemas: SSO_SCHEMAS,
  })
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
