import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FollowRegistry } from '../ovirt/follow';
import { UsersModule } from '../users/users.module';
import { EventSubscriptionEntity } from './event-subscription.entity';
import { EventSubscriptionSchema, subscriptionView } from './event-subscription.representation';
import { EventSubscriptionsController, NotificationDeliveriesController } from './event-subscriptions.controller';
import { EventSubscriptionsService } from './event-subscriptions.service';
import { NotificationDeliveryEntity } from './notification-delivery.entity';
import { NotificationDeliveryJob } from './notification-delivery.job';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationReconciler } from './notification-reconciler.job';
import { NotificationSenders } from './notification-senders';
import { NotificationsRepository } from './notifications.repository';

/** Event subscriptions (oVirt's, plus webhooks) and their delivery as maintenance jobs; subscribes to recorded events. */
@Module({
  imports: [TypeOrmModule.forFeature([EventSubscriptionEntity, NotificationDeliveryEntity]), UsersModule],
  controllers: [EventSubscriptionsController, NotificationDeliveriesController],
  providers: [
    NotificationsRepository,
    NotificationSenders,
    EventSubscriptionsService,
    NotificationDispatcher,
    NotificationDeliveryJob,
    NotificationReconciler,
  ],
})
export class NotificationsModule implements OnModuleInit {
  constructor(
    private readonly repo: NotificationsRepository,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(
      EventSubscriptionSchema,
      async (ids) => new Map((await this.repo.findByIds(ids)).map((s) => [s.id, subscriptionView(s)])),
    );
  }
}
