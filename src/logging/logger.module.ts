import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/config';
import { CorrelatedRequest } from '../ovirt/correlation-id.middleware';

/** Header, body and query fields that may carry a secret; pino replaces them wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.root_password',
  '*.slave_root_password',
  '*.access_token',
  '*.token',
];

export function loggerModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => (req as unknown as CorrelatedRequest).correlationId,
      customProps: (req: IncomingMessage) => ({
        correlation_id: (req as unknown as CorrelatedRequest).correlationId,
        role: config.role,
      }),
      // The query string can carry a token in a misbehaving client; log the path only.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Probes and scrapes come every few seconds; their own metrics count them.
      autoLogging: { ignore: (req: IncomingMessage) => isProbeOrScrape(req.url ?? '') },
    },
  });
}

function isProbeOrScrape(url: string): boolean {
  const path = url.split('?')[0];
  return path.startsWith('/health/') || path === '/metrics';
}
