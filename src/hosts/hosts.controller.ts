import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import {
  ActionInput,
  ActionInputParam,
  ActionReply,
  ActionRoute,
  AddRoute,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtCollection,
  RemoveRoute,
  ResourceId,
  UpdateRoute,
  Caller,
  RequestCaller,
} from '../ovirt/routes';
import {
  HOST_SEARCH,
  HostCreate,
  HostRefreshActionSchema,
  HostRepinActionSchema,
  HostSchema,
  HOSTS,
  HostUpdate,
  HostView,
  hostView,
} from './host.representation';
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
  async update(
    @ResourceId() id: string,
    @OvirtBody(HostSchema, 'update') body: HostUpdate,
    @RequestCaller() caller: Caller,
  ): Promise<HostView> {
    return hostView(await this.hosts.update(id, body, caller));
  }

  @ActionRoute(HostSchema, 'refresh', HostRefreshActionSchema, {
    runsJob: true,
    summary: 'Contact a host again',
    description:
      'Connects over SSH, reads gluster --version, the peer UUID and peer status, and records status up, non_responsive or install_failed with the reason.',
  })
  refresh(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof HostRefreshActionSchema>,
  ): Promise<ActionReply> {
    return this.hosts.refresh(id, input);
  }

  @ActionRoute(HostSchema, 'repin', HostRepinActionSchema, {
    runsJob: true,
    summary: 'Accept a changed SSH host key',
    description:
      'Pins the key the host presents now (only if it has the fingerprint given, when one is), then contacts the host. For a host whose key changed on purpose (reinstalled, new keys).',
  })
  repin(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof HostRepinActionSchema>,
  ): Promise<ActionReply> {
    return this.hosts.repin(id, input);
  }

  @RemoveRoute(HostSchema)
  async remove(@ResourceId() id: string, @RequestCaller() caller: Caller): Promise<void> {
    await this.hosts.remove(id, caller);
  }
}
