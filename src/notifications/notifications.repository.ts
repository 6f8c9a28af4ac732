import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { isUuid } from '../gluster';
import { applyListQuery } from '../ovirt/list-query';
import type { ListQuery } from '../ovirt/query';
import { EventSubscriptionEntity } from './event-subscription.entity';
import { DELIVERY_SEARCH, SUBSCRIPTION_SEARCH } from './event-subscription.representation';
import { NotificationDeliveryEntity } from './notification-delivery.entity';

export type NewSubscription = Pick<
  EventSubscriptionEntity,
  'id' | 'userId' | 'eventName' | 'method' | 'address' | 'url' | 'secretSealed'
>;
export type NewDelivery = Omit<NotificationDeliveryEntity, 'id'>;

/** Where a session or a volume lives (their hrefs need it). */
export interface TargetPlace {
  readonly clusterId: string;
  readonly volumeId?: string;
}

/** All database access for event subscriptions and their deliveries. */
@Injectable()
export class NotificationsRepository {
  constructor(
    @InjectRepository(EventSubscriptionEntity) private readonly subscriptions: Repository<EventSubscriptionEntity>,
    @InjectRepository(NotificationDeliveryEntity) private readonly deliveries: Repository<NotificationDeliveryEntity>,
    private readonly ds: DataSource,
  ) {}

  list(userId: string, query: ListQuery): Promise<EventSubscriptionEntity[]> {
    const qb = this.subscriptions.createQueryBuilder('s').where('s.user_id = :userId', { userId });
    return applyListQuery(qb, query, SUBSCRIPTION_SEARCH).getMany();
  }

  find(userId: string, id: string): Promise<EventSubscriptionEntity | null> {
    return isUuid(id) ? this.subscriptions.findOneBy({ id, userId }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<EventSubscriptionEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.subscriptions.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  /** With the sealed secret, for the delivery job only. */
  findForDelivery(id: string): Promise<EventSubscriptionEntity | null> {
    return this.subscriptions.createQueryBuilder('s').addSelect('s.secretSealed').where('s.id = :id', { id }).getOne();
  }

  /** The subscriptions to any of these event names. */
  subscribedTo(eventNames: readonly string[]): Promise<EventSubscriptionEntity[]> {
    return eventNames.length === 0
      ? Promise.resolve([])
      : this.subscriptions.findBy({ eventName: In([...eventNames]) });
  }

  /** Marks (or clears) an event whose delivery jobs are not all queued yet: the notification outbox. */
  async setNotificationsPending(eventId: string, pending: boolean): Promise<void> {
    await this.ds.query(`UPDATE events SET notifications_pending = $2 WHERE id = $1`, [eventId, pending]);
  }

  /** Ids of events still waiting for their deliveries to be queued, recorded before `before`, oldest first. */
  async eventsPendingNotification(before: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT id::text FROM events WHERE notifications_pending AND time < $1 ORDER BY id LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The e-mail addresses the user's smtp subscriptions already use. */
  async smtpAddressesOf(userId: string): Promise<string[]> {
    const rows = await this.subscriptions.findBy({ userId, method: 'smtp' });
    return [...new Set(rows.map((r) => r.address).filter((a): a is string => a !== null))];
  }

  insert(s: NewSubscription): Promise<EventSubscriptionEntity> {
    return translateConstraintErrors(async () => {
      await this.subscriptions.insert(s);
      return (await this.find(s.userId, s.id)) as EventSubscriptionEntity;
    });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return ((await this.subscriptions.delete({ id, userId })).affected ?? 0) > 0;
  }

  listDeliveries(subscriptionId: string, query: ListQuery): Promise<NotificationDeliveryEntity[]> {
    const qb = this.deliveries.createQueryBuilder('d').where('d.subscription_id = :subscriptionId', { subscriptionId });
    return applyListQuery(qb, query, DELIVERY_SEARCH).getMany();
  }

  findDelivery(subscriptionId: string, id: string): Promise<NotificationDeliveryEntity | null> {
    return isUuid(id) ? this.deliveries.findOneBy({ id, subscriptionId }) : Promise.resolve(null);
  }

  /** Records an attempt; false when the subscription (or the event) went meanwhile. */
  async addDelivery(d: NewDelivery): Promise<boolean> {
    try {
      await translateConstraintErrors(() => this.deliveries.insert(d));
      return true;
    } catch (e) {
      if ((e as { kind?: string }).kind === 'foreign_key') return false;
      throw e;
    }
  }

  /** The cluster (and master volume) of a session, or the cluster of a volume, for the target's href. */
  async placeOf(targetType: string, id: string): Promise<TargetPlace | null> {
    if (!isUuid(id)) return null;
    if (targetType === 'georeplication_session') {
      const rows: { cluster_id: string; master_volume_id: string }[] = await this.ds.query(
        'SELECT cluster_id, master_volume_id FROM georep_sessions WHERE id = $1',
        [id],
      );
      return rows[0] ? { clusterId: rows[0].cluster_id, volumeId: rows[0].master_volume_id } : null;
    }
    if (targetType === 'gluster_volume') {
      const rows: { cluster_id: string }[] = await this.ds.query(
        'SELECT cluster_id FROM gluster_volumes WHERE id = $1',
        [id],
      );
      return rows[0] ? { clusterId: rows[0].cluster_id } : null;
    }
    return null;
  }
}
