import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { HostStatus } from './host.representation';

@Entity({ name: 'hosts' })
export class HostEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  /** Where the service reaches the host over SSH: a host name, IPv4 or IPv6 address. */
  @Column({ type: 'varchar', length: 255 })
  address: string;

  @Column({ name: 'ssh_port', type: 'integer', default: 22 })
  sshPort: number;

  @Column({ name: 'ssh_user', type: 'varchar', length: 32, default: 'root' })
  sshUser: string;

  /** The pinned host key; set on first contact. */
  @Column({ name: 'ssh_fingerprint', type: 'varchar', length: 128, nullable: true })
  sshFingerprint: string | null;

  @Column({ name: 'cluster_id', type: 'uuid' })
  clusterId: string;

  @Column({ type: 'varchar', length: 32, default: 'unknown' })
  status: HostStatus;

  @Column({ name: 'status_detail', type: 'varchar', length: 1000, nullable: true })
  statusDetail: string | null;

  @Column({ name: 'gluster_version', type: 'varchar', length: 64, nullable: true })
  glusterVersion: string | null;

  @Column({ name: 'peer_uuid', type: 'uuid', nullable: true })
  peerUuid: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
