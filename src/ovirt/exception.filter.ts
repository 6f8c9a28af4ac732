import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { CorrelatedRequest } from './correlation-id.middleware';
import { faultResponseFor } from './faults';
import { sendFault } from './negotiation';

/**
 * Every error of an HTTP request, unknown routes included, becomes `<fault><reason/><detail/></fault>`
 * (JSON `{reason, detail}`). Unexpected errors are logged with their stack and answered with a 500 whose
 * detail carries only the correlation id.
 */
@Catch()
export class OvirtExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OvirtExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const correlationId = (req as Partial<CorrelatedRequest>).correlationId;
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
