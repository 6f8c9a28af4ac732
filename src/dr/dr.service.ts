import * as crypto from 'node:crypto';
import { HttpException, Injectable } from '@nestjs/common';
import { ConstraintViolation } from '../database/constraint-errors';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import { actionReply, ActionRunner } from '../jobs/action-runner';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import { BodyError, RefInput } from '../ovirt/representation';
import type { ActionCall, ActionInput, ActionReply, Caller } from '../ovirt/routes';
import { StorageDomainEntity } from '../storage-domains/storage-domain.entity';
import { STORAGE_DOMAINS } from '../storage-domains/storage-domain.representation';
import { StorageDomainsService } from '../storage-domains/storage-domains.service';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import { DrRunEntity, DrRunTrigger } from './dr-run.entity';
import { DrScheduleEntity } from './dr-schedule.entity';
import { DrRun, DrRunParams } from './dr-jobs';
import { DrScheduler } from './dr-scheduler';
import { EngineSettings } from './engine-settings';
import {
  DrRunView,
  runHref,
  runView,
  DrScheduleCreate,
  DrScheduleUpdate,
  DrScheduleView,
  scheduleView,
  SessionPlace,
  SyncNowActionSchema,
} from './dr.representation';
import { DrRepository, NewSchedule } from './dr.repository';
import { checkTimeZone, nextRun, parseSchedule, ScheduleError } from './schedule';
import { failedOverRefusal } from '../sessions/failover-logic';

/** The disabled_reason of a schedule paused by its session's failover (the failback resumes only those). */
export const PAUSED_BY_FAILOVER = 'paused by the failover of its geo-replication session; the failback resumes it';

/** The system as the caller of a scheduled run. */
export const SCHEDULER_CALL: ActionCall = { correlationId: null, userId: null, async: true };

/** The job's params: the run row it works on. */
/**
 * The rules for DR schedules and runs: a schedule syncs its storage domain through a session of the
 * domain's volume; one run per domain at a time (the run's job target is the domain: a second
 * syncnow is a 409, a second scheduled fire is skipped with an event).
 */
@Injectable()
export class DrService {
  constructor(
    private readonly repo: DrRepository,
    private readonly sessions: SessionsRepository,
    private readonly domains: StorageDomainsService,
    private readonly scheduler: DrScheduler,
    private readonly actions: ActionRunner,
    private readonly events: EventsService,
    private readonly engine: EngineSettings,
  ) {}

  // ---- schedules

  async listSchedules(domainId: string, query: ListQuery): Promise<DrScheduleView[]> {
    await this.domains.get(domainId);
    return this.scheduleViews(await this.repo.listSchedules(domainId, query));
  }

  async getSchedule(domainId: string, id: string): Promise<DrScheduleEntity> {
    await this.domains.get(domainId);
    const s = await this.repo.findSchedule(domainId, id);
    if (!s) throw OvirtFault.notFound('DR schedule', id);
    return s;
  }

  async scheduleViews(schedules: readonly DrScheduleEntity[]): Promise<DrScheduleView[]> {
    const places = await this.sessionPlaces(schedules.map((s) => s.sessionId));
    const runs = new Map(
      (await this.repo.findRunsByIds(schedules.flatMap((s) => [s.lastRunId, s.lastSuccessRunId]))).map((r) => [
        r.id,
        r,
      ]),
    );
    const now = new Date();
    return schedules.map((s) =>
      scheduleView(s, {
        session: s.sessionId ? places.get(s.sessionId) : undefined,
        lastRun: s.lastRunId ? runs.get(s.lastRunId) : null,
        lastSuccess: s.lastSuccessRunId ? runs.get(s.lastSuccessRunId) : null,
        nextRun: s.enabled && s.sessionId ? nextRun(s.cron, s.timezone, now) : null,
        now,
      }),
    );
  }

  async scheduleViewsByIds(ids: readonly string[]): Promise<Map<string, DrScheduleView>> {
    const schedules = await this.repo.findSchedulesByIds(ids);
    const views = await this.scheduleViews(schedules);
    return new Map(schedules.map((s, i) => [s.id, views[i]]));
  }

  async addSchedule(domainId: string, input: DrScheduleCreate, caller: Caller): Promise<DrScheduleEntity> {
    const domain = await this.domains.get(domainId);
    const session = await this.sessionFor(domain, input.georeplication_session ?? undefined, caller);
    const parsed = this.parse(input.schedule);
    const timezone = this.zone(input.timezone ?? 'UTC');
    const id = crypto.randomUUID();
    const engine = await this.engine.apply(input, null, id, session);
    const enabled = input.enabled ?? true;
    const s: NewSchedule = {
      id,
      storageDomainId: domain.id,
      name: input.name ?? `dr-${session.slaveVolumeName}`.slice(0, 50),
      description: input.description ?? null,
      sessionId: session.id,
      schedule: parsed.text,
      cron: parsed.cron,
      timezone,
      enabled,
      checkpointTimeoutMinutes: input.checkpoint_timeout ?? 120,
      missedRunPolicy: input.missed_run_policy ?? 'skip',
      ...engine,
      nextRun: enabled ? nextRun(parsed.cron, timezone, new Date()) : null,
    };
    const added = await this.write(domain, s.name, () => this.repo.insertSchedule(s));
    await this.scheduler.apply(added);
    await this.record(
      EventCode.DrScheduleAdded,
      'normal',
      `DR schedule ${added.name} of storage domain ${domain.name} was added (${added.schedule}, ${added.timezone}) through geo-replication session to ${session.slaveHostName}::${session.slaveVolumeName}.`,
      session.clusterId,
      caller,
    );
    return added;
  }

  async updateSchedule(
    domainId: string,
    id: string,
    input: DrScheduleUpdate,
    caller: Caller,
  ): Promise<DrScheduleEntity> {
    const current = await this.getSchedule(domainId, id);
    const domain = await this.domains.get(domainId);
    const changes: Partial<DrScheduleEntity> = {};
    if (input.name !== undefined && input.name !== null) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    let session = current.sessionId ? await this.sessions.findById(current.sessionId) : null;
    if (input.georeplication_session) {
      session = await this.sessionFor(domain, input.georeplication_session, caller);
      changes.sessionId = session.id;
      changes.disabledReason = null;
    }
    if (input.schedule !== undefined) {
      const parsed = this.parse(input.schedule);
      changes.schedule = parsed.text;
      changes.cron = parsed.cron;
    }
    if (input.timezone !== undefined) changes.timezone = this.zone(input.timezone ?? 'UTC');
    if (input.checkpoint_timeout !== undefined) changes.checkpointTimeoutMinutes = input.checkpoint_timeout ?? 120;
    if (input.missed_run_policy !== undefined) changes.missedRunPolicy = input.missed_run_policy ?? 'skip';
    Object.assign(changes, await this.engine.apply(input, current, current.id, session));
    if (input.enabled !== undefined && input.enabled !== null) changes.enabled = input.enabled;
    const after = { ...current, ...changes };
    if (after.enabled && !after.sessionId) {
      await this.noSessionAlert(domain, caller);
      throw OvirtFault.conflict(
        `the schedule has no geo-replication session any more; name one in georeplication_session (${this.createHint(domain)})`,
      );
    }
    if (changes.enabled === true) changes.disabledReason = null;
    changes.nextRun = after.enabled ? nextRun(after.cron, after.timezone, new Date()) : null;
    const updated = await this.write(domain, changes.name ?? current.name, () => this.repo.updateSchedule(id, changes));
    if (!updated) throw OvirtFault.notFound('DR schedule', id);
    await this.scheduler.apply(updated);
    await this.record(
      EventCode.DrScheduleUpdated,
      'normal',
      `DR schedule ${updated.name} of storage domain ${domain.name} was updated.`,
      null,
      caller,
    );
    return updated;
  }

  async removeSchedule(domainId: string, id: string, caller: Caller): Promise<void> {
    const s = await this.getSchedule(domainId, id);
    const running = s.lastRunId ? await this.repo.findRunById(s.lastRunId) : null;
    if (running?.status === 'started')
      throw OvirtFault.conflict('a run of this schedule is going; cancel it (or wait for it) first');
    await this.scheduler.remove(s.id);
    await this.repo.deleteSchedule(s.id);
    await this.record(EventCode.DrScheduleRemoved, 'normal', `DR schedule ${s.name} was removed.`, null, caller);
  }

  async pause(domainId: string, id: string, input: ActionInput, caller: Caller): Promise<ActionReply> {
    const s = await this.getSchedule(domainId, id);
    const updated = await this.repo.updateSchedule(s.id, { enabled: false, nextRun: null });
    if (updated) await this.scheduler.apply(updated);
    await this.record(EventCode.DrSchedulePaused, 'normal', `DR schedule ${s.name} was paused.`, null, caller);
    return { status: 'complete', params: input.params };
  }

  async resume(domainId: string, id: string, input: ActionInput, caller: Caller): Promise<ActionReply> {
    const s = await this.getSchedule(domainId, id);
    if (!s.sessionId) {
      const domain = await this.domains.get(domainId);
      await this.noSessionAlert(domain, caller);
      throw OvirtFault.conflict(
        `the schedule has no geo-replication session any more; set georeplication_session first (${this.createHint(domain)})`,
      );
    }
    const updated = await this.repo.updateSchedule(s.id, {
      enabled: true,
      disabledReason: null,
      nextRun: nextRun(s.cron, s.timezone, new Date()),
    });
    if (updated) await this.scheduler.apply(updated);
    await this.record(EventCode.DrScheduleResumed, 'normal', `DR schedule ${s.name} was resumed.`, null, caller);
    return { status: 'complete', params: input.params };
  }

  // ---- failover of a schedule's session

  /**
   * `session` was failed over: its schedules pause (a run would overwrite the slave's new data) with a
   * reason the failback recognises, and their storage domains say the slave copy is the primary one.
   */
  async sessionFailedOver(session: GeoRepSessionEntity, caller: Caller): Promise<void> {
    for (const s of await this.repo.schedulesOfSession(session.id)) {
      await this.domains.setPrimaryCopy(s.storageDomainId, {
        copy: 'slave',
        address: session.slaveHostName,
        path: `/${session.slaveVolumeName}`,
      });
      if (!s.enabled) continue;
      const updated = await this.repo.updateSchedule(s.id, {
        enabled: false,
        nextRun: null,
        disabledReason: PAUSED_BY_FAILOVER,
      });
      if (updated) await this.scheduler.apply(updated);
      await this.record(
        EventCode.DrSchedulePaused,
        'normal',
        `DR schedule ${s.name} was paused: its geo-replication session was failed over.`,
        null,
        caller,
      );
    }
  }

  /** `session` was failed back: the domains' own copy is primary again, and the schedules its failover paused resume. */
  async sessionFailedBack(session: GeoRepSessionEntity, caller: Caller): Promise<void> {
    for (const s of await this.repo.schedulesOfSession(session.id)) {
      await this.domains.setPrimaryCopy(s.storageDomainId, { copy: 'master' });
      if (s.enabled || s.disabledReason !== PAUSED_BY_FAILOVER) continue;
      const updated = await this.repo.updateSchedule(s.id, {
        enabled: true,
        disabledReason: null,
        nextRun: nextRun(s.cron, s.timezone, new Date()),
      });
      if (updated) await this.scheduler.apply(updated);
      await this.record(
        EventCode.DrScheduleResumed,
        'normal',
        `DR schedule ${s.name} was resumed: its geo-replication session was failed back.`,
        null,
        caller,
      );
    }
  }

  // ---- runs

  async syncNow(domainId: string, id: string, input: ActionInput<typeof SyncNowActionSchema>): Promise<ActionReply> {
    const s = await this.getSchedule(domainId, id);
    const { run, reply } = await this.submitRun(s, 'manual', input.call, null);
    return {
      ...reply,
      params: {
        ...reply.params,
        ...input.params,
        dr_run: { id: run.id, href: runHref(s.storageDomainId, s.id, run.id) },
      },
    };
  }

  /**
   * Writes the run row and submits its job (target: the storage domain, exclusive: a second run of the
   * domain is a 409). The run row goes again when the submission is refused.
   */
  async submitRun(
    s: DrScheduleEntity,
    trigger: DrRunTrigger,
    call: ActionCall,
    scheduledFor: Date | null,
  ): Promise<{ run: DrRunEntity; reply: ActionReply }> {
    const domain = await this.domains.get(s.storageDomainId);
    const session = s.sessionId ? await this.sessions.findById(s.sessionId) : null;
    if (!session) {
      await this.noSessionAlert(domain, call);
      throw OvirtFault.conflict(
        `the schedule has no geo-replication session; set georeplication_session (${this.createHint(domain)})`,
      );
    }
    const failedOver = failedOverRefusal(session, 'a DR run');
    if (failedOver) throw OvirtFault.conflict(failedOver);
    const run = await this.repo.insertRun({
      scheduleId: s.id,
      storageDomainId: domain.id,
      sessionId: session.id,
      trigger,
      scheduledFor,
    });
    let submission;
    try {
      const params: DrRunParams = { runId: run.id };
      submission = await this.actions.submit(
        {
          action: DrRun,
          targetType: 'storage_domain',
          targetId: domain.id,
          description: `Synchronizing storage domain ${domain.name} to ${session.slaveHostName}::${session.slaveVolumeName}`,
          params,
          conflict: 'exclusive',
          eventRefs: { clusterId: session.clusterId },
          events: { success: EventCode.StorageDomainSynced, failure: EventCode.DrRunJobFailed },
          asyncByDefault: true,
        },
        call,
      );
    } catch (e) {
      await this.repo.deleteRun(run.id);
      if (httpStatusOf(e) === 409) {
        throw OvirtFault.conflict(
          `Storage data synchronization is in progress for the domain ${domain.name}; cannot start another one.`,
        );
      }
      throw e;
    }
    await this.repo.updateRun(run.id, { jobId: submission.job.id });
    await this.repo.updateSchedule(s.id, { lastRunId: run.id });
    return { run: { ...run, jobId: submission.job.id }, reply: actionReply(submission) };
  }

  async listRuns(domainId: string, scheduleId: string, query: ListQuery): Promise<DrRunView[]> {
    await this.getSchedule(domainId, scheduleId);
    return this.runViews(await this.repo.listRuns(scheduleId, query));
  }

  async getRun(domainId: string, scheduleId: string, id: string): Promise<DrRunEntity> {
    await this.getSchedule(domainId, scheduleId);
    const run = await this.repo.findRun(scheduleId, id);
    if (!run) throw OvirtFault.notFound('DR run', id);
    return run;
  }

  async runViews(runs: readonly DrRunEntity[]): Promise<DrRunView[]> {
    const places = await this.sessionPlaces(runs.map((r) => r.sessionId));
    return runs.map((r) => runView(r, r.sessionId ? places.get(r.sessionId) : undefined));
  }

  async runViewsByIds(ids: readonly string[]): Promise<Map<string, DrRunView>> {
    const runs = await this.repo.findRunsByIds(ids);
    const views = await this.runViews(runs);
    return new Map(runs.map((r, i) => [r.id, views[i]]));
  }

  /** Asks the run to stop; its job notices within one poll, puts the session back and ends `aborted`. */
  async cancel(
    domainId: string,
    scheduleId: string,
    id: string,
    input: ActionInput,
    caller: Caller,
  ): Promise<ActionReply> {
    const run = await this.getRun(domainId, scheduleId, id);
    if (!(await this.repo.requestCancel(run.id)))
      throw OvirtFault.conflict(`the run has already ended (${run.status})`);
    await this.record(
      EventCode.DrRunCancelRequested,
      'normal',
      `Cancel of DR run ${run.id} was requested.`,
      null,
      caller,
    );
    return { status: 'complete', params: input.params };
  }

  // ---- helpers

  /** The session a schedule syncs through: the one named (it must feed from the domain's volume), or the volume's only one. */
  /** Where each session is (its cluster and master volume), for the session links of schedules and runs. */
  private async sessionPlaces(ids: readonly (string | null)[]): Promise<Map<string, SessionPlace>> {
    const wanted = [...new Set(ids.filter((i): i is string => !!i))];
    if (wanted.length === 0) return new Map();
    const found = await this.sessions.findByIds(wanted);
    return new Map(found.map((s) => [s.id, { clusterId: s.clusterId, masterVolumeId: s.masterVolumeId }]));
  }

  private async sessionFor(
    domain: StorageDomainEntity,
    ref: RefInput | undefined,
    caller: Caller,
  ): Promise<GeoRepSessionEntity> {
    const volume = await this.domains.volumeOf(domain);
    if (ref) {
      if (ref.id === undefined)
        throw new BodyError([{ path: 'georeplication_session', message: 'refer to the session by id' }]);
      const session = await this.sessions.findById(ref.id);
      if (!session) throw OvirtFault.notFound('geo-replication session', ref.id);
      if (session.masterVolumeId !== volume.id) {
        throw OvirtFault.badRequest(
          `geo-replication session ${session.id} replicates another volume, not "${volume.name}" of storage domain "${domain.name}"; choose a session of that volume`,
        );
      }
      return session;
    }
    const sessions = await this.sessions.allOfMasterVolume(volume.id);
    if (sessions.length === 1) return sessions[0];
    if (sessions.length > 1)
      throw new BodyError([
        {
          path: 'georeplication_session',
          message: `volume "${volume.name}" has ${sessions.length} sessions; name one by id`,
        },
      ]);
    await this.noSessionAlert(domain, caller);
    throw OvirtFault.conflict(
      `volume "${volume.name}" of storage domain "${domain.name}" has no geo-replication session (${this.createHint(domain)})`,
    );
  }

  private createHint(domain: StorageDomainEntity): string {
    return domain.glusterVolumeId
      ? `create one with POST .../clusters/{cluster}/${GLUSTER_VOLUMES}/${domain.glusterVolumeId}/${GEOREP_SESSIONS}, or with gluster and then refresh the cluster`
      : 'the volume of the storage domain is gone';
  }

  private async noSessionAlert(domain: StorageDomainEntity, caller: Caller): Promise<void> {
    await this.record(
      EventCode.DrNoSession,
      'alert',
      `Disaster recovery sync of storage domain ${domain.name} is not possible: its gluster volume has no geo-replication session. Create one (${this.createHint(domain)}), then add or update the DR schedule at /${STORAGE_DOMAINS}/${domain.id}/dr-schedules.`,
      null,
      caller,
    );
  }

  private parse(text: string) {
    try {
      return parseSchedule(text);
    } catch (e) {
      if (e instanceof ScheduleError) throw new BodyError([{ path: 'schedule', message: e.message }]);
      throw e;
    }
  }

  private zone(tz: string): string {
    try {
      return checkTimeZone(tz);
    } catch (e) {
      if (e instanceof ScheduleError) throw new BodyError([{ path: 'timezone', message: e.message }]);
      throw e;
    }
  }

  private async record(
    code: EventCode,
    severity: 'normal' | 'warning' | 'error' | 'alert',
    description: string,
    clusterId: string | null,
    caller: Caller,
  ): Promise<void> {
    await this.events.record({
      code,
      severity,
      description,
      clusterId,
      correlationId: caller.correlationId,
      userId: caller.userId,
    });
  }

  private async write<T>(domain: StorageDomainEntity, name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'unique')
        throw OvirtFault.conflict(`storage domain "${domain.name}" already has a DR schedule named "${name}"`);
      throw e;
    }
  }
}

/** The HTTP status a refusal carries (the action runner throws OvirtFault or Nest's HttpException), or undefined. */
export function httpStatusOf(e: unknown): number | undefined {
  if (e instanceof OvirtFault) return e.status;
  if (e instanceof HttpException) return e.getStatus();
  return undefined;
}
