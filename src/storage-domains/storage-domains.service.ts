import { Injectable } from '@nestjs/common';
import { ConstraintViolation } from '../database/constraint-errors';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { validateHost, validateVolumeName } from '../gluster';
import { checkedField } from '../ovirt/field-check';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import { BodyError, RefInput } from '../ovirt/representation';
import type { Caller } from '../ovirt/routes';
import type { HostEntity } from '../hosts/host.entity';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { StorageDomainEntity } from './storage-domain.entity';
import {
  StorageDomainCreate,
  StorageDomainUpdate,
  StorageDomainView,
  storageDomainView,
} from './storage-domain.representation';
import { NewStorageDomain, StorageDomainsRepository } from './storage-domains.repository';

/** `/vol` or `vol` → `vol`; anything else is a 400 naming the field. */
export function volumeNameOfPath(path: string): string {
  const name = path.startsWith('/') ? path.slice(1) : path;
  return checkedField(
    () => validateVolumeName(name, 'storage.path'),
    'storage.path',
    'must name a gluster volume: /<volume>',
  );
}

/**
 * The rules for storage domains: a gluster data domain on a volume the service manages (by the
 * reference, or found from `storage.path`), names unique, the volume fixed once created, and a domain
 * with DR schedules cannot be removed.
 */
@Injectable()
export class StorageDomainsService {
  constructor(
    private readonly domains: StorageDomainsRepository,
    private readonly events: EventsService,
  ) {}

  /** Which copy is in use (set by the failover and failback of the domain's DR session). */
  setPrimaryCopy(
    id: string,
    primary: { copy: 'master' } | { copy: 'slave'; address: string; path: string },
  ): Promise<void> {
    return this.domains.setPrimaryCopy(id, primary);
  }

  list(query: ListQuery): Promise<StorageDomainEntity[]> {
    return this.domains.list(query);
  }

  async get(id: string): Promise<StorageDomainEntity> {
    const sd = await this.domains.findById(id);
    if (!sd) throw OvirtFault.notFound('storage domain', id);
    return sd;
  }

  async views(domains: readonly StorageDomainEntity[]): Promise<StorageDomainView[]> {
    const clusters = await this.domains.volumeClusters(
      domains.flatMap((d) => (d.glusterVolumeId ? [d.glusterVolumeId] : [])),
    );
    return domains.map((d) =>
      storageDomainView(d, d.glusterVolumeId ? (clusters.get(d.glusterVolumeId) ?? null) : null),
    );
  }

  async viewsByIds(ids: readonly string[]): Promise<Map<string, StorageDomainView>> {
    const domains = await this.domains.findByIds(ids);
    const views = await this.views(domains);
    return new Map(domains.map((d, i) => [d.id, views[i]]));
  }

  async view(sd: StorageDomainEntity): Promise<StorageDomainView> {
    return (await this.views([sd]))[0];
  }

  /** The domain's volume, or a 409 when gluster no longer has it. */
  async volumeOf(sd: StorageDomainEntity): Promise<GlusterVolumeEntity> {
    const volume = sd.glusterVolumeId ? await this.domains.volumeById(sd.glusterVolumeId) : null;
    if (!volume)
      throw OvirtFault.conflict(
        `the gluster volume of storage domain "${sd.name}" is no longer known; refresh its cluster`,
      );
    return volume;
  }

  async add(input: StorageDomainCreate, caller: Caller): Promise<StorageDomainEntity> {
    const address = this.address(input.storage.address);
    const pathVolume = volumeNameOfPath(input.storage.path);
    const volume = input.gluster_volume
      ? await this.resolveVolume(input.gluster_volume)
      : await this.volumeFromPath(pathVolume);
    if (volume.name !== pathVolume) {
      throw new BodyError([
        { path: 'storage.path', message: `names volume "${pathVolume}" but gluster_volume is "${volume.name}"` },
      ]);
    }
    const hostId = input.host ? (await this.resolveHost(input.host)).id : null;
    const sd: NewStorageDomain = {
      name: input.name,
      description: input.description ?? null,
      storageAddress: address,
      storagePath: `/${volume.name}`,
      glusterVolumeId: volume.id,
      hostId,
    };
    const added = await this.write(sd.name, () => this.domains.insert(sd));
    await this.record(
      EventCode.StorageDomainAdded,
      `Storage domain ${added.name} was added on gluster volume ${volume.name}.`,
      volume.clusterId,
      caller,
    );
    return added;
  }

  async update(id: string, input: StorageDomainUpdate, caller: Caller): Promise<StorageDomainEntity> {
    const current = await this.get(id);
    const changes: Partial<NewStorageDomain> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.host !== undefined) changes.hostId = input.host === null ? null : (await this.resolveHost(input.host)).id;
    if (input.gluster_volume) {
      const volume = await this.resolveVolume(input.gluster_volume);
      if (volume.id !== current.glusterVolumeId)
        throw OvirtFault.conflict('the gluster volume of a storage domain cannot change; add another storage domain');
    }
    if (input.storage) {
      if (input.storage.path !== undefined && volumeNameOfPath(input.storage.path) !== current.storagePath.slice(1)) {
        throw OvirtFault.conflict(
          'the volume (storage.path) of a storage domain cannot change; add another storage domain',
        );
      }
      if (input.storage.address !== undefined) changes.storageAddress = this.address(input.storage.address);
    }
    const updated = await this.write(changes.name ?? current.name, () => this.domains.update(id, changes));
    if (!updated) throw OvirtFault.notFound('storage domain', id);
    await this.record(EventCode.StorageDomainUpdated, `Storage domain ${updated.name} was updated.`, null, caller);
    return updated;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    const sd = await this.get(id);
    try {
      if (!(await this.domains.delete(sd.id))) throw OvirtFault.notFound('storage domain', id);
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'foreign_key') {
        throw OvirtFault.conflict(`storage domain "${sd.name}" still has DR schedules; remove them first`);
      }
      throw e;
    }
    await this.record(EventCode.StorageDomainRemoved, `Storage domain ${sd.name} was removed.`, null, caller);
  }

  private address(value: string): string {
    return checkedField(
      () => validateHost(value, 'storage.address'),
      'storage.address',
      'must be a host name, IPv4 or IPv6 address',
    );
  }

  /** oVirt's `host` (the host that mounts the domain): a registered host, by id or else by name; 404 when unknown. */
  private async resolveHost(ref: RefInput): Promise<HostEntity> {
    const host =
      ref.id !== undefined ? await this.domains.hostById(ref.id) : await this.domains.hostByName(ref.name ?? '');
    if (!host)
      throw ref.id !== undefined
        ? OvirtFault.notFound('host', ref.id)
        : OvirtFault.notFound('host', ref.name ?? '', 'name');
    return host;
  }

  private async resolveVolume(ref: RefInput): Promise<GlusterVolumeEntity> {
    if (ref.id !== undefined) {
      const volume = await this.domains.volumeById(ref.id);
      if (!volume) throw OvirtFault.notFound('gluster volume', ref.id);
      return volume;
    }
    return this.volumeFromPath(ref.name ?? '');
  }

  private async volumeFromPath(name: string): Promise<GlusterVolumeEntity> {
    const found = await this.domains.volumesByName(name);
    if (found.length === 0) throw OvirtFault.notFound('gluster volume', name, 'name');
    if (found.length > 1)
      throw OvirtFault.badRequest(
        `several managed clusters have a volume named "${name}"; refer to it by id in gluster_volume`,
      );
    return found[0];
  }

  private async record(code: EventCode, description: string, clusterId: string | null, caller: Caller): Promise<void> {
    await this.events.record({
      code,
      severity: 'normal',
      description,
      clusterId,
      correlationId: caller.correlationId,
      userId: caller.userId,
    });
  }

  private async write<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'unique')
        throw OvirtFault.conflict(`a storage domain named "${name}" already exists`);
      throw e;
    }
  }
}
