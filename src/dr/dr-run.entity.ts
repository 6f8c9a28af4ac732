import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const DR_RUN_STATUSES = ['started', 'finished', 'failed', 'aborted'] as const;
export type DrRunStatus = (typeof DR_RUN_STATUSES)[number];
export const DR_RUN_TRIGGERS = ['schedule', 'manual'] as const;
export type DrRunTrigger = (typeof DR_RUN_TRIGGERS)[number];

export interface DrRunStep {
  description: string;
  status: 'started' | 'finished' | 'failed' | 'aborted';
  start_time: string;
  end_time: string | null;
}

/** Per master brick, written while the run waits for the checkpoint. */
export interface DrRunBrickProgress {
  master_host_name: string;
  master_brick_dir: string;
  status: string;
  checkpoint_completed: boolean;
  entry_pending: number | null;
  data_pending: number | null;
  meta_pending: number | null;
  last_synced: string | null;
}

/** One VM a run snapshotted (or tried to) through the oVirt engine. */
export interface DrRunQuiescedVm {
  vm_id: string;
  vm_name: string;
  /** Null until the engine accepted the snapshot. */
  snapshot_id: string | null;
  /** `snapshotting`; `quiesced` (the snapshot is ok and its overlays known); `failed`; `released` (the snapshot is removed again). */
  state: 'snapshotting' | 'quiesced' | 'failed' | 'released';
  /** The volumes the snapshot put on top of the VM's disks on this domain (removed from the slave copy). */
  overlays: { disk_id: string; image_id: string }[];
  error: string | null;
}

/** What a run's quiesce created, kept as it goes so a resumed or failed run removes exactly that. */
export interface DrRunQuiesce {
  engine_storage_domain_id: string;
  vms: DrRunQuiescedVm[];
  /** The overlays are removed from the slave volume (checked by listing before and after). */
  overlays_removed: boolean;
  /** How many of their files the removal found on the slave volume (the rest were never copied, or removed by an earlier try). */
  overlay_files_removed?: number;
}

/** One DR sync of a storage domain (a job of the actions queue does the work). */
@Entity({ name: 'dr_runs' })
export class DrRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'schedule_id', type: 'uuid' })
  scheduleId: string;

  @Column({ name: 'storage_domain_id', type: 'uuid' })
  storageDomainId: string;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId: string | null;

  @Column({ type: 'varchar', length: 16 })
  trigger: DrRunTrigger;

  @Column({ type: 'varchar', length: 16 })
  status: DrRunStatus;

  @Column({ name: 'scheduled_for', type: 'timestamptz', nullable: true })
  scheduledFor: Date | null;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime: Date;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime: Date | null;

  /** The checkpoint gluster read back (`config checkpoint`), not the service's clock. */
  @Column({ name: 'checkpoint_time', type: 'timestamptz', nullable: true })
  checkpointTime: Date | null;

  @Column({ name: 'checkpoint_completed_time', type: 'timestamptz', nullable: true })
  checkpointCompletedTime: Date | null;

  @Column({ name: 'rpo_seconds', type: 'integer', nullable: true })
  rpoSeconds: number | null;

  @Column({ name: 'started_session', type: 'boolean', default: false })
  startedSession: boolean;

  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested: boolean;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  error: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  steps: DrRunStep[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  progress: DrRunBrickProgress[];

  @Column({ type: 'jsonb', nullable: true })
  quiesce: DrRunQuiesce | null;
}
