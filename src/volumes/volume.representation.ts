import { CLUSTERS } from '../clusters/cluster.representation';
import { resourceHref } from '../ovirt/api-paths';
import {
  actionSchema,
  bool,
  date,
  enumOf,
  int,
  list,
  long,
  obj,
  ref,
  resource,
  str,
  ViewOf,
} from '../ovirt/representation';
import type { RefView } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import type { GlusterBrickEntity } from './gluster-brick.entity';
import type { GlusterVolumeEntity } from './gluster-volume.entity';

export const GLUSTER_VOLUMES = 'glustervolumes';
export const GLUSTER_BRICKS = 'glusterbricks';
export const GEOREP_SESSIONS = 'georeplication-sessions';

/** oVirt's GlusterVolumeType, lower-case. */
export const VOLUME_TYPES = [
  'distribute',
  'replicate',
  'distributed_replicate',
  'stripe',
  'distributed_stripe',
  'striped_replicate',
  'distributed_striped_replicate',
  'disperse',
  'distributed_disperse',
  'tier',
  'unknown',
] as const;
export const VOLUME_STATUSES = ['up', 'down'] as const;
export const BRICK_STATUSES = ['up', 'down', 'unknown'] as const;

/** `/ovirt-engine/api/clusters/{cid}/glustervolumes/{vid}` */
export function volumeHref(clusterId: string, volumeId: string): string {
  return `${resourceHref(CLUSTERS, clusterId)}/${GLUSTER_VOLUMES}/${encodeURIComponent(volumeId)}`;
}

export function volumeRef(clusterId: string, volumeId: string): RefView {
  return { id: volumeId, href: volumeHref(clusterId, volumeId) };
}

export function brickHref(clusterId: string, volumeId: string, brickId: string): string {
  return `${volumeHref(clusterId, volumeId)}/${GLUSTER_BRICKS}/${encodeURIComponent(brickId)}`;
}

export function sessionHref(clusterId: string, volumeId: string, sessionId: string): string {
  return `${volumeHref(clusterId, volumeId)}/${GEOREP_SESSIONS}/${encodeURIComponent(sessionId)}`;
}

/** oVirt's gluster_volume, as discovery last read it. */
export const GlusterVolumeSchema = resource(
  'gluster_volume',
  'gluster_volumes',
  {
    name: str({ readOnly: true }),
    cluster: ref('cluster', { readOnly: true }),
    volume_type: enumOf(VOLUME_TYPES, { readOnly: true }),
    status: enumOf(VOLUME_STATUSES, {
      readOnly: true,
      description: 'up when gluster says Started; down when Created or Stopped.',
    }),
    gluster_uuid: str({ readOnly: true, optional: true, description: 'The volume id gluster gave it.' }),
    replica_count: int({ readOnly: true }),
    disperse_count: int({ readOnly: true }),
    redundancy_count: int({ readOnly: true }),
    transport_types: list('transport_type', enumOf(['tcp', 'rdma'] as const), { readOnly: true }),
    size_total: long({
      readOnly: true,
      optional: true,
      description: 'Usable bytes, when gluster reports the size of every brick (started volumes).',
    }),
    size_free: long({ readOnly: true, optional: true, description: 'Free bytes, as size_total.' }),
    options: list('option', obj('gluster_option', { name: str(), value: str() }), {
      readOnly: true,
      description: 'Options set on the volume (gluster lists what differs from the defaults).',
    }),
    georeplication_slave: bool({
      readOnly: true,
      description: 'The volume is the slave (secondary) of a geo-replication session the service knows.',
    }),
    georeplication_session: ref('georeplication_session', {
      readOnly: true,
      optional: true,
      description: 'The known session that feeds this volume, when it is a slave.',
    }),
    last_refreshed: date({ readOnly: true }),
  },
  {
    links: [GLUSTER_BRICKS, GEOREP_SESSIONS, 'georeplication-targets'],
    actions: ['refresh'],
    description: 'A gluster volume of the cluster, discovered from its hosts.',
  },
);

/** `POST …/glustervolumes/{vid}/refresh`: runs the cluster's discovery sync. */
export const VolumeRefreshActionSchema = actionSchema();

/** oVirt's gluster brick (`<brick>`): one brick of a volume, in brick order. */
export const GlusterBrickSchema = resource(
  'brick',
  'bricks',
  {
    name: str({ readOnly: true, description: 'server:/dir, as gluster prints it.' }),
    server_name: str({ readOnly: true, description: "The brick's server as gluster knows it." }),
    brick_dir: str({ readOnly: true }),
    host: ref('host', {
      readOnly: true,
      optional: true,
      description: 'The registered host that serves the brick (matched by gluster peer UUID or address).',
    }),
    server_id: str({
      readOnly: true,
      optional: true,
      description: "oVirt's name for the id of the host that serves the brick (the same id as `host`).",
    }),
    gluster_volume: ref('gluster_volume', { readOnly: true }),
    status: enumOf(BRICK_STATUSES, { readOnly: true }),
    position: int({
      readOnly: true,
      description: "Place in the volume's brick order (0-based); consecutive replica_count bricks form a replica set.",
    }),
    arbiter: bool({ readOnly: true }),
    port: int({ readOnly: true, optional: true }),
    size_total: long({ readOnly: true, optional: true }),
    size_free: long({ readOnly: true, optional: true }),
    device: str({ readOnly: true, optional: true }),
    fs_name: str({ readOnly: true, optional: true }),
  },
  { description: 'A brick of a gluster volume.' },
);

export type GlusterVolumeView = ViewOf<typeof GlusterVolumeSchema>;
export type GlusterBrickView = ViewOf<typeof GlusterBrickSchema>;

export const VOLUME_SEARCH: SearchSpec = {
  fields: {
    name: { column: 'v.name' },
    status: { column: 'v.status', values: VOLUME_STATUSES },
    volume_type: { column: 'v.volume_type', values: VOLUME_TYPES },
  },
  defaultSort: 'name',
};

export const BRICK_SEARCH: SearchSpec = {
  fields: {
    name: { column: "(b.server_name || ':' || b.brick_dir)" },
    server_name: { column: 'b.server_name' },
    brick_dir: { column: 'b.brick_dir' },
    status: { column: 'b.status', values: BRICK_STATUSES },
    position: { column: 'b.position', type: 'number' },
  },
  defaultSort: 'position',
};

/** The session feeding a volume (it is that session's slave). */
export interface FeedingSession {
  sessionId: string;
  clusterId: string;
  masterVolumeId: string;
}

export function volumeView(v: GlusterVolumeEntity, feeding?: FeedingSession): GlusterVolumeView {
  return {
    ...volumeRef(v.clusterId, v.id),
    name: v.name,
    cluster: { id: v.clusterId, href: resourceHref(CLUSTERS, v.clusterId) },
    volume_type: (VOLUME_TYPES as readonly string[]).includes(v.volumeType)
      ? (v.volumeType as GlusterVolumeView['volume_type'])
      : 'unknown',
    status: v.status,
    gluster_uuid: v.glusterUuid ?? undefined,
    replica_count: v.replicaCount,
    disperse_count: v.disperseCount,
    redundancy_count: v.redundancyCount,
    transport_types: v.transportTypes.split(',').filter((t): t is 'tcp' | 'rdma' => t === 'tcp' || t === 'rdma'),
    size_total: v.sizeTotal ?? undefined,
    size_free: v.sizeFree ?? undefined,
    options: v.options.map((o) => ({ name: o.name, value: o.value })),
    georeplication_slave: feeding !== undefined,
    georeplication_session: feeding
      ? { id: feeding.sessionId, href: sessionHref(feeding.clusterId, feeding.masterVolumeId, feeding.sessionId) }
      : undefined,
    last_refreshed: v.lastRefreshed,
  };
}

export function brickView(b: GlusterBrickEntity, clusterId: string): GlusterBrickView {
  return {
    id: b.id,
    href: brickHref(clusterId, b.volumeId, b.id),
    name: `${b.serverName}:${b.brickDir}`,
    server_name: b.serverName,
    brick_dir: b.brickDir,
    host: b.hostId ? { id: b.hostId, href: resourceHref('hosts', b.hostId) } : undefined,
    server_id: b.hostId ?? undefined,
    gluster_volume: volumeRef(clusterId, b.volumeId),
    status: b.status,
    position: b.position,
    arbiter: b.isArbiter,
    port: b.port ?? undefined,
    size_total: b.sizeTotal ?? undefined,
    size_free: b.sizeFree ?? undefined,
    device: b.device ?? undefined,
    fs_name: b.fsName ?? undefined,
  };
}
