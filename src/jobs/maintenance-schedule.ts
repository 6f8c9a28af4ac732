import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { QueueName } from '../queue/queue-names';
import { QueueProducer } from '../queue/queue-producer';
import { LostJobs } from './lost-jobs.job';
import { PruneHistory, ReconcileOutbox, SweepLostJobs } from './maintenance-jobs';

/** Housekeeping on a timer; BullMQ's job schedulers keep one schedule however many workers start. */
@Injectable()
export class MaintenanceSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceSchedule.name);

  constructor(
    private readonly producer: QueueProducer,
    private readonly lostJobs: LostJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.producer.every(ReconcileOutbox, 'reconcile-outbox', 15_000);
    await this.producer.every(PruneHistory, 'prune-history', 3_600_000);
    if (this.config.lostJobSweepMs > 0)
      await this.producer.every(SweepLostJobs, 'sweep-lost-jobs', this.config.lostJobSweepMs);
    else await this.producer.queue(QueueName.Maintenance).removeJobScheduler('sweep-lost-jobs');
    // A worker starting after a crash or an outage ends what the last one lost, without waiting for the schedule.
    await this.lostJobs
      .sweep()
      .catch((e: unknown) => this.logger.warn({ err: (e as Error).message }, 'start-up sweep of lost jobs failed'));
  }
}
