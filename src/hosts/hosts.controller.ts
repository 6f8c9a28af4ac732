import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import { AddRoute, GetRoute, ListParams, ListRoute, OvirtCollection, RemoveRoute, ResourceId, UpdateRoute } from '../ovirt/routes';
import { HOST_SEARCH, HostCreate, HostSchema, HOSTS, HostUpdate, HostView, hostView } from './host.representation';
import { HostsService } from './hosts.service';

@OvirtCollection(HOSTS)
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @ListRoute(HostSchema, { search: HOST_SEARCH })
  async list(@ListParams() query: ListQuery): Promise<HostView[]> {
    return (await this.hosts.list(query)).map(hostView);
  }

  @GetRoute(HostSchema)
  async get(@ResourceId() id: string): Promise<HostView> {
    return hostView(await this.hosts.get(id));
  }

  @AddRoute(HostSchema)
  async add(@OvirtBody(HostSchema, 'create') body: HostCreate): Promise<HostView> {
    return hostView(await this.hosts.add(body));
  }

  @UpdateRoute(HostSchema)
  async update(@ResourceId() id: string, @OvirtBody(HostSchema, 'update') body: HostUpdate): Promise<HostView> {
    return hostView(await this.hosts.update(id, body));
  }

  @RemoveRoute(HostSchema)
  async remove(@ResourceId() id: string): Promise<void> {
    await this.hosts.remove(id);
  }
}
