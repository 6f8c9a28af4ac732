import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BIGINT_NUMBER } from './bigint-transformer';

export type GlusterBrickStatusValue = 'up' | 'down' | 'unknown';

/** One brick of a volume, in gluster's brick order (`position`). */
@Entity({ name: 'gluster_bricks' })
export class GlusterBrickEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'volume_id', type: 'uuid' })
  volumeId: string;

  @Column({ type: 'integer' })
  position: number;

  /** The brick's host as gluster prints it (`server:/dir`). */
  @Column({ name: 'server_name', type: 'varchar', length: 255 })
  serverName: string;

  @Column({ name: 'brick_dir', type: 'varchar', length: 1024 })
  brickDir: string;

  /** glusterd UUID of the peer holding the brick. */
  @Column({ name: 'peer_uuid', type: 'uuid', nullable: true })
  peerUuid: string | null;

  /** The registered host that is this brick's server (by peer UUID or address), when there is one. */
  @Column({ name: 'host_id', type: 'uuid', nullable: true })
  hostId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: GlusterBrickStatusValue;

  @Column({ name: 'is_arbiter', type: 'boolean', default: false })
  isArbiter: boolean;

  @Column({ type: 'integer', nullable: true })
  port: number | null;

  @Column({ name: 'size_total', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  sizeTotal: number | null;

  @Column({ name: 'size_free', type: 'bigint', nullable: true, transformer: BIGINT_NUMBER })
  sizeFree: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  device: string | null;

  @Column({ name: 'fs_name', type: 'varchar', length: 64, nullable: true })
  fsName: string | null;
}
