import { Param } from '@nestjs/common';
import type { ListQuery } from '../ovirt/query';
import {
  ActionInput,
  ActionInputParam,
  ActionReply,
  ActionRoute,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtSubCollection,
  ResourceId,
} from '../ovirt/routes';
import {
  BRICK_SEARCH,
  brickView,
  GLUSTER_BRICKS,
  GLUSTER_VOLUMES,
  GlusterBrickSchema,
  GlusterBrickView,
  GlusterVolumeSchema,
  GlusterVolumeView,
  VOLUME_SEARCH,
  VolumeRefreshActionSchema,
} from './volume.representation';
import { VolumesService } from './volumes.service';

@OvirtSubCollection(`clusters/:cluster/${GLUSTER_VOLUMES}`)
export class GlusterVolumesController {
  constructor(private readonly volumes: VolumesService) {}

  @ListRoute(GlusterVolumeSchema, {
    search: VOLUME_SEARCH,
    summary: 'List the gluster volumes of a cluster, as last discovered',
  })
  list(@Param('cluster') clusterId: string, @ListParams() query: ListQuery): Promise<GlusterVolumeView[]> {
    return this.volumes.list(clusterId, query);
  }

  @GetRoute(GlusterVolumeSchema)
  get(@Param('cluster') clusterId: string, @ResourceId() id: string): Promise<GlusterVolumeView> {
    return this.volumes.view(clusterId, id);
  }

  @ActionRoute(GlusterVolumeSchema, 'refresh', VolumeRefreshActionSchema, {
    runsJob: true,
    summary: 'Refresh the gluster volume',
    description:
      "Runs the discovery sync of the volume's cluster as a job: volumes, bricks, geo-replication sessions and their options.",
  })
  refresh(
    @Param('cluster') clusterId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof VolumeRefreshActionSchema>,
  ): Promise<ActionReply> {
    return this.volumes.refresh(clusterId, id, input);
  }
}

@OvirtSubCollection(`clusters/:cluster/${GLUSTER_VOLUMES}/:volume/${GLUSTER_BRICKS}`)
export class GlusterBricksController {
  constructor(private readonly volumes: VolumesService) {}

  @ListRoute(GlusterBrickSchema, {
    search: BRICK_SEARCH,
    summary: 'List the bricks of a gluster volume, in brick order',
  })
  list(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ListParams() query: ListQuery,
  ): Promise<GlusterBrickView[]> {
    return this.volumes.bricks(clusterId, volumeId, query);
  }

  @GetRoute(GlusterBrickSchema)
  async get(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ResourceId() id: string,
  ): Promise<GlusterBrickView> {
    return brickView(await this.volumes.brick(clusterId, volumeId, id), clusterId);
  }
}
