import { refTo } from '../ovirt/api-paths';
import { CreateInputOf, date, enumOf, int, ref, resource, str, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_IDENTIFIED_FIELDS } from '../ovirt-model/ovirt-fields';
import { EVENTS } from '../events/event.representation';
import { EVENT_SUBSCRIPTIONS, USERS } from '../users/user.representation';
import { EventSubscriptionEntity, NOTIFICATION_METHODS } from './event-subscription.entity';
import { DELIVERY_OUTCOMES, NotificationDeliveryEntity } from './notification-delivery.entity';
import { NOTIFIABLE_EVENT_NAMES } from './notifiable-events';

export const DELIVERIES = 'deliveries';
export const WEBHOOK_SECRET_MIN_LENGTH = 16;
export const WEBHOOK_SECRET_MAX_LENGTH = 256;

/** EventSubscription.java of oVirt/ovirt-engine-api-model (with Identified.java's fields). */
const OVIRT_EVENT_SUBSCRIPTION_FIELDS = [
  ...OVIRT_IDENTIFIED_FIELDS,
  'event',
  'user',
  'notification_method',
  'address',
] as const;

const subscriptionFields = {
  event: enumOf(NOTIFIABLE_EVENT_NAMES, {
    description: "The event to be told of: oVirt's NotifiableEvent names where oVirt has the event, ours otherwise.",
  }),
  user: ref('user', { readOnly: true }),
  notification_method: enumOf(NOTIFICATION_METHODS, {
    description: '`smtp`: an e-mail to `address`; `webhook`: a signed JSON POST to `url`.',
  }),
  address: str({
    optional: true,
    maxLength: 254,
    description:
      'smtp: the e-mail address (required; one address per user, as in oVirt: another one is a 409). Not for webhooks.',
  }),
  url: str({
    optional: true,
    maxLength: 2000,
    description:
      'webhook: the http(s) URL the event is POSTed to as JSON (required; no user or password in it). Not for smtp.',
  }),
  secret: str({
    optional: true,
    writeOnly: true,
    minLength: WEBHOOK_SECRET_MIN_LENGTH,
    maxLength: WEBHOOK_SECRET_MAX_LENGTH,
    description:
      'webhook: the key of the `X-Georep-Signature: sha256=<hex HMAC-SHA256 of the body>` header (required). Write-only, stored encrypted, never shown.',
  }),
};
export const EventSubscriptionSchema = resource('event_subscription', 'event_subscriptions', subscriptionFields, {
  links: [DELIVERIES],
  ...fitOvirtModel(
    OVIRT_EVENT_SUBSCRIPTION_FIELDS,
    Object.keys(subscriptionFields),
    "A user's subscription to an event (oVirt's event_subscription), by e-mail or by webhook.",
  ),
});

export const NotificationDeliverySchema = resource(
  'notification_delivery',
  'notification_deliveries',
  {
    event_subscription: ref('event_subscription', { readOnly: true }),
    event: ref('event', { readOnly: true }),
    attempt: int({ readOnly: true, min: 1, description: '1 for the first try; retries back off exponentially.' }),
    time: date({ readOnly: true }),
    outcome: enumOf(DELIVERY_OUTCOMES, { readOnly: true }),
    http_status: int({ readOnly: true, optional: true, description: "webhook: the receiver's HTTP status." }),
    smtp_reply: str({ readOnly: true, optional: true, description: "smtp: the relay's reply." }),
    error: str({ readOnly: true, optional: true, description: 'What went wrong (bounded).' }),
  },
  { description: 'One attempt at delivering one event to a subscription, newest first.' },
);

export type EventSubscriptionView = ViewOf<typeof EventSubscriptionSchema>;
export type EventSubscriptionCreate = CreateInputOf<typeof EventSubscriptionSchema>;
export type NotificationDeliveryView = ViewOf<typeof NotificationDeliverySchema>;

export const SUBSCRIPTION_SEARCH: SearchSpec = {
  fields: {
    event: { column: 's.event_name' },
    notification_method: { column: 's.method', values: NOTIFICATION_METHODS },
    address: { column: 's.address' },
  },
  defaultSort: 'event',
};

export const DELIVERY_SEARCH: SearchSpec = {
  fields: {
    outcome: { column: 'd.outcome', values: DELIVERY_OUTCOMES },
    time: { column: 'd.time', type: 'date' },
    attempt: { column: 'd.attempt', type: 'number' },
  },
  defaultSort: 'time',
  defaultDescending: true,
};

/** `/ovirt-engine/api/users/{uid}/eventsubscriptions/{id}` */
export function subscriptionHref(userId: string, id: string): string {
  return `${refTo(USERS, userId).href}/${EVENT_SUBSCRIPTIONS}/${encodeURIComponent(id)}`;
}

export function subscriptionView(s: EventSubscriptionEntity): EventSubscriptionView {
  return {
    id: s.id,
    href: subscriptionHref(s.userId, s.id),
    event: s.eventName as EventSubscriptionView['event'],
    user: refTo(USERS, s.userId),
    notification_method: s.method,
    address: s.address ?? undefined,
    url: s.url ?? undefined,
  };
}

export function deliveryView(d: NotificationDeliveryEntity, userId: string): NotificationDeliveryView {
  const subscription = subscriptionHref(userId, d.subscriptionId);
  return {
    id: d.id,
    href: `${subscription}/${DELIVERIES}/${encodeURIComponent(d.id)}`,
    event_subscription: { id: d.subscriptionId, href: subscription },
    event: refTo(EVENTS, d.eventId),
    attempt: d.attempt,
    time: d.time,
    outcome: d.outcome,
    http_status: d.httpStatus ?? undefined,
    smtp_reply: d.smtpReply ?? undefined,
    error: d.error ?? undefined,
  };
}
