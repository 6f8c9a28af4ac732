import { CLUSTERS } from '../clusters/cluster.representation';
import { refTo, resourceHref } from '../ovirt/api-paths';
import {
  actionSchema,
  bool,
  CreateInputOf,
  date,
  enumOf,
  int,
  list,
  long,
  ref,
  resource,
  str,
  ViewOf,
} from '../ovirt/representation';
import { findGeoRepOption } from '../gluster';
import type { SearchSpec } from '../ovirt/search';
import { brickHref, sessionHref, volumeRef } from '../volumes/volume.representation';
import type { GeoRepSessionDetailEntity } from './georep-session-detail.entity';
import type { GeoRepSessionOptionEntity } from './georep-session-option.entity';
import type { GeoRepSessionEntity } from './georep-session.entity';
import { DEFAULT_FAILOVER_TIMEOUT_SECONDS } from './failover-logic';

export const SESSION_DETAILS = 'bricks';
export const SESSION_OPTIONS = 'options';

export const SESSION_STATUSES = [
  'initializing',
  'created',
  'active',
  'passive',
  'paused',
  'stopped',
  'partial_faulty',
  'faulty',
  'unknown',
] as const;
export const WORKER_STATUSES = [
  'created',
  'initializing',
  'active',
  'passive',
  'paused',
  'stopped',
  'faulty',
  'unknown',
] as const;
export const CRAWL_STATUSES = ['changelog_crawl', 'history_crawl', 'hybrid_crawl', 'unknown'] as const;

/** One master brick's worker (`status detail`): `<session_detail>`. */
export const SessionDetailSchema = resource(
  'session_detail',
  'session_details',
  {
    master_brick: ref('brick', {
      readOnly: true,
      optional: true,
      description: 'The master volume brick this worker serves.',
    }),
    master_host_name: str({ readOnly: true, description: 'The master node as gluster names it.' }),
    master_brick_dir: str({ readOnly: true }),
    slave_node: str({
      readOnly: true,
      optional: true,
      description: 'The slave node the worker writes to (only while Active).',
    }),
    status: enumOf(WORKER_STATUSES, { readOnly: true }),
    crawl_status: enumOf(CRAWL_STATUSES, { readOnly: true, optional: true }),
    last_synced: date({ readOnly: true, optional: true }),
    checkpoint_time: date({ readOnly: true, optional: true }),
    checkpoint_completed: bool({ readOnly: true, optional: true }),
    checkpoint_completion_time: date({ readOnly: true, optional: true }),
    entry_pending: long({ readOnly: true, optional: true }),
    data_pending: long({ readOnly: true, optional: true }),
    meta_pending: long({ readOnly: true, optional: true }),
    failures: long({ readOnly: true, optional: true }),
    stalled: bool({
      readOnly: true,
      description:
        'Active with work pending while last_synced has not moved for GEOREP_STALL_SECONDS (a frozen worker: gluster still says Active).',
    }),
  },
  { description: "One master brick's geo-replication worker of a session." },
);

export const CREATE_METHODS = ['no_verify', 'push_pem'] as const;
export type CreateMethod = (typeof CREATE_METHODS)[number];

/** What only a create body says (write-only: never shown). */
const SESSION_CREATE_OPTIONS = {
  slave_root_password: str({
    optional: true,
    writeOnly: true,
    description:
      "One-time root password of an unmanaged slave host: installs the service's SSH key there within the request; never stored. Needs slave_fingerprint: the password is only sent to a host presenting that key.",
  }),
  slave_fingerprint: str({
    optional: true,
    writeOnly: true,
    description:
      "With slave_root_password: the SHA-256 fingerprint of the unmanaged slave host's SSH host key (`SHA256:…`, as `ssh-keygen -lf` prints it), checked out of band. Without it the create is refused (400) and the fault names the key the host presents.",
  }),
  user_group: str({
    optional: true,
    writeOnly: true,
    description: "The non-root user's group (for the mount broker's log group).",
  }),
  force: bool({
    optional: true,
    writeOnly: true,
    description: 'Create even when the slave is not eligible (gluster `create … force`).',
  }),
  start: bool({
    optional: true,
    writeOnly: true,
    description: 'Start the session once it is created (after its keys are in place).',
  }),
  enforce_preflight: bool({
    optional: true,
    writeOnly: true,
    description:
      'Fail the create when a preflight check (GlusterFS versions, clocks, capacity) fails; by default the preflight step is advisory: what fails or warns is a warning event.',
  }),
  method: enumOf(CREATE_METHODS, {
    optional: true,
    writeOnly: true,
    description:
      'no_verify (default): the service distributes the keys; push_pem: the service sets up root SSH from the master hosts to the slave, then gluster pushes the keys.',
  }),
} as const;

/** oVirt's georeplication_session (GlusterGeoRepSession). */
export const GeoRepSessionSchema = resource(
  'georeplication_session',
  'georeplication_sessions',
  {
    master_volume: ref('gluster_volume', { readOnly: true }),
    slave_host_name: str({
      optional: true,
      description:
        'The slave host (name or IPv4 address); when creating, with slave_volume_name, for a slave the service does not manage.',
    }),
    slave_host: ref('host', {
      readOnly: true,
      optional: true,
      description: 'The registered host the slave host name is, when there is one.',
    }),
    slave_volume_name: str({ optional: true, description: 'The slave volume name on slave_host_name.' }),
    slave_volume: ref('gluster_volume', {
      optional: true,
      description:
        'The slave volume, when it is a volume of a cluster the service manages (when creating, slave_host_name and slave_volume_name then follow from it).',
    }),
    slave_volume_uuid: str({ readOnly: true, optional: true }),
    slave_cluster: ref('cluster', { readOnly: true, optional: true }),
    user_name: str({
      optional: true,
      description: 'The user on the slave: root, or a non-root user set up through the mount broker (see user_group).',
    }),
    session_key: str({ readOnly: true }),
    status: enumOf(SESSION_STATUSES, {
      readOnly: true,
      description: "Rolled up from the workers' statuses (see DESIGN.md section 6).",
    }),
    health: enumOf(['healthy', 'degraded', 'failing'] as const, {
      readOnly: true,
      description:
        "What the service concludes beside gluster's status: degraded when a worker is stalled or the session partly faulty; failing when faulty or every active worker is stalled.",
    }),
    desired_status: enumOf(['started', 'stopped', 'paused'] as const, {
      readOnly: true,
      optional: true,
      description:
        'What the service was last asked to make of the session (start and resume: started); absent until then.',
    }),
    drifted: bool({
      readOnly: true,
      description:
        "True when gluster's status contradicts desired_status (e.g. started, but gluster says stopped); an event marks when it starts and ends.",
    }),
    last_healed: date({
      readOnly: true,
      optional: true,
      description: 'When the service last healed a stalled worker of the session (GEOREP_HEAL_ACTION).',
    }),
    last_refreshed: date({ readOnly: true }),
    last_verified: date({
      readOnly: true,
      optional: true,
      description: 'When the replication canary (the verify action) last ran.',
    }),
    last_verify_result: str({
      readOnly: true,
      optional: true,
      description: '`passed`, or what the canary saw on the slave (missing, wrong size, wrong content).',
    }),
    replication_delay: int({
      readOnly: true,
      optional: true,
      description: 'Milliseconds the canary probe took from the master volume to the slave volume.',
    }),
    failed_over: bool({
      readOnly: true,
      description:
        'The slave took over (the failover action): start, resume, verify and DR runs are refused, since they would overwrite newer data on the slave.',
    }),
    failover_time: date({ readOnly: true, optional: true }),
    failover_mode: enumOf(['planned', 'unplanned'] as const, {
      readOnly: true,
      optional: true,
      description:
        'planned: the master answered and the slave caught up with a checkpoint first; unplanned (force): only the slave was touched.',
    }),
    failover_user: ref('user', { readOnly: true, optional: true, description: 'Who asked for the failover.' }),
    recovery_point: date({
      readOnly: true,
      optional: true,
      description:
        "The last point in time known to be on the slave at the failover: the later of the last checkpoint every active worker completed (or the DR schedule's last completed checkpoint) and the oldest last_synced of the active workers, as last read. Absent when nothing was known.",
    }),
    data_loss_window: int({
      readOnly: true,
      optional: true,
      description:
        'Seconds from recovery_point to failover_time: writes to the master in this window may be missing on the slave (0 for a planned failover). Absent when no recovery point was known.',
    }),
    failback_phase: enumOf(['syncing'] as const, {
      readOnly: true,
      optional: true,
      description: "syncing: a failback's phase sync ran; the reverse session copies the slave's data to the master.",
    }),
    failback_of: str({
      readOnly: true,
      optional: true,
      description:
        "On the reverse session a failback made (slave → master): the id of the failed-over session it brings home (its master volume is this session's slave volume).",
    }),
    session_details: list('session_detail', SessionDetailSchema, {
      readOnly: true,
      optional: true,
      description: 'Per master brick; only on the single GET.',
    }),
    ...SESSION_CREATE_OPTIONS,
  },
  {
    links: [SESSION_DETAILS, SESSION_OPTIONS, 'preflight'],
    actions: ['refresh', 'start', 'stop', 'pause', 'resume', 'checkpoint', 'verify', 'failover', 'failback'],
    description: 'A geo-replication session of a master volume.',
  },
);

/** `<option>` of a session: canonical dashed name. */
export const GeoRepOptionSchema = resource(
  'option',
  'options',
  {
    name: str({
      maxLength: 100,
      description: "gluster's option name, canonical with dashes (underscores are accepted when setting).",
    }),
    value: str({ maxLength: 4096 }),
    default_value: str({ readOnly: true, optional: true }),
    modified: bool({ readOnly: true, description: 'The value differs from the default.' }),
    restarts_session: bool({
      readOnly: true,
      optional: true,
      description:
        'Setting or resetting it restarts a running session (every option but checkpoint and log-rsync-performance).',
    }),
  },
  {
    description:
      'A configuration option of a geo-replication session. POST one to the options collection to set it; DELETE it to reset it to its default.',
  },
);

export const SessionRefreshActionSchema = actionSchema();

const force = () =>
  bool({
    optional: true,
    description: "Ask gluster even when the session's status does not allow it (gluster's own force).",
  });
export const SessionStartActionSchema = actionSchema({ force: force() });
export const SessionStopActionSchema = actionSchema({ force: force() });
export const SessionPauseActionSchema = actionSchema({ force: force() });
export const SessionResumeActionSchema = actionSchema({ force: force() });
export const SessionCheckpointActionSchema = actionSchema();
export const SessionVerifyActionSchema = actionSchema({
  timeout: int({
    optional: true,
    min: 1,
    max: 3600,
    description: 'Seconds to wait for the probe on the slave (default 120).',
  }),
});

export const SessionFailoverActionSchema = actionSchema({
  force: bool({
    optional: true,
    description:
      "Unplanned failover: touch only the slave side, whatever the master's state (the master site is lost). Without it the failover is planned and needs the master cluster to answer (502 otherwise).",
  }),
  timeout: int({
    optional: true,
    min: 1,
    max: 86400,
    description: `Planned failover: seconds to wait for every active worker to complete the checkpoint (default ${DEFAULT_FAILOVER_TIMEOUT_SECONDS}).`,
  }),
});

export const SessionFailbackActionSchema = actionSchema({
  phase: enumOf(['sync', 'complete'] as const, {
    optional: true,
    description:
      "sync (default): stop the original session, create and start the reverse session (the slave volume → the master volume, gluster's special-sync-mode recover), so the master catches up while the slave still takes writes. complete: stop the writes on the slave first; then the same, a checkpoint on the reverse session and a wait until it completed, the reverse session stopped and deleted, the slave volume's options put back and the original session started (force).",
  }),
  timeout: int({
    optional: true,
    min: 1,
    max: 86400,
    description: `Phase complete: seconds to wait for the reverse session's checkpoint (default ${DEFAULT_FAILOVER_TIMEOUT_SECONDS}).`,
  }),
  force: bool({
    optional: true,
    description:
      "Phase complete: switch back even though the reverse session counted entries it could not sync to the master (gluster's failures, e.g. a file made under the same name at both sites): the master keeps its own copies of those. Without it such a complete stops after the catch-up, before anything is switched, with the reverse session still running, and the job names the count and the bricks.",
  }),
});

export type GeoRepOptionCreate = CreateInputOf<typeof GeoRepOptionSchema>;

export type GeoRepSessionView = ViewOf<typeof GeoRepSessionSchema>;
export type SessionDetailView = ViewOf<typeof SessionDetailSchema>;
export type GeoRepOptionView = ViewOf<typeof GeoRepOptionSchema>;

export const SESSION_SEARCH: SearchSpec = {
  fields: {
    status: { column: 's.status', values: SESSION_STATUSES },
    slave_host_name: { column: 's.slave_host_name' },
    slave_volume_name: { column: 's.slave_volume_name' },
    user_name: { column: 's.user_name' },
    health: { column: 's.health', values: ['healthy', 'degraded', 'failing'] },
    desired_status: { column: 's.desired_status', values: ['started', 'stopped', 'paused'] },
    last_refreshed: { column: 's.last_refreshed', type: 'date' },
  },
  defaultSort: 'slave_volume_name',
};

export const DETAIL_SEARCH: SearchSpec = {
  fields: {
    status: { column: 'd.status', values: WORKER_STATUSES },
    master_host_name: { column: 'd.master_host_name' },
    master_brick_dir: { column: 'd.master_brick_dir' },
    position: { column: 'd.position', type: 'number' },
  },
  defaultSort: 'position',
};

export const OPTION_SEARCH: SearchSpec = {
  fields: {
    name: { column: 'o.name' },
    value: { column: 'o.value' },
  },
  defaultSort: 'name',
};

/** How jobs and events name a session: `session to [user@]host::volume`. */
export function sessionName(s: Pick<GeoRepSessionEntity, 'userName' | 'slaveHostName' | 'slaveVolumeName'>): string {
  return `session to ${s.userName !== 'root' ? `${s.userName}@` : ''}${s.slaveHostName}::${s.slaveVolumeName}`;
}

export function sessionView(s: GeoRepSessionEntity, details?: readonly GeoRepSessionDetailEntity[]): GeoRepSessionView {
  return {
    id: s.id,
    href: sessionHref(s.clusterId, s.masterVolumeId, s.id),
    master_volume: volumeRef(s.clusterId, s.masterVolumeId),
    slave_host_name: s.slaveHostName,
    slave_host: s.slaveHostId ? { id: s.slaveHostId, href: resourceHref('hosts', s.slaveHostId) } : undefined,
    slave_volume_name: s.slaveVolumeName,
    slave_volume: s.slaveVolumeId && s.slaveClusterId ? volumeRef(s.slaveClusterId, s.slaveVolumeId) : undefined,
    slave_volume_uuid: s.slaveVolumeUuid ?? undefined,
    slave_cluster: s.slaveClusterId
      ? { id: s.slaveClusterId, href: resourceHref(CLUSTERS, s.slaveClusterId) }
      : undefined,
    user_name: s.userName,
    session_key: s.sessionKey,
    status: s.status,
    health: s.health,
    desired_status: s.desiredStatus ?? undefined,
    drifted: s.drifted,
    last_healed: lastOf(s.healTimes),
    last_refreshed: s.lastRefreshed,
    last_verified: s.lastVerified ?? undefined,
    last_verify_result: s.lastVerifyResult ?? undefined,
    replication_delay: s.replicationDelayMs ?? undefined,
    failed_over: s.failedOver,
    failover_time: s.failoverTime ?? undefined,
    failover_mode: s.failoverMode ?? undefined,
    failover_user: s.failoverUserId ? refTo('users', s.failoverUserId) : undefined,
    recovery_point: s.recoveryPoint ?? undefined,
    data_loss_window: s.dataLossWindowSeconds ?? undefined,
    failback_phase: s.failbackPhase ?? undefined,
    failback_of: s.failbackOf ?? undefined,
    session_details: details ? details.map((d) => detailView(s, d)) : undefined,
  };
}

function lastOf(times: readonly Date[] | undefined): Date | undefined {
  if (!times || times.length === 0) return undefined;
  return times.reduce((a, b) => (b.getTime() > a.getTime() ? b : a));
}

export function detailView(
  s: Pick<GeoRepSessionEntity, 'id' | 'clusterId' | 'masterVolumeId'>,
  d: GeoRepSessionDetailEntity,
): SessionDetailView {
  return {
    id: d.id,
    href: `${sessionHref(s.clusterId, s.masterVolumeId, s.id)}/${SESSION_DETAILS}/${d.id}`,
    master_brick: d.masterBrickId
      ? { id: d.masterBrickId, href: brickHref(s.clusterId, s.masterVolumeId, d.masterBrickId) }
      : undefined,
    master_host_name: d.masterHostName,
    master_brick_dir: d.masterBrickDir,
    slave_node: d.slaveNode ?? undefined,
    status: d.status,
    crawl_status: d.crawlStatus ?? undefined,
    last_synced: d.lastSynced ?? undefined,
    checkpoint_time: d.checkpointTime ?? undefined,
    checkpoint_completed: d.checkpointCompleted ?? undefined,
    checkpoint_completion_time: d.checkpointCompletionTime ?? undefined,
    entry_pending: d.entryPending ?? undefined,
    data_pending: d.dataPending ?? undefined,
    meta_pending: d.metaPending ?? undefined,
    failures: d.failures ?? undefined,
    stalled: d.stalled,
  };
}

export function optionView(
  s: Pick<GeoRepSessionEntity, 'id' | 'clusterId' | 'masterVolumeId'>,
  o: GeoRepSessionOptionEntity,
): GeoRepOptionView {
  return {
    href: `${sessionHref(s.clusterId, s.masterVolumeId, s.id)}/${SESSION_OPTIONS}/${encodeURIComponent(o.name)}`,
    name: o.name,
    value: o.value,
    default_value: o.defaultValue ?? undefined,
    modified: o.modified,
    restarts_session: findGeoRepOption(o.name)?.restartsSession,
  };
}
