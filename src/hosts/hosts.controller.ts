import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import { AddRoute, GetRoute, ListParams, ListRoute, OvirtCollection, RemoveRoute, ResourceId, UpdateRoute, Caller, RequestCaller } from '../ovirt/routes';
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
  async add(@OvirtBody(HostSchema, 'create') body: HostCreate, @RequestCaller() caller: Caller): Promise<HostView> {
    return hostView(await this.hosts.add(body, caller));
  }

  @UpdateRoute(HostSchema)
  async update(@ResourceId() id: string, @OvirtBody(HostSchema, 'update') body: HostUpdate, @RequestCaller() caller: Caller): Promise<HostView> {
    return hostView(await this.hosts.update(id, body, caller));
  }

  @RemoveRoute(HostSchema)
  async remove(@ResourceId() id: string, @RequestCaller() caller: Caller): Promise<void> {
    await this.hosts.remove(id, caller);
  }
}
