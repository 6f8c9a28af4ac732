import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { GlusterBrickEntity } from './gluster-brick.entity';
import { GlusterVolumeEntity } from './gluster-volume.entity';
import { BRICK_SEARCH, FeedingSession, VOLUME_SEARCH } from './volume.representation';

/** Reads of discovered volumes and bricks (discovery writes them, see src/discovery). */
@Injectable()
export class VolumesRepository {
  constructor(
    @InjectRepository(GlusterVolumeEntity) private readonly volumes: Repository<GlusterVolumeEntity>,
    @InjectRepository(GlusterBrickEntity) private readonly bricks: Repository<GlusterBrickEntity>,
  ) {}

  listByCluster(clusterId: string, query: ListQuery): Promise<GlusterVolumeEntity[]> {
    const qb = this.volumes.createQueryBuilder('v').where('v.cluster_id = :clusterId', { clusterId });
    return applyListQuery(qb, query, VOLUME_SEARCH).getMany();
  }

  findInCluster(clusterId: string, id: string): Promise<GlusterVolumeEntity | null> {
    return isUuid(id) && isUuid(clusterId) ? this.volumes.findOneBy({ id, clusterId }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<GlusterVolumeEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.volumes.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  listBricks(volumeId: string, query: ListQuery): Promise<GlusterBrickEntity[]> {
    const qb = this.bricks.createQueryBuilder('b').where('b.volume_id = :volumeId', { volumeId });
    return applyListQuery(qb, query, BRICK_SEARCH).getMany();
  }

  findBrick(volumeId: string, id: string): Promise<GlusterBrickEntity | null> {
    return isUuid(id) ? this.bricks.findOneBy({ id, volumeId }) : Promise.resolve(null);
  }

  /** Bricks with the cluster of their volume (their hrefs need it). */
  async findBricksByIds(ids: readonly string[]): Promise<{ brick: GlusterBrickEntity; clusterId: string }[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const bricks = await this.bricks.findBy({ id: In(valid) });
    const volumes = new Map(
      (await this.findByIds([...new Set(bricks.map((b) => b.volumeId))])).map((v) => [v.id, v.clusterId]),
    );
    return bricks.flatMap((brick) => {
      const clusterId = volumes.get(brick.volumeId);
      return clusterId ? [{ brick, clusterId }] : [];
    });
  }

  /** For each of the volumes that is the slave of a known session: that session (the oldest, if several). */
  async feedingSessions(volumeIds: readonly string[]): Promise<Map<string, FeedingSession>> {
    const valid = volumeIds.filter(isUuid);
    const result = new Map<string, FeedingSession>();
    if (valid.length === 0) return result;
    const rows: { slave_volume_id: string; id: string; cluster_id: string; master_volume_id: string }[] =
      await this.volumes.manager.query(
        `SELECT slave_volume_id, id, cluster_id, master_volume_id FROM georep_sessions
        WHERE slave_volume_id = ANY($1::uuid[]) ORDER BY created_at, id`,
        [valid],
      );
    for (const r of rows) {
      if (!result.has(r.slave_volume_id))
        result.set(r.slave_volume_id, { sessionId: r.id, clusterId: r.cluster_id, masterVolumeId: r.master_volume_id });
    }
    return result;
  }
}
