import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * gluster's events API per cluster (gluster-events/): the webhook URL registered with the cluster's
 * glustereventsd, the SHA-256 of the bearer token it sends (the token itself is only ever on gluster's
 * side), and when the last event arrived.
 */
export class GlusterEventsPush1796000000000 implements MigrationInterface {
  name = 'GlusterEventsPush1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE clusters
        ADD COLUMN gluster_events_url varchar(2000),
        ADD COLUMN gluster_events_token_sha256 char(64),
        ADD COLUMN gluster_events_registered_at timestamptz,
        ADD COLUMN gluster_events_last_time timestamptz;
      CREATE UNIQUE INDEX clusters_gluster_events_token_idx ON clusters (gluster_events_token_sha256)
        WHERE gluster_events_token_sha256 IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE clusters
        DROP COLUMN gluster_events_url,
        DROP COLUMN gluster_events_token_sha256,
        DROP COLUMN gluster_events_registered_at,
        DROP COLUMN gluster_events_last_time
    `);
  }
}
