import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CONFIG, AppConfig } from '../config/config';
import { keepIdleConnectionsThroughStalls } from '../ovirt/http-server';
import { bearsMetricsToken } from './metrics-auth.guard';
import { MetricsService } from './metrics.service';

/**
 * The worker role serves no API, so its own figures (job durations, its SSH pool and command latency) are
 * scraped on GEOREP_METRICS_PORT: `GET /metrics` only, to the bearer GEOREP_METRICS_TOKEN only. Plain text
 * answers, not oVirt faults: nothing else is served there.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: http.Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.workerMetricsPort;
    if (this.config.role !== 'worker' || port === undefined) return;
    const server = http.createServer((req, res) => void this.answer(req, res));
    keepIdleConnectionsThroughStalls(server);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.host, () => resolve());
    });
    const { port: bound } = server.address() as AddressInfo;
    this.logger.log(`worker metrics on http://${this.config.host}:${bound}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(body);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return text(404, 'not found: this port serves GET /metrics only\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'GET /metrics only\n', { Allow: 'GET, HEAD' });
    if (!bearsMetricsToken(req.headers.authorization, this.config.metricsToken))
      return text(401, 'the metrics token is needed (Authorization: Bearer <GEOREP_METRICS_TOKEN>)\n', {
        'WWW-Authenticate': 'Bearer',
      });
    try {
      const body = await this.metrics.scrape();
      res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'a worker metrics scrape failed');
      text(500, 'the scrape failed; see the worker log\n');
    }
  }
}
