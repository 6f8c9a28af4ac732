import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** An oVirt data storage domain on a gluster volume the service manages (what DR schedules sync). */
@Entity({ name: 'storage_domains' })
export class StorageDomainEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ name: 'domain_type', type: 'varchar', length: 16, default: 'data' })
  domainType: 'data';

  @Column({ name: 'storage_type', type: 'varchar', length: 16, default: 'glusterfs' })
  storageType: 'glusterfs';

  @Column({ name: 'storage_address', type: 'varchar', length: 255 })
  storageAddress: string;

  @Column({ name: 'storage_path', type: 'varchar', length: 255 })
  storagePath: string;

  /** Null when the volume vanished from gluster (discovery removed it). */
  @Column({ name: 'gluster_volume_id', type: 'uuid', nullable: true })
  glusterVolumeId: string | null;

  /** oVirt's `host`: the registered host that mounts the domain; null when none was given (or it was removed). */
  @Column({ name: 'host_id', type: 'uuid', nullable: true })
  hostId: string | null;

  /** Which copy is in use: the master volume's, or (after a failover of its DR session) the slave's. */
  @Column({ name: 'primary_copy', type: 'varchar', length: 8, default: 'master' })
  primaryCopy: 'master' | 'slave';

  /** Where the slave copy is mounted from while it is the primary one (a slave host and `/<slave volume>`). */
  @Column({ name: 'primary_storage_address', type: 'varchar', length: 255, nullable: true })
  primaryStorageAddress: string | null;

  @Column({ name: 'primary_storage_path', type: 'varchar', length: 255, nullable: true })
  primaryStoragePath: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
