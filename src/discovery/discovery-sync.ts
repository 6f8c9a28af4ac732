import { Injectable, Logger } from '@nestjs/common';
import { ClusterEntity } from '../clusters/cluster.entity';
import { EventSeverity } from '../events/event.entity';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import {
  geoRepConfigListCommand,
  GlusterArgumentError,
  GlusterCommand,
  GlusterCommandError,
  geoRepStatusCommand,
  GeoRepSessionRef,
  GeoRepSessionStatus,
  GlusterVolumeInfo,
  GlusterVolumeStatus,
  parseGeoRepConfigXml,
  parseGeoRepSessionStatus,
  parseGeoRepStatusList,
  parseVolumeInfo,
  parseVolumeStatus,
  volumeInfoCommand,
  volumeStatusDetailCommand,
} from '../gluster';
import { HostEntity } from '../hosts/host.entity';
import { ClusterExecResult, HostShell, NoReachableHostError } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { SshConnectError } from '../ssh';
import type { SshExecResult } from '../ssh';
import {
  buildSnapshot,
  DiscoveredOption,
  discoveredOptions,
  DiscoveredSession,
  sessionIdentity,
} from './discovery-snapshot';
import { DiscoveryChange, DiscoveryStore, SessionStoreResult, StoreResult } from './discovery-store';

/**
 * Session configs a sync reads at once, each on its own channel: each `config` starts gsyncd (Python)
 * on the server, so they overlap well; two leave the rest of the endpoint's channels
 * (GEOREP_SSH_MAX_COMMANDS_PER_HOST, 4 by default) to actions on the same host.
 */
const CONFIG_READS_AT_ONCE = 2;

/** Who asked for a sync: recorded on its events. */
export interface SyncOrigin {
  jobId?: string | null;
  correlationId?: string | null;
  userId?: string | null;
  /** Record hosts that did not answer as non_responsive (actions do; the periodic sync leaves host status to host monitoring). */
  markUnreachable?: boolean;
}

/**
 * Told after each stored pass which sessions have a stalled worker (stall healing plugs in here; it
 * lives in a module that imports this one, hence a registration rather than an injection).
 */
export type StalledSessionsListener = (sessionIds: readonly string[], origin: SyncOrigin) => Promise<void>;
/** Told after a pass of the cluster (whole or one session) was stored. */
export type StoredListener = (clusterId: string, origin: SyncOrigin) => Promise<void>;

export interface SyncResult extends StoreResult {
  host: HostEntity;
}

/** A session to re-read on its own: its stored id and how gluster names it. */
export interface SessionToRead {
  readonly id: string;
  readonly ref: GeoRepSessionRef;
}

/**
 * One discovery pass of a cluster, on one reachable host (up ones first, failing over on connection
 * errors): `volume info --xml`, `volume status all detail --xml` when a volume is started,
 * `geo-replication status detail --xml`, and `config` of every session. Everything that reaches the
 * shell comes from the command builders (validated and quoted); a session whose names do not
 * validate is stored without options. Throws NoReachableHostError, GlusterCommandError and SSH errors.
 */
@Injectable()
export class DiscoverySync {
  private readonly logger = new Logger(DiscoverySync.name);
  private stalledListener: StalledSessionsListener | undefined;
  private readonly storedListeners: StoredListener[] = [];

  constructor(
    private readonly shell: HostShell,
    private readonly hosts: HostsRepository,
    private readonly store: DiscoveryStore,
    private readonly events: EventsService,
  ) {}

  onStalledSessions(listener: StalledSessionsListener): void {
    this.stalledListener = listener;
  }

  /** What reacts to the stored state (the failed-over session guard); a failing listener is logged, never fails the pass. */
  onStored(listener: StoredListener): void {
    this.storedListeners.push(listener);
  }

  async syncCluster(
    cluster: ClusterEntity,
    origin: SyncOrigin,
    onHost?: (host: HostEntity) => Promise<void>,
  ): Promise<SyncResult> {
    const readAt = new Date();
    const { host, result } = await this.runFirst(cluster, volumeInfoCommand(), origin);
    if (onHost) await onHost(host);
    const volumes = parseVolumeInfo(result);
    // Independent reads, each on its own channel of the pooled connection.
    const [statuses, sessions] = await Promise.all([
      this.readVolumeStatuses(cluster, host, volumes),
      this.shell.run(host, geoRepStatusCommand()).then(parseGeoRepStatusList),
    ]);
    const snapshot = buildSnapshot(volumes, statuses, sessions);
    const options = await this.readSessionOptions(cluster, host, snapshot.sessions);
    const stored = await this.store.apply(cluster.id, snapshot, options, new Date(), readAt);
    await this.recordStored(cluster, stored, origin);
    return { ...stored, host };
  }

  /**
   * Re-reads one session, not the whole cluster: its `status detail` (and its `config` with
   * `withOptions`) on the first host that answers (`settling`: see StorePass), stored against the master volume's stored bricks.
   * Falls back to the whole-cluster sync when that alone cannot tell the truth: gluster does not list
   * the session (it, or a volume, is gone) or a worker matches no stored brick (the volume changed).
   */
  async syncSession(
    cluster: ClusterEntity,
    session: SessionToRead,
    origin: SyncOrigin,
    options: { withOptions?: boolean; settling?: boolean } = {},
  ): Promise<void> {
    const readAt = new Date();
    let command: GlusterCommand;
    try {
      command = geoRepStatusCommand(session.ref);
    } catch (e) {
      if (!(e instanceof GlusterArgumentError)) throw e;
      // Not nameable on a command line: only the whole-cluster pass (which stores it without options) reads it.
      await this.syncCluster(cluster, origin);
      return;
    }
    const { host, result } = await this.runFirst(cluster, command, origin);
    const status = statusOfSession(result, session.ref);
    const sessionOptions =
      status && options.withOptions ? await this.readOptionsOf(cluster, host, session.ref) : undefined;
    const stored = status
      ? await this.store.applySession(
          cluster.id,
          session.id,
          status,
          sessionOptions,
          new Date(),
          readAt,
          options.settling === true,
        )
      : null;
    if (!stored) {
      await this.syncCluster(cluster, origin);
      return;
    }
    await this.recordStored(cluster, stored, origin);
  }

  private async recordStored(cluster: ClusterEntity, stored: SessionStoreResult, origin: SyncOrigin): Promise<void> {
    for (const change of stored.changes) await this.record(cluster, change, origin);
    await this.reportStalledSessions(cluster, stored.stalledSessionIds, origin);
    for (const listener of this.storedListeners) {
      await listener(cluster.id, origin).catch((e: Error) =>
        this.logger.warn({ cluster: cluster.id, err: e.message }, 'a listener of the stored state failed'),
      );
    }
  }

  /** A command on the first host that answers; the hosts that did not are marked unreachable. */
  private async runFirst(
    cluster: ClusterEntity,
    command: GlusterCommand,
    origin: SyncOrigin,
  ): Promise<ClusterExecResult> {
    let ran;
    try {
      ran = await this.shell.runOnCluster(cluster.id, command);
    } catch (e) {
      if (e instanceof NoReachableHostError)
        for (const { host, error } of e.unreachable) await this.markUnreachable(host, error, origin);
      throw e;
    }
    for (const { host, error } of ran.unreachable) await this.markUnreachable(host, error, origin);
    return ran;
  }

  /** Brick statuses when a volume is started; null when none is, or when gluster would not say. */
  private async readVolumeStatuses(
    cluster: ClusterEntity,
    host: HostEntity,
    volumes: readonly GlusterVolumeInfo[],
  ): Promise<GlusterVolumeStatus[] | null> {
    if (!volumes.some((v) => v.status === 'up')) return null;
    try {
      return parseVolumeStatus(await this.shell.run(host, volumeStatusDetailCommand('all')));
    } catch (e) {
      if (!(e instanceof GlusterCommandError)) throw e;
      this.logger.warn({ cluster: cluster.id, err: e.message }, 'volume status detail failed; brick statuses unknown');
      return null;
    }
  }

  /** The options of every session, by session identity; a session whose config is not read has none. */
  private async readSessionOptions(
    cluster: ClusterEntity,
    host: HostEntity,
    sessions: readonly DiscoveredSession[],
  ): Promise<Map<string, DiscoveredOption[]>> {
    const options = new Map<string, DiscoveredOption[]>();
    for (let i = 0; i < sessions.length; i += CONFIG_READS_AT_ONCE) {
      await Promise.all(
        sessions.slice(i, i + CONFIG_READS_AT_ONCE).map(async (s) => {
          const ref = {
            masterVolume: s.masterVolume,
            slaveHost: s.slaveHost,
            slaveVolume: s.slaveVolume,
            slaveUser: s.userName,
          };
          const read = await this.readOptionsOf(cluster, host, ref);
          if (read) options.set(sessionIdentity(s), read);
        }),
      );
    }
    return options;
  }

  /** One session's options; undefined when gluster would not give them (logged). */
  private async readOptionsOf(
    cluster: ClusterEntity,
    host: HostEntity,
    ref: GeoRepSessionRef,
  ): Promise<DiscoveredOption[] | undefined> {
    try {
      return discoveredOptions(parseGeoRepConfigXml(await this.shell.run(host, geoRepConfigListCommand(ref))));
    } catch (e) {
      if (!(e instanceof GlusterCommandError) && !(e instanceof GlusterArgumentError)) throw e;
      const session = [ref.masterVolume, ref.slaveHost, ref.slaveVolume, ref.slaveUser].join(' ');
      this.logger.warn({ cluster: cluster.id, session, err: e.message }, 'session config not read');
      return undefined;
    }
  }

  private async reportStalledSessions(
    cluster: ClusterEntity,
    stalledSessionIds: readonly string[],
    origin: SyncOrigin,
  ): Promise<void> {
    if (stalledSessionIds.length === 0 || !this.stalledListener) return;
    // Healing is best effort: the sync itself succeeded, whatever the healer makes of it.
    await this.stalledListener(stalledSessionIds, origin).catch((e: Error) =>
      this.logger.warn({ cluster: cluster.id, err: e.message }, 'stall healing could not be started'),
    );
  }

  private async markUnreachable(host: HostEntity, error: SshConnectError, origin: SyncOrigin): Promise<void> {
    if (origin.markUnreachable === false) return;
    await this.hosts.recordContact(host.id, { status: 'non_responsive', statusDetail: error.message.slice(0, 1000) });
    if (host.status === 'non_responsive') return;
    await this.events.record({
      code: EventCode.HostNonResponsive,
      severity: 'warning',
      description: `Host ${host.name} is not responding: ${error.message}.`,
      hostId: host.id,
      clusterId: host.clusterId,
      jobId: origin.jobId ?? null,
      correlationId: origin.correlationId ?? null,
      userId: origin.userId ?? null,
    });
  }

  private record(cluster: ClusterEntity, change: DiscoveryChange, origin: SyncOrigin): Promise<unknown> {
    return this.events.record({
      clusterId: cluster.id,
      jobId: origin.jobId ?? null,
      correlationId: origin.correlationId ?? null,
      userId: origin.userId ?? null,
      ...eventOfChange(cluster, change),
    });
  }
}

/**
 * The session's status in a targeted `status detail` (same master volume, slave host, slave volume and
 * user); null when gluster does not list it there.
 */
function statusOfSession(out: SshExecResult, ref: GeoRepSessionRef): GeoRepSessionStatus | null {
  try {
    const status = parseGeoRepSessionStatus(out, ref);
    return (status.slaveUser ?? 'root') === ref.slaveUser ? status : null;
  } catch (e) {
    if (e instanceof GlusterCommandError && e.kind === 'no_session') return null;
    throw e;
  }
}

/** What an event of a discovery change says, and about what. */
interface ChangeEvent {
  code: EventCode;
  severity: EventSeverity;
  description: string;
  targetType: 'gluster_volume' | 'georeplication_session';
  targetId: string;
}

type ChangeOfKind<K extends DiscoveryChange['kind']> = Extract<DiscoveryChange, { kind: K }>;

function eventOfChange(cluster: ClusterEntity, change: DiscoveryChange): ChangeEvent {
  switch (change.kind) {
    case 'volume_added':
    case 'volume_removed':
      return volumeEvent(cluster, change);
    case 'session_added':
    case 'session_removed':
    case 'session_status':
      return sessionEvent(change);
    case 'worker_stalled':
    case 'worker_unstalled':
      return workerEvent(change);
    case 'drift_started':
    case 'drift_ended':
      return driftEvent(change);
  }
}

function volumeEvent(cluster: ClusterEntity, change: ChangeOfKind<'volume_added' | 'volume_removed'>): ChangeEvent {
  switch (change.kind) {
    case 'volume_added':
      return {
        code: EventCode.GlusterVolumeDiscovered,
        severity: 'normal',
        description: `Detected new gluster volume ${change.name} on cluster ${cluster.name}.`,
        targetType: 'gluster_volume',
        targetId: change.volumeId,
      };
    case 'volume_removed':
      return {
        code: EventCode.GlusterVolumeRemovedFromCli,
        severity: 'warning',
        description: `Gluster volume ${change.name} of cluster ${cluster.name} no longer exists; it was removed.`,
        targetType: 'gluster_volume',
        targetId: change.volumeId,
      };
  }
}

function sessionEvent(change: ChangeOfKind<'session_added' | 'session_removed' | 'session_status'>): ChangeEvent {
  switch (change.kind) {
    case 'session_added':
      return {
        code: EventCode.GeoRepSessionDetectedFromCli,
        severity: 'normal',
        description: `Detected new geo-replication session ${change.label} (status ${change.status}).`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
    case 'session_removed':
      return {
        code: EventCode.GeoRepSessionDeletedFromCli,
        severity: 'warning',
        description: `Geo-replication session ${change.label} was deleted outside the service; it was removed.`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
    case 'session_status':
      return {
        code: EventCode.GeoRepSessionStatusChanged,
        severity: change.to === 'faulty' ? 'error' : change.to === 'partial_faulty' ? 'warning' : 'normal',
        description: `Geo-replication session ${change.label} changed status from ${change.from} to ${change.to}.`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
  }
}

function workerEvent(change: ChangeOfKind<'worker_stalled' | 'worker_unstalled'>): ChangeEvent {
  switch (change.kind) {
    case 'worker_stalled':
      return {
        code: EventCode.GeoRepWorkerStalled,
        severity: 'warning',
        description: `Geo-replication session ${change.label}: the worker of brick ${change.brick} is Active with work pending, but its last_synced has not moved since ${change.since.toISOString()}.`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
    case 'worker_unstalled':
      return {
        code: EventCode.GeoRepWorkerRecovered,
        severity: 'normal',
        description: `Geo-replication session ${change.label}: the worker of brick ${change.brick} is no longer stalled (its last_synced moved, or it was restarted and gets a new stall period).`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
  }
}

function driftEvent(change: ChangeOfKind<'drift_started' | 'drift_ended'>): ChangeEvent {
  switch (change.kind) {
    case 'drift_started':
      return {
        code: EventCode.GeoRepDriftDetected,
        severity: 'warning',
        description: `Geo-replication session ${change.label} drifted: the service last asked for it to be ${change.desired}, but gluster reports it ${change.status}.`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
    case 'drift_ended':
      return {
        code: EventCode.GeoRepDriftCleared,
        severity: 'normal',
        description: `Geo-replication session ${change.label} is ${change.status} again, as the service last asked${change.desired ? ` (${change.desired})` : ''}.`,
        targetType: 'georeplication_session',
        targetId: change.sessionId,
      };
  }
}
