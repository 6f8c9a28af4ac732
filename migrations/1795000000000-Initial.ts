import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795000000000 implements MigrationInterface {
  name = 'Initial1795000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clusters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(64) NOT NULL,
        description varchar(500),
        gluster_service boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX clusters_name_uq ON clusters (name);

      CREATE TABLE hosts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(64) NOT NULL,
        address varchar(255) NOT NULL,
        ssh_port integer NOT NULL DEFAULT 22 CHECK (ssh_port BETWEEN 1 AND 65535),
        ssh_user varchar(32) NOT NULL DEFAULT 'root',
        ssh_fingerprint varchar(128),
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
        status varchar(32) NOT NULL DEFAULT 'unknown',
        status_detail varchar(1000),
        gluster_version varchar(64),
        peer_uuid uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX hosts_name_uq ON hosts (name);
      CREATE INDEX hosts_cluster_idx ON hosts (cluster_id);

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(130) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'viewer')),
        password_hash varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_name_uq ON users (lower(name));

      CREATE TABLE tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX tokens_hash_uq ON tokens (token_hash);
      CREATE INDEX tokens_user_idx ON tokens (user_id);

      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        description varchar(1000) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'finished', 'failed', 'aborted', 'unknown')),
        action varchar(64),
        target_type varchar(32),
        target_id uuid,
        params jsonb,
        result jsonb,
        error jsonb,
        correlation_id varchar(128),
        owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
        external boolean NOT NULL DEFAULT false,
        auto_cleared boolean NOT NULL DEFAULT true,
        start_time timestamptz NOT NULL DEFAULT now(),
        end_time timestamptz,
        last_updated timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX jobs_target_idx ON jobs (target_type, target_id, status);
      CREATE INDEX jobs_end_time_idx ON jobs (end_time);

      CREATE TABLE steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        parent_step_id uuid REFERENCES steps (id) ON DELETE CASCADE,
        number integer NOT NULL,
        type varchar(32) NOT NULL DEFAULT 'executing',
        description varchar(1000) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'finished', 'failed', 'aborted', 'unknown')),
        progress integer CHECK (progress BETWEEN 0 AND 100),
        external boolean NOT NULL DEFAULT false,
        execution_host_id uuid REFERENCES hosts (id) ON DELETE SET NULL,
        start_time timestamptz NOT NULL DEFAULT now(),
        end_time timestamptz
      );
      CREATE INDEX steps_job_idx ON steps (job_id, number);

      CREATE TABLE events (
        id bigserial PRIMARY KEY,
        code integer NOT NULL,
        severity varchar(16) NOT NULL CHECK (severity IN ('normal', 'warning', 'error', 'alert')),
        time timestamptz NOT NULL DEFAULT now(),
        description varchar(4000) NOT NULL,
        correlation_id varchar(128),
        origin varchar(128) NOT NULL DEFAULT 'georep-api',
        custom_id integer,
        flood_rate integer NOT NULL DEFAULT 30,
        custom_data varchar(4000),
        user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        cluster_id uuid REFERENCES clusters (id) ON DELETE SET NULL,
        host_id uuid REFERENCES hosts (id) ON DELETE SET NULL,
        job_id uuid REFERENCES jobs (id) ON DELETE SET NULL
      );
      CREATE INDEX events_time_idx ON events (time);
      CREATE INDEX events_code_idx ON events (code);

      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        queue varchar(64) NOT NULL,
        name varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        attempts integer NOT NULL DEFAULT 0
      );
      CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE enqueued_at IS NULL;

      CREATE TABLE service_secrets (
        name varchar(64) PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE service_secrets;
      DROP TABLE outbox;
      DROP TABLE events;
      DROP TABLE steps;
      DROP TABLE jobs;
      DROP TABLE tokens;
      DROP TABLE users;
      DROP TABLE hosts;
      DROP TABLE clusters;
    `);
  }
}
