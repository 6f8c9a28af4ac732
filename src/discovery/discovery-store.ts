import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DataSource, EntityManager, In } from 'typeorm';
import { GeoRepSessionDetailEntity } from '../sessions/georep-session-detail.entity';
import { GeoRepSessionOptionEntity } from '../sessions/georep-session-option.entity';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { matchHost, sameHostName } from '../gluster';
import type { GeoRepSessionRollupStatus, GeoRepSessionStatus } from '../gluster';
import { HostEntity } from '../hosts/host.entity';
import { GlusterBrickEntity } from '../volumes/gluster-brick.entity';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import {
  DiscoveredBrick,
  DiscoveredOption,
  DiscoveredSession,
  DiscoveredVolume,
  discoveredSession,
  DiscoverySnapshot,
  sessionIdentity,
  workerColumns,
} from './discovery-snapshot';
import {
  DesiredSessionStatus,
  judgeDrift,
  judgeWorker,
  PreviousWorker,
  sessionHealth,
  WorkerVerdict,
} from '../sessions/stall-detection';

/** What a stored pass changed, for the events the sync writes. */
export type DiscoveryChange =
  | { kind: 'volume_added'; volumeId: string; name: string }
  | { kind: 'volume_removed'; volumeId: string; name: string }
  | { kind: 'session_added'; sessionId: string; label: string; status: GeoRepSessionRollupStatus }
  | { kind: 'session_removed'; sessionId: string; label: string }
  | {
      kind: 'session_status';
      sessionId: string;
      label: string;
      from: GeoRepSessionRollupStatus;
      to: GeoRepSessionRollupStatus;
    }
  | { kind: 'worker_stalled'; sessionId: string; label: string; brick: string; since: Date }
  | { kind: 'worker_unstalled'; sessionId: string; label: string; brick: string }
  | {
      kind: 'drift_started';
      sessionId: string;
      label: string;
      desired: DesiredSessionStatus;
      status: GeoRepSessionRollupStatus;
    }
  | {
      kind: 'drift_ended';
      sessionId: string;
      label: string;
      desired: DesiredSessionStatus | null;
      status: GeoRepSessionRollupStatus;
    };

/** What storing one session's re-read changed. */
export interface SessionStoreResult {
  changes: DiscoveryChange[];
  stalledSessionIds: string[];
}

export interface StoreResult {
  volumes: number;
  bricks: number;
  sessions: number;
  changes: DiscoveryChange[];
  /** Sessions with at least one stalled worker after this pass (what stall healing looks at). */
  stalledSessionIds: string[];
}

function workerKey(host: string, dir: string): string {
  return `${host}:${dir}`;
}

export function sessionLabel(
  masterVolume: string,
  s: { slaveHost: string; slaveVolume: string; userName: string },
): string {
  const user = s.userName && s.userName !== 'root' ? `${s.userName}@` : '';
  return `${masterVolume} → ${user}${s.slaveHost}::${s.slaveVolume}`;
}

function storedIdentity(s: GeoRepSessionEntity, master: GlusterVolumeEntity): string {
  return sessionIdentity({
    masterVolume: master.name,
    slaveHost: s.slaveHostName,
    slaveVolume: s.slaveVolumeName,
    userName: s.userName,
  });
}

/**
 * Whether a stored row already holds every one of these values (times by their instant, objects by
 * their JSON). Anything it cannot tell for sure counts as different, so the row is written.
 */
export function storedAlready(row: object | undefined, values: object): boolean {
  if (!row) return false;
  const stored = row as Record<string, unknown>;
  return Object.entries(values).every(([key, value]) => sameStoredValue(stored[key], value));
}

function sameStoredValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** The stored worker and option rows of the sessions a pass touches, read once per pass. */
interface StoredSessionRows {
  readonly workers: ReadonlyMap<string, GeoRepSessionDetailEntity[]>;
  readonly options: ReadonlyMap<string, GeoRepSessionOptionEntity[]>;
}

async function storedSessionRows(m: EntityManager, sessionIds: readonly string[]): Promise<StoredSessionRows> {
  if (sessionIds.length === 0) return { workers: new Map(), options: new Map() };
  const [workers, options] = [
    await m.find(GeoRepSessionDetailEntity, { where: { sessionId: In(sessionIds) }, order: { position: 'ASC' } }),
    await m.find(GeoRepSessionOptionEntity, { where: { sessionId: In(sessionIds) }, order: { name: 'ASC' } }),
  ];
  return { workers: groupBy(workers, (w) => w.sessionId), options: groupBy(options, (o) => o.sessionId) };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** One pass being stored: what its steps share, and the changes they collect in order. */
interface StorePass {
  readonly clusterId: string;
  readonly now: Date;
  /** When the sync began reading gluster. */
  readonly readAt: Date;
  /**
   * Read just after the service's own command, before gluster's status files caught up with it: a
   * status that contradicts the request is no verdict yet (one that matches it is).
   */
  readonly settling: boolean;
  readonly changes: DiscoveryChange[];
}

interface StoredVolumes {
  /** The id of every volume of the snapshot, by name. */
  readonly ids: Map<string, string>;
  /** The brick ids of every volume of the snapshot (by volume name), in brick order. */
  readonly brickIds: Map<string, string[]>;
  readonly brickCount: number;
}

interface StoredSessions {
  /** The ids of the snapshot's sessions that were stored. */
  readonly kept: Set<string>;
  readonly stalledSessionIds: string[];
}

/**
 * Writes one discovery pass of a cluster in one transaction: upserts volumes, bricks and sessions,
 * replaces per-brick session rows and (when read) options, removes what vanished; then relinks
 * every session to its slave volume, cluster and host where the service knows them.
 */
@Injectable()
export class DiscoveryStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `readAt`: when the sync began reading gluster (drift is only judged against requests that returned before it). */
  async apply(
    clusterId: string,
    snapshot: DiscoverySnapshot,
    options: ReadonlyMap<string, DiscoveredOption[]>,
    now = new Date(),
    readAt = now,
  ): Promise<StoreResult> {
    return this.ds.transaction(async (m) => {
      // One sync per cluster at a time, whoever runs it (action or periodic job).
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`discovery:${clusterId}`]);
      const pass: StorePass = { clusterId, now, readAt, settling: false, changes: [] };
      const hosts = await m.find(HostEntity, { where: { clusterId } });
      const existing = await m.find(GlusterVolumeEntity, { where: { clusterId } });
      const volumes = await this.storeVolumes(m, pass, snapshot.volumes, existing, hosts);
      const sessions = await this.storeSessions(m, pass, snapshot.sessions, options, existing, volumes);
      await this.removeVanishedVolumes(m, pass, existing, volumes);
      await this.relinkSlaves(m);
      return {
        volumes: snapshot.volumes.length,
        bricks: volumes.brickCount,
        sessions: sessions.kept.size,
        changes: pass.changes,
        stalledSessionIds: sessions.stalledSessionIds,
      };
    });
  }

  /**
   * Writes one session's re-read (its status, and its options when read) against the stored bricks of
   * its master volume, under the same per-cluster lock as a whole pass. Null when the stored rows cannot
   * take it: the session or its master volume is no longer stored, or a worker matches no stored brick
   * (the volume changed since the last whole-cluster sync); the caller then syncs the whole cluster.
   */
  async applySession(
    clusterId: string,
    sessionId: string,
    status: GeoRepSessionStatus,
    options: DiscoveredOption[] | undefined,
    now = new Date(),
    readAt = now,
    settling = false,
  ): Promise<SessionStoreResult | null> {
    return this.ds.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`discovery:${clusterId}`]);
      const old = await m.findOne(GeoRepSessionEntity, { where: { id: sessionId, clusterId } });
      const volume = old ? await m.findOne(GlusterVolumeEntity, { where: { id: old.masterVolumeId } }) : null;
      if (!old || !volume || volume.name !== status.masterVolume) return null;
      const bricks = await m.find(GlusterBrickEntity, { where: { volumeId: volume.id }, order: { position: 'ASC' } });
      const ds = discoveredSession(status, [
        { ...volume, bricks: bricks.map((b) => ({ hostUuid: b.peerUuid, path: b.brickDir })) },
      ]);
      if (
        !ds ||
        ds.details.some((d) => d.brickPosition === null) ||
        sessionIdentity(ds) !== storedIdentity(old, volume)
      )
        return null;
      const pass: StorePass = { clusterId, now, readAt, settling, changes: [] };
      const byIdentity = new Map(options ? [[sessionIdentity(ds), options]] : []);
      const rows = await storedSessionRows(m, [old.id]);
      const stored = await this.storeSession(
        m,
        pass,
        ds,
        volume.id,
        old,
        bricks.map((b) => b.id),
        byIdentity,
        rows,
      );
      await m.update(GeoRepSessionEntity, { id: old.id }, { lastRefreshed: now });
      return { changes: pass.changes, stalledSessionIds: stored.stalled ? [stored.id] : [] };
    });
  }

  /** Upserts the snapshot's volumes (by name) and their bricks. */
  private async storeVolumes(
    m: EntityManager,
    pass: StorePass,
    volumes: readonly DiscoveredVolume[],
    existing: readonly GlusterVolumeEntity[],
    hosts: readonly HostEntity[],
  ): Promise<StoredVolumes> {
    const byName = new Map(existing.map((v) => [v.name, v]));
    const storedBricks =
      existing.length === 0
        ? new Map<string, GlusterBrickEntity[]>()
        : groupBy(
            await m.find(GlusterBrickEntity, { where: { volumeId: In(existing.map((v) => v.id)) } }),
            (b) => b.volumeId,
          );
    const ids = new Map<string, string>();
    const brickIds = new Map<string, string[]>();
    let brickCount = 0;
    for (const dv of volumes) {
      const id = await this.upsertVolume(m, pass, dv, byName.get(dv.name));
      ids.set(dv.name, id);
      brickIds.set(dv.name, await this.storeBricks(m, id, dv.bricks, hosts, storedBricks.get(id) ?? []));
      brickCount += dv.bricks.length;
    }
    if (ids.size > 0) await m.update(GlusterVolumeEntity, { id: In([...ids.values()]) }, { lastRefreshed: pass.now });
    return { ids, brickIds, brickCount };
  }

  private async upsertVolume(
    m: EntityManager,
    pass: StorePass,
    dv: DiscoveredVolume,
    old: GlusterVolumeEntity | undefined,
  ): Promise<string> {
    const fields = {
      clusterId: pass.clusterId,
      name: dv.name,
      glusterUuid: dv.glusterUuid,
      volumeType: dv.volumeType,
      status: dv.status,
      brickCount: dv.brickCount,
      replicaCount: dv.replicaCount,
      arbiterCount: dv.arbiterCount,
      disperseCount: dv.disperseCount,
      redundancyCount: dv.redundancyCount,
      transportTypes: dv.transportTypes,
      sizeTotal: dv.sizeTotal,
      sizeFree: dv.sizeFree,
      options: dv.options,
    };
    if (old) {
      if (!storedAlready(old, fields)) await m.update(GlusterVolumeEntity, { id: old.id }, fields);
      return old.id;
    }
    const id = (await m.save(m.create(GlusterVolumeEntity, { ...fields, lastRefreshed: pass.now }))).id;
    pass.changes.push({ kind: 'volume_added', volumeId: id, name: dv.name });
    return id;
  }

  /**
   * Stores the snapshot's sessions whose master volume is known, keyed by master volume, slave host,
   * slave volume and user; then removes the cluster's sessions the snapshot no longer has.
   */
  private async storeSessions(
    m: EntityManager,
    pass: StorePass,
    sessions: readonly DiscoveredSession[],
    options: ReadonlyMap<string, DiscoveredOption[]>,
    existing: readonly GlusterVolumeEntity[],
    volumes: StoredVolumes,
  ): Promise<StoredSessions> {
    const oldSessions = await m.find(GeoRepSessionEntity, { where: { clusterId: pass.clusterId } });
    const volumeNames = new Map([
      ...existing.map((v) => [v.id, v.name] as const),
      ...[...volumes.ids].map(([n, i]) => [i, n] as const),
    ]);
    const oldByKey = new Map(
      oldSessions.map((s) => [
        sessionIdentity({
          masterVolume: volumeNames.get(s.masterVolumeId) ?? s.masterVolumeId,
          slaveHost: s.slaveHostName,
          slaveVolume: s.slaveVolumeName,
          userName: s.userName,
        }),
        s,
      ]),
    );
    const kept = new Set<string>();
    const stalledSessionIds: string[] = [];
    const rows = await storedSessionRows(
      m,
      oldSessions.map((s) => s.id),
    );
    for (const ds of sessions) {
      const masterVolumeId = volumes.ids.get(ds.masterVolume);
      if (!masterVolumeId) continue;
      const old = oldByKey.get(sessionIdentity(ds));
      const bricksOfMaster = volumes.brickIds.get(ds.masterVolume) ?? [];
      const stored = await this.storeSession(m, pass, ds, masterVolumeId, old, bricksOfMaster, options, rows);
      kept.add(stored.id);
      if (stored.stalled) stalledSessionIds.push(stored.id);
    }
    if (kept.size > 0) await m.update(GeoRepSessionEntity, { id: In([...kept]) }, { lastRefreshed: pass.now });
    await this.removeVanishedSessions(m, pass, oldSessions, kept, volumeNames);
    return { kept, stalledSessionIds };
  }

  /**
   * One session: its row, its workers (judged for stalls), its drift and health, and its options when
   * read. A row that already holds what was read is not written again (the pass sets last_refreshed for all).
   */
  private async storeSession(
    m: EntityManager,
    pass: StorePass,
    ds: DiscoveredSession,
    masterVolumeId: string,
    old: GeoRepSessionEntity | undefined,
    bricksOfMaster: readonly string[],
    options: ReadonlyMap<string, DiscoveredOption[]>,
    rows: StoredSessionRows,
  ): Promise<{ id: string; stalled: boolean }> {
    const label = sessionLabel(ds.masterVolume, ds);
    const fields = {
      clusterId: pass.clusterId,
      masterVolumeId,
      slaveHostName: ds.slaveHost,
      slaveVolumeName: ds.slaveVolume,
      slaveVolumeUuid: ds.slaveVolumeUuid,
      userName: ds.userName,
      sessionKey: ds.sessionKey,
      status: ds.status,
    };
    const id = old ? old.id : await this.insertSession(m, pass, fields, label);
    if (old && old.status !== ds.status)
      pass.changes.push({ kind: 'session_status', sessionId: id, label, from: old.status, to: ds.status });
    const previousWorkers = rows.workers.get(id) ?? [];
    const verdicts = this.judgeWorkers(pass, ds, id, label, previousWorkers);
    const drifted = this.judgeSessionDrift(pass, ds, old, id, label);
    const health = sessionHealth(
      ds.status,
      ds.details.map((d, i) => ({ status: d.row.status, stalled: verdicts[i].stalled })),
    );
    const row = { ...fields, drifted, health };
    if (!old || !storedAlready(old, row)) await m.update(GeoRepSessionEntity, { id }, row);
    await this.replaceWorkers(m, ds, id, verdicts, bricksOfMaster, previousWorkers);
    await this.replaceOptions(m, id, options.get(sessionIdentity(ds)), rows.options.get(id) ?? []);
    return { id, stalled: verdicts.some((v) => v.stalled) };
  }

  private async insertSession(
    m: EntityManager,
    pass: StorePass,
    fields: Partial<GeoRepSessionEntity> & { status: GeoRepSessionRollupStatus },
    label: string,
  ): Promise<string> {
    const id = (await m.save(m.create(GeoRepSessionEntity, { ...fields, lastRefreshed: pass.now }))).id;
    pass.changes.push({ kind: 'session_added', sessionId: id, label, status: fields.status });
    return id;
  }

  /** Judges every worker against its stored row (stalled or not), in the order of the session's details. */
  private judgeWorkers(
    pass: StorePass,
    ds: DiscoveredSession,
    id: string,
    label: string,
    previousWorkers: readonly GeoRepSessionDetailEntity[],
  ): WorkerVerdict[] {
    const previous = new Map<string, PreviousWorker>(
      previousWorkers.map((d) => [workerKey(d.masterHostName, d.masterBrickDir), d]),
    );
    return ds.details.map((d) => {
      const key = workerKey(d.masterHostName, d.masterBrickDir);
      const before = previous.get(key);
      const verdict = judgeWorker(before, workerColumns(d), pass.now, this.config.stallThresholdMs);
      if (verdict.stalled && !before?.stalled)
        pass.changes.push({ kind: 'worker_stalled', sessionId: id, label, brick: key, since: verdict.progressAt });
      if (!verdict.stalled && before?.stalled)
        pass.changes.push({ kind: 'worker_unstalled', sessionId: id, label, brick: key });
      return verdict;
    });
  }

  /** Whether the session now differs from what the service last asked of it. */
  private judgeSessionDrift(
    pass: StorePass,
    ds: DiscoveredSession,
    old: GeoRepSessionEntity | undefined,
    id: string,
    label: string,
  ): boolean {
    // A status read while (or before) the service's own command ran says nothing about drift.
    const settled = !old?.desiredStatus || (old.desiredAt !== null && old.desiredAt.getTime() <= pass.readAt.getTime());
    const verdict = settled ? judgeDrift(old?.desiredStatus ?? null, ds.status) : null;
    const drifted = (pass.settling && verdict === true ? null : verdict) ?? old?.drifted ?? false;
    if (drifted && !old?.drifted && old?.desiredStatus)
      pass.changes.push({ kind: 'drift_started', sessionId: id, label, desired: old.desiredStatus, status: ds.status });
    if (!drifted && old?.drifted)
      pass.changes.push({ kind: 'drift_ended', sessionId: id, label, desired: old.desiredStatus, status: ds.status });
    return drifted;
  }

  /** Replaces the session's per-brick rows, unless they already hold exactly what was read. */
  private async replaceWorkers(
    m: EntityManager,
    ds: DiscoveredSession,
    id: string,
    verdicts: readonly WorkerVerdict[],
    bricksOfMaster: readonly string[],
    previous: readonly GeoRepSessionDetailEntity[],
  ): Promise<void> {
    const workers = ds.details.map((d, i) => ({
      ...workerColumns(d),
      sessionId: id,
      masterBrickId: d.brickPosition === null ? null : (bricksOfMaster[d.brickPosition] ?? null),
      progressAt: verdicts[i].progressAt,
      stalled: verdicts[i].stalled,
    }));
    if (workers.length === previous.length && workers.every((w, i) => storedAlready(previous[i], w))) return;
    await m.delete(GeoRepSessionDetailEntity, { sessionId: id });
    if (workers.length > 0) await m.insert(GeoRepSessionDetailEntity, workers);
  }

  /** Replaces the session's options when they were read this pass and differ (undefined: not read, kept as they are). */
  private async replaceOptions(
    m: EntityManager,
    id: string,
    opts: DiscoveredOption[] | undefined,
    previous: readonly GeoRepSessionOptionEntity[],
  ): Promise<void> {
    if (!opts) return;
    const before = new Map(previous.map((o) => [o.name, o]));
    if (opts.length === previous.length && opts.every((o) => storedAlready(before.get(o.name), o))) return;
    await m.delete(GeoRepSessionOptionEntity, { sessionId: id });
    if (opts.length > 0)
      await m.insert(
        GeoRepSessionOptionEntity,
        opts.map((o) => ({ sessionId: id, ...o })),
      );
  }

  private async removeVanishedSessions(
    m: EntityManager,
    pass: StorePass,
    oldSessions: readonly GeoRepSessionEntity[],
    kept: ReadonlySet<string>,
    volumeNames: ReadonlyMap<string, string>,
  ): Promise<void> {
    for (const s of oldSessions) {
      if (kept.has(s.id)) continue;
      await m.delete(GeoRepSessionEntity, { id: s.id });
      const masterVolume = volumeNames.get(s.masterVolumeId) ?? '?';
      pass.changes.push({
        kind: 'session_removed',
        sessionId: s.id,
        label: sessionLabel(masterVolume, {
          slaveHost: s.slaveHostName,
          slaveVolume: s.slaveVolumeName,
          userName: s.userName,
        }),
      });
    }
  }

  private async removeVanishedVolumes(
    m: EntityManager,
    pass: StorePass,
    existing: readonly GlusterVolumeEntity[],
    volumes: StoredVolumes,
  ): Promise<void> {
    const vanished = existing.filter((v) => !volumes.ids.has(v.name));
    if (vanished.length === 0) return;
    await m.delete(GlusterVolumeEntity, { id: In(vanished.map((v) => v.id)) });
    for (const v of vanished) pass.changes.push({ kind: 'volume_removed', volumeId: v.id, name: v.name });
  }

  /** Upserts a volume's bricks by server and directory (ids stay stable); returns their ids in brick order. */
  private async storeBricks(
    m: EntityManager,
    volumeId: string,
    bricks: readonly DiscoveredBrick[],
    hosts: readonly HostEntity[],
    old: readonly GlusterBrickEntity[],
  ): Promise<string[]> {
    const byKey = new Map(old.map((b) => [`${b.serverName}\u0000${b.brickDir}`, b]));
    const ids: string[] = [];
    for (const b of bricks) {
      const fields = {
        volumeId,
        position: b.position,
        serverName: b.serverName,
        brickDir: b.brickDir,
        peerUuid: b.peerUuid,
        hostId: matchHost(hosts, b.serverName, b.peerUuid)?.id ?? null,
        status: b.status,
        isArbiter: b.isArbiter,
        port: b.port,
        sizeTotal: b.sizeTotal,
        sizeFree: b.sizeFree,
        device: b.device,
        fsName: b.fsName,
      };
      const key = `${b.serverName}\u0000${b.brickDir}`;
      const existing = byKey.get(key);
      if (existing) {
        if (!storedAlready(existing, fields)) await m.update(GlusterBrickEntity, { id: existing.id }, fields);
        ids.push(existing.id);
        byKey.delete(key);
      } else {
        ids.push((await m.save(m.create(GlusterBrickEntity, fields))).id);
      }
    }
    const gone = [...byKey.values()].map((b) => b.id);
    if (gone.length > 0) await m.delete(GlusterBrickEntity, { id: In(gone) });
    return ids;
  }

  /**
   * Every session's slave volume (by the volume uuid in the session key, else by a registered host
   * with the slave host's address and a volume of that name in its cluster), slave cluster and slave host.
   */
  private async relinkSlaves(m: EntityManager): Promise<void> {
    const sessions = await m.find(GeoRepSessionEntity);
    if (sessions.length === 0) return;
    const volumes = await m.find(GlusterVolumeEntity, {
      select: { id: true, clusterId: true, name: true, glusterUuid: true },
    });
    const hosts = await m.find(HostEntity);
    for (const s of sessions) {
      const slaveHosts = hosts.filter(
        (h) => sameHostName(h.address, s.slaveHostName) || sameHostName(h.name, s.slaveHostName),
      );
      let volume = s.slaveVolumeUuid
        ? volumes.find((v) => v.glusterUuid === s.slaveVolumeUuid && v.name === s.slaveVolumeName)
        : undefined;
      volume ??= volumes.find(
        (v) => v.name === s.slaveVolumeName && slaveHosts.some((h) => h.clusterId === v.clusterId),
      );
      const host = (volume ? slaveHosts.find((h) => h.clusterId === volume.clusterId) : undefined) ?? slaveHosts[0];
      const link = {
        slaveVolumeId: volume?.id ?? null,
        slaveClusterId: volume?.clusterId ?? host?.clusterId ?? null,
        slaveHostId: host?.id ?? null,
      };
      if (
        link.slaveVolumeId !== s.slaveVolumeId ||
        link.slaveClusterId !== s.slaveClusterId ||
        link.slaveHostId !== s.slaveHostId
      ) {
        await m.update(GeoRepSessionEntity, { id: s.id }, link);
      }
    }
  }
}
