import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { GeoRepCrawlStatus, GeoRepWorkerStatus } from '../gluster';
import { BIGINT_NUMBER } from '../volumes/bigint-transformer';

/** One master brick's worker of a session (`status detail`), in the master volume's brick order. */
@Entity({ name: 'georep_session_details' })
export class GeoRepSessionDetailEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ name: 'master_brick_id', type: 'uuid', nullable: true })
  masterBrickId: string | null;

  @Column({ name: 'master_host_name', type: 'varchar', length: 255 })
  masterHostName: string;

  @Column({ name: 'master_brick_dir', type: 'varchar', length: 1024 })
  masterBrickDir: string;

  @Column({ name: 'master_node_uuid', type: 'uuid', nullable: true })
  masterNodeUuid: string | null;

  @Column({ name: 'slave_node', type: 'varchar', length: 255, nullable: true })
  slaveNode: string | null;

  @Column({ type: 'varchar', length: 20 })
  status: GeoRepWorkerStatus;

  @Column({ name: 'crawl_status', type: 'varchar', length: 20, nullable: true })
  crawlStatus: GeoRepCrawlStatus | null;

  @Column({ name: 'last_synced', type: 'timestamptz', nullable: true })
  lastSynced: Date | null;

  @Column({ name: 'checkpoint_time', type: 'timestamptz', nullable: true })
  checkpointTime: Date | null;

  @Column({ name: 'checkpoint_completed', type: 'boolean', nullable: true })
  checkpointCompleted: boolean | null;

  @Column({ name: 'checkpoint_completion_time', type: 'timestamptz', nullable: true })
  checkpointCompletionTime: Date | null;

  @Column({ name: 'entry_pending', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  entryPending: number | null;

  @Column({ name: 'data_pending', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  dataPending: number | null;

  @Column({ name: 'meta_pending', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  metaPending: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  failures: number | null;

  /** When last_synced was last seen to move (or the worker first seen): the stall clock. */
  @Column({ name: 'progress_at', type: 'timestamptz', nullable: true })
  progressAt: Date | null;

  @Column({ type: 'boolean', default: false })
  stalled: boolean;
}
