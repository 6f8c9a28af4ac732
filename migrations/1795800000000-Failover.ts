import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failover of a geo-replication session to its slave: the flag that refuses a start (it would overwrite
 * newer data on the slave), when and how it happened, who asked, the data-loss window it measured, and
 * the slave volume's options before the failover changed them (what a failback puts back); the
 * failback's phase, and on the reverse session it makes (slave → master) the session it fails back.
 * A storage domain synced through a failed-over session says its slave copy is the primary one, and where.
 */
export class Failover1795800000000 implements MigrationInterface {
  name = 'Failover1795800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE georep_sessions
        ADD COLUMN failed_over boolean NOT NULL DEFAULT false,
        ADD COLUMN failover_time timestamptz,
        ADD COLUMN failover_mode varchar(16) CHECK (failover_mode IN ('planned', 'unplanned')),
        ADD COLUMN failover_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        ADD COLUMN recovery_point timestamptz,
        ADD COLUMN data_loss_window_seconds integer,
        ADD COLUMN slave_options_before_failover jsonb,
        ADD COLUMN failback_phase varchar(16) CHECK (failback_phase IN ('syncing')),
        ADD COLUMN failback_of uuid REFERENCES georep_sessions (id) ON DELETE SET NULL;
      ALTER TABLE storage_domains
        ADD COLUMN primary_copy varchar(8) NOT NULL DEFAULT 'master' CHECK (primary_copy IN ('master', 'slave')),
        ADD COLUMN primary_storage_address varchar(255),
        ADD COLUMN primary_storage_path varchar(255);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE georep_sessions
        DROP COLUMN failed_over, DROP COLUMN failover_time, DROP COLUMN failover_mode, DROP COLUMN failover_user_id,
        DROP COLUMN recovery_point, DROP COLUMN data_loss_window_seconds, DROP COLUMN slave_options_before_failover,
        DROP COLUMN failback_phase, DROP COLUMN failback_of;
      ALTER TABLE storage_domains
        DROP COLUMN primary_copy, DROP COLUMN primary_storage_address, DROP COLUMN primary_storage_path;
    `);
  }
}
