import { MigrationInterface, QueryRunner } from 'typeorm';

/** What discovery reads from the gluster clusters: volumes, bricks, geo-rep sessions, their per-brick rows and options. */
export class GlusterDiscovery1795200000000 implements MigrationInterface {
  name = 'GlusterDiscovery1795200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gluster_volumes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        name varchar(64) NOT NULL,
        gluster_uuid uuid,
        volume_type varchar(40) NOT NULL,
        status varchar(16) NOT NULL,
        brick_count integer NOT NULL,
        replica_count integer NOT NULL,
        arbiter_count integer NOT NULL DEFAULT 0,
        disperse_count integer NOT NULL,
        redundancy_count integer NOT NULL,
        transport_types varchar(32) NOT NULL,
        size_total bigint,
        size_free bigint,
        options jsonb NOT NULL DEFAULT '[]',
        last_refreshed timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX gluster_volumes_cluster_name_uq ON gluster_volumes (cluster_id, name);
      CREATE INDEX gluster_volumes_uuid_idx ON gluster_volumes (gluster_uuid);

      CREATE TABLE gluster_bricks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        volume_id uuid NOT NULL REFERENCES gluster_volumes (id) ON DELETE CASCADE,
        position integer NOT NULL,
        server_name varchar(255) NOT NULL,
        brick_dir varchar(1024) NOT NULL,
        peer_uuid uuid,
        host_id uuid REFERENCES hosts (id) ON DELETE SET NULL,
        status varchar(16) NOT NULL,
        is_arbiter boolean NOT NULL DEFAULT false,
        port integer,
        size_total bigint,
        size_free bigint,
        device varchar(255),
        fs_name varchar(64)
      );
      CREATE UNIQUE INDEX gluster_bricks_volume_brick_uq ON gluster_bricks (volume_id, server_name, brick_dir);
      CREATE INDEX gluster_bricks_host_idx ON gluster_bricks (host_id);

      CREATE TABLE georep_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        master_volume_id uuid NOT NULL REFERENCES gluster_volumes (id) ON DELETE CASCADE,
        slave_host_name varchar(255) NOT NULL,
        slave_volume_name varchar(64) NOT NULL,
        slave_volume_uuid uuid,
        slave_volume_id uuid REFERENCES gluster_volumes (id) ON DELETE SET NULL,
        slave_cluster_id uuid REFERENCES clusters (id) ON DELETE SET NULL,
        slave_host_id uuid REFERENCES hosts (id) ON DELETE SET NULL,
        user_name varchar(32) NOT NULL DEFAULT 'root',
        session_key varchar(1000) NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('initializing', 'created', 'active', 'passive', 'paused', 'stopped', 'partial_faulty', 'faulty', 'unknown')),
        last_refreshed timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX georep_sessions_identity_uq ON georep_sessions (master_volume_id, slave_host_name, slave_volume_name, user_name);
      CREATE INDEX georep_sessions_slave_volume_idx ON georep_sessions (slave_volume_id);
      CREATE INDEX georep_sessions_cluster_idx ON georep_sessions (cluster_id);

      CREATE TABLE georep_session_details (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES georep_sessions (id) ON DELETE CASCADE,
        position integer NOT NULL,
        master_brick_id uuid REFERENCES gluster_bricks (id) ON DELETE SET NULL,
        master_host_name varchar(255) NOT NULL,
        master_brick_dir varchar(1024) NOT NULL,
        master_node_uuid uuid,
        slave_node varchar(255),
        status varchar(20) NOT NULL,
        crawl_status varchar(20),
        last_synced timestamptz,
        checkpoint_time timestamptz,
        checkpoint_completed boolean,
        checkpoint_completion_time timestamptz,
        entry_pending bigint,
        data_pending bigint,
        meta_pending bigint,
        failures bigint
      );
      CREATE INDEX georep_session_details_session_idx ON georep_session_details (session_id, position);

      CREATE TABLE georep_session_options (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES georep_sessions (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        value text NOT NULL,
        default_value text,
        modified boolean NOT NULL
      );
      CREATE UNIQUE INDEX georep_session_options_name_uq ON georep_session_options (session_id, name);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE georep_session_options;
      DROP TABLE georep_session_details;
      DROP TABLE georep_sessions;
      DROP TABLE gluster_bricks;
      DROP TABLE gluster_volumes;
    `);
  }
}
