import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DescribedRoute, Public } from '../ovirt/routes';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics`: Prometheus text format. Public to the oVirt access guard because it has its own
 * (the scrape token, or a login); described as it is served (@DescribedRoute).
 */
@Public()
@UseGuards(MetricsAuthGuard)
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @DescribedRoute({
    tag: {
      name: 'metrics',
      description:
        'Prometheus metrics of this process, from what the service last stored (no gluster command per scrape).',
    },
    operationId: 'getMetrics',
    summary: 'Scrape the metrics (Prometheus text exposition format 0.0.4)',
    description:
      'Credentials: `Authorization: Bearer <GEOREP_METRICS_TOKEN>` when that token is configured, or any login the API ' +
      'takes (admin or viewer, Basic or an SSO token). Each process serves its own figures (README, Monitoring).',
    responses: {
      '200': {
        description: 'The metrics, as `text/plain; version=0.0.4; charset=utf-8`.',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
    faults: [500],
    ownGuard: true,
  })
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    const body = await this.metrics.scrape();
    res.setHeader('Content-Type', this.metrics.contentType);
    return body;
  }
}
