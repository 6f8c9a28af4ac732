/**
 * oVirt's eligibility of a slave volume for a geo-replication session of a master volume
 * (GlusterGeoRepUtil / GlusterGeoRepNonEligibilityReason, reference/ovirt-georep.md section 2),
 * with the reasons as oVirt names them, lower-cased. Advisory, as in oVirt: `force` creates anyway.
 */
export const NON_ELIGIBILITY_REASONS = [
  'slave_volume_should_be_up',
  'slave_and_master_volumes_should_not_be_in_same_cluster',
  'slave_volume_size_to_be_available',
  'master_volume_size_to_be_available',
  'slave_volume_size_should_be_greater_than_master_volume_size',
  'slave_volume_should_not_be_slave_of_another_geo_rep_session',
  'no_up_slave_server',
  'slave_volume_to_be_empty',
] as const;
export type NonEligibilityReason = (typeof NON_ELIGIBILITY_REASONS)[number];

export interface EligibilityVolume {
  readonly id: string;
  readonly clusterId: string;
  readonly status: string;
  readonly sizeTotal: number | null;
}

export interface EligibilityFacts {
  readonly master: EligibilityVolume;
  readonly slave: EligibilityVolume;
  /** The slave volume already receives a known session. */
  readonly isSlaveOfSession: boolean;
  /** Some host of the slave's cluster is up. */
  readonly slaveClusterHasUpHost: boolean;
  /** true / false when checked on the bricks; null when unknown (then no reason is given). */
  readonly slaveEmpty: boolean | null;
}

export function nonEligibilityReasons(f: EligibilityFacts): NonEligibilityReason[] {
  const reasons: NonEligibilityReason[] = [];
  if (f.slave.status !== 'up') reasons.push('slave_volume_should_be_up');
  if (f.slave.clusterId === f.master.clusterId) reasons.push('slave_and_master_volumes_should_not_be_in_same_cluster');
  if (f.slave.sizeTotal === null) reasons.push('slave_volume_size_to_be_available');
  if (f.master.sizeTotal === null) reasons.push('master_volume_size_to_be_available');
  if (f.slave.sizeTotal !== null && f.master.sizeTotal !== null && f.slave.sizeTotal < f.master.sizeTotal) {
    reasons.push('slave_volume_size_should_be_greater_than_master_volume_size');
  }
  if (f.isSlaveOfSession) reasons.push('slave_volume_should_not_be_slave_of_another_geo_rep_session');
  if (!f.slaveClusterHasUpHost) reasons.push('no_up_slave_server');
  if (f.slaveEmpty === false) reasons.push('slave_volume_to_be_empty');
  return reasons;
}
