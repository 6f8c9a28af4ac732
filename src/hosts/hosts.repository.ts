import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { HostEntity } from './host.entity';
import { HOST_SEARCH } from './host.representation';

export type NewHost = Pick<HostEntity, 'name' | 'address' | 'sshPort' | 'sshUser' | 'clusterId'>;

/** What contacting a host found out. */
export type HostContactState = Pick<HostEntity, 'status' | 'statusDetail'> &
  Partial<Pick<HostEntity, 'glusterVersion' | 'peerUuid'>>;

/** A host of another cluster that already reaches a peer of some gluster pool. */
export interface PoolOwner {
  hostName: string;
  peerUuid: string;
  clusterName: string;
}

/** All database access for hosts. Writes throw ConstraintViolation for duplicate names. */
@Injectable()
export class HostsRepository {
  constructor(@InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>) {}

  list(query: ListQuery): Promise<HostEntity[]> {
    return applyListQuery(this.hosts.createQueryBuilder('host'), query, HOST_SEARCH).getMany();
  }

  findById(id: string): Promise<HostEntity | null> {
    return isUuid(id) ? this.hosts.findOneBy({ id }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<HostEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? Promise.resolve([]) : this.hosts.findBy({ id: In(valid) });
  }

  listByCluster(clusterId: string): Promise<HostEntity[]> {
    return this.hosts.findBy({ clusterId });
  }

  /** Records the key a host presented on first contact, unless one was pinned meanwhile. */
  async pinFingerprint(id: string, fingerprint: string): Promise<void> {
    await this.hosts.update({ id, sshFingerprint: IsNull() }, { sshFingerprint: fingerprint });
  }

  /** Replaces the pin (the admin's `repin` action). */
  async repin(id: string, fingerprint: string): Promise<void> {
    await this.hosts.update({ id }, { sshFingerprint: fingerprint });
  }

  async recordContact(id: string, contact: HostContactState): Promise<void> {
    await this.hosts.update({ id }, contact);
  }

  /**
   * Records an up host's contact unless a host of another cluster already reaches a peer of the same
   * gluster pool (a server belongs to one cluster); then records nothing and answers that host. The
   * check and the write are one transaction under one lock, so two clusters' first contacts with
   * the same pool cannot both pass.
   */
  async recordContactInPool(
    host: Pick<HostEntity, 'id' | 'clusterId'>,
    contact: HostContactState,
    pool: readonly string[],
  ): Promise<PoolOwner | null> {
    return this.hosts.manager.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['host-pools']);
      const [owner] = await this.poolOwners(host, pool, m.getRepository(HostEntity));
      if (owner) return owner;
      await m.update(HostEntity, { id: host.id }, contact);
      return null;
    });
  }

  /** Hosts of clusters other than this host's that reach a peer of `pool` (an install_failed host manages nothing). */
  async poolOwners(
    host: Pick<HostEntity, 'id' | 'clusterId'>,
    pool: readonly string[],
    rows = this.hosts,
  ): Promise<PoolOwner[]> {
    const uuids = pool.filter(isUuid).map((u) => u.toLowerCase());
    if (uuids.length === 0) return [];
    return rows
      .createQueryBuilder('h')
      .innerJoin('clusters', 'c', 'c.id = h.cluster_id')
      .select(['h.name AS "hostName"', 'h.peer_uuid AS "peerUuid"', 'c.name AS "clusterName"'])
      .where(
        'h.cluster_id <> :cluster AND h.id <> :id AND h.status <> :refused AND lower(h.peer_uuid::text) IN (:...uuids)',
        {
          cluster: host.clusterId,
          id: host.id,
          refused: 'install_failed',
          uuids,
        },
      )
      .orderBy('c.name')
      .addOrderBy('h.name')
      .getRawMany<PoolOwner>();
  }

  insert(host: NewHost): Promise<HostEntity> {
    return translateConstraintErrors(() => this.hosts.save(this.hosts.create(host)));
  }

  async update(id: string, changes: Partial<NewHost>): Promise<HostEntity | null> {
    if (Object.keys(changes).length > 0) {
      await translateConstraintErrors(() => this.hosts.update({ id }, changes));
    }
    return this.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.hosts.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
