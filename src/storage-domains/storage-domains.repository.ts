import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { HostEntity } from '../hosts/host.entity';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { StorageDomainEntity } from './storage-domain.entity';
import { STORAGE_DOMAIN_SEARCH } from './storage-domain.representation';

export type NewStorageDomain = Pick<
  StorageDomainEntity,
  'name' | 'description' | 'storageAddress' | 'storagePath' | 'glusterVolumeId' | 'hostId'
>;

/** All database access for storage domains (and the volume lookups they need). */
@Injectable()
export class StorageDomainsRepository {
  constructor(
    @InjectRepository(StorageDomainEntity) private readonly domains: Repository<StorageDomainEntity>,
    @InjectRepository(GlusterVolumeEntity) private readonly volumes: Repository<GlusterVolumeEntity>,
    @InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>,
  ) {}

  hostById(id: string): Promise<HostEntity | null> {
    return isUuid(id) ? this.hosts.findOneBy({ id }) : Promise.resolve(null);
  }

  hostByName(name: string): Promise<HostEntity | null> {
    return this.hosts.findOneBy({ name });
  }

  list(query: ListQuery): Promise<StorageDomainEntity[]> {
    return applyListQuery(this.domains.createQueryBuilder('sd'), query, STORAGE_DOMAIN_SEARCH).getMany();
  }

  findById(id: string): Promise<StorageDomainEntity | null> {
    return isUuid(id) ? this.domains.findOneBy({ id }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<StorageDomainEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.domains.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  insert(sd: NewStorageDomain): Promise<StorageDomainEntity> {
    return translateConstraintErrors(() => this.domains.save(this.domains.create(sd)));
  }

  async update(id: string, changes: Partial<NewStorageDomain>): Promise<StorageDomainEntity | null> {
    if (Object.keys(changes).length > 0) await translateConstraintErrors(() => this.domains.update({ id }, changes));
    return this.findById(id);
  }

  /** After a failover (the slave copy, and where it is mounted from) or a failback (the domain's own copy). */
  async setPrimaryCopy(
    id: string,
    primary: { copy: 'master' } | { copy: 'slave'; address: string; path: string },
  ): Promise<void> {
    await this.domains.update(
      { id },
      primary.copy === 'slave'
        ? { primaryCopy: 'slave', primaryStorageAddress: primary.address, primaryStoragePath: primary.path }
        : { primaryCopy: 'master', primaryStorageAddress: null, primaryStoragePath: null },
    );
  }

  async delete(id: string): Promise<boolean> {
    const result = await translateConstraintErrors(() => this.domains.delete({ id }));
    return (result.affected ?? 0) > 0;
  }

  volumeById(id: string): Promise<GlusterVolumeEntity | null> {
    return isUuid(id) ? this.volumes.findOneBy({ id }) : Promise.resolve(null);
  }

  volumesByName(name: string): Promise<GlusterVolumeEntity[]> {
    return this.volumes.findBy({ name });
  }

  /** Volume id → cluster id, for hrefs. */
  async volumeClusters(volumeIds: readonly string[]): Promise<Map<string, string>> {
    const valid = [...new Set(volumeIds.filter(isUuid))];
    if (valid.length === 0) return new Map();
    return new Map((await this.volumes.findBy({ id: In(valid) })).map((v) => [v.id, v.clusterId]));
  }

  /** The addresses a volume is reachable at: its bricks' server names and its cluster's host addresses. */
  async volumeAddresses(volumeId: string): Promise<string[]> {
    const rows: { a: string }[] = await this.domains.manager.query(
      `SELECT server_name AS a FROM gluster_bricks WHERE volume_id = $1
       UNION SELECT h.address AS a FROM hosts h JOIN gluster_volumes v ON v.cluster_id = h.cluster_id WHERE v.id = $1`,
      [volumeId],
    );
    return rows.map((r) => r.a.toLowerCase());
  }
}
