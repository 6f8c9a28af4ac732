import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event whose deliveries are not all queued yet (Redis was down, or the process died in between): set
 * before the delivery jobs are queued, cleared once they all are; the notification reconciler queues the
 * rest (notifications/notification-reconciler.job.ts).
 */
export class NotificationOutbox1795900000000 implements MigrationInterface {
  name = 'NotificationOutbox1795900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events ADD COLUMN notifications_pending boolean NOT NULL DEFAULT false;
      CREATE INDEX events_notifications_pending_idx ON events (id) WHERE notifications_pending;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN notifications_pending`);
  }
}
