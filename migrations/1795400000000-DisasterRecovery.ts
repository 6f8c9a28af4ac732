import { MigrationInterface, QueryRunner } from 'typeorm';

/** Storage domains on managed gluster volumes, their DR schedules (through a geo-rep session) and the runs. */
export class DisasterRecovery1795400000000 implements MigrationInterface {
  name = 'DisasterRecovery1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE storage_domains (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(64) NOT NULL,
        description varchar(500),
        domain_type varchar(16) NOT NULL DEFAULT 'data',
        storage_type varchar(16) NOT NULL DEFAULT 'glusterfs',
        storage_address varchar(255) NOT NULL,
        storage_path varchar(255) NOT NULL,
        gluster_volume_id uuid REFERENCES gluster_volumes (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX storage_domains_name_uq ON storage_domains (name);
      CREATE INDEX storage_domains_volume_idx ON storage_domains (gluster_volume_id);

      CREATE TABLE dr_schedules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        storage_domain_id uuid NOT NULL REFERENCES storage_domains (id),
        name varchar(64) NOT NULL,
        description varchar(500),
        session_id uuid NULL REFERENCES georep_sessions (id) ON DELETE SET NULL,
        schedule varchar(200) NOT NULL,
        cron varchar(200) NOT NULL,
        timezone varchar(64) NOT NULL DEFAULT 'UTC',
        enabled boolean NOT NULL DEFAULT true,
        checkpoint_timeout_minutes integer NOT NULL DEFAULT 120,
        missed_run_policy varchar(16) NOT NULL DEFAULT 'skip',
        quiesce boolean NOT NULL DEFAULT false,
        next_run timestamptz,
        disabled_reason varchar(500),
        last_run_id uuid,
        last_success_run_id uuid,
        last_success_checkpoint timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX dr_schedules_domain_name_uq ON dr_schedules (storage_domain_id, name);
      CREATE INDEX dr_schedules_session_idx ON dr_schedules (session_id);

      CREATE TABLE dr_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        schedule_id uuid NOT NULL REFERENCES dr_schedules (id) ON DELETE CASCADE,
        storage_domain_id uuid NOT NULL REFERENCES storage_domains (id) ON DELETE CASCADE,
        session_id uuid REFERENCES georep_sessions (id) ON DELETE SET NULL,
        job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
        trigger varchar(16) NOT NULL,
        status varchar(16) NOT NULL,
        scheduled_for timestamptz,
        start_time timestamptz NOT NULL DEFAULT now(),
        end_time timestamptz,
        checkpoint_time timestamptz,
        checkpoint_completed_time timestamptz,
        rpo_seconds integer,
        started_session boolean NOT NULL DEFAULT false,
        cancel_requested boolean NOT NULL DEFAULT false,
        error varchar(2000),
        steps jsonb NOT NULL DEFAULT '[]',
        progress jsonb NOT NULL DEFAULT '[]'
      );
      CREATE INDEX dr_runs_schedule_idx ON dr_runs (schedule_id, start_time DESC);
      CREATE INDEX dr_runs_job_idx ON dr_runs (job_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE dr_runs; DROP TABLE dr_schedules; DROP TABLE storage_domains;');
  }
}
