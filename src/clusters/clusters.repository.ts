import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { ClusterEntity } from './cluster.entity';
import { CLUSTER_SEARCH } from './cluster.representation';

export type NewCluster = Pick<ClusterEntity, 'name' | 'description' | 'glusterService'>;

/** All database access for clusters. Writes throw ConstraintViolation for duplicate names and clusters in use. */
@Injectable()
export class ClustersRepository {
  constructor(@InjectRepository(ClusterEntity) private readonly clusters: Repository<ClusterEntity>) {}

  list(query: ListQuery): Promise<ClusterEntity[]> {
    return applyListQuery(this.clusters.createQueryBuilder('cluster'), query, CLUSTER_SEARCH).getMany();
  }

  findById(id: string): Promise<ClusterEntity | null> {
    return isUuid(id) ? this.clusters.findOneBy({ id }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<ClusterEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.clusters.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  findByName(name: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ name });
  }

  insert(cluster: NewCluster): Promise<ClusterEntity> {
    return translateConstraintErrors(() => this.clusters.save(this.clusters.create(cluster)));
  }

  /** The cluster after the change, or null when it does not exist. */
  async update(id: string, changes: Partial<NewCluster>): Promise<ClusterEntity | null> {
    if (Object.keys(changes).length > 0) {
      await translateConstraintErrors(() => this.clusters.update({ id }, changes));
    }
    return this.findById(id);
  }

  /** The cluster whose glustereventsd sends this token (by its SHA-256), if any. */
  findByGlusterEventsToken(tokenSha256: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ glusterEventsTokenSha256: tokenSha256 });
  }

  /** What is registered with the cluster's glustereventsd (all null: nothing). */
  async setGlusterEvents(
    id: string,
    registration: Pick<ClusterEntity, 'glusterEventsUrl' | 'glusterEventsTokenSha256' | 'glusterEventsRegisteredAt'>,
  ): Promise<void> {
    await this.clusters.update({ id }, registration);
  }

  /** When the last event arrived; not a change of the cluster, so `updated_at` stays. */
  async touchGlusterEvents(id: string, at: Date): Promise<void> {
    await this.clusters.query('UPDATE clusters SET gluster_events_last_time = $2 WHERE id = $1', [id, at]);
  }

  /** False when there was nothing to delete. */
  async delete(id: string): Promise<boolean> {
    const result = await translateConstraintErrors(() => this.clusters.delete({ id }));
    return (result.affected ?? 0) > 0;
  }
}
