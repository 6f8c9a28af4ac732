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

/** One pass being stored: what its steps share, and the changes they collect in order. */
interface StorePass {
  readonly clusterId: string;
  readonly now: Date;
  /** When the sync began reading gluster. */
  readonly readAt: Date;
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
      const pass: StorePass = { clusterId, now, readAt, changes: [] };
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
      const pass: StorePass = { clusterId, now, readAt, changes: [] };
      const byIdentity = new Map(options ? [[sessionIdentity(ds), options]] : []);
      const stored = await this.storeSession(
        m,
        pass,
        ds,
        volume.id,
        old,
        bricks.map((b) => b.id),
        byIdentity,
      );
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
    const ids = new Map<string, string>();
    const brickIds = new Map<string, string[]>();
    let brickCount = 0;
    for (const dv of volumes) {
      const id = await this.upsertVolume(m, pass, dv, byName.get(dv.name));
      ids.set(dv.name, id);
      brickIds.set(dv.name, await this.storeBricks(m, id, dv.bricks, hosts));
      brickCount += dv.bricks.length;
    }
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
      lastRefreshed: pass.now,
    };
    if (old) {
      await m.update(GlusterVolumeEntity, { id: old.id }, fields);
      return old.id;
    }
    const id = (await m.save(m.create(GlusterVolumeEntity, fields))).id;
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
    for (const ds of sessions) {
      const masterVolumeId = volumes.ids.get(ds.masterVolume);
      if (!masterVolumeId) continue;
      const old = oldByKey.get(sessionIdentity(ds));
      const bricksOfMaster = volumes.brickIds.get(ds.masterVolume) ?? [];
      const stored = await this.storeSession(m, pass, ds, masterVolumeId, old, bricksOfMaster, options);
      kept.add(stored.id);
      if (stored.stalled) stalledSessionIds.push(stored.id);
    }
    await this.removeVanishedSessions(m, pass, oldSessions, kept, volumeNames);
    return { kept, stalledSessionIds };
  }

  /** One session: its row, its workers (judged for stalls), its drift and health, and its options when read. */
  private async storeSession(
    m: EntityManager,
    pass: StorePass,
    ds: DiscoveredSession,
    masterVolumeId: string,
    old: GeoRepSessionEntity | undefined,
    bricksOfMaster: readonly string[],
    options: ReadonlyMap<string, DiscoveredOption[]>,
  ): Promise<{ id: string; stalled: boolean }> {
    const label = sessionLabel(ds.masterVolume, ds);
    const id = await this.upsertSession(m, pass, ds, masterVolumeId, old, label);
    const verdicts = await this.judgeWorkers(m, pass, ds, id, label);
    const drifted = this.judgeSessionDrift(pass, ds, old, id, label);
    await m.update(
      GeoRepSessionEntity,
      { id },
      {
        drifted,
        health: sessionHealth(
          ds.status,
          ds.details.map((d, i) => ({ status: d.row.status, stalled: verdicts[i].stalled })),
        ),
      },
    );
    await this.replaceWorkers(m, ds, id, verdicts, bricksOfMaster);
    await this.replaceOptions(m, id, options.get(sessionIdentity(ds)));
    return { id, stalled: verdicts.some((v) => v.stalled) };
  }

  private async upsertSession(
    m: EntityManager,
    pass: StorePass,
    ds: DiscoveredSession,
    masterVolumeId: string,
    old: GeoRepSessionEntity | undefined,
    label: string,
  ): Promise<string> {
    const fields = {
      clusterId: pass.clusterId,
      masterVolumeId,
      slaveHostName: ds.slaveHost,
      slaveVolumeName: ds.slaveVolume,
      slaveVolumeUuid: ds.slaveVolumeUuid,
      userName: ds.userName,
      sessionKey: ds.sessionKey,
      status: ds.status,
      lastRefreshed: pass.now,
    };
    if (old) {
      await m.update(GeoRepSessionEntity, { id: old.id }, fields);
      if (old.status !== ds.status)
        pass.changes.push({ kind: 'session_status', sessionId: old.id, label, from: old.status, to: ds.status });
      return old.id;
    }
    const id = (await m.save(m.create(GeoRepSessionEntity, fields))).id;
    pass.changes.push({ kind: 'session_added', sessionId: id, label, status: ds.status });
    return id;
  }

  /** Judges every worker against its stored row (stalled or not), in the order of the session's details. */
  private async judgeWorkers(
    m: EntityManager,
    pass: StorePass,
    ds: DiscoveredSession,
    id: string,
    label: string,
  ): Promise<WorkerVerdict[]> {
    const previous = new Map<string, PreviousWorker>(
      (await m.find(GeoRepSessionDetailEntity, { where: { sessionId: id } })).map((d) => [
        workerKey(d.masterHostName, d.masterBrickDir),
        d,
      ]),
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
    const drifted = (settled ? judgeDrift(old?.desiredStatus ?? null, ds.status) : null) ?? old?.drifted ?? false;
    if (drifted && !old?.drifted && old?.desiredStatus)
      pass.changes.push({ kind: 'drift_started', sessionId: id, label, desired: old.desiredStatus, status: ds.status });
    if (!drifted && old?.drifted)
      pass.changes.push({ kind: 'drift_ended', sessionId: id, label, desired: old.desiredStatus, status: ds.status });
    return drifted;
  }

  /** Replaces the session's per-brick rows. */
  private async replaceWorkers(
    m: EntityManager,
    ds: DiscoveredSession,
    id: string,
    verdicts: readonly WorkerVerdict[],
    bricksOfMaster: readonly string[],
  ): Promise<void> {
    await m.delete(GeoRepSessionDetailEntity, { sessionId: id });
    if (ds.details.length === 0) return;
    await m.insert(
      GeoRepSessionDetailEntity,
      ds.details.map((d, i) => ({
        ...workerColumns(d),
        sessionId: id,
        masterBrickId: d.brickPosition === null ? null : (bricksOfMaster[d.brickPosition] ?? null),
        progressAt: verdicts[i].progressAt,
        stalled: verdicts[i].stalled,
      })),
    );
  }

  /** Replaces the session's options when they were read this pass (undefined: not read, kept as they are). */
  private async replaceOptions(m: EntityManager, id: string, opts: DiscoveredOption[] | undefined): Promise<void> {
    if (!opts) return;
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
  ): Promise<string[]> {
    const old = await m.find(GlusterBrickEntity, { where: { volumeId } });
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
        await m.update(GlusterBrickEntity, { id: existing.id }, fields);
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
