import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const NOTIFICATION_METHODS = ['smtp', 'webhook'] as const;
export type NotificationMethod = (typeof NOTIFICATION_METHODS)[number];

/** A user's subscription to one event name, delivered by e-mail (oVirt's `smtp`) or by a signed webhook. */
@Entity({ name: 'event_subscriptions' })
export class EventSubscriptionEntity {
  /** Made by the service before the insert: the webhook secret is sealed under it. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'event_name', type: 'varchar', length: 100 })
  eventName: string;

  @Column({ type: 'varchar', length: 16 })
  method: NotificationMethod;

  /** smtp: the recipient. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  address: string | null;

  /** webhook: where the event is POSTed. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  url: string | null;

  /** webhook: the signing secret, sealed with GEOREP_SECRET_KEY (ssh/secret-box.ts); never rendered. */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 1000, nullable: true, select: false })
  secretSealed: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
