import { refTo } from '../ovirt/api-paths';
import { nameField } from '../ovirt/common-fields';
import { CreateInputOf, enumOf, obj, ref, resource, str, UpdateInputOf, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_HOST_STORAGE_FIELDS, OVIRT_STORAGE_DOMAIN_FIELDS } from '../ovirt-model/ovirt-fields';
import { HOSTS } from '../hosts/host.representation';
import { volumeRef } from '../volumes/volume.representation';
import type { StorageDomainEntity } from './storage-domain.entity';

export const STORAGE_DOMAINS = 'storagedomains';
export const DR_SCHEDULES = 'dr-schedules';

const hostStorageFields = {
  type: enumOf(['glusterfs'], { description: 'Only gluster storage domains are served.' }),
  address: str({ maxLength: 255, description: 'A gluster server of the volume, as oVirt mounts it.' }),
  path: str({ maxLength: 255, description: 'The volume, as oVirt writes it: `/<volume>` (or `<volume>`).' }),
};
/** oVirt's `<storage>` (HostStorage) of a gluster data domain: `address` a gluster server, `path` the volume. */
export const HostStorageSchema = obj('host_storage', hostStorageFields, {
  ...fitOvirtModel(
    OVIRT_HOST_STORAGE_FIELDS,
    Object.keys(hostStorageFields),
    "oVirt's `<storage>` (HostStorage) of a gluster data domain: `address` a gluster server, `path` the volume.",
    { resource: false },
  ),
});

const storageDomainFields = {
  name: nameField(),
  description: str({ optional: true, maxLength: 500 }),
  type: enumOf(['data'], { optional: true, description: 'Always data (the default).' }),
  storage: HostStorageSchema,
  host: ref('host', {
    optional: true,
    description:
      'The registered host that mounts the domain (oVirt requires one when adding a domain; here it may be left out). By id or name.',
  }),
  gluster_volume: ref('gluster_volume', {
    optional: true,
    description:
      "The managed gluster volume the domain lives on; when left out, found from storage's path (and address).",
  }),
};
/** Read-only: which copy is in use, and where it is mounted from (what an oVirt engine imports after a failover). */
const storageDomainFailoverFields = {
  primary_copy: enumOf(['master', 'slave'] as const, {
    readOnly: true,
    description:
      "master: the domain's own volume; slave: the copy its DR schedule's session was failed over to (failover action), until the failback completes.",
  }),
  primary_storage: obj('host_storage', hostStorageFields, {
    readOnly: true,
    description:
      'Where the primary copy is mounted from: storage itself, or after a failover the slave host and `/<slave volume>`.',
  }),
};
export const StorageDomainSchema = resource(
  'storage_domain',
  'storage_domains',
  { ...storageDomainFields, ...storageDomainFailoverFields },
  {
    links: [DR_SCHEDULES],
    actions: ['failover', 'failback'],
    ...fitOvirtModel(
      OVIRT_STORAGE_DOMAIN_FIELDS,
      Object.keys(storageDomainFields),
      'An oVirt data storage domain on a managed gluster volume: what DR schedules copy to another site.',
    ),
  },
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
    primary_copy: sd.primaryCopy,
    primary_storage:
      sd.primaryCopy === 'slave' && sd.primaryStorageAddress && sd.primaryStoragePath
        ? { type: sd.storageType, address: sd.primaryStorageAddress, path: sd.primaryStoragePath }
        : { type: sd.storageType, address: sd.storageAddress, path: sd.storagePath },
    host: sd.hostId ? refTo(HOSTS, sd.hostId) : undefined,
    gluster_volume: sd.glusterVolumeId && volumeClusterId ? volumeRef(volumeClusterId, sd.glusterVolumeId) : undefined,
  };
}
