import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DataSource, EntityManager, In } from 'typeorm';
import { GeoRepSessionDetailEntity } from '../sessions/georep-session-detail.entity';
import { GeoRepSessionOptionEntity } from '../sessions/georep-session-option.entity';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { matchHost, sameHostName } from '../gluster';
import type { GeoRepSessionRollupStatus } from '../gluster';
import { HostEntity } from '../hosts/host.entity';
import { GlusterBrickEntity } from '../volumes/gluster-brick.entity';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import {
  DiscoveredBrick,
  DiscoveredOption,
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

export interface StoreResult {
  volumes: number;
  bricks: number;
  sessions: number;
  changes: DiscoveryChange[];
  /** Sessions with at least one stalled worker after this pass (what stall healing looks at). */
  stalledSessionIds: string[];
}

export function sessionLabel(
  masterVolume: string,
  s: { slaveHost: string; slaveVolume: string; userName: string },
): string {
  const user = s.userName && s.userName !== 'root' ? `${s.userName}@` : '';
  return `${masterVolume} → ${user}${s.slaveHost}::${s.slaveVolume}`;
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
      const changes: DiscoveryChange[] = [];
      const hosts = await m.find(HostEntity, { where: { clusterId } });
      const existing = await m.find(GlusterVolumeEntity, { where: { clusterId } });
      const byName = new Map(existing.map((v) => [v.name, v]));
      const volumeIds = new Map<string, string>();
      const brickIds = new Map<string, string[]>();
      let brickCount = 0;

      for (const dv of snapshot.volumes) {
        const fields = {
          clusterId,
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
          lastRefreshed: now,
        };
        const old = byName.get(dv.name);
        let id: string;
        if (old) {
          await m.update(GlusterVolumeEntity, { id: old.id }, fields);
          id = old.id;
        } else {
          id = (await m.save(m.create(GlusterVolumeEntity, fields))).id;
          changes.push({ kind: 'volume_added', volumeId: id, name: dv.name });
        }
        volumeIds.set(dv.name, id);
        brickIds.set(dv.name, await this.storeBricks(m, id, dv.bricks, hosts));
        brickCount += dv.bricks.length;
      }

      // Sessions: keyed by master volume, slave host, slave volume and user.
      const oldSessions = await m.find(GeoRepSessionEntity, { where: { clusterId } });
      const volumeNames = new Map([
        ...existing.map((v) => [v.id, v.name] as const),
        ...[...volumeIds].map(([n, i]) => [i, n] as const),
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
      for (const ds of snapshot.sessions) {
        const masterVolumeId = volumeIds.get(ds.masterVolume);
        if (!masterVolumeId) continue;
        const label = sessionLabel(ds.masterVolume, ds);
        const old = oldByKey.get(sessionIdentity(ds));
        const fields = {
          clusterId,
          masterVolumeId,
          slaveHostName: ds.slaveHost,
          slaveVolumeName: ds.slaveVolume,
          slaveVolumeUuid: ds.slaveVolumeUuid,
          userName: ds.userName,
          sessionKey: ds.sessionKey,
          status: ds.status,
          lastRefreshed: now,
        };
        let id: string;
        if (old) {
          id = old.id;
          await m.update(GeoRepSessionEntity, { id }, fields);
          if (old.status !== ds.status)
            changes.push({ kind: 'session_status', sessionId: id, label, from: old.status, to: ds.status });
        } else {
          id = (await m.save(m.create(GeoRepSessionEntity, fields))).id;
          changes.push({ kind: 'session_added', sessionId: id, label, status: ds.status });
        }
        kept.add(id);
        const bricksOfMaster = brickIds.get(ds.masterVolume) ?? [];
        const workerKey = (host: string, dir: string) => `${host}:${dir}`;
        const previous = new Map<string, PreviousWorker>(
          (await m.find(GeoRepSessionDetailEntity, { where: { sessionId: id } })).map((d) => [
            workerKey(d.masterHostName, d.masterBrickDir),
            d,
          ]),
        );
        const verdicts = ds.details.map((d) => {
          const key = workerKey(d.masterHostName, d.masterBrickDir);
          const before = previous.get(key);
          const verdict = judgeWorker(before, workerColumns(d), now, this.config.stallThresholdMs);
          if (verdict.stalled && !before?.stalled)
            changes.push({ kind: 'worker_stalled', sessionId: id, label, brick: key, since: verdict.progressAt });
          if (!verdict.stalled && before?.stalled)
            changes.push({ kind: 'worker_unstalled', sessionId: id, label, brick: key });
          return verdict;
        });
        // A status read while (or before) the service's own command ran says nothing about drift.
        const settled = !old?.desiredStatus || (old.desiredAt !== null && old.desiredAt.getTime() <= readAt.getTime());
        const drifted = (settled ? judgeDrift(old?.desiredStatus ?? null, ds.status) : null) ?? old?.drifted ?? false;
        if (drifted && !old?.drifted && old?.desiredStatus)
          changes.push({ kind: 'drift_started', sessionId: id, label, desired: old.desiredStatus, status: ds.status });
        if (!drifted && old?.drifted)
          changes.push({ kind: 'drift_ended', sessionId: id, label, desired: old.desiredStatus, status: ds.status });
        if (verdicts.some((v) => v.stalled)) stalledSessionIds.push(id);
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
        await m.delete(GeoRepSessionDetailEntity, { sessionId: id });
        if (ds.details.length > 0) {
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
        const opts = options.get(sessionIdentity(ds));
        if (opts) {
          await m.delete(GeoRepSessionOptionEntity, { sessionId: id });
          if (opts.length > 0)
            await m.insert(
              GeoRepSessionOptionEntity,
              opts.map((o) => ({ sessionId: id, ...o })),
            );
        }
      }
      for (const s of oldSessions) {
        if (kept.has(s.id)) continue;
        await m.delete(GeoRepSessionEntity, { id: s.id });
        const masterVolume = volumeNames.get(s.masterVolumeId) ?? '?';
        changes.push({
          kind: 'session_removed',
          sessionId: s.id,
          label: sessionLabel(masterVolume, {
            slaveHost: s.slaveHostName,
            slaveVolume: s.slaveVolumeName,
            userName: s.userName,
          }),
        });
      }

      const vanished = existing.filter((v) => !volumeIds.has(v.name));
      if (vanished.length > 0) {
        await m.delete(GlusterVolumeEntity, { id: In(vanished.map((v) => v.id)) });
        for (const v of vanished) changes.push({ kind: 'volume_removed', volumeId: v.id, name: v.name });
      }

      await this.relinkSlaves(m);
      return { volumes: snapshot.volumes.length, bricks: brickCount, sessions: kept.size, changes, stalledSessionIds };
    });
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
