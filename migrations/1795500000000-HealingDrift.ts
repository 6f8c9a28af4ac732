import { MigrationInterface, QueryRunner } from 'typeorm';

/** Stall healing (when each heal ran, for the hourly limit) and drift (what the service last asked of the session). */
export class HealingDrift1795500000000 implements MigrationInterface {
  name = 'HealingDrift1795500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE georep_sessions
        ADD COLUMN desired_status varchar(16),
        ADD COLUMN desired_at timestamptz,
        ADD COLUMN drifted boolean NOT NULL DEFAULT false,
        ADD COLUMN heal_times timestamptz[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT georep_sessions_desired_status_check CHECK (desired_status IN ('started', 'stopped', 'paused'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE georep_sessions DROP CONSTRAINT georep_sessions_desired_status_check, DROP COLUMN desired_status, DROP COLUMN desired_at, DROP COLUMN drifted, DROP COLUMN heal_times',
    );
  }
}
