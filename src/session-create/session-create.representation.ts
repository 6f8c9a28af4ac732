import { CLUSTERS } from '../clusters/cluster.representation';
import { GeoRepSessionSchema } from '../sessions/session.representation';
import { resourceHref } from '../ovirt/api-paths';
import { bool, enumOf, list, long, ref, resource, str, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { VOLUME_STATUSES, volumeRef } from '../volumes/volume.representation';
import type { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { NON_ELIGIBILITY_REASONS, NonEligibilityReason } from './eligibility';

export const GEOREP_TARGETS = 'georeplication-targets';
export { CREATE_METHODS } from '../sessions/session.representation';
export type { CreateMethod } from '../sessions/session.representation';

/** The create body is the session schema's writable fields. */
export const GeoRepSessionCreateBodySchema = GeoRepSessionSchema;

/** One candidate slave volume of a master volume: `<georeplication_target>`. */
export const GeoRepTargetSchema = resource(
  'georeplication_target',
  'georeplication_targets',
  {
    gluster_volume: ref('gluster_volume', { readOnly: true, description: 'The candidate slave volume.' }),
    name: str({ readOnly: true }),
    cluster: ref('cluster', { readOnly: true }),
    status: enumOf(VOLUME_STATUSES, { readOnly: true }),
    size_total: long({ readOnly: true, optional: true }),
    empty: bool({
      readOnly: true,
      optional: true,
      description:
        "Whether the volume holds nothing besides gluster's .glusterfs/.trashcan, checked on every brick directory over SSH during this request; absent when a brick could not be checked.",
    }),
    eligible: bool({ readOnly: true, description: 'No reason below: a session may be created without force.' }),
    reasons: list('reason', enumOf(NON_ELIGIBILITY_REASONS), {
      readOnly: true,
      description: "oVirt's reasons (GlusterGeoRepNonEligibilityReason), lower-cased.",
    }),
  },
  {
    description:
      'A volume that could be the slave of a geo-replication session of this master volume, and why not when it cannot.',
  },
);

export type GeoRepTargetView = ViewOf<typeof GeoRepTargetSchema>;

export const TARGET_SEARCH: SearchSpec = {
  fields: {
    name: { column: 'name' },
  },
  defaultSort: 'name',
};

export function targetView(
  v: GlusterVolumeEntity,
  empty: boolean | null,
  reasons: NonEligibilityReason[],
): GeoRepTargetView {
  return {
    id: v.id,
    gluster_volume: volumeRef(v.clusterId, v.id),
    name: v.name,
    cluster: { id: v.clusterId, href: resourceHref(CLUSTERS, v.clusterId) },
    status: v.status,
    size_total: v.sizeTotal ?? undefined,
    empty: empty ?? undefined,
    eligible: reasons.length === 0,
    reasons,
  };
}
