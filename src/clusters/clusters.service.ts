import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { GlusterArgumentError, validateWebhookUrl } from '../gluster';
import { GLUSTER_EVENTS_PATH } from '../ovirt/api-paths';
import { ConstraintViolation } from '../database/constraint-errors';
import { EventCode } from '../events/event-codes';
import type { ActionRequest } from '../jobs/action-definition';
import { actionReply, ActionRunner } from '../jobs/action-runner';
import { ClusterGlusterEventsDisable, ClusterGlusterEventsEnable, ClusterRefresh } from './cluster-jobs';
import type { ActionInput, ActionReply, Caller } from '../ovirt/routes';
import { EventsService } from '../events/events.service';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import { BodyError, BodyIssue, RefInput } from '../ovirt/representation';
import { ClusterEntity } from './cluster.entity';
import { ClusterCreate, ClusterUpdate } from './cluster.representation';
import { ClustersRepository, NewCluster } from './clusters.repository';

/**
 * oVirt's service flags, as an SDK sends them (`Cluster(gluster_service=True, virt_service=False)`): every
 * cluster here is a gluster cluster without virtualization, so only those values (or nothing, or null) pass.
 */
function checkServices(input: ClusterCreate | ClusterUpdate): void {
  const issues: BodyIssue[] = [];
  if (input.gluster_service === false)
    issues.push({ path: 'gluster_service', message: 'must be true: this service manages gluster clusters only' });
  if (input.virt_service === true)
    issues.push({
      path: 'virt_service',
      message: 'must be false: this service manages gluster clusters only (no virtualization)',
    });
  if (issues.length > 0) throw new BodyError(issues);
}

/**
 * The rules for clusters: names are unique, and a cluster that still has hosts cannot be removed
 * (no `force`: removing hosts, and later their volumes and sessions, is for the client to decide).
 */
@Injectable()
export class ClustersService {
  constructor(
    private readonly clusters: ClustersRepository,
    private readonly actions: ActionRunner,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(query: ListQuery): Promise<ClusterEntity[]> {
    return this.clusters.list(query);
  }

  async get(id: string): Promise<ClusterEntity> {
    const cluster = await this.clusters.findById(id);
    if (!cluster) throw OvirtFault.notFound('cluster', id);
    return cluster;
  }

  findByIds(ids: readonly string[]): Promise<ClusterEntity[]> {
    return this.clusters.findByIds(ids);
  }

  /** A reference from a request body: by id, or else by name. A missing cluster is a 404. */
  async resolve(ref: RefInput): Promise<ClusterEntity> {
    if (ref.id !== undefined) return this.get(ref.id);
    const cluster = ref.name === undefined ? null : await this.clusters.findByName(ref.name);
    if (!cluster) throw OvirtFault.notFound('cluster', ref.name ?? '', 'name');
    return cluster;
  }

  async add(input: ClusterCreate, caller: Caller): Promise<ClusterEntity> {
    checkServices(input);
    const cluster: NewCluster = { name: input.name, description: input.description ?? null, glusterService: true };
    const added = await this.write(cluster.name, () => this.clusters.insert(cluster));
    await this.events.recordChange(EventCode.ClusterAdded, `Cluster ${added.name} was added.`, caller, {
      clusterId: added.id,
    });
    return added;
  }

  async update(id: string, input: ClusterUpdate, caller: Caller): Promise<ClusterEntity> {
    checkServices(input);
    const current = await this.get(id);
    const changes: Partial<NewCluster> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    const updated = await this.write(changes.name ?? current.name, () => this.clusters.update(id, changes));
    if (!updated) throw OvirtFault.notFound('cluster', id);
    await this.events.recordChange(EventCode.ClusterUpdated, `Cluster ${updated.name} was updated.`, caller, {
      clusterId: updated.id,
    });
    return updated;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    const cluster = await this.get(id);
    try {
      if (!(await this.clusters.delete(cluster.id))) throw OvirtFault.notFound('cluster', id);
      await this.events.recordChange(EventCode.ClusterRemoved, `Cluster ${cluster.name} was removed.`, caller, {
        clusterId: null,
      });
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'foreign_key') {
        throw OvirtFault.conflict(`cluster "${cluster.name}" still has hosts; remove them first`);
      }
      throw e;
    }
  }

  /** Queues behind other work on the cluster (refreshing twice is harmless), up to the queue limit. */
  async refresh(id: string, input: ActionInput): Promise<ActionReply> {
    return this.submitClusterAction(
      await this.get(id),
      {
        action: ClusterRefresh,
        params: {},
        description: (name) => `Refreshing cluster ${name}`,
        retries: 2,
        events: { success: EventCode.ClusterRefreshed, failure: EventCode.ClusterRefreshFailed },
      },
      input,
    );
  }

  /**
   * Registers the service with the cluster's gluster events API (a job on a host of the cluster): a new
   * bearer token each time, so enabling again also replaces the token gluster sends.
   */
  async enableGlusterEvents(id: string, input: ActionInput): Promise<ActionReply> {
    const cluster = await this.get(id);
    const url = this.webhookUrl((input.params as { url?: string }).url);
    return this.submitClusterAction(
      cluster,
      {
        action: ClusterGlusterEventsEnable,
        params: { url },
        description: (name) => `Registering for the gluster events of cluster ${name}`,
        events: { success: EventCode.GlusterEventsEnabled, failure: EventCode.GlusterEventsEnableFailed },
      },
      input,
    );
  }

  async disableGlusterEvents(id: string, input: ActionInput): Promise<ActionReply> {
    return this.submitClusterAction(
      await this.get(id),
      {
        action: ClusterGlusterEventsDisable,
        params: {},
        description: (name) => `Unregistering from the gluster events of cluster ${name}`,
        events: { success: EventCode.GlusterEventsDisabled, failure: EventCode.GlusterEventsDisableFailed },
      },
      input,
    );
  }

  /** A job on the cluster's lock that waits behind one already there, with its events about the cluster. */
  private async submitClusterAction<P extends object>(
    cluster: ClusterEntity,
    spec: Pick<ActionRequest<P>, 'action' | 'params' | 'retries' | 'events'> & {
      description: (name: string) => string;
    },
    input: ActionInput,
  ): Promise<ActionReply> {
    const submission = await this.actions.submit(
      {
        ...spec,
        description: spec.description(cluster.name),
        targetType: 'cluster',
        targetId: cluster.id,
        conflict: 'queue',
        eventRefs: { clusterId: cluster.id },
      },
      input.call,
    );
    return actionReply(submission, input.params);
  }

  private webhookUrl(given: string | undefined): string {
    const url =
      given ?? (this.config.publicUrl === undefined ? undefined : this.config.publicUrl + GLUSTER_EVENTS_PATH);
    if (url === undefined)
      throw new BodyError([
        {
          path: 'url',
          message: 'is required: GEOREP_PUBLIC_URL is not set, so the service does not know its own address',
        },
      ]);
    try {
      return validateWebhookUrl(url);
    } catch (e) {
      if (e instanceof GlusterArgumentError) throw new BodyError([{ path: 'url', message: e.reason }]);
      throw e;
    }
  }

  private async write<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'unique') {
        throw OvirtFault.conflict(`a cluster named "${name}" already exists`);
      }
      throw e;
    }
  }
}
