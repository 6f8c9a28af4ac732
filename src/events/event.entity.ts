import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type EventSeverity = 'normal' | 'warning' | 'error' | 'alert';

@Entity({ name: 'events' })
export class EventEntity {
  /** bigserial: also oVirt's `index`, the order clients poll by with `from=`. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'integer' })
  code: number;

  @Column({ type: 'varchar', length: 16 })
  severity: EventSeverity;

  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'varchar', length: 4000 })
  description: string;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128, nullable: true })
  correlationId: string | null;

  @Column({ type: 'varchar', length: 128 })
  origin: string;

  @Column({ name: 'custom_id', type: 'integer', nullable: true })
  customId: number | null;

  @Column({ name: 'flood_rate', type: 'integer' })
  floodRate: number;

  @Column({ name: 'custom_data', type: 'varchar', length: 4000, nullable: true })
  customData: string | null;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'cluster_id', type: 'uuid', nullable: true })
  clusterId: string | null;

  @Column({ name: 'host_id', type: 'uuid', nullable: true })
  hostId: string | null;

  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;
}
