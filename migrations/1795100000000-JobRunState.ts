import { MigrationInterface, QueryRunner } from 'typeorm';

/** Where an action's job is in its life (oVirt's job status alone cannot say queued vs running). */
export class JobRunState1795100000000 implements MigrationInterface {
  name = 'JobRunState1795100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE jobs ADD COLUMN run_state varchar(16) NOT NULL DEFAULT 'done' CHECK (run_state IN ('queued', 'running', 'done'));
      ALTER TABLE jobs ADD COLUMN attempts integer NOT NULL DEFAULT 0;
      CREATE INDEX jobs_unfinished_target_idx ON jobs (target_type, target_id) WHERE run_state <> 'done';
      ALTER TABLE events ADD COLUMN target_type varchar(32);
      ALTER TABLE events ADD COLUMN target_id uuid;
      CREATE INDEX events_target_idx ON events (target_type, target_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX events_target_idx;
      ALTER TABLE events DROP COLUMN target_id;
      ALTER TABLE events DROP COLUMN target_type;
      DROP INDEX jobs_unfinished_target_idx;
      ALTER TABLE jobs DROP COLUMN attempts;
      ALTER TABLE jobs DROP COLUMN run_state;
    `);
  }
}
