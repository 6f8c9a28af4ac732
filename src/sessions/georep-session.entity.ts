import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DesiredSessionStatus, SessionHealth } from './stall-detection';
import type { GeoRepSessionRollupStatus } from '../gluster';

export type FailoverMode = 'planned' | 'unplanned';

/** The target (and lock) name of every job on a session: one running action per session, whoever submits it. */
export const SESSION_JOB_TARGET = 'georep_session';

/** A geo-replication session of a master volume (discovered, or created through the service). */
@Entity({ name: 'georep_sessions' })
export class GeoRepSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The master volume's cluster. */
  @Column({ name: 'cluster_id', type: 'uuid' })
  clusterId: string;

  @Column({ name: 'master_volume_id', type: 'uuid' })
  masterVolumeId: string;

  @Column({ name: 'slave_host_name', type: 'varchar', length: 255 })
  slaveHostName: string;

  @Column({ name: 'slave_volume_name', type: 'varchar', length: 64 })
  slaveVolumeName: string;

  @Column({ name: 'slave_volume_uuid', type: 'uuid', nullable: true })
  slaveVolumeUuid: string | null;

  /** The slave volume, when the service knows it (a volume of a managed cluster). */
  @Column({ name: 'slave_volume_id', type: 'uuid', nullable: true })
  slaveVolumeId: string | null;

  @Column({ name: 'slave_cluster_id', type: 'uuid', nullable: true })
  slaveClusterId: string | null;

  @Column({ name: 'slave_host_id', type: 'uuid', nullable: true })
  slaveHostId: string | null;

  @Column({ name: 'user_name', type: 'varchar', length: 32, default: 'root' })
  userName: string;

  @Column({ name: 'session_key', type: 'varchar', length: 1000 })
  sessionKey: string;

  @Column({ type: 'varchar', length: 20 })
  status: GeoRepSessionRollupStatus;

  /** Beside gluster's status: healthy, degraded (a worker stalled or partly faulty), failing. */
  @Column({ type: 'varchar', length: 16, default: 'healthy' })
  health: SessionHealth;

  /** The replication canary's last run: when, what it found, how long the probe took to arrive. */
  @Column({ name: 'last_verified', type: 'timestamptz', nullable: true })
  lastVerified: Date | null;

  @Column({ name: 'last_verify_result', type: 'varchar', length: 1000, nullable: true })
  lastVerifyResult: string | null;

  @Column({ name: 'replication_delay_ms', type: 'integer', nullable: true })
  replicationDelayMs: number | null;

  /** What the service last asked of the session (start/resume: started); null until it asked anything. */
  @Column({ name: 'desired_status', type: 'varchar', length: 16, nullable: true })
  desiredStatus: DesiredSessionStatus | null;

  /** When the command that asked for `desiredStatus` returned; null while it runs (no drift verdict then). */
  @Column({ name: 'desired_at', type: 'timestamptz', nullable: true })
  desiredAt: Date | null;

  /** Gluster's status contradicts `desiredStatus` (e.g. started, but gluster says Stopped). */
  @Column({ type: 'boolean', default: false })
  drifted: boolean;

  /** When the service healed a stall on this session (kept for the hourly limit). */
  @Column({ name: 'heal_times', type: 'timestamptz', array: true, default: () => "'{}'" })
  healTimes: Date[];

  /**
   * The slave took over (failover): start, resume and DR runs are refused, since gluster would then
   * overwrite the slave's newer data with the master's.
   */
  @Column({ name: 'failed_over', type: 'boolean', default: false })
  failedOver: boolean;

  @Column({ name: 'failover_time', type: 'timestamptz', nullable: true })
  failoverTime: Date | null;

  /** planned: the master answered and the slave caught up first; unplanned (force): the slave only. */
  @Column({ name: 'failover_mode', type: 'varchar', length: 16, nullable: true })
  failoverMode: FailoverMode | null;

  @Column({ name: 'failover_user_id', type: 'uuid', nullable: true })
  failoverUserId: string | null;

  /** The last point known to be on the slave at the failover (null: the service never saw it synced). */
  @Column({ name: 'recovery_point', type: 'timestamptz', nullable: true })
  recoveryPoint: Date | null;

  /** Seconds from recoveryPoint to the failover: what may be missing on the slave (0 for a planned one). */
  @Column({ name: 'data_loss_window_seconds', type: 'integer', nullable: true })
  dataLossWindowSeconds: number | null;

  /** The slave volume's reconfigured values of the options the failover set (null: gluster's default). */
  @Column({ name: 'slave_options_before_failover', type: 'jsonb', nullable: true })
  slaveOptionsBeforeFailover: Record<string, string | null> | null;

  /** syncing: the failback's reverse session runs (phase sync done); null otherwise. */
  @Column({ name: 'failback_phase', type: 'varchar', length: 16, nullable: true })
  failbackPhase: 'syncing' | null;

  /** On a failback's reverse session (slave → master): the failed-over session it brings home; it owns this one. */
  @Column({ name: 'failback_of', type: 'uuid', nullable: true })
  failbackOf: string | null;

  @Column({ name: 'last_refreshed', type: 'timestamptz' })
  lastRefreshed: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
