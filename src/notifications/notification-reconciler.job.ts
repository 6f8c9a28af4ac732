import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { EventsService } from '../events/events.service';
import { OnJob } from '../queue/on-job.decorator';
import { QueueProducer } from '../queue/queue-producer';
import { NotificationDispatcher } from './notification-dispatcher';
import { ReconcileNotifications } from './notification-jobs';
import { NotificationsRepository } from './notifications.repository';

/** Grace before a pending event counts as left behind (its dispatcher runs right after it is recorded). */
const LEFT_BEHIND_AFTER_MS = 5000;
const EVENTS_PER_RUN = 200;

/**
 * The notification outbox's other half: every 15 s, the events whose delivery jobs were not all queued
 * (marked by NotificationDispatcher) are dispatched again, so an event recorded while Redis was down still
 * reaches its subscribers once Redis is back.
 */
@Injectable()
export class NotificationReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger(NotificationReconciler.name);

  constructor(
    private readonly repo: NotificationsRepository,
    private readonly events: EventsService,
    private readonly dispatcher: NotificationDispatcher,
    private readonly producer: QueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.producer.every(ReconcileNotifications, 'reconcile-notifications', 15_000);
  }

  @OnJob(ReconcileNotifications)
  async reconcile(): Promise<{ events: number }> {
    const ids = await this.repo.eventsPendingNotification(new Date(Date.now() - LEFT_BEHIND_AFTER_MS), EVENTS_PER_RUN);
    if (ids.length === 0) return { events: 0 };
    for (const event of await this.events.findByIds(ids)) await this.dispatcher.dispatch(event);
    this.logger.log(`queued the deliveries of ${ids.length} event(s) left behind`);
    return { events: ids.length };
  }
}
