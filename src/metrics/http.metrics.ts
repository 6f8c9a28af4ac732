import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram, Registry } from 'prom-client';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Requests that no route took (unknown paths, static files of /docs, faults answered before routing). */
const UNMATCHED = 'unmatched';

/**
 * The route's template (`/ovirt-engine/api/clusters/:id`), never the requested URL, so ids do not
 * become series. A wildcard is the catch-all Nest mounts its middleware on (`/{*path}`), not a route.
 */
function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (typeof route?.path !== 'string' || route.path.includes('*')) return UNMATCHED;
  return `${req.baseUrl ?? ''}${route.path}`;
}

/** Every HTTP request this process answered, by method, route template and status, with its duration. */
@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'georep_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status, and how long they took (_count is the request count).',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    });
  }

  /** Express middleware; installed before any other so that early faults (413, 415, bad version) count too. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      this.duration.observe(
        { method: req.method, route: routeOf(req), status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    };
    res.once('finish', count);
    res.once('close', count);
    next();
  };
}
