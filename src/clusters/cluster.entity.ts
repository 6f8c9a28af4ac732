import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'clusters' })
export class ClusterEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ name: 'gluster_service', type: 'boolean', default: true })
  glusterService: boolean;

  /** The webhook registered with the cluster's glustereventsd (gluster-events/), null when none. */
  @Column({ name: 'gluster_events_url', type: 'varchar', length: 2000, nullable: true })
  glusterEventsUrl: string | null;

  /** SHA-256 (hex) of the bearer token glustereventsd sends; the token itself is not kept. */
  @Column({ name: 'gluster_events_token_sha256', type: 'char', length: 64, nullable: true })
  glusterEventsTokenSha256: string | null;

  @Column({ name: 'gluster_events_registered_at', type: 'timestamptz', nullable: true })
  glusterEventsRegisteredAt: Date | null;

  @Column({ name: 'gluster_events_last_time', type: 'timestamptz', nullable: true })
  glusterEventsLastTime: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
