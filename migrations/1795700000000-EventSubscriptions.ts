import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event subscriptions (oVirt's users/{id}/eventsubscriptions, plus our webhook method) and the history of
 * their deliveries. A subscription goes with its user; a delivery row with its subscription or its event.
 */
export class EventSubscriptions1795700000000 implements MigrationInterface {
  name = 'EventSubscriptions1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_subscriptions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        event_name varchar(100) NOT NULL,
        method varchar(16) NOT NULL CHECK (method IN ('smtp', 'webhook')),
        address varchar(254),
        url varchar(2000),
        secret_sealed varchar(1000),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX event_subscriptions_user_event_method_uq ON event_subscriptions (user_id, event_name, method);
      CREATE INDEX event_subscriptions_event_idx ON event_subscriptions (event_name);

      CREATE TABLE notification_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
        event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        time timestamptz NOT NULL DEFAULT now(),
        outcome varchar(16) NOT NULL,
        http_status integer,
        smtp_reply varchar(500),
        error varchar(1000)
      );
      CREATE INDEX notification_deliveries_subscription_idx ON notification_deliveries (subscription_id, time DESC);
      CREATE INDEX notification_deliveries_event_idx ON notification_deliveries (event_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification_deliveries; DROP TABLE event_subscriptions;');
  }
}
