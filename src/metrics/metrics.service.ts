import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { RuntimeMetrics } from './runtime.metrics';
import { StoredStateMetrics } from './stored-state.metrics';

/**
 * One scrape: refresh the gauges from the database and the queues, then render the registry.
 * Scrapes that arrive while one is being built share it, so they never see a half-refreshed registry.
 */
@Injectable()
export class MetricsService {
  private scraping: Promise<string> | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly stored: StoredStateMetrics,
    private readonly runtime: RuntimeMetrics,
  ) {}

  get contentType(): string {
    return this.registry.contentType;
  }

  scrape(): Promise<string> {
    this.scraping ??= this.render().finally(() => {
      this.scraping = undefined;
    });
    return this.scraping;
  }

  private async render(): Promise<string> {
    const now = new Date();
    await Promise.all([this.stored.refresh(now), this.runtime.refresh(now)]);
    return this.registry.metrics();
  }
}
