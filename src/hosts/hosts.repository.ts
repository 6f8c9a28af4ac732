import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../database/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { HostEntity } from './host.entity';
import { HOST_SEARCH } from './host.representation';

export type NewHost = Pick<HostEntity, 'name' | 'address' | 'sshPort' | 'sshUser' | 'clusterId'>;

/** What contacting a host found out. */
export type HostContactState = Pick<HostEntity, 'status' | 'statusDetail'> & Partial<Pick<HostEntity, 'glusterVersion' | 'peerUuid'>>;

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
