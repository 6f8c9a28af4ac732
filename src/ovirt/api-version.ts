import type { NextFunction, Request, Response } from 'express';
import { API_ROOT, API_VERSION } from './api-paths';
import { sendFault } from './negotiation';
import { safeText } from './representation';

const VERSIONED_PATH = /^\/ovirt-engine\/api\/v(\d{1,3})(?=[/?]|$)/;

/**
 * `Version: 4` and `/ovirt-engine/api/v4/...` select the only version there is; the prefix is taken off
 * before routing. Any other version, in the header or the path, is a 400 fault.
 */
export function apiVersionMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (!req.url.startsWith('/ovirt-engine/')) {
    next();
    return;
  }
  const match = VERSIONED_PATH.exec(req.url);
  if (match) {
    req.url = API_ROOT + req.url.slice(match[0].length);
  }
  const header = req.header('version');
  for (const asked of [match?.[1], header?.trim()]) {
    if (asked !== undefined && asked !== API_VERSION) {
      sendFault(req, res, 400, {
        reason: 'Unsupported version',
        detail: `version "${safeText(asked, 20)}" is not supported; this server implements version ${API_VERSION} (send "Version: ${API_VERSION}" or use ${API_ROOT}/v${API_VERSION}/...)`,
      });
      return;
    }
  }
  next();
}
