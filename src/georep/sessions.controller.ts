import { Param } from '@nestjs/common';
import type { ListQuery } from '../ovirt/query';
import { ActionInput, ActionInputParam, ActionReply, ActionRoute, GetRoute, ListParams, ListRoute, OvirtSubCollection, ResourceId } from '../ovirt/routes';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import {
  DETAIL_SEARCH,
  GeoRepOptionSchema,
  GeoRepOptionView,
  GeoRepSessionSchema,
  GeoRepSessionView,
  OPTION_SEARCH,
  SESSION_DETAILS,
  SESSION_OPTIONS,
  SESSION_SEARCH,
  SessionDetailSchema,
  SessionDetailView,
  SessionRefreshActionSchema,
} from './session.representation';
import { SessionsService } from './sessions.service';

const SESSIONS_PATH = `clusters/:cluster/${GLUSTER_VOLUMES}/:volume/${GEOREP_SESSIONS}`;

@OvirtSubCollection(SESSIONS_PATH)
export class GeoRepSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @ListRoute(GeoRepSessionSchema, { search: SESSION_SEARCH, summary: 'List the geo-replication sessions of a master volume' })
  list(@Param('cluster') clusterId: string, @Param('volume') volumeId: string, @ListParams() query: ListQuery): Promise<GeoRepSessionView[]> {
    return this.sessions.list(clusterId, volumeId, query);
  }

  @GetRoute(GeoRepSessionSchema, { summary: 'Get a geo-replication session, with its per-brick rows inline' })
  get(@Param('cluster') clusterId: string, @Param('volume') volumeId: string, @ResourceId() id: string): Promise<GeoRepSessionView> {
    return this.sessions.view(clusterId, volumeId, id);
  }

  @ActionRoute(GeoRepSessionSchema, 'refresh', SessionRefreshActionSchema, {
    runsJob: true,
    summary: 'Refresh the geo-replication session',
    description: "Runs the discovery sync of the master volume's cluster as a job (status detail and config of every session).",
  })
  refresh(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionRefreshActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.refresh(clusterId, volumeId, id, input);
  }
}

@OvirtSubCollection(`${SESSIONS_PATH}/:session/${SESSION_DETAILS}`)
export class SessionDetailsController {
  constructor(private readonly sessions: SessionsService) {}

  @ListRoute(SessionDetailSchema, { search: DETAIL_SEARCH, summary: "List a session's per-brick rows, in the master volume's brick order" })
  list(@Param('cluster') clusterId: string, @Param('volume') volumeId: string, @Param('session') sessionId: string, @ListParams() query: ListQuery): Promise<SessionDetailView[]> {
    return this.sessions.details(clusterId, volumeId, sessionId, query);
  }
}

@OvirtSubCollection(`${SESSIONS_PATH}/:session/${SESSION_OPTIONS}`)
export class SessionOptionsController {
  constructor(private readonly sessions: SessionsService) {}

  @ListRoute(GeoRepOptionSchema, { search: OPTION_SEARCH, summary: "List a session's configuration options" })
  list(@Param('cluster') clusterId: string, @Param('volume') volumeId: string, @Param('session') sessionId: string, @ListParams() query: ListQuery): Promise<GeoRepOptionView[]> {
    return this.sessions.options(clusterId, volumeId, sessionId, query);
  }

  @GetRoute(GeoRepOptionSchema, { summary: 'Get one option of a session by name' })
  get(@Param('cluster') clusterId: string, @Param('volume') volumeId: string, @Param('session') sessionId: string, @ResourceId() name: string): Promise<GeoRepOptionView> {
    return this.sessions.option(clusterId, volumeId, sessionId, name);
  }
}
