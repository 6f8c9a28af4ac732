import { Injectable } from '@nestjs/common';
import { ClustersService } from '../clusters/clusters.service';
import { EventCode } from '../events/event-codes';
import { actionReply, ActionRunner } from '../jobs/action-runner';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import type { ActionInput, ActionReply } from '../ovirt/routes';
import { ClusterRefresh } from '../clusters/cluster-jobs';
import { GlusterBrickEntity } from './gluster-brick.entity';
import { GlusterVolumeEntity } from './gluster-volume.entity';
import { brickView, GlusterBrickView, GlusterVolumeView, volumeView } from './volume.representation';
import { VolumesRepository } from './volumes.repository';

/** Discovered volumes and bricks: read-only; `refresh` runs the cluster's discovery sync. */
@Injectable()
export class VolumesService {
  constructor(
    private readonly clusters: ClustersService,
    private readonly volumes: VolumesRepository,
    private readonly actions: ActionRunner,
  ) {}

  async list(clusterId: string, query: ListQuery): Promise<GlusterVolumeView[]> {
    await this.clusters.get(clusterId);
    return this.views(await this.volumes.listByCluster(clusterId, query));
  }

  /** One query when both exist (every read below a volume comes here); the cluster is looked up only to name what is missing. */
  async get(clusterId: string, id: string): Promise<GlusterVolumeEntity> {
    const volume = await this.volumes.findInCluster(clusterId, id);
    if (volume) return volume;
    await this.clusters.get(clusterId);
    throw OvirtFault.notFound('gluster volume', id);
  }

  async view(clusterId: string, id: string): Promise<GlusterVolumeView> {
    return (await this.views([await this.get(clusterId, id)]))[0];
  }

  async views(volumes: readonly GlusterVolumeEntity[]): Promise<GlusterVolumeView[]> {
    const feeding = await this.volumes.feedingSessions(volumes.map((v) => v.id));
    return volumes.map((v) => volumeView(v, feeding.get(v.id)));
  }

  async viewsByIds(ids: readonly string[]): Promise<Map<string, GlusterVolumeView>> {
    const views = await this.views(await this.volumes.findByIds(ids));
    return new Map(views.map((v) => [v.id as string, v]));
  }

  async bricks(clusterId: string, volumeId: string, query: ListQuery): Promise<GlusterBrickView[]> {
    const volume = await this.get(clusterId, volumeId);
    return (await this.volumes.listBricks(volume.id, query)).map((b) => brickView(b, clusterId));
  }

  async brick(clusterId: string, volumeId: string, id: string): Promise<GlusterBrickEntity> {
    const volume = await this.get(clusterId, volumeId);
    const brick = await this.volumes.findBrick(volume.id, id);
    if (!brick) throw OvirtFault.notFound('brick', id);
    return brick;
  }

  async brickViewsByIds(ids: readonly string[]): Promise<Map<string, GlusterBrickView>> {
    return new Map(
      (await this.volumes.findBricksByIds(ids)).map(({ brick, clusterId }) => [brick.id, brickView(brick, clusterId)]),
    );
  }

  /** Runs the cluster's discovery sync (the volume may vanish with it). */
  async refresh(clusterId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const volume = await this.get(clusterId, id);
    const submission = await this.actions.submit(
      {
        action: ClusterRefresh,
        params: {},
        targetType: 'cluster',
        targetId: clusterId,
        description: `Refreshing gluster volume ${volume.name}`,
        conflict: 'queue',
        retries: 2,
        eventRefs: { clusterId },
        events: { success: EventCode.GlusterVolumeRefreshed, failure: EventCode.GlusterVolumeRefreshFailed },
      },
      input.call,
    );
    return actionReply(submission, input.params);
  }
}
