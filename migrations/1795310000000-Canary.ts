import { MigrationInterface, QueryRunner } from 'typeorm';

/** The replication canary's last outcome on each session. */
export class Canary1795310000000 implements MigrationInterface {
  name = 'Canary1795310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE georep_sessions
        ADD COLUMN last_verified timestamptz,
        ADD COLUMN last_verify_result varchar(1000),
        ADD COLUMN replication_delay_ms integer;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE georep_sessions DROP COLUMN last_verified, DROP COLUMN last_verify_result, DROP COLUMN replication_delay_ms',
    );
  }
}
