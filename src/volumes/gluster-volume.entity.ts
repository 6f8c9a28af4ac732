import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BIGINT_NUMBER } from './bigint-transformer';

export type GlusterVolumeStatusValue = 'up' | 'down';

/** A gluster volume as discovery last read it (`volume info --xml`, sizes from `volume status detail`). */
@Entity({ name: 'gluster_volumes' })
export class GlusterVolumeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'cluster_id', type: 'uuid' })
  clusterId: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ name: 'gluster_uuid', type: 'uuid', nullable: true })
  glusterUuid: string | null;

  @Column({ name: 'volume_type', type: 'varchar', length: 40 })
  volumeType: string;

  @Column({ type: 'varchar', length: 16 })
  status: GlusterVolumeStatusValue;

  @Column({ name: 'brick_count', type: 'integer' })
  brickCount: number;

  @Column({ name: 'replica_count', type: 'integer' })
  replicaCount: number;

  @Column({ name: 'arbiter_count', type: 'integer', default: 0 })
  arbiterCount: number;

  @Column({ name: 'disperse_count', type: 'integer' })
  disperseCount: number;

  @Column({ name: 'redundancy_count', type: 'integer' })
  redundancyCount: number;

  /** Comma-separated: tcp, rdma. */
  @Column({ name: 'transport_types', type: 'varchar', length: 32 })
  transportTypes: string;

  /** Usable bytes, when gluster reported every brick's size. */
  @Column({ name: 'size_total', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  sizeTotal: number | null;

  @Column({ name: 'size_free', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  sizeFree: number | null;

  /** Reconfigured volume options, in gluster's order. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  options: { name: string; value: string }[];

  @Column({ name: 'last_refreshed', type: 'timestamptz' })
  lastRefreshed: Date;
}
