import { Param, Query } from '@nestjs/common';
import { booleanParam } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import type { ListQuery } from '../ovirt/query';
import {
  ActionInput,
  ActionInputParam,
  ActionReply,
  ActionRoute,
  AddRoute,
  Caller,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtSubCollection,
  RemoveRoute,
  RequestCaller,
  ResourceId,
} from '../ovirt/routes';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import {
  DETAIL_SEARCH,
  GeoRepOptionCreate,
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
  SessionCheckpointActionSchema,
  SessionPauseActionSchema,
  SessionRefreshActionSchema,
  SessionResumeActionSchema,
  SessionStartActionSchema,
  SessionStopActionSchema,
  SessionVerifyActionSchema,
  SessionFailoverActionSchema,
  SessionFailbackActionSchema,
} from './session.representation';
import { SessionsService } from './sessions.service';

const SESSIONS_PATH = `clusters/:cluster/${GLUSTER_VOLUMES}/:volume/${GEOREP_SESSIONS}`;

@OvirtSubCollection(SESSIONS_PATH)
export class GeoRepSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @ListRoute(GeoRepSessionSchema, {
    search: SESSION_SEARCH,
    summary: 'List the geo-replication sessions of a master volume',
  })
  list(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ListParams() query: ListQuery,
  ): Promise<GeoRepSessionView[]> {
    return this.sessions.list(clusterId, volumeId, query);
  }

  @GetRoute(GeoRepSessionSchema, { summary: 'Get a geo-replication session, with its per-brick rows inline' })
  get(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ResourceId() id: string,
  ): Promise<GeoRepSessionView> {
    return this.sessions.view(clusterId, volumeId, id);
  }

  @ActionRoute(GeoRepSessionSchema, 'refresh', SessionRefreshActionSchema, {
    runsJob: true,
    summary: 'Refresh the geo-replication session',
    description:
      "Runs the discovery sync of the master volume's cluster as a job (status detail and config of every session).",
  })
  refresh(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionRefreshActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.refresh(clusterId, volumeId, id, input);
  }

  @ActionRoute(GeoRepSessionSchema, 'start', SessionStartActionSchema, {
    runsJob: true,
    summary: 'Start a geo-replication session',
    description:
      'Allowed when the session is created or stopped (force: always). The answer shows the job; the session is re-read before the job ends.',
  })
  start(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionStartActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.control(c, v, id, 'start', input);
  }

  @ActionRoute(GeoRepSessionSchema, 'stop', SessionStopActionSchema, {
    runsJob: true,
    summary: 'Stop a geo-replication session',
    description:
      'Allowed when the session is active, passive, initializing, paused, faulty or partial_faulty (force: always).',
  })
  stop(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionStopActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.control(c, v, id, 'stop', input);
  }

  @ActionRoute(GeoRepSessionSchema, 'pause', SessionPauseActionSchema, {
    runsJob: true,
    summary: 'Pause a geo-replication session',
    description:
      'Allowed when the session is active, passive or initializing (force: always). Gluster itself "succeeds" at pausing a stopped session; the service does not ask it to.',
  })
  pause(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionPauseActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.control(c, v, id, 'pause', input);
  }

  @ActionRoute(GeoRepSessionSchema, 'resume', SessionResumeActionSchema, {
    runsJob: true,
    summary: 'Resume a paused geo-replication session',
    description: 'Allowed when the session is paused (force: always).',
  })
  resume(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionResumeActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.control(c, v, id, 'resume', input);
  }

  @ActionRoute(GeoRepSessionSchema, 'checkpoint', SessionCheckpointActionSchema, {
    runsJob: true,
    summary: 'Set a checkpoint now',
    description:
      "Sets `checkpoint now` and reads the checkpoint's time back from gluster (in the job's result and the per-brick rows' checkpoint_time); each brick's checkpoint_completed turns true when its worker has synced everything written before it.",
  })
  checkpoint(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionCheckpointActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.checkpoint(c, v, id, input);
  }

  @ActionRoute(GeoRepSessionSchema, 'verify', SessionVerifyActionSchema, {
    runsJob: true,
    asyncByDefault: true,
    summary: 'Check that data really arrives on the slave (replication canary)',
    description:
      'Writes a small probe with unique content into the master volume (a private mount on a master host), waits for the same bytes on the slave volume (on the registered slave host), and records last_verified, last_verify_result and replication_delay on the session. A failure is an error event saying what was seen. Async by default.',
  })
  verify(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionVerifyActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.verify(c, v, id, input);
  }

  @ActionRoute(GeoRepSessionSchema, 'failover', SessionFailoverActionSchema, {
    runsJob: true,
    asyncByDefault: true,
    summary: 'Fail over to the slave: make the slave volume take writes',
    description:
      'For the day the master site is lost (unplanned, force=true: only the slave cluster is touched) or is to be left (planned, the default: a checkpoint, a wait until every active worker completed it, then a stop; the master cluster must answer, else 502). Both then set geo-replication.indexing and changelog.changelog on the slave volume and turn its features.read-only off, and record failed_over, failover_time, failover_mode, failover_user, recovery_point and data_loss_window on the session. Afterwards start, resume, verify and DR runs of the session are refused (409). The slave cluster must be one the service manages. Other sessions of the master volume are left alone. Async by default.',
  })
  failover(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionFailoverActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.failover(c, v, id, input);
  }

  @ActionRoute(GeoRepSessionSchema, 'failback', SessionFailbackActionSchema, {
    runsJob: true,
    asyncByDefault: true,
    summary: "Fail back: bring the slave's data home and run the original session again",
    description:
      "For a failed-over session whose master cluster answers again (502 otherwise, nothing changed); root sessions whose slave cluster the service manages. Phase sync (default) stops the original session with force and creates, configures (special-sync-mode recover, gfid-conflict-resolution false) and starts the reverse session from the slave volume to the master volume (keys distributed as a create does), shown with failback_of. Phase complete, after the writes on the slave are stopped: the same where not done yet, then a checkpoint on the reverse session and a wait until every active worker completed it, a stop there (the job fails, nothing switched) when the reverse session counted entries it could not sync unless force=true, the reverse session stopped and deleted, the slave volume's options put back as the failover found them, the original session started with force and failed_over cleared. Each step reads the real state first, so a failback after a crash goes on where it stopped. 409 for a session not failed over. Async by default.",
  })
  failback(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionFailbackActionSchema>,
  ): Promise<ActionReply> {
    return this.sessions.failback(c, v, id, input);
  }

  @RemoveRoute(GeoRepSessionSchema, {
    runsJob: true,
    summary: 'Delete a geo-replication session (in gluster too)',
    query: [
      {
        name: 'reset_sync_time',
        type: 'boolean',
        description: "gluster's reset-sync-time: a new session for the same pair syncs everything again.",
      },
    ],
  })
  remove(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @ResourceId() id: string,
    @Query() query: Record<string, unknown>,
    @RequestCaller() caller: Caller,
  ): Promise<ActionReply | undefined> {
    return this.sessions.remove(c, v, id, booleanParam(query as never, 'reset_sync_time', false), caller);
  }
}

@OvirtSubCollection(`${SESSIONS_PATH}/:session/${SESSION_DETAILS}`)
export class SessionDetailsController {
  constructor(private readonly sessions: SessionsService) {}

  @ListRoute(SessionDetailSchema, {
    search: DETAIL_SEARCH,
    summary: "List a session's per-brick rows, in the master volume's brick order",
  })
  list(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @Param('session') sessionId: string,
    @ListParams() query: ListQuery,
  ): Promise<SessionDetailView[]> {
    return this.sessions.details(clusterId, volumeId, sessionId, query);
  }
}

@OvirtSubCollection(`${SESSIONS_PATH}/:session/${SESSION_OPTIONS}`)
export class SessionOptionsController {
  constructor(private readonly sessions: SessionsService) {}

  @ListRoute(GeoRepOptionSchema, { search: OPTION_SEARCH, summary: "List a session's configuration options" })
  list(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @Param('session') sessionId: string,
    @ListParams() query: ListQuery,
  ): Promise<GeoRepOptionView[]> {
    return this.sessions.options(clusterId, volumeId, sessionId, query);
  }

  @AddRoute(GeoRepOptionSchema, { runsJob: true, summary: 'Set an option of a session' })
  add(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @Param('session') sessionId: string,
    @OvirtBody(GeoRepOptionSchema, 'create') body: GeoRepOptionCreate,
    @RequestCaller() caller: Caller,
  ): Promise<GeoRepOptionView | ActionReply> {
    return this.sessions.setOption(c, v, sessionId, body, caller);
  }

  @RemoveRoute(GeoRepOptionSchema, { runsJob: true, summary: 'Reset an option of a session to its default' })
  remove(
    @Param('cluster') c: string,
    @Param('volume') v: string,
    @Param('session') sessionId: string,
    @ResourceId() name: string,
    @RequestCaller() caller: Caller,
  ): Promise<ActionReply | undefined> {
    return this.sessions.resetOption(c, v, sessionId, name, caller);
  }

  @GetRoute(GeoRepOptionSchema, { summary: 'Get one option of a session by name' })
  get(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @Param('session') sessionId: string,
    @ResourceId() name: string,
  ): Promise<GeoRepOptionView> {
    return this.sessions.option(clusterId, volumeId, sessionId, name);
  }
}
