import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quiescing a storage domain's VMs through the oVirt engine around a DR run: the schedule's policy
 * (the old `quiesce` flag could only ever be false) and its engine connection; the run's record of the
 * snapshots and overlays it created, so a resumed or failed run removes exactly those.
 */
export class EngineQuiesce1796100000000 implements MigrationInterface {
  name = 'EngineQuiesce1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE dr_schedules
        ADD COLUMN quiesce_policy varchar(16) NOT NULL DEFAULT 'off'
          CHECK (quiesce_policy IN ('off', 'best_effort', 'required')),
        ADD COLUMN engine_url varchar(300),
        ADD COLUMN engine_username varchar(255),
        ADD COLUMN engine_password_sealed text,
        ADD COLUMN engine_ca_pem text,
        ADD COLUMN engine_storage_domain_id uuid,
        DROP COLUMN quiesce;
      ALTER TABLE dr_runs ADD COLUMN quiesce jsonb;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE dr_runs DROP COLUMN quiesce;
      ALTER TABLE dr_schedules
        ADD COLUMN quiesce boolean NOT NULL DEFAULT false,
        DROP COLUMN quiesce_policy,
        DROP COLUMN engine_url,
        DROP COLUMN engine_username,
        DROP COLUMN engine_password_sealed,
        DROP COLUMN engine_ca_pem,
        DROP COLUMN engine_storage_domain_id;
    `);
  }
}
