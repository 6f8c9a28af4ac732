import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { JobStatus } from './job.entity';

export type StepType = 'validating' | 'executing' | 'finalizing' | 'unknown';

@Entity({ name: 'steps' })
export class StepEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'job_id', type: 'uuid' })
  jobId: string;

  @Column({ name: 'parent_step_id', type: 'uuid', nullable: true })
  parentStepId: string | null;

  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 32 })
  type: StepType;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  @Column({ type: 'varchar', length: 16 })
  status: JobStatus;

  @Column({ type: 'integer', nullable: true })
  progress: number | null;

  @Column({ type: 'boolean' })
  external: boolean;

  @Column({ name: 'execution_host_id', type: 'uuid', nullable: true })
  executionHostId: string | null;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime: Date;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime: Date | null;
}
