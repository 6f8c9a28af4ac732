import { AdminOnly } from '../ovirt/access.guard';
import { Param } from '@nestjs/common';
import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import {
  AddRoute,
  Caller,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtSubCollection,
  RemoveRoute,
  RequestCaller,
  ResourceId,
} from '../ovirt/routes';
import { EVENT_SUBSCRIPTIONS, USERS } from '../users/user.representation';
import {
  DELIVERIES,
  DELIVERY_SEARCH,
  deliveryView,
  EventSubscriptionCreate,
  EventSubscriptionSchema,
  EventSubscriptionView,
  NotificationDeliverySchema,
  NotificationDeliveryView,
  SUBSCRIPTION_SEARCH,
  subscriptionView,
} from './event-subscription.representation';
import { EventSubscriptionsService } from './event-subscriptions.service';

const SUBSCRIPTIONS_PATH = `${USERS}/:user/${EVENT_SUBSCRIPTIONS}`;

/** `/users/{uid}/eventsubscriptions`: admins only, as `/users` itself (they hold addresses and webhook URLs). */
@AdminOnly()
@OvirtSubCollection(SUBSCRIPTIONS_PATH)
export class EventSubscriptionsController {
  constructor(private readonly subscriptions: EventSubscriptionsService) {}

  @ListRoute(EventSubscriptionSchema, { search: SUBSCRIPTION_SEARCH, summary: "List a user's event subscriptions" })
  async list(@Param('user') userId: string, @ListParams() query: ListQuery): Promise<EventSubscriptionView[]> {
    return (await this.subscriptions.list(userId, query)).map(subscriptionView);
  }

  @GetRoute(EventSubscriptionSchema, { summary: 'Get an event subscription' })
  async get(@Param('user') userId: string, @ResourceId() id: string): Promise<EventSubscriptionView> {
    return subscriptionView(await this.subscriptions.get(userId, id));
  }

  @AddRoute(EventSubscriptionSchema, {
    summary: 'Subscribe a user to an event: an e-mail (smtp) or a signed webhook on every such event',
  })
  async add(
    @Param('user') userId: string,
    @OvirtBody(EventSubscriptionSchema, 'create') body: EventSubscriptionCreate,
    @RequestCaller() caller: Caller,
  ): Promise<EventSubscriptionView> {
    return subscriptionView(await this.subscriptions.add(userId, body, caller));
  }

  @RemoveRoute(EventSubscriptionSchema, { summary: 'Remove an event subscription and its delivery history' })
  async remove(
    @Param('user') userId: string,
    @ResourceId() id: string,
    @RequestCaller() caller: Caller,
  ): Promise<void> {
    await this.subscriptions.remove(userId, id, caller);
  }
}

/** `/users/{uid}/eventsubscriptions/{sid}/deliveries`: every delivery attempt, newest first. */
@AdminOnly()
@OvirtSubCollection(`${SUBSCRIPTIONS_PATH}/:subscription/${DELIVERIES}`)
export class NotificationDeliveriesController {
  constructor(private readonly subscriptions: EventSubscriptionsService) {}

  @ListRoute(NotificationDeliverySchema, {
    search: DELIVERY_SEARCH,
    summary: 'List the delivery attempts of an event subscription, newest first',
  })
  async list(
    @Param('user') userId: string,
    @Param('subscription') subscriptionId: string,
    @ListParams() query: ListQuery,
  ): Promise<NotificationDeliveryView[]> {
    return (await this.subscriptions.deliveries(userId, subscriptionId, query)).map((d) => deliveryView(d, userId));
  }

  @GetRoute(NotificationDeliverySchema, { summary: 'Get one delivery attempt' })
  async get(
    @Param('user') userId: string,
    @Param('subscription') subscriptionId: string,
    @ResourceId() id: string,
  ): Promise<NotificationDeliveryView> {
    return deliveryView(await this.subscriptions.delivery(userId, subscriptionId, id), userId);
  }
}
