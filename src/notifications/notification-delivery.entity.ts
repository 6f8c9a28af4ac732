import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const DELIVERY_OUTCOMES = ['delivered', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** One attempt at telling a subscriber of one event. */
@Entity({ name: 'notification_deliveries' })
export class NotificationDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  @Column({ name: 'event_id', type: 'bigint' })
  eventId: string;

  /** 1 for the first try. */
  @Column({ type: 'integer' })
  attempt: number;

  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'varchar', length: 16 })
  outcome: DeliveryOutcome;

  /** webhook: the receiver's HTTP status, when it answered. */
  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus: number | null;

  /** smtp: the relay's last reply line (e.g. `250 OK: queued`). */
  @Column({ name: 'smtp_reply', type: 'varchar', length: 500, nullable: true })
  smtpReply: string | null;

  /** What went wrong, bounded (never a secret, never the webhook URL). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;
}
