import {
  geoRepSubvolumeSize,
  GeoRepBrickStatus,
  GeoRepConfig,
  GeoRepSessionRollupStatus,
  GeoRepSessionStatus,
  GlusterBrickStatus,
  GlusterVolumeInfo,
  GlusterVolumeStatus,
  findGeoRepOption,
  rollUpSessionStatus,
} from '../gluster';

/**
 * Pure: what one discovery pass read from a cluster, shaped for storing. No I/O, so the matching
 * rules (brick statuses, sizes, session roll-up, per-brick rows in brick order, option defaults) are
 * unit-tested on the captured outputs.
 */

export interface DiscoveredBrick {
  position: number;
  serverName: string;
  brickDir: string;
  peerUuid: string | null;
  isArbiter: boolean;
  status: 'up' | 'down' | 'unknown';
  port: number | null;
  sizeTotal: number | null;
  sizeFree: number | null;
  device: string | null;
  fsName: string | null;
}

export interface DiscoveredVolume {
  name: string;
  glusterUuid: string | null;
  volumeType: string;
  status: 'up' | 'down';
  brickCount: number;
  replicaCount: number;
  arbiterCount: number;
  disperseCount: number;
  redundancyCount: number;
  transportTypes: string;
  sizeTotal: number | null;
  sizeFree: number | null;
  options: { name: string; value: string }[];
  bricks: DiscoveredBrick[];
}

export interface DiscoveredDetail {
  /** Place in the master volume's brick order; rows matching no brick come after. */
  position: number;
  /** Index (position) of the master volume brick this row is for, or null. */
  brickPosition: number | null;
  masterHostName: string;
  masterBrickDir: string;
  masterNodeUuid: string | null;
  row: GeoRepBrickStatus;
}

/** The columns of a stored per-brick row that come from what gluster reported for the worker. */
export function workerColumns(d: DiscoveredDetail) {
  return {
    position: d.position,
    masterHostName: d.masterHostName,
    masterBrickDir: d.masterBrickDir,
    masterNodeUuid: d.masterNodeUuid,
    slaveNode: d.row.slaveNode,
    status: d.row.status,
    crawlStatus: d.row.crawlStatus,
    lastSynced: d.row.lastSynced,
    checkpointTime: d.row.checkpointTime,
    checkpointCompleted: d.row.checkpointCompleted,
    checkpointCompletionTime: d.row.checkpointCompletionTime,
    entryPending: d.row.entry,
    dataPending: d.row.data,
    metaPending: d.row.meta,
    failures: d.row.failures,
  };
}

export interface DiscoveredOption {
  name: string;
  value: string;
  defaultValue: string | null;
  modified: boolean;
}

export interface DiscoveredSession {
  masterVolume: string;
  slaveHost: string;
  slaveVolume: string;
  slaveVolumeUuid: string | null;
  userName: string;
  sessionKey: string;
  status: GeoRepSessionRollupStatus;
  details: DiscoveredDetail[];
}

export interface DiscoverySnapshot {
  volumes: DiscoveredVolume[];
  sessions: DiscoveredSession[];
}

function normPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function findStatus(
  statuses: readonly GlusterBrickStatus[],
  host: string,
  path: string,
  peerUuid: string | null,
): GlusterBrickStatus | undefined {
  const samePath = statuses.filter((s) => normPath(s.path) === normPath(path));
  return (
    samePath.find((s) => peerUuid !== null && s.peerUuid !== null && s.peerUuid === peerUuid) ??
    samePath.find((s) => s.host === host) ??
    (samePath.length === 1 && (peerUuid === null || samePath[0].peerUuid === null) ? samePath[0] : undefined)
  );
}

/**
 * Usable size of a volume from its bricks: per replica set the smallest brick; a disperse set holds
 * (disperse - redundancy) bricks' worth. Null unless every brick reported its size.
 */
export function volumeCapacity(
  info: Pick<GlusterVolumeInfo, 'replicaCount' | 'disperseCount' | 'redundancyCount'>,
  sizes: readonly (number | null)[],
): number | null {
  if (sizes.length === 0 || sizes.some((s) => s === null)) return null;
  const set = geoRepSubvolumeSize(info);
  if (sizes.length % set !== 0) return null;
  const dataBricks = info.disperseCount > 1 ? Math.max(1, info.disperseCount - info.redundancyCount) : 1;
  let total = 0;
  for (let i = 0; i < sizes.length; i += set) {
    total += Math.min(...(sizes.slice(i, i + set) as number[])) * dataBricks;
  }
  return total;
}

/** `volumeStatuses`: from `volume status all detail --xml`, or null when it could not be read. */
export function discoveredVolume(
  info: GlusterVolumeInfo,
  volumeStatuses: readonly GlusterVolumeStatus[] | null,
): DiscoveredVolume {
  const status = volumeStatuses?.find((s) => s.volumeName === info.name);
  const bricks = info.bricks.map((b, position): DiscoveredBrick => {
    const st = status ? findStatus(status.bricks, b.host, b.path, b.hostUuid) : undefined;
    const brickStatus: DiscoveredBrick['status'] = st
      ? st.online
        ? 'up'
        : 'down'
      : info.status === 'down'
        ? 'down'
        : 'unknown';
    return {
      position,
      serverName: b.host,
      brickDir: b.path,
      peerUuid: b.hostUuid,
      isArbiter: b.isArbiter,
      status: brickStatus,
      port: st?.port ?? null,
      sizeTotal: st?.sizeTotal ?? null,
      sizeFree: st?.sizeFree ?? null,
      device: st?.device ?? null,
      fsName: st?.fsName ?? null,
    };
  });
  return {
    name: info.name,
    glusterUuid: info.id || null,
    volumeType: info.type,
    status: info.status,
    brickCount: info.brickCount,
    replicaCount: info.replicaCount,
    arbiterCount: info.arbiterCount,
    disperseCount: info.disperseCount,
    redundancyCount: info.redundancyCount,
    transportTypes: info.transportTypes.join(','),
    sizeTotal: volumeCapacity(
      info,
      bricks.map((b) => b.sizeTotal),
    ),
    sizeFree: volumeCapacity(
      info,
      bricks.map((b) => b.sizeFree),
    ),
    options: info.options.map((o) => ({ name: o.name, value: o.value })),
    bricks,
  };
}

/**
 * What a session's roll-up needs of its master volume: its name, subvolume size and bricks in gluster's
 * order (from `volume info`, or from the stored rows for a targeted re-read of one session).
 */
export interface MasterVolumeLayout {
  readonly name: string;
  readonly replicaCount: number;
  readonly disperseCount: number;
  readonly bricks: readonly { readonly hostUuid: string | null; readonly path: string }[];
}

/** A session of one of the volumes, rolled up against that volume's bricks; null when its master volume is not among them. */
export function discoveredSession(
  session: GeoRepSessionStatus,
  volumes: readonly MasterVolumeLayout[],
): DiscoveredSession | null {
  const volume = volumes.find((v) => v.name === session.masterVolume);
  if (!volume) return null;
  const bricks = volume.bricks.map((b, position) => ({ hostUuid: b.hostUuid, path: b.path, position }));
  const rollup = rollUpSessionStatus({ bricks, replicaCount: geoRepSubvolumeSize(volume), rows: session.bricks });
  const used = new Set<number>();
  const details = session.bricks.map((row, i): DiscoveredDetail => {
    const brick = bricks.find(
      (b) =>
        !used.has(b.position) &&
        normPath(b.path) === normPath(row.masterBrick) &&
        (b.hostUuid === null || row.masterNodeUuid === null || b.hostUuid === row.masterNodeUuid),
    );
    if (brick) used.add(brick.position);
    return {
      position: brick ? brick.position : bricks.length + i,
      brickPosition: brick ? brick.position : null,
      masterHostName: row.masterNode,
      masterBrickDir: row.masterBrick,
      masterNodeUuid: row.masterNodeUuid,
      row,
    };
  });
  details.sort((a, b) => a.position - b.position);
  return {
    masterVolume: session.masterVolume,
    slaveHost: session.slaveHost,
    slaveVolume: session.slaveVolume,
    slaveVolumeUuid: session.slaveVolumeUuid,
    userName: session.slaveUser ?? 'root',
    sessionKey: session.sessionKey,
    status: rollup.status,
    details,
  };
}

export function buildSnapshot(
  volumes: readonly GlusterVolumeInfo[],
  volumeStatuses: readonly GlusterVolumeStatus[] | null,
  sessions: readonly GeoRepSessionStatus[],
): DiscoverySnapshot {
  const seen = new Set<string>();
  const discovered: DiscoveredSession[] = [];
  for (const s of sessions) {
    const d = discoveredSession(s, volumes);
    if (!d) continue;
    // gluster lists a session once per master volume; guard against duplicates anyway.
    const key = sessionIdentity(d);
    if (seen.has(key)) continue;
    seen.add(key);
    discovered.push(d);
  }
  return { volumes: volumes.map((v) => discoveredVolume(v, volumeStatuses)), sessions: discovered };
}

/** Master volume, slave host, slave volume and user: what makes a session the same session. */
export function sessionIdentity(s: {
  masterVolume: string;
  slaveHost: string;
  slaveVolume: string;
  userName: string;
}): string {
  return [s.masterVolume, s.slaveHost, s.slaveVolume, s.userName].join('\u0000');
}

/** Options with the catalogue's defaults; `modified` when a default is known and differs. */
export function discoveredOptions(config: GeoRepConfig): DiscoveredOption[] {
  return Object.entries(config)
    .map(([name, value]) => {
      const spec = findGeoRepOption(name);
      const defaultValue = spec?.defaultValue ?? null;
      return { name, value, defaultValue, modified: defaultValue !== null && value !== defaultValue };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
