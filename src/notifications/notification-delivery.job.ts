import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { CLUSTERS } from '../clusters/cluster.representation';
import { APP_CONFIG, AppConfig } from '../config/config';
import { resolveSecretKey } from '../config/data-files';
import type { EventEntity } from '../events/event.entity';
import { EventsService } from '../events/events.service';
import { HOSTS } from '../hosts/host.representation';
import { JOBS } from '../jobs/job.representation';
import { refTo } from '../ovirt/api-paths';
import { OnJob } from '../queue/on-job.decorator';
import { decryptSecret } from '../ssh/secret-box';
import { STORAGE_DOMAINS } from '../storage-domains/storage-domain.representation';
import { sessionHref, volumeHref } from '../volumes/volume.representation';
import type { EventSubscriptionEntity } from './event-subscription.entity';
import { subscriptionHref } from './event-subscription.representation';
import {
  DELIVERY_HEADER,
  emailMessage,
  EVENT_HEADER,
  EventTarget,
  signature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookBody,
} from './notification-message';
import { DeliverNotification, DeliveryJobData, DeliveryJobResult } from './notification-jobs';
import { DeliveryFailure, NotificationSenders } from './notification-senders';
import { NotificationsRepository } from './notifications.repository';

/** The name a webhook secret is sealed under: a sealed value moved to another subscription does not open. */
export function webhookSecretName(subscriptionId: string): string {
  return `event_subscription/${subscriptionId}`;
}

const TOP_LEVEL_TARGETS: Readonly<Record<string, string>> = {
  cluster: CLUSTERS,
  host: HOSTS,
  storage_domain: STORAGE_DOMAINS,
  job: JOBS,
};

interface Attempt {
  readonly httpStatus?: number;
  readonly smtpReply?: string;
}

/** Delivers one event to one subscription and records every attempt; a failed attempt throws so BullMQ retries it. */
@Injectable()
export class NotificationDeliveryJob {
  private readonly logger = new Logger(NotificationDeliveryJob.name);

  constructor(
    private readonly repo: NotificationsRepository,
    private readonly events: EventsService,
    private readonly senders: NotificationSenders,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(DeliverNotification)
  async deliver(job: Job<DeliveryJobData>): Promise<DeliveryJobResult> {
    const { subscriptionId, eventId } = job.data;
    const subscription = await this.repo.findForDelivery(subscriptionId);
    const [event] = subscription ? await this.events.findByIds([eventId]) : [];
    if (!subscription || !event) return { outcome: 'skipped' };
    const attempt = job.attemptsMade + 1;
    const base = { subscriptionId, eventId, attempt, time: new Date() };
    try {
      const sent = await this.send(subscription, event, String(job.id));
      await this.repo.addDelivery({
        ...base,
        outcome: 'delivered',
        httpStatus: sent.httpStatus ?? null,
        smtpReply: sent.smtpReply ?? null,
        error: null,
      });
      return { outcome: 'delivered' };
    } catch (e) {
      const failure =
        e instanceof DeliveryFailure ? e : new DeliveryFailure('the delivery failed unexpectedly; see the service log');
      if (!(e instanceof DeliveryFailure))
        this.logger.error({ subscription: subscriptionId, err: (e as Error).message }, 'notification delivery failed');
      await this.repo.addDelivery({
        ...base,
        outcome: 'failed',
        httpStatus: failure.httpStatus,
        smtpReply: failure.smtpReply,
        error: failure.message,
      });
      throw failure;
    }
  }

  private async send(subscription: EventSubscriptionEntity, event: EventEntity, deliveryId: string): Promise<Attempt> {
    const target = await this.targetOf(event);
    if (subscription.method === 'smtp') {
      if (!subscription.address) throw new DeliveryFailure('the subscription has no address');
      return this.senders.sendEmail(subscription.address, emailMessage(event, subscription.eventName, target));
    }
    if (!subscription.url || !subscription.secretSealed)
      throw new DeliveryFailure('the subscription has no URL or secret');
    const secret = decryptSecret(
      subscription.secretSealed,
      resolveSecretKey(this.config),
      webhookSecretName(subscription.id),
    );
    const ref = {
      id: subscription.id,
      href: subscriptionHref(subscription.userId, subscription.id),
      event: subscription.eventName,
    };
    const payload = webhookBody(event, ref, target, new Date());
    const body = JSON.stringify(payload);
    return this.senders.postWebhook(subscription.url, body, {
      [SIGNATURE_HEADER]: signature(body, secret),
      [TIMESTAMP_HEADER]: String(payload.timestamp),
      [EVENT_HEADER]: subscription.eventName,
      [DELIVERY_HEADER]: deliveryId,
    });
  }

  private async targetOf(event: EventEntity): Promise<EventTarget | undefined> {
    if (!event.targetType || !event.targetId) return undefined;
    const { targetType: type, targetId: id } = event;
    const collection = TOP_LEVEL_TARGETS[type];
    if (collection) return { type, id, href: refTo(collection, id).href };
    const place = await this.repo.placeOf(type, id);
    if (place && type === 'georeplication_session' && place.volumeId)
      return { type, id, href: sessionHref(place.clusterId, place.volumeId, id) };
    if (place && type === 'gluster_volume') return { type, id, href: volumeHref(place.clusterId, id) };
    return { type, id };
  }
}
