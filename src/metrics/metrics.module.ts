import { Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { SshModule } from '../ssh/ssh.module';
import { HttpMetrics } from './http.metrics';
import { MetricsAuthGuard } from './metrics-auth.guard';
import { MetricsController } from './metrics.controller';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';
import { RuntimeMetrics } from './runtime.metrics';
import { StoredStateMetrics } from './stored-state.metrics';
import { WorkerMetricsServer } from './worker-metrics-server';

const PROMTOOL_REFUSED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Prometheus metrics (issue 19): one registry per process, with Node's process metrics. The stored
 * state (sessions, bricks, DR schedules, job rows) and the queue counts are the same whichever
 * process serves them; HTTP, SSH and job-duration metrics are this process's own, so in a deploy
 * of several processes each one that serves HTTP is scraped on its own. A scrape never runs a
 * gluster or SSH command.
 */
@Module({
  imports: [SshModule],
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        // Gauges named like counters (promtool refuses them); each is the sum of its by-type sibling.
        for (const name of PROMTOOL_REFUSED_DEFAULTS) registry.removeSingleMetric(name);
        return registry;
      },
    },
    MetricsRepository,
    StoredStateMetrics,
    RuntimeMetrics,
    HttpMetrics,
    MetricsService,
    MetricsAuthGuard,
    WorkerMetricsServer,
  ],
  exports: [HttpMetrics],
})
export class MetricsModule {}
