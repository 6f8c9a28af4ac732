import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/**
 * Errors that say PostgreSQL cannot be reached right now (down, restarting, the connection cut), as
 * opposed to a query it refused: the request should answer 503, not 500.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up); class 08: connection exceptions.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
// node-postgres and its pool say these without a code.
const UNREACHABLE_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /is not queryable/];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // TypeORM releases a query runner by itself when its connection reports an error (PostgreSQL shut down
  // mid-transaction); the transaction's next query or its COMMIT then says so. Our code never uses a
  // runner it released.
  if (error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError)
    return true;
  const driverError = (error as { driverError?: unknown }).driverError;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNREACHABLE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
  )
    return true;
  if (UNREACHABLE_MESSAGES.some((m) => m.test(error.message))) return true;
  return driverError !== undefined && driverError !== error && isDatabaseUnavailable(driverError);
}
