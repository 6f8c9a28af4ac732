import { Inject, Injectable } from '@nestjs/common';
import * as crypto from 'node:crypto';
import { APP_CONFIG, AppConfig, EMAIL_ADDRESS } from '../config/config';
import { resolveSecretKey } from '../config/data-files';
import { ConstraintViolation } from '../database/constraint-errors';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import type { Caller } from '../ovirt/routes';
import { encryptSecret } from '../ssh/secret-box';
import { UsersService } from '../users/users.service';
import type { EventSubscriptionEntity } from './event-subscription.entity';
import type { EventSubscriptionCreate } from './event-subscription.representation';
import { NotificationDeliveryEntity } from './notification-delivery.entity';
import { webhookSecretName } from './notification-delivery.job';
import { NotificationSenders } from './notification-senders';
import { NewSubscription, NotificationsRepository } from './notifications.repository';

type Destination = Pick<NewSubscription, 'address' | 'url'> & { readonly secret: string | null };

/** The rules for event subscriptions: what each method needs, one e-mail address per user (oVirt's rule), no duplicates. */
@Injectable()
export class EventSubscriptionsService {
  constructor(
    private readonly repo: NotificationsRepository,
    private readonly users: UsersService,
    private readonly senders: NotificationSenders,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(userId: string, query: ListQuery): Promise<EventSubscriptionEntity[]> {
    await this.users.get(userId);
    return this.repo.list(userId, query);
  }

  async get(userId: string, id: string): Promise<EventSubscriptionEntity> {
    await this.users.get(userId);
    const subscription = await this.repo.find(userId, id);
    if (!subscription) throw OvirtFault.notFound('event_subscription', id);
    return subscription;
  }

  async add(userId: string, input: EventSubscriptionCreate, caller: Caller): Promise<EventSubscriptionEntity> {
    const user = await this.users.get(userId);
    const destination =
      input.notification_method === 'smtp' ? this.emailDestination(input) : this.webhookDestination(input);
    if (destination.address !== null) await this.checkOneAddress(userId, destination.address);
    const id = crypto.randomUUID();
    let added: EventSubscriptionEntity;
    try {
      added = await this.repo.insert({
        id,
        userId,
        eventName: input.event,
        method: input.notification_method,
        address: destination.address,
        url: destination.url,
        secretSealed:
          destination.secret === null
            ? null
            : encryptSecret(destination.secret, resolveSecretKey(this.config), webhookSecretName(id)),
      });
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'unique')
        throw OvirtFault.conflict(
          `the user already subscribes to ${input.event} by ${input.notification_method}; remove that subscription first`,
        );
      if (e instanceof ConstraintViolation && e.kind === 'foreign_key') throw OvirtFault.notFound('user', userId);
      throw e;
    }
    // Neither the address nor the URL: the audit trail is readable by viewers, the destinations are not.
    await this.events.recordChange(
      EventCode.EventSubscriptionAdded,
      `User ${user.name} subscribed to ${added.eventName} by ${added.method}.`,
      caller,
    );
    return added;
  }

  async remove(userId: string, id: string, caller: Caller): Promise<void> {
    const user = await this.users.get(userId);
    const subscription = await this.repo.find(userId, id);
    if (!subscription || !(await this.repo.delete(userId, id))) throw OvirtFault.notFound('event_subscription', id);
    await this.events.recordChange(
      EventCode.EventSubscriptionRemoved,
      `User ${user.name}'s subscription to ${subscription.eventName} by ${subscription.method} was removed.`,
      caller,
    );
  }

  async deliveries(userId: string, subscriptionId: string, query: ListQuery): Promise<NotificationDeliveryEntity[]> {
    await this.get(userId, subscriptionId);
    return this.repo.listDeliveries(subscriptionId, query);
  }

  async delivery(userId: string, subscriptionId: string, id: string): Promise<NotificationDeliveryEntity> {
    await this.get(userId, subscriptionId);
    const delivery = await this.repo.findDelivery(subscriptionId, id);
    if (!delivery) throw OvirtFault.notFound('notification_delivery', id);
    return delivery;
  }

  private emailDestination(input: EventSubscriptionCreate): Destination {
    if (input.url !== undefined || input.secret !== undefined)
      throw OvirtFault.badRequest('url and secret are for notification_method webhook; smtp takes an address');
    const address = input.address?.trim();
    if (!address) throw OvirtFault.badRequest('address is required for notification_method smtp (the e-mail address)');
    if (!EMAIL_ADDRESS.test(address))
      throw OvirtFault.badRequest('address: must be an e-mail address (local@domain, without a display name)');
    if (!this.senders.smtpConfigured)
      throw OvirtFault.conflict(
        'the service has no SMTP relay configured (GEOREP_SMTP_URL and GEOREP_SMTP_FROM), so it cannot send e-mail',
      );
    return { address, url: null, secret: null };
  }

  /** The URL is never repeated in a message: it may carry a token of the receiver. */
  private webhookDestination(input: EventSubscriptionCreate): Destination {
    if (input.address !== undefined)
      throw OvirtFault.badRequest('address is for notification_method smtp; a webhook takes a url and a secret');
    if (input.url === undefined) throw OvirtFault.badRequest('url is required for notification_method webhook');
    if (input.secret === undefined)
      throw OvirtFault.badRequest(
        'secret is required for notification_method webhook (the key of the HMAC-SHA256 signature header)',
      );
    let url: URL;
    try {
      url = new URL(input.url.trim());
    } catch {
      throw OvirtFault.badRequest('url: must be an absolute http or https URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw OvirtFault.badRequest('url: must be an absolute http or https URL');
    if (url.username !== '' || url.password !== '')
      throw OvirtFault.badRequest('url: must not hold a user or password (the secret signs every delivery)');
    return { address: null, url: url.href, secret: input.secret };
  }

  private async checkOneAddress(userId: string, address: string): Promise<void> {
    const other = (await this.repo.smtpAddressesOf(userId)).find((a) => a.toLowerCase() !== address.toLowerCase());
    if (other !== undefined)
      throw OvirtFault.conflict(
        `the address conflicts with the address of the user's other e-mail subscriptions (${other}); a user has one notification address`,
      );
  }
}
