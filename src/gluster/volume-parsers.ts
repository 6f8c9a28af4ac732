import { GlusterCommandError } from './errors';
import { isUuid } from './validators';
import {
  CommandOutput,
  XmlElement,
  child,
  childText,
  children,
  intOrNull,
  parseCliXml,
  parsePlainOutput,
  requireChild,
} from './xml-output';

/** oVirt's GlusterVolumeType names, lower-case. */
export type GlusterVolumeType =
  | 'distribute'
  | 'replicate'
  | 'distributed_replicate'
  | 'stripe'
  | 'distributed_stripe'
  | 'striped_replicate'
  | 'distributed_striped_replicate'
  | 'disperse'
  | 'distributed_disperse'
  | 'tier'
  | 'unknown';

export type GlusterTransport = 'tcp' | 'rdma';

export interface GlusterBrickInfo {
  /** `host:/path` as gluster prints it. */
  readonly name: string;
  readonly host: string;
  readonly path: string;
  /** glusterd UUID of the peer holding the brick. */
  readonly hostUuid: string | null;
  readonly isArbiter: boolean;
}

export interface GlusterVolumeOption {
  readonly name: string;
  readonly value: string;
}

export interface GlusterVolumeInfo {
  readonly name: string;
  readonly id: string;
  readonly type: GlusterVolumeType;
  /** gluster's typeStr, e.g. `Distributed-Replicate`. */
  readonly typeStr: string;
  /** `up` when gluster says Started, else `down` (Created, Stopped). */
  readonly status: 'up' | 'down';
  readonly statusStr: string;
  readonly brickCount: number;
  readonly distCount: number | null;
  readonly replicaCount: number;
  readonly arbiterCount: number;
  readonly disperseCount: number;
  readonly redundancyCount: number;
  readonly transportTypes: readonly GlusterTransport[];
  /** In gluster's order: consecutive groups of replicaCount (or disperseCount) bricks form a subvolume. */
  readonly bricks: readonly GlusterBrickInfo[];
  /** Reconfigured options only (gluster lists what differs from the defaults). */
  readonly options: readonly GlusterVolumeOption[];
}

const VOLUME_TYPES: Readonly<Record<string, GlusterVolumeType>> = {
  distribute: 'distribute',
  replicate: 'replicate',
  'distributed-replicate': 'distributed_replicate',
  stripe: 'stripe',
  'distributed-stripe': 'distributed_stripe',
  'striped-replicate': 'striped_replicate',
  'distributed-striped-replicate': 'distributed_striped_replicate',
  disperse: 'disperse',
  'distributed-disperse': 'distributed_disperse',
  tier: 'tier',
};

/** Maps gluster's typeStr (`Replicate`, `Distributed-Disperse`, ...) to oVirt's volume_type name. */
export function mapVolumeType(typeStr: string): GlusterVolumeType {
  return VOLUME_TYPES[typeStr.trim().toLowerCase()] ?? 'unknown';
}

/** Splits `host:/path` at the first `:/` (safe for IPv6 hosts, which never contain `:/`). */
export function splitBrickName(name: string): { host: string; path: string } {
  const i = name.indexOf(':/');
  if (i <= 0) {
    throw new GlusterCommandError('parse_error', `unexpected brick name "${name.slice(0, 200)}"`);
  }
  return { host: name.slice(0, i), path: name.slice(i + 1) };
}

function num(el: XmlElement, name: string, fallback: number): number {
  return intOrNull(childText(el, name)) ?? fallback;
}

function uuidOrNull(text: string | undefined): string | null {
  return text !== undefined && isUuid(text) ? text.toLowerCase() : null;
}

function parseBrick(el: XmlElement): GlusterBrickInfo {
  // <brick uuid="..">host:/path<name>host:/path</name><hostUuid>..</hostUuid><isArbiter>0</isArbiter></brick>
  const name = childText(el, 'name') || el.text.trim();
  const { host, path } = splitBrickName(name);
  return {
    name,
    host,
    path,
    hostUuid: uuidOrNull(childText(el, 'hostUuid') ?? el.attributes.uuid),
    isArbiter: childText(el, 'isArbiter') === '1',
  };
}

function transports(code: number | null): GlusterTransport[] {
  switch (code) {
    case 1:
      return ['rdma'];
    case 2:
      return ['tcp', 'rdma'];
    default:
      return ['tcp'];
  }
}

function parseVolume(el: XmlElement): GlusterVolumeInfo {
  const name = childText(el, 'name');
  const id = childText(el, 'id');
  if (!name || !id) {
    throw new GlusterCommandError('parse_error', 'volume without <name> or <id>');
  }
  const typeStr = childText(el, 'typeStr') ?? '';
  const statusStr = childText(el, 'statusStr') ?? '';
  const bricks = children(child(el, 'bricks'), 'brick').map(parseBrick);
  return {
    name,
    id: id.toLowerCase(),
    type: mapVolumeType(typeStr),
    typeStr,
    status: statusStr === 'Started' ? 'up' : 'down',
    statusStr,
    brickCount: num(el, 'brickCount', bricks.length),
    distCount: intOrNull(childText(el, 'distCount')),
    replicaCount: num(el, 'replicaCount', 1),
    arbiterCount: num(el, 'arbiterCount', 0),
    disperseCount: num(el, 'disperseCount', 0),
    redundancyCount: num(el, 'redundancyCount', 0),
    transportTypes: transports(intOrNull(childText(el, 'transport'))),
    bricks,
    options: children(child(el, 'options'), 'option').map((o) => ({
      name: childText(o, 'name') ?? '',
      value: childText(o, 'value') ?? '',
    })),
  };
}

/** `gluster volume info [vol] --xml` → volumes in gluster's order. */
export function parseVolumeInfo(out: CommandOutput): GlusterVolumeInfo[] {
  const env = parseCliXml(out);
  const volumes = requireChild(requireChild(env.root, 'volInfo'), 'volumes');
  return children(volumes, 'volume').map(parseVolume);
}

/**
 * Size of the groups of consecutive bricks that geo-rep treats as one subvolume (one Active worker
 * per group): the replica count for replicated volumes, the disperse count for dispersed ones, else 1.
 */
export function geoRepSubvolumeSize(volume: Pick<GlusterVolumeInfo, 'replicaCount' | 'disperseCount'>): number {
  if (volume.replicaCount > 1) return volume.replicaCount;
  if (volume.disperseCount > 1) return volume.disperseCount;
  return 1;
}

export interface GlusterBrickStatus {
  readonly volumeName: string;
  readonly host: string;
  readonly path: string;
  readonly peerUuid: string | null;
  /** `<status>1</status>`. */
  readonly online: boolean;
  readonly port: number | null;
  readonly rdmaPort: number | null;
  readonly pid: number | null;
  /** Bytes; present with `detail`. */
  readonly sizeTotal: number | null;
  readonly sizeFree: number | null;
  readonly device: string | null;
  readonly fsName: string | null;
  readonly mntOptions: string | null;
  readonly blockSize: number | null;
  readonly inodesTotal: number | null;
  readonly inodesFree: number | null;
}

export interface GlusterVolumeStatus {
  readonly volumeName: string;
  /** Bricks only: daemons (Self-heal Daemon, NFS Server, ...) are left out. */
  readonly bricks: readonly GlusterBrickStatus[];
}

function positiveOrNull(text: string | undefined): number | null {
  const n = intOrNull(text);
  return n !== null && n > 0 ? n : null;
}

function optText(el: XmlElement, name: string): string | null {
  const t = childText(el, name);
  return t === undefined || t === '' || t === 'N/A' ? null : t;
}

/** `gluster volume status <vol|all> [detail] --xml` → per volume, its bricks. */
export function parseVolumeStatus(out: CommandOutput): GlusterVolumeStatus[] {
  const env = parseCliXml(out);
  const volumes = requireChild(requireChild(env.root, 'volStatus'), 'volumes');
  return children(volumes, 'volume').map((v) => {
    const volumeName = childText(v, 'volName') ?? '';
    const bricks = children(v, 'node')
      .filter((n) => (childText(n, 'path') ?? '').startsWith('/'))
      .map((n): GlusterBrickStatus => ({
        volumeName,
        host: childText(n, 'hostname') ?? '',
        path: childText(n, 'path') ?? '',
        peerUuid: uuidOrNull(childText(n, 'peerid')),
        online: childText(n, 'status') === '1',
        port: positiveOrNull(childText(child(n, 'ports'), 'tcp') ?? childText(n, 'port')),
        rdmaPort: positiveOrNull(childText(child(n, 'ports'), 'rdma')),
        pid: positiveOrNull(childText(n, 'pid')),
        sizeTotal: intOrNull(childText(n, 'sizeTotal')),
        sizeFree: intOrNull(childText(n, 'sizeFree')),
        device: optText(n, 'device'),
        fsName: optText(n, 'fsName'),
        mntOptions: optText(n, 'mntOptions'),
        blockSize: intOrNull(childText(n, 'blockSize')),
        inodesTotal: intOrNull(childText(n, 'inodesTotal')),
        inodesFree: intOrNull(childText(n, 'inodesFree')),
      }));
    return { volumeName, bricks };
  });
}

export interface GlusterPeer {
  readonly uuid: string;
  /** As this node knows it; `localhost` for itself in `pool list`. */
  readonly hostname: string;
  /** Every name/address gluster knows for the peer (falls back to [hostname]). */
  readonly hostnames: readonly string[];
  readonly connected: boolean;
  /** glusterd friend state code (3 = Peer in Cluster); null in `pool list`. */
  readonly state: number | null;
  readonly stateStr: string | null;
}

/** `gluster peer status --xml` (other peers) or `gluster pool list --xml` (all, self as localhost). */
export function parsePeerStatus(out: CommandOutput): GlusterPeer[] {
  const env = parseCliXml(out);
  const status = requireChild(env.root, 'peerStatus');
  return children(status, 'peer').map((p) => {
    const hostname = childText(p, 'hostname') ?? '';
    const names = children(child(p, 'hostnames'), 'hostname')
      .map((h) => h.text.trim())
      .filter((h) => h !== '');
    const uuid = uuidOrNull(childText(p, 'uuid'));
    if (!uuid) {
      throw new GlusterCommandError('parse_error', 'peer without a valid <uuid>');
    }
    return {
      uuid,
      hostname,
      hostnames: names.length > 0 ? names : [hostname],
      connected: childText(p, 'connected') === '1',
      state: intOrNull(childText(p, 'state')),
      stateStr: childText(p, 'stateStr') ?? null,
    };
  });
}

/** `gluster system:: uuid get` → this node's glusterd UUID (plain output `UUID: <uuid>`). */
export function parseUuidGet(out: CommandOutput): string {
  const text = parsePlainOutput(out);
  const m =
    /(?:^|\n)\s*(?:UUID:\s*)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*(?:\n|$)/.exec(
      text,
    );
  if (!m) {
    throw new GlusterCommandError('parse_error', 'no UUID in `gluster system:: uuid get` output');
  }
  return m[1].toLowerCase();
}

export interface GlusterVersion {
  /** e.g. `10.3`. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  /** GlusterFS >= 10 says primary/secondary in XML and config names where <= 9 said master/slave. */
  readonly primarySecondaryNames: boolean;
}

/** `gluster --version` → version (first line `glusterfs 10.3`). */
export function parseGlusterVersion(out: CommandOutput): GlusterVersion {
  const text = parsePlainOutput(out);
  const m = /^glusterfs\s+(\d+)\.(\d+)(?:\.\d+)?\S*/m.exec(text);
  if (!m) {
    throw new GlusterCommandError('parse_error', 'no version in `gluster --version` output');
  }
  const major = Number(m[1]);
  return {
    version: m[0].replace(/^glusterfs\s+/, ''),
    major,
    minor: Number(m[2]),
    primarySecondaryNames: major >= 10,
  };
}

/** `gluster system:: execute gsec_create` → path of the common public key file it reports. */
export function parseGsecCreate(out: CommandOutput): { pubKeyFile: string } {
  const text = parsePlainOutput(out);
  const m = /(\/\S+\.pem\.pub)/.exec(text);
  if (!m) {
    throw new GlusterCommandError('parse_error', 'gsec_create did not report the public key file');
  }
  return { pubKeyFile: m[1] };
}
