import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable } from '../database/unavailable-errors';
import { BodyError, FaultView, safeText } from './representation';

/** The statuses a fault may carry (DESIGN.md section 4), plus 500 for what nobody expected. */
export type FaultStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503 | 504;

/**
 * An error meant for the client: its reason and detail are shown as they are, so they must never hold
 * internal details. Services throw these; the exception filter renders them as `<fault>`.
 */
export class OvirtFault extends Error {
  override readonly name = 'OvirtFault';

  constructor(
    readonly status: FaultStatus,
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }

  toFault(): Required<FaultView> {
    return { reason: this.reason, detail: this.detail };
  }

  static badRequest(detail: string, reason = 'Bad Request'): OvirtFault {
    return new OvirtFault(400, reason, detail);
  }

  static invalidParameter(name: string, problem: string): OvirtFault {
    return new OvirtFault(400, 'Invalid query parameter', `${name}: ${problem}`);
  }

  /** `cluster "123" does not exist` (the id is echoed safely). */
  static notFound(type: string, key: string, by: 'id' | 'name' = 'id'): OvirtFault {
    return new OvirtFault(404, 'Not Found', `${type} with ${by} "${safeText(key, 100)}" does not exist`);
  }

  static conflict(detail: string): OvirtFault {
    return new OvirtFault(409, 'Conflict', detail);
  }

  static unsupportedMediaType(detail: string): OvirtFault {
    return new OvirtFault(415, 'Unsupported Media Type', detail);
  }

  static payloadTooLarge(limitBytes: number): OvirtFault {
    return new OvirtFault(413, 'Request Entity Too Large', `the request body is larger than ${limitBytes} bytes`);
  }
}

/** Texts for statuses that reach the client without an OvirtFault of ours (Nest's own exceptions, 500). */
const GENERIC_DETAIL: Readonly<Record<number, string>> = {
  400: 'the request is not valid',
  401: 'authentication is required',
  403: 'the user is not allowed to do this',
  404: 'there is nothing at this address',
  405: 'this method is not allowed here',
  406: 'the requested representation is not available',
  409: 'the request conflicts with the current state',
  413: 'the request body is too large',
  415: 'the request body has an unsupported media type',
  429: 'too many requests',
  500: 'the server could not complete the request',
  503: 'a service this request depends on is not available',
};

/** A method no route serves on a path that has routes (the filter also sets `Allow`). */
export function methodNotAllowedFault(allowed: readonly string[]): Required<FaultView> {
  return { reason: reasonPhrase(405), detail: `${GENERIC_DETAIL[405]} (allowed: ${allowed.join(', ')})` };
}

export interface FaultResponse {
  readonly status: number;
  readonly fault: Required<FaultView>;
  /** Unexpected: log it, with its stack, and show the client nothing of it. */
  readonly unexpected: boolean;
}

interface HttpExceptionLike {
  getStatus(): number;
}

function isHttpException(e: unknown): e is HttpExceptionLike {
  return e instanceof Error && typeof (e as Partial<HttpExceptionLike>).getStatus === 'function';
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * What the client sees for any error. Only our own faults and body errors carry their message; Nest's
 * HTTP exceptions keep their status with a generic text; PostgreSQL out of reach is a 503; anything else is a 500 whose text names only
 * the correlation id under which it was logged.
 */
export function faultResponseFor(error: unknown, correlationId: string | undefined): FaultResponse {
  if (error instanceof OvirtFault) {
    return { status: error.status, fault: error.toFault(), unexpected: false };
  }
  if (error instanceof BodyError) {
    return { status: error.status, fault: error.toFault(), unexpected: false };
  }
  if (isHttpException(error)) {
    const status = error.getStatus();
    if (Number.isInteger(status) && status >= 400 && status < 600 && status !== 500) {
      return {
        status,
        fault: { reason: reasonPhrase(status), detail: GENERIC_DETAIL[status] ?? reasonPhrase(status).toLowerCase() },
        unexpected: false,
      };
    }
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      fault: { reason: reasonPhrase(503), detail: 'The database (PostgreSQL) is not reachable; try again shortly.' },
      unexpected: false,
    };
  }
  const where = correlationId ? ` (correlation id ${correlationId})` : '';
  return {
    status: 500,
    fault: { reason: reasonPhrase(500), detail: `${GENERIC_DETAIL[500]}; the error was logged${where}` },
    unexpected: true,
  };
}
