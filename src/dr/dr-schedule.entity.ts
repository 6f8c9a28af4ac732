import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { MissedRunPolicy } from './schedule';

export const QUIESCE_POLICIES = ['off', 'best_effort', 'required'] as const;
export type QuiescePolicy = (typeof QUIESCE_POLICIES)[number];

/** A DR sync schedule of a storage domain, through one geo-replication session of its volume. */
@Entity({ name: 'dr_schedules' })
export class DrScheduleEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'storage_domain_id', type: 'uuid' })
  storageDomainId: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /** Null once the session vanished (ON DELETE SET NULL): the scheduler then disables the schedule. */
  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  /** As the client wrote it (canonical form). */
  @Column({ type: 'varchar', length: 200 })
  schedule: string;

  /** The 5-field cron it runs on. */
  @Column({ type: 'varchar', length: 200 })
  cron: string;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'checkpoint_timeout_minutes', type: 'integer', default: 120 })
  checkpointTimeoutMinutes: number;

  @Column({ name: 'missed_run_policy', type: 'varchar', length: 16, default: 'skip' })
  missedRunPolicy: MissedRunPolicy;

  /** Snapshot the domain's running VMs through the oVirt engine around each run (engine_* below). */
  @Column({ name: 'quiesce_policy', type: 'varchar', length: 16, default: 'off' })
  quiescePolicy: QuiescePolicy;

  /** The oVirt engine that runs the domain's VMs: `https://host[:port]`. */
  @Column({ name: 'engine_url', type: 'varchar', length: 300, nullable: true })
  engineUrl: string | null;

  @Column({ name: 'engine_username', type: 'varchar', length: 255, nullable: true })
  engineUsername: string | null;

  /** Sealed with the service's secret key (secret-box), named by the schedule's id. */
  @Column({ name: 'engine_password_sealed', type: 'text', nullable: true })
  enginePasswordSealed: string | null;

  /** The engine's CA certificate (PEM), pinned: fetched from its pki-resource when none was given. */
  @Column({ name: 'engine_ca_pem', type: 'text', nullable: true })
  engineCaPem: string | null;

  /** The engine's id of the storage domain: the directory oVirt keeps the domain in, on the volume. */
  @Column({ name: 'engine_storage_domain_id', type: 'uuid', nullable: true })
  engineStorageDomainId: string | null;

  /** The fire time the scheduler expects next (used for the missed-run policy at start-up). */
  @Column({ name: 'next_run', type: 'timestamptz', nullable: true })
  nextRun: Date | null;

  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'last_run_id', type: 'uuid', nullable: true })
  lastRunId: string | null;

  @Column({ name: 'last_success_run_id', type: 'uuid', nullable: true })
  lastSuccessRunId: string | null;

  @Column({ name: 'last_success_checkpoint', type: 'timestamptz', nullable: true })
  lastSuccessCheckpoint: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
