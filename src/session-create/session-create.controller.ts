import { Param } from '@nestjs/common';
import { GeoRepSessionSchema, GeoRepSessionView } from '../sessions/session.representation';
import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import {
  ActionReply,
  AddRoute,
  Caller,
  ListParams,
  ListRoute,
  OvirtSubCollection,
  RequestCaller,
} from '../ovirt/routes';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import {
  GEOREP_TARGETS,
  GeoRepSessionCreateBodySchema,
  GeoRepTargetSchema,
  GeoRepTargetView,
  TARGET_SEARCH,
} from './session-create.representation';
import { SessionCreateBody, SessionCreateService } from './session-create.service';

const VOLUME_PATH = `clusters/:cluster/${GLUSTER_VOLUMES}/:volume`;

/** `POST …/georeplication-sessions` (the read routes of the same path are in src/sessions). */
@OvirtSubCollection(`${VOLUME_PATH}/${GEOREP_SESSIONS}`)
export class SessionCreateController {
  constructor(private readonly service: SessionCreateService) {}

  @AddRoute(GeoRepSessionSchema, {
    runsJob: true,
    summary:
      'Create a geo-replication session of this master volume (as a job: keys, create, secondary-access-mount, optional start, refresh)',
  })
  create(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @OvirtBody(GeoRepSessionCreateBodySchema, 'create') body: SessionCreateBody,
    @RequestCaller() caller: Caller,
  ): Promise<GeoRepSessionView | ActionReply> {
    return this.service.create(clusterId, volumeId, body, caller);
  }
}

/** `GET …/georeplication-targets`: oVirt's eligible slave volumes, with the reasons a volume is not. */
@OvirtSubCollection(`${VOLUME_PATH}/${GEOREP_TARGETS}`)
export class GeoRepTargetsController {
  constructor(private readonly service: SessionCreateService) {}

  @ListRoute(GeoRepTargetSchema, {
    search: TARGET_SEARCH,
    summary: 'List the volumes that could be slaves of this master volume, with the reasons they cannot',
  })
  list(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ListParams() query: ListQuery,
  ): Promise<GeoRepTargetView[]> {
    return this.service.targets(clusterId, volumeId, query);
  }
}
