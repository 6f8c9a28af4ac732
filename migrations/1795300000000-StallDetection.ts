import { MigrationInterface, QueryRunner } from 'typeorm';

/** Stall detection (LAB.md pitfall 2): when each worker's last_synced last moved, whether it is stalled, and the session's health. */
export class StallDetection1795300000000 implements MigrationInterface {
  name = 'StallDetection1795300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE georep_session_details
        ADD COLUMN progress_at timestamptz,
        ADD COLUMN stalled boolean NOT NULL DEFAULT false;
      ALTER TABLE georep_sessions
        ADD COLUMN health varchar(16) NOT NULL DEFAULT 'healthy' CHECK (health IN ('healthy', 'degraded', 'failing'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE georep_sessions DROP COLUMN health;
      ALTER TABLE georep_session_details DROP COLUMN stalled, DROP COLUMN progress_at;
    `);
  }
}
