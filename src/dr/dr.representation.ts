import { JOBS } from '../jobs/job.representation';
import { refTo } from '../ovirt/api-paths';
import { nameField } from '../ovirt/common-fields';
import {
  actionSchema,
  bool,
  CreateInputOf,
  date,
  enumOf,
  int,
  list,
  long,
  obj,
  ref,
  resource,
  str,
  UpdateInputOf,
  ViewOf,
} from '../ovirt/representation';
import type { RefView } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { DR_SCHEDULES, STORAGE_DOMAINS } from '../storage-domains/storage-domain.representation';
import { sessionHref } from '../volumes/volume.representation';
import { DR_RUN_STATUSES, DR_RUN_TRIGGERS, DrRunEntity } from './dr-run.entity';
import { QUIESCE_POLICIES } from './dr-schedule.entity';
import type { DrScheduleEntity } from './dr-schedule.entity';
import { dataAgeSeconds } from './run-logic';

export const DR_RUNS = 'runs';
export const MISSED_RUN_POLICIES = ['run_once', 'skip'] as const;
export const MAX_CHECKPOINT_TIMEOUT_MINUTES = 10_080;
const ENGINE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const DrScheduleSchema = resource(
  'dr_schedule',
  'dr_schedules',
  {
    name: {
      ...nameField(),
      optional: true as const,
      description: 'Unique within the storage domain; default `dr-<slave volume>`.',
    },
    description: str({ optional: true, maxLength: 500 }),
    storage_domain: ref('storage_domain', { readOnly: true }),
    georeplication_session: ref('georeplication_session', {
      optional: true,
      byId: true,
      description:
        "The session to sync through: one of the domain's volume (by id). Left out: the volume's only session.",
    }),
    schedule: str({
      maxLength: 200,
      description:
        "A 5-field cron (`30 2 * * *`) or oVirt's form `DAILY at 02:30` / `WEEKLY on MON,FRI at 02:30`. Quartz syntax (seconds, `?`, `L`, `W`, `#`) is refused.",
    }),
    cron: str({ readOnly: true, description: 'The 5-field cron the schedule runs on.' }),
    timezone: str({ optional: true, maxLength: 64, description: 'IANA time zone of the schedule (default UTC).' }),
    enabled: bool({
      optional: true,
      description: 'False while paused (the pause and resume actions set it); default true.',
    }),
    checkpoint_timeout: int({
      optional: true,
      min: 1,
      max: MAX_CHECKPOINT_TIMEOUT_MINUTES,
      description: 'Minutes a run waits for its checkpoint before it fails and stops what it started (default 120).',
    }),
    missed_run_policy: enumOf(MISSED_RUN_POLICIES, {
      optional: true,
      description: 'A fire time missed while no worker ran: run once at start-up, or skip (default).',
    }),
    quiesce: enumOf(QUIESCE_POLICIES, {
      optional: true,
      description:
        "Snapshot the domain's running VMs through the oVirt engine before the checkpoint (their guests freeze their file systems), remove the snapshots' overlays from the slave copy and the snapshots after: `required` fails a run that cannot quiesce every VM (before its checkpoint), `best_effort` raises an alert and goes on, `off` (default) does not quiesce. Anything but `off` needs the engine_* fields and the session's slave cluster registered.",
    }),
    engine_url: str({
      optional: true,
      maxLength: 300,
      description:
        "The oVirt engine that runs the domain's VMs: `https://engine.example.com` (`…/ovirt-engine/api` is accepted).",
    }),
    engine_username: str({
      optional: true,
      maxLength: 255,
      description: 'The engine user, e.g. `admin@internal` (the default when an engine_url is set).',
    }),
    engine_password: str({
      writeOnly: true,
      optional: true,
      maxLength: 1000,
      description: "Write-only: stored sealed with the service's secret key, never shown nor logged.",
    }),
    engine_ca_certificate: str({
      optional: true,
      maxLength: 20_000,
      description:
        "The engine's CA certificate (PEM), the only one trusted for the engine. Left out when engine_url is set: fetched from the engine's pki-resource and pinned (compare it with the engine's own before trusting the schedule).",
    }),
    engine_storage_domain_id: str({
      optional: true,
      pattern: ENGINE_ID,
      patternDescription: 'an oVirt id (lower-case UUID)',
      description: "The engine's id of the storage domain: the directory oVirt keeps the domain in, on the volume.",
    }),
    next_run: date({ readOnly: true, optional: true }),
    disabled_reason: str({
      readOnly: true,
      optional: true,
      description: 'Why the service disabled the schedule (e.g. its session vanished).',
    }),
    last_run: ref('dr_run', { readOnly: true, optional: true }),
    last_run_status: enumOf(DR_RUN_STATUSES, { readOnly: true, optional: true }),
    last_success: date({ readOnly: true, optional: true, description: 'When the last successful run ended.' }),
    last_success_checkpoint: date({
      readOnly: true,
      optional: true,
      description: 'The checkpoint the last successful run replicated: the slave holds everything written before it.',
    }),
    data_age: long({
      readOnly: true,
      optional: true,
      description:
        'Seconds since last_success_checkpoint: how old the copy on the other site is (what an RPO alert watches).',
    }),
  },
  {
    links: [DR_RUNS],
    actions: ['syncnow', 'pause', 'resume'],
    description: 'When and through which geo-replication session a storage domain is copied to another site.',
  },
);

const RunStepSchema = obj('dr_run_step', {
  description: str({ readOnly: true }),
  status: enumOf(['started', 'finished', 'failed', 'aborted'], { readOnly: true }),
  start_time: date({ readOnly: true }),
  end_time: date({ readOnly: true, optional: true }),
});

const QuiescedVmSchema = obj('dr_quiesced_vm', {
  vm_id: str({ readOnly: true, description: "The engine's id of the VM." }),
  vm_name: str({ readOnly: true }),
  snapshot_id: str({
    readOnly: true,
    optional: true,
    description: 'The snapshot the run made (removed again at its end).',
  }),
  state: enumOf(['snapshotting', 'quiesced', 'failed', 'released'], { readOnly: true }),
  error: str({ readOnly: true, optional: true }),
});

const BrickProgressSchema = obj('dr_brick_progress', {
  master_host_name: str({ readOnly: true }),
  master_brick_dir: str({ readOnly: true }),
  status: str({ readOnly: true }),
  checkpoint_completed: bool({ readOnly: true }),
  entry_pending: long({ readOnly: true, optional: true }),
  data_pending: long({ readOnly: true, optional: true }),
  meta_pending: long({ readOnly: true, optional: true }),
  last_synced: date({ readOnly: true, optional: true }),
});

export const DrRunSchema = resource(
  'dr_run',
  'dr_runs',
  {
    dr_schedule: ref('dr_schedule', { readOnly: true }),
    storage_domain: ref('storage_domain', { readOnly: true }),
    georeplication_session: ref('georeplication_session', { readOnly: true, optional: true }),
    job: ref('job', { readOnly: true, optional: true }),
    trigger: enumOf(DR_RUN_TRIGGERS, { readOnly: true }),
    status: enumOf(DR_RUN_STATUSES, { readOnly: true }),
    scheduled_for: date({ readOnly: true, optional: true, description: 'The fire time, for scheduled runs.' }),
    start_time: date({ readOnly: true }),
    end_time: date({ readOnly: true, optional: true }),
    duration: long({ readOnly: true, optional: true, description: 'Seconds.' }),
    checkpoint_time: date({ readOnly: true, optional: true, description: 'The checkpoint as gluster read it back.' }),
    checkpoint_completed_time: date({ readOnly: true, optional: true }),
    rpo: long({
      readOnly: true,
      optional: true,
      description: 'Seconds between the checkpoint and its completion: the lag the run achieved.',
    }),
    started_session: bool({
      readOnly: true,
      description: 'The run started (or resumed) the session, and stops (or pauses) it again.',
    }),
    cancel_requested: bool({ readOnly: true }),
    error: str({ readOnly: true, optional: true }),
    steps: list('step', RunStepSchema, { readOnly: true, optional: true }),
    progress: list('brick', BrickProgressSchema, {
      readOnly: true,
      optional: true,
      description: 'Per master brick, while waiting for the checkpoint.',
    }),
    quiesced_vms: list('vm', QuiescedVmSchema, {
      readOnly: true,
      optional: true,
      description: 'The VMs the run snapshotted through the oVirt engine (quiesce), and what became of each snapshot.',
    }),
  },
  { actions: ['cancel'], description: 'One DR sync of a storage domain.' },
);

export const SyncNowActionSchema = actionSchema({
  dr_run: ref('dr_run', { readOnly: true, optional: true, description: 'The run this request started.' }),
});
export const SchedulePauseActionSchema = actionSchema();
export const ScheduleResumeActionSchema = actionSchema();
export const RunCancelActionSchema = actionSchema();

export type DrScheduleView = ViewOf<typeof DrScheduleSchema>;
export type DrScheduleCreate = CreateInputOf<typeof DrScheduleSchema>;
export type DrScheduleUpdate = UpdateInputOf<typeof DrScheduleSchema>;
export type DrRunView = ViewOf<typeof DrRunSchema>;

export const SCHEDULE_SEARCH: SearchSpec = {
  fields: { name: { column: 's.name' }, schedule: { column: 's.schedule' }, timezone: { column: 's.timezone' } },
  defaultSort: 'name',
};

export const RUN_SEARCH: SearchSpec = {
  fields: {
    status: { column: 'r.status', values: DR_RUN_STATUSES },
    trigger: { column: 'r.trigger', values: DR_RUN_TRIGGERS },
    start_time: { column: 'r.start_time', type: 'date' },
  },
  defaultSort: 'start_time',
};

export function scheduleHref(domainId: string, id: string): string {
  return `${refTo(STORAGE_DOMAINS, domainId).href}/${DR_SCHEDULES}/${encodeURIComponent(id)}`;
}

export function runHref(domainId: string, scheduleId: string, id: string): string {
  return `${scheduleHref(domainId, scheduleId)}/${DR_RUNS}/${encodeURIComponent(id)}`;
}

/** The session's ref needs its master volume and cluster. */
export interface SessionPlace {
  readonly clusterId: string;
  readonly masterVolumeId: string;
}

function sessionRef(id: string | null, place: SessionPlace | undefined): RefView | undefined {
  return id && place ? { id, href: sessionHref(place.clusterId, place.masterVolumeId, id) } : undefined;
}

export function scheduleView(
  s: DrScheduleEntity,
  extra: {
    session?: SessionPlace;
    lastRun?: DrRunEntity | null;
    lastSuccess?: DrRunEntity | null;
    nextRun: Date | null;
    now: Date;
  },
): DrScheduleView {
  return {
    id: s.id,
    href: scheduleHref(s.storageDomainId, s.id),
    name: s.name,
    description: s.description,
    storage_domain: refTo(STORAGE_DOMAINS, s.storageDomainId),
    georeplication_session: sessionRef(s.sessionId, extra.session),
    schedule: s.schedule,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    checkpoint_timeout: s.checkpointTimeoutMinutes,
    missed_run_policy: s.missedRunPolicy,
    quiesce: s.quiescePolicy,
    engine_url: s.engineUrl ?? undefined,
    engine_username: s.engineUsername ?? undefined,
    engine_ca_certificate: s.engineCaPem ?? undefined,
    engine_storage_domain_id: s.engineStorageDomainId ?? undefined,
    next_run: extra.nextRun ?? undefined,
    disabled_reason: s.disabledReason ?? undefined,
    last_run: extra.lastRun
      ? { id: extra.lastRun.id, href: runHref(s.storageDomainId, s.id, extra.lastRun.id) }
      : undefined,
    last_run_status: extra.lastRun?.status,
    last_success: extra.lastSuccess?.endTime ?? undefined,
    last_success_checkpoint: s.lastSuccessCheckpoint ?? undefined,
    data_age: dataAgeSeconds(s.lastSuccessCheckpoint, extra.now) ?? undefined,
  };
}

export function runView(r: DrRunEntity, session: SessionPlace | undefined): DrRunView {
  return {
    id: r.id,
    href: runHref(r.storageDomainId, r.scheduleId, r.id),
    dr_schedule: { id: r.scheduleId, href: scheduleHref(r.storageDomainId, r.scheduleId) },
    storage_domain: refTo(STORAGE_DOMAINS, r.storageDomainId),
    georeplication_session: sessionRef(r.sessionId, session),
    job: r.jobId ? refTo(JOBS, r.jobId) : undefined,
    trigger: r.trigger,
    status: r.status,
    scheduled_for: r.scheduledFor ?? undefined,
    start_time: r.startTime,
    end_time: r.endTime ?? undefined,
    duration: r.endTime ? Math.round((r.endTime.getTime() - r.startTime.getTime()) / 1000) : undefined,
    checkpoint_time: r.checkpointTime ?? undefined,
    checkpoint_completed_time: r.checkpointCompletedTime ?? undefined,
    rpo: r.rpoSeconds ?? undefined,
    started_session: r.startedSession,
    cancel_requested: r.cancelRequested,
    error: r.error ?? undefined,
    steps: r.steps.map((s) => ({
      description: s.description,
      status: s.status,
      start_time: s.start_time,
      end_time: s.end_time ?? undefined,
    })),
    progress: r.progress.map((p) => ({
      ...p,
      entry_pending: p.entry_pending ?? undefined,
      data_pending: p.data_pending ?? undefined,
      meta_pending: p.meta_pending ?? undefined,
      last_synced: p.last_synced ?? undefined,
    })),
    quiesced_vms: r.quiesce?.vms.map((v) => ({
      vm_id: v.vm_id,
      vm_name: v.vm_name,
      snapshot_id: v.snapshot_id ?? undefined,
      state: v.state,
      error: v.error ?? undefined,
    })),
  };
}
