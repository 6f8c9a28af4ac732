import { ArgumentsHost, Catch, ExceptionFilter, Logger, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiRoutes } from './api-root';
import type { CorrelatedRequest } from './correlation-id.middleware';
import { faultResponseFor, methodNotAllowedFault } from './faults';
import { allowedMethods } from './method-not-allowed';
import { sendFault } from './negotiation';

/**
 * Every error of an HTTP request, unknown routes included, becomes `<fault><reason/><detail/></fault>`
 * (JSON `{reason, detail}`). Unexpected errors are logged with their stack and answered with a 500 whose
 * detail carries only the correlation id. A method no route serves on a path that has routes is a 405 with
 * `Allow`, not a 404.
 */
@Catch()
export class OvirtExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OvirtExceptionFilter');

  constructor(private readonly routes: ApiRoutes) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const correlationId = (req as Partial<CorrelatedRequest>).correlationId;
    if (exception instanceof NotFoundException && !res.headersSent) {
      // Nest's answer to a request no route took: the path may have routes for other methods.
      const allowed = allowedMethods(this.routes.all(), req.path);
      if (allowed.length > 0 && !allowed.includes(req.method)) {
        res.setHeader('Allow', allowed.join(', '));
        sendFault(req, res, 405, methodNotAllowedFault(allowed));
        return;
      }
    }
    const { status, fault, unexpected } = faultResponseFor(exception, correlationId);
    if (unexpected) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        `${req.method} ${req.path} failed (correlation id ${correlationId ?? 'none'}): ${error.name}: ${error.message}`,
        error.stack,
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendFault(req, res, status, fault);
  }
}
