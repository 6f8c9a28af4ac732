import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type JobStatus = 'started' | 'finished' | 'failed' | 'aborted' | 'unknown';
export type JobRunState = 'queued' | 'running' | 'done';

/** How a failed action is reported: the HTTP status and oVirt fault it becomes. */
export interface JobError {
  status: number;
  reason: string;
  detail: string;
}

@Entity({ name: 'jobs' })
export class JobEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  @Column({ type: 'varchar', length: 16 })
  status: JobStatus;

  @Column({ name: 'run_state', type: 'varchar', length: 16 })
  runState: JobRunState;

  @Column({ type: 'varchar', length: 64, nullable: true })
  action: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  params: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  error: JobError | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128, nullable: true })
  correlationId: string | null;

  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  @Column({ type: 'boolean' })
  external: boolean;

  @Column({ name: 'auto_cleared', type: 'boolean' })
  autoCleared: boolean;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime: Date;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime: Date | null;

  @Column({ name: 'last_updated', type: 'timestamptz' })
  lastUpdated: Date;
}
