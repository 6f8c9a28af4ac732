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
  ClusterDisableGlusterEventsActionSchema,
  ClusterEnableGlusterEventsActionSchema,
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

  @ActionRoute(ClusterSchema, 'enableglusterevents', ClusterEnableGlusterEventsActionSchema, {
    runsJob: true,
    summary: "Have the cluster's glustereventsd push gluster's events to the service",
    description:
      'Runs as a job on a host of the cluster: checks that every node reaches the URL (`gluster-eventsapi webhook-test`), ' +
      'registers it with a new bearer token (`webhook-add`, or `webhook-mod` when it exists), and reloads glustereventsd ' +
      'on every host of the cluster. Fails when no host runs glustereventsd. Each event then refreshes the cluster at once, ' +
      'and a DR run waiting for its checkpoint reads the status as soon as gluster reports it complete.',
  })
  enableGlusterEvents(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof ClusterEnableGlusterEventsActionSchema>,
  ): Promise<ActionReply> {
    return this.clusters.enableGlusterEvents(id, input);
  }

  @ActionRoute(ClusterSchema, 'disableglusterevents', ClusterDisableGlusterEventsActionSchema, {
    runsJob: true,
    summary: "Remove the service's webhook from the cluster's glustereventsd",
    description:
      'Runs as a job: `gluster-eventsapi webhook-del` and a reload of glustereventsd on every host; the token stops being ' +
      'accepted at once. Refreshes go back to the periodic sync.',
  })
  disableGlusterEvents(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof ClusterDisableGlusterEventsActionSchema>,
  ): Promise<ActionReply> {
    return this.clusters.disableGlusterEvents(id, input);
  }
}
