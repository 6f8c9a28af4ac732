import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { MissedRunPolicy } from './schedule';

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

  @Column({ type: 'boolean', default: false })
  quiesce: boolean;

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
