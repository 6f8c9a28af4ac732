import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { reasonPhrase } from './faults';
import { sendFault } from './negotiation';
import { CONTENT_TYPES, renderFault, safeText } from './representation';
import { METHODS_WITH_BODY } from './request-body';

/** What `Expect` may ask: oVirt's 202-accepted (answer an action at once; routes.ts reads it) and HTTP's 100-continue. */
const EXPECTATIONS = new Set(['202-accepted', '100-continue']);

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). Node closes an idle connection
 * when its timer fires even when the client's next request already waits on it unread, as happens when the
 * process is busy or descheduled for that long on a loaded host: the client then sees the connection reset
 * and no answer. 65 s also outlasts the 60 s idle time of common load balancers and proxies, so they close
 * first. Idle connections do not hold up shutdown: server.close() closes them.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Keep-alive as KEEP_ALIVE_TIMEOUT_MS says, for every HTTP server the service runs (API and worker metrics). */
export function keepIdleConnectionsThroughStalls(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
}

/**
 * The answers Node would give on its own, given by us as faults: a request Node cannot parse ('clientError',
 * which Node answers with a bare 400, 408 or 431), and an `Expect` other than 100-continue ('checkExpectation',
 * a bare 417): every such request goes on to the app, whose expectationMiddleware decides.
 */
export function answerServerErrorsAsFaults(server: Server): void {
  if (server.listenerCount('checkExpectation') === 0) {
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
  }
  if (server.listenerCount('clientError') === 0) {
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(error, socket));
  }
}

function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const CLIENT_ERROR_DETAIL: Readonly<Record<number, string>> = {
  400: 'the request is not valid HTTP',
  408: 'the request did not arrive in time',
  431: 'the request headers are too large',
};

function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // As Node does: answer only when nothing of a response went out on this connection yet.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || (inFlight && inFlight.headersSent)) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error.code);
  const body = renderFault({ reason: reasonPhrase(status), detail: CLIENT_ERROR_DETAIL[status] }, 'xml');
  socket.end(
    [
      `HTTP/1.1 ${status} ${reasonPhrase(status)}`,
      `Content-Type: ${CONTENT_TYPES.xml}; charset=utf-8`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      `Correlation-Id: ${randomUUID()}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** `Expect` with anything but 202-accepted and 100-continue: a 417 fault (after the correlation id is set). */
export function expectationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const expect = req.header('expect');
  const unmet = expect
    ?.split(',')
    .map((e) => e.trim().toLowerCase())
    .find((e) => !EXPECTATIONS.has(e));
  if (unmet === undefined) {
    next();
    return;
  }
  // The client may be holding its body back until it hears from us: this connection is not reused.
  res.setHeader('Connection', 'close');
  sendFault(req, res, 417, {
    reason: reasonPhrase(417),
    detail: `only "Expect: 202-accepted" (answer an action at once) is understood (got "${safeText(unmet, 40)}")`,
  });
}

/**
 * A GET, HEAD or DELETE whose body is never read (only POST, PUT and PATCH bodies are): its answer closes the
 * connection. Some oVirt clients (libsoup) re-send such a request with the same Content-Length and no body;
 * on a kept-alive connection the next request's first bytes would be taken for that body.
 */
export function unreadBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const declaresBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (declaresBody && !METHODS_WITH_BODY.has(req.method)) res.setHeader('Connection', 'close');
  next();
}
