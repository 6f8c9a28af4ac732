import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { OnJob } from '../queue/on-job.decorator';
import { QueueProducer } from '../queue/queue-producer';
import { PruneExpiredTokens } from './user-jobs';

/** Removes bearer tokens that expired or were revoked more than a day ago, hourly. */
@Injectable()
export class TokenPruner implements OnApplicationBootstrap {
  constructor(
    private readonly ds: DataSource,
    private readonly producer: QueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.producer.every(PruneExpiredTokens, 'prune-expired-tokens', 3_600_000);
  }

  @OnJob(PruneExpiredTokens)
  async prune(): Promise<{ removed: number }> {
    const result = await this.ds.query(
      `DELETE FROM tokens WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'`,
    );
    return { removed: Array.isArray(result) ? Number(result[1] ?? 0) : 0 };
  }
}
