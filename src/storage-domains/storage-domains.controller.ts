import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import {
  AddRoute,
  Caller,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtCollection,
  RemoveRoute,
  RequestCaller,
  ResourceId,
  UpdateRoute,
} from '../ovirt/routes';
import {
  STORAGE_DOMAIN_SEARCH,
  StorageDomainCreate,
  StorageDomainSchema,
  StorageDomainUpdate,
  StorageDomainView,
  STORAGE_DOMAINS,
} from './storage-domain.representation';
import { StorageDomainsService } from './storage-domains.service';

@OvirtCollection(STORAGE_DOMAINS)
export class StorageDomainsController {
  constructor(private readonly domains: StorageDomainsService) {}

  @ListRoute(StorageDomainSchema, { search: STORAGE_DOMAIN_SEARCH })
  async list(@ListParams() query: ListQuery): Promise<StorageDomainView[]> {
    return this.domains.views(await this.domains.list(query));
  }

  @GetRoute(StorageDomainSchema)
  async get(@ResourceId() id: string): Promise<StorageDomainView> {
    return this.domains.view(await this.domains.get(id));
  }

  @AddRoute(StorageDomainSchema, { summary: 'Add a gluster data storage domain on a managed volume' })
  async add(
    @OvirtBody(StorageDomainSchema, 'create') body: StorageDomainCreate,
    @RequestCaller() caller: Caller,
  ): Promise<StorageDomainView> {
    return this.domains.view(await this.domains.add(body, caller));
  }

  @UpdateRoute(StorageDomainSchema)
  async update(
    @ResourceId() id: string,
    @OvirtBody(StorageDomainSchema, 'update') body: StorageDomainUpdate,
    @RequestCaller() caller: Caller,
  ): Promise<StorageDomainView> {
    return this.domains.view(await this.domains.update(id, body, caller));
  }

  @RemoveRoute(StorageDomainSchema, { summary: 'Remove a storage domain (409 while it has DR schedules)' })
  async remove(@ResourceId() id: string, @RequestCaller() caller: Caller): Promise<void> {
    await this.domains.remove(id, caller);
  }
}
