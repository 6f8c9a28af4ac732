import { refTo } from '../ovirt/api-paths';
import { nameField } from '../ovirt/common-fields';
import { CreateInputOf, enumOf, obj, ref, resource, str, UpdateInputOf, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { volumeRef } from '../volumes/volume.representation';
import type { StorageDomainEntity } from './storage-domain.entity';

export const STORAGE_DOMAINS = 'storagedomains';
export const DR_SCHEDULES = 'dr-schedules';

/** oVirt's `<storage>` (HostStorage) of a gluster data domain: `address` a gluster server, `path` the volume. */
export const HostStorageSchema = obj('host_storage', {
  type: enumOf(['glusterfs'], { description: 'Only gluster storage domains are served.' }),
  address: str({ maxLength: 255, description: 'A gluster server of the volume, as oVirt mounts it.' }),
  path: str({ maxLength: 255, description: 'The volume, as oVirt writes it: `/<volume>` (or `<volume>`).' }),
});

export const StorageDomainSchema = resource(
  'storage_domain',
  'storage_domains',
  {
    name: nameField(),
    description: str({ optional: true, maxLength: 500 }),
    type: enumOf(['data'], { optional: true, description: 'Always data (the default).' }),
    storage: HostStorageSchema,
    gluster_volume: ref('gluster_volume', { optional: true, description: "The managed gluster volume the domain lives on; when left out, found from storage's path (and address)." }),
  },
  { links: [DR_SCHEDULES], description: "An oVirt data storage domain on a managed gluster volume: what DR schedules copy to another site." },
);

export type StorageDomainView = ViewOf<typeof StorageDomainSchema>;
export type StorageDomainCreate = CreateInputOf<typeof StorageDomainSchema>;
export type StorageDomainUpdate = UpdateInputOf<typeof StorageDomainSchema>;

export const STORAGE_DOMAIN_SEARCH: SearchSpec = {
  fields: { name: { column: 'sd.name' }, description: { column: 'sd.description' } },
  defaultSort: 'name',
};

export function storageDomainHref(id: string): string {
  return refTo(STORAGE_DOMAINS, id).href;
}

/** `volumeClusterId`: the cluster of the domain's volume (its href needs it); null when the volume is gone. */
export function storageDomainView(sd: StorageDomainEntity, volumeClusterId: string | null): StorageDomainView {
  return {
    ...refTo(STORAGE_DOMAINS, sd.id),
    name: sd.name,
    description: sd.description,
    type: sd.domainType,
    storage: { type: sd.storageType, address: sd.storageAddress, path: sd.storagePath },
    gluster_volume: sd.glusterVolumeId && volumeClusterId ? volumeRef(volumeClusterId, sd.glusterVolumeId) : undefined,
  };
}
