import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { JobName } from '../queue/queue-names';
import { QueueProducer } from '../queue/queue-producer';

/** Housekeeping on a timer; BullMQ's job schedulers keep one schedule however many workers start. */
@Injectable()
export class MaintenanceSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly producer: QueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.producer.every(JobName.ReconcileOutbox, 'reconcile-outbox', 15_000);
    await this.producer.every(JobName.PruneHistory, 'prune-history', 3_600_000);
    await this.producer.every(JobName.PruneExpiredTokens, 'prune-expired-tokens', 3_600_000);
  }
}
