import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import type { EventEntity } from '../events/event.entity';
import { EventsService } from '../events/events.service';
import { QueueProducer } from '../queue/queue-producer';
import { eventNamesFor } from './notifiable-events';
import { DeliverNotification, DeliveryJobData } from './notification-jobs';
import { NotificationsRepository } from './notifications.repository';

/** The BullMQ job id of one event's delivery to one subscription: recording it twice queues it once. */
export function deliveryJobId(subscriptionId: string, eventId: string): string {
  return `notify-${subscriptionId}-${eventId}`;
}

/**
 * Listens to every recorded event (in whichever process records it) and queues one delivery job per
 * subscription to one of the event's names. A failure here is logged by EventsService and never fails
 * the code that recorded the event; the event stays marked `notifications_pending` and the notification
 * reconciler queues its deliveries once Redis answers again (the job ids make a second queueing a no-op
 * while the first job is kept).
 */
@Injectable()
export class NotificationDispatcher implements OnModuleInit {
  constructor(
    private readonly events: EventsService,
    private readonly repo: NotificationsRepository,
    private readonly producer: QueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.onRecorded((event) => this.dispatch(event));
  }

  async dispatch(event: EventEntity): Promise<void> {
    const names = eventNamesFor(event.code);
    if (names.length === 0) return;
    const subscriptions = await this.repo.subscribedTo(names);
    if (subscriptions.length === 0) return;
    const { attempts, retryDelayMs } = this.config.notifications;
    await this.repo.setNotificationsPending(event.id, true);
    for (const subscription of subscriptions) {
      const data: DeliveryJobData = { subscriptionId: subscription.id, eventId: event.id };
      await this.producer.add(DeliverNotification, data, {
        jobId: deliveryJobId(subscription.id, event.id),
        attempts,
        backoff: { type: 'exponential', delay: retryDelayMs },
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 86_400, count: 10_000 },
      });
    }
    await this.repo.setNotificationsPending(event.id, false);
  }
}
