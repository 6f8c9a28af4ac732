import { randomUUID } from 'node:crypto';
import { NextFunction, Request, Response } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CorrelatedRequest extends Request {
  correlationId: string;
}

/**
 * oVirt's `Correlation-Id` header (or `correlation_id` query parameter), echoed on the response and
 * carried into logs, jobs and events. A malformed one is replaced rather than echoed.
 */
export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  // The HTTP set-up runs it before anything else (so early faults carry it); AppModule applies it again.
  if ((req as Partial<CorrelatedRequest>).correlationId !== undefined) {
    next();
    return;
  }
  const fromHeader = req.header('correlation-id');
  const fromQuery = typeof req.query.correlation_id === 'string' ? req.query.correlation_id : undefined;
  const given = fromHeader ?? fromQuery;
  const id = given && SAFE_ID.test(given) ? given : randomUUID();
  (req as CorrelatedRequest).correlationId = id;
  res.setHeader('Correlation-Id', id);
  next();
}
