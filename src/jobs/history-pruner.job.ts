import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { EventsRepository } from '../events/events.repository';
import { OnJob } from '../queue/on-job.decorator';
import { JobsRepository } from './jobs.repository';
import { PruneHistory } from './maintenance-jobs';

/** Retention: finished auto-cleared jobs and old events go after their configured ages. */
@Injectable()
export class HistoryPruner {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly events: EventsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(PruneHistory)
  async prune(): Promise<{ jobs: number; events: number }> {
    const now = Date.now();
    const jobs = await this.jobs.pruneFinishedBefore(new Date(now - this.config.jobRetentionMs));
    const events = await this.events.pruneOlderThan(new Date(now - this.config.eventRetentionMs));
    return { jobs, events };
  }
}
