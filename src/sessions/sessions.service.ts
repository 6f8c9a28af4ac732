import { Injectable } from '@nestjs/common';
import { EventCode } from '../events/event-codes';
import {
  canonicalOptionName,
  GlusterArgumentError,
  normalizeGeoRepOption,
  requireSettableGeoRepOption,
} from '../gluster';
import { ActionDefinition, ActionRequest } from '../jobs/action-definition';
import { actionReply, ActionRunner, ActionSubmission } from '../jobs/action-runner';
import { refusalOf, SessionVerb } from './session-rules';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import type { ActionCall, ActionInput, ActionReply } from '../ovirt/routes';
import { ClusterRefresh } from '../clusters/cluster-jobs';
import {
  SessionCheckpoint,
  SessionConfigReset,
  SessionConfigSet,
  SessionControl,
  SessionDelete,
  SessionFailback,
  SessionFailover,
  FailbackPhase,
  SessionVerify,
  SessionVerifyParams,
} from './session-jobs';
import { VolumesService } from '../volumes/volumes.service';
import { GeoRepSessionEntity, SESSION_JOB_TARGET } from './georep-session.entity';
import {
  detailView,
  GeoRepOptionCreate,
  sessionName,
  GeoRepOptionView,
  GeoRepSessionView,
  optionView,
  SessionDetailView,
  sessionView,
} from './session.representation';
import { SessionsRepository } from './sessions.repository';
import { SessionDeletionGuards } from './session-deletion-guards';
import { checkedField } from '../ovirt/field-check';
import { DEFAULT_FAILOVER_TIMEOUT_SECONDS, failedOverRefusal } from './failover-logic';

/** Geo-rep sessions as discovery last read them. `refresh` runs the master cluster's discovery sync. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly volumes: VolumesService,
    private readonly sessions: SessionsRepository,
    private readonly actions: ActionRunner,
    private readonly deletionGuards: SessionDeletionGuards,
  ) {}

  async list(clusterId: string, volumeId: string, query: ListQuery): Promise<GeoRepSessionView[]> {
    const sessions = await this.sessions.listInClusterVolume(clusterId, volumeId, query);
    // Rows prove the cluster and the volume; an empty list still needs them to exist (a 404 names which does not).
    if (sessions.length === 0) await this.volumes.get(clusterId, volumeId);
    return sessions.map((s) => sessionView(s));
  }

  async get(clusterId: string, volumeId: string, id: string): Promise<GeoRepSessionEntity> {
    const session = await this.sessions.findInClusterVolume(clusterId, volumeId, id);
    if (session) return session;
    // The path's first unknown part is the one the 404 names: the cluster or the volume before the session.
    await this.volumes.get(clusterId, volumeId);
    throw OvirtFault.notFound('geo-replication session', id);
  }

  /** The single GET: with the per-brick rows inline. */
  async view(clusterId: string, volumeId: string, id: string): Promise<GeoRepSessionView> {
    const session = await this.get(clusterId, volumeId, id);
    return sessionView(session, await this.sessions.allDetails(session.id));
  }

  async viewsByIds(ids: readonly string[]): Promise<Map<string, GeoRepSessionView>> {
    return new Map((await this.sessions.findByIds(ids)).map((s) => [s.id, sessionView(s)]));
  }

  async details(clusterId: string, volumeId: string, id: string, query: ListQuery): Promise<SessionDetailView[]> {
    const session = await this.get(clusterId, volumeId, id);
    return (await this.sessions.listDetails(session.id, query)).map((d) => detailView(session, d));
  }

  async options(clusterId: string, volumeId: string, id: string, query: ListQuery): Promise<GeoRepOptionView[]> {
    const session = await this.get(clusterId, volumeId, id);
    return (await this.sessions.listOptions(session.id, query)).map((o) => optionView(session, o));
  }

  /** By canonical name; underscores and the legacy names gluster still accepts are taken too. */
  async option(clusterId: string, volumeId: string, id: string, name: string): Promise<GeoRepOptionView> {
    const session = await this.get(clusterId, volumeId, id);
    const canonical = /^[A-Za-z0-9_-]{1,100}$/.test(name) ? canonicalOptionName(name.toLowerCase()) : null;
    const option = canonical === null ? null : await this.sessions.findOption(session.id, canonical);
    if (!option) throw OvirtFault.notFound('option', name, 'name');
    return optionView(session, option);
  }

  async refresh(clusterId: string, volumeId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const submission = await this.actions.submit(
      {
        action: ClusterRefresh,
        params: {},
        targetType: 'cluster',
        targetId: session.clusterId,
        description: `Refreshing geo-replication session ${session.slaveHostName}::${session.slaveVolumeName}`,
        conflict: 'queue',
        retries: 2,
        eventRefs: { clusterId: session.clusterId },
        events: { success: EventCode.GeoRepSessionRefreshed, failure: EventCode.GeoRepSessionRefreshFailed },
      },
      input.call,
    );
    return actionReply(submission, input.params);
  }

  /**
   * start, stop, pause, resume: the service's state rules first (a 409 naming the current status, no
   * job), then a job that runs the verb on the master cluster. One action at a time per session:
   * another one queued or running is a 409.
   */
  async control(
    clusterId: string,
    volumeId: string,
    id: string,
    verb: Exclude<SessionVerb, 'delete'>,
    input: ActionInput,
  ): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const force = (input.params as { force?: boolean }).force === true;
    if (verb === 'start' || verb === 'resume')
      this.refuseIfFailedOver(session, `${verb === 'start' ? 'starting' : 'resuming'} it`);
    this.checkRule(verb, session, force);
    const events: Record<typeof verb, ActionRequest['events']> = {
      start: { success: EventCode.GeoRepSessionStarted, failure: EventCode.GeoRepSessionStartFailed },
      stop: { success: EventCode.GeoRepSessionStopped, failure: EventCode.GeoRepSessionStopFailed },
      pause: { success: EventCode.GeoRepSessionPaused, failure: EventCode.GeoRepSessionPauseFailed },
      resume: { success: EventCode.GeoRepSessionResumed, failure: EventCode.GeoRepSessionResumeFailed },
    };
    const submission = await this.submit(
      session,
      SessionControl,
      `${verb[0].toUpperCase()}${verb.slice(1)} geo-replication ${sessionName(session)}`,
      { verb, force },
      events[verb],
      input.call,
    );
    return actionReply(submission, input.params);
  }

  async checkpoint(clusterId: string, volumeId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const events = { success: EventCode.GeoRepCheckpointSet, failure: EventCode.GeoRepCheckpointFailed };
    return actionReply(
      await this.submit(
        session,
        SessionCheckpoint,
        `Checkpoint on geo-replication ${sessionName(session)}`,
        {},
        events,
        input.call,
      ),
      input.params,
    );
  }

  /** The replication canary, as a job (async by default: it waits for the probe on the slave). */
  async verify(clusterId: string, volumeId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    this.refuseIfFailedOver(session, 'a canary through it');
    const timeout = (input.params as { timeout?: number }).timeout;
    const events = { success: EventCode.GeoRepVerified, failure: EventCode.GeoRepVerifyFailed };
    const request: ActionRequest<SessionVerifyParams> = {
      action: SessionVerify,
      targetType: SESSION_JOB_TARGET,
      targetId: session.id,
      description: `Replication canary on geo-replication ${sessionName(session)}`,
      params: timeout === undefined ? {} : { timeout },
      conflict: 'exclusive' as const,
      retries: 0,
      eventRefs: { clusterId: session.clusterId },
      events,
      asyncByDefault: true,
    };
    return actionReply(await this.actions.submit(request, input.call), input.params);
  }

  /**
   * The slave takes over. Planned (the default): the master cluster must answer; the job sets a
   * checkpoint, waits until every active worker completed it, and stops the session (nothing is lost).
   * Unplanned (force): the slave side only. Both make the slave volume writable and record the
   * data-loss window; a second failover is a 409.
   */
  async failover(clusterId: string, volumeId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const params = input.params as { force?: boolean; timeout?: number };
    if (session.failbackOf) {
      throw OvirtFault.conflict(
        'the session is the reverse session of a failback: it goes when the failback completes; fail over the original session instead',
      );
    }
    if (session.failedOver) {
      throw OvirtFault.conflict(
        `the session is already failed over (${session.failoverMode ?? 'planned'}, at ${session.failoverTime?.toISOString() ?? 'an unknown time'})`,
      );
    }
    if (!session.slaveClusterId) {
      throw OvirtFault.conflict(
        "the slave volume is not on a cluster the service manages: register the slave cluster and its hosts (the failover changes the slave volume's options there), then refresh the session",
      );
    }
    const force = params.force === true;
    const events = { success: EventCode.GeoRepFailedOver, failure: EventCode.GeoRepFailoverFailed };
    const submission = await this.submit(
      session,
      SessionFailover,
      `${force ? 'Unplanned failover' : 'Planned failover'} of geo-replication ${sessionName(session)}`,
      { force, timeout: params.timeout ?? DEFAULT_FAILOVER_TIMEOUT_SECONDS },
      events,
      input.call,
      true,
    );
    return actionReply(submission, input.params);
  }

  /**
   * Brings the data home: phase sync starts the reverse session (slave → master); phase complete (the
   * admin stopped the writes on the slave) also catches the master up, removes the reverse session, puts
   * the slave volume's options back and starts the original session. 409 unless failed over.
   */
  async failback(clusterId: string, volumeId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const params = input.params as { phase?: FailbackPhase; timeout?: number; force?: boolean };
    if (!session.failedOver) throw OvirtFault.conflict('the session is not failed over: there is nothing to fail back');
    if (!session.slaveClusterId || !session.slaveVolumeId) {
      throw OvirtFault.conflict(
        'the slave volume is not on a cluster the service manages: the failback creates the reverse session there',
      );
    }
    if (session.userName !== 'root')
      throw OvirtFault.conflict(
        `the session's slave user is ${session.userName}: the service fails back root sessions only (the reverse session is made as root)`,
      );
    const phase = params.phase ?? 'sync';
    const events =
      phase === 'sync'
        ? { success: EventCode.GeoRepFailbackSyncStarted, failure: EventCode.GeoRepFailbackFailed }
        : { success: EventCode.GeoRepFailedBack, failure: EventCode.GeoRepFailbackFailed };
    const submission = await this.submit(
      session,
      SessionFailback,
      `Failback (${phase}) of geo-replication ${sessionName(session)}`,
      { phase, timeout: params.timeout ?? DEFAULT_FAILOVER_TIMEOUT_SECONDS, acceptSyncFailures: params.force === true },
      events,
      input.call,
      true,
      // Behind the stop the failed-over session guard may have queued (the failback's first step stops it too).
      'queue',
    );
    return actionReply(submission, input.params);
  }

  /** DELETE: only a stopped or created session that no other feature keeps (SessionDeletionGuards); gluster's delete runs as a job. */
  async remove(
    clusterId: string,
    volumeId: string,
    id: string,
    resetSyncTime: boolean,
    call: ActionCall,
  ): Promise<ActionReply | undefined> {
    const session = await this.get(clusterId, volumeId, id);
    this.checkRule('delete', session, false);
    const refusal = await this.deletionGuards.refusal(session);
    if (refusal) throw OvirtFault.conflict(refusal);
    const events = { success: EventCode.GeoRepSessionDeleted, failure: EventCode.GeoRepSessionDeleteFailed };
    const submission = await this.submit(
      session,
      SessionDelete,
      `Delete geo-replication ${sessionName(session)}`,
      { reset_sync_time: resetSyncTime },
      events,
      call,
    );
    return this.answerFor(submission);
  }

  /** POST …/options: sets one option (validated by name and type, reserved ones refused) as a job. */
  async setOption(
    clusterId: string,
    volumeId: string,
    id: string,
    body: GeoRepOptionCreate,
    call: ActionCall,
  ): Promise<GeoRepOptionView | ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const option = checkedField(
      () => normalizeGeoRepOption(body.name, body.value),
      (field) => (field.startsWith('option.') ? 'value' : 'name'),
    );
    const events = { success: EventCode.GeoRepConfigSet, failure: EventCode.GeoRepConfigSetFailed };
    const submission = await this.submit(
      session,
      SessionConfigSet,
      `Set ${option.name} on geo-replication ${sessionName(session)}`,
      option,
      events,
      call,
    );
    const reply = this.answerFor(submission);
    if (reply) return reply;
    return this.option(clusterId, volumeId, id, option.name);
  }

  /** DELETE …/options/{name}: back to gluster's default, as a job. */
  async resetOption(
    clusterId: string,
    volumeId: string,
    id: string,
    name: string,
    call: ActionCall,
  ): Promise<ActionReply | undefined> {
    const session = await this.get(clusterId, volumeId, id);
    let canonical: string;
    try {
      canonical = requireSettableGeoRepOption(name).name;
    } catch (e) {
      if (e instanceof GlusterArgumentError) throw OvirtFault.badRequest(`option ${e.reason}`);
      throw e;
    }
    const events = { success: EventCode.GeoRepConfigSetDefault, failure: EventCode.GeoRepConfigSetDefaultFailed };
    return this.answerFor(
      await this.submit(
        session,
        SessionConfigReset,
        `Reset ${canonical} on geo-replication ${sessionName(session)}`,
        { name: canonical },
        events,
        call,
      ),
    );
  }

  private refuseIfFailedOver(session: GeoRepSessionEntity, what: string): void {
    const refusal = failedOverRefusal(session, what);
    if (refusal) throw OvirtFault.conflict(refusal);
  }

  private checkRule(verb: SessionVerb, session: GeoRepSessionEntity, force: boolean): void {
    const refusal = refusalOf(verb, session.status, force);
    if (refusal) throw OvirtFault.conflict(refusal);
  }

  private submit<P extends object>(
    session: GeoRepSessionEntity,
    action: ActionDefinition<P>,
    description: string,
    params: NoInfer<P>,
    events: ActionRequest['events'],
    call: ActionCall,
    asyncByDefault = false,
    conflict: 'exclusive' | 'queue' = 'exclusive',
  ): Promise<ActionSubmission> {
    return this.actions.submit(
      {
        action,
        targetType: SESSION_JOB_TARGET,
        targetId: session.id,
        description,
        params,
        conflict,
        retries: 0,
        eventRefs: { clusterId: session.clusterId },
        events,
        asyncByDefault,
      },
      call,
    );
  }

  /** A create/remove-like answer: nothing when the job finished, the reply while it runs, a fault when it failed. */
  private answerFor(submission: ActionSubmission): ActionReply | undefined {
    const reply = actionReply(submission);
    if (reply.status === 'complete') return undefined;
    if (reply.status === 'failed' && reply.fault) {
      throw new OvirtFault(reply.fault.httpStatus as 409, reply.fault.reason, reply.fault.detail);
    }
    return reply;
  }
}
