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
import { OvirtBody } from '../ovirt/request-body';
import type { ListQuery } from '../ovirt/query';
import {
  CLUSTER_SEARCH,
  ClusterCreate,
  ClusterRefreshActionSchema,
  ClusterSchema,
  ClusterUpdate,
  ClusterView,
  CLUSTERS,
  clusterView,
} from './cluster.representation';
import { ClustersService } from './clusters.service';

@OvirtCollection(CLUSTERS)
export class ClustersController {
  constructor(private readonly clusters: ClustersService) {}

  @ListRoute(ClusterSchema, { search: CLUSTER_SEARCH })
  async list(@ListParams() query: ListQuery): Promise<ClusterView[]> {
    return (await this.clusters.list(query)).map(clusterView);
  }

  @GetRoute(ClusterSchema)
  async get(@ResourceId() id: string): Promise<ClusterView> {
    return clusterView(await this.clusters.get(id));
  }

  @AddRoute(ClusterSchema)
  async add(
    @OvirtBody(ClusterSchema, 'create') body: ClusterCreate,
    @RequestCaller() caller: Caller,
  ): Promise<ClusterView> {
    return clusterView(await this.clusters.add(body, caller));
  }

  @UpdateRoute(ClusterSchema)
  async update(
    @ResourceId() id: string,
    @OvirtBody(ClusterSchema, 'update') body: ClusterUpdate,
    @RequestCaller() caller: Caller,
  ): Promise<ClusterView> {
    return clusterView(await this.clusters.update(id, body, caller));
  }

  @RemoveRoute(ClusterSchema)
  async remove(@ResourceId() id: string, @RequestCaller() caller: Caller): Promise<void> {
    await this.clusters.remove(id, caller);
  }

  @ActionRoute(ClusterSchema, 'refresh', ClusterRefreshActionSchema, {
    runsJob: true,
    summary: 'Refresh what the service knows about a cluster',
    description: 'Runs as a job. Reads the cluster again (discovery over SSH arrives with the gluster features).',
  })
  refresh(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof ClusterRefreshActionSchema>,
  ): Promise<ActionReply> {
    return this.clusters.refresh(id, input);
  }
}
