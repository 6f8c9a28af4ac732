import { nonEligibilityReasons } from './eligibility';

const master = { id: 'm', clusterId: 'c1', status: 'up', sizeTotal: 100 };
const slave = { id: 's', clusterId: 'c2', status: 'up', sizeTotal: 100 };
const ok = { master, slave, isSlaveOfSession: false, slaveClusterHasUpHost: true, slaveEmpty: true };

describe('nonEligibilityReasons', () => {
  it('finds nothing wrong with an empty, up, big enough volume of another cluster', () => {
    expect(nonEligibilityReasons(ok)).toEqual([]);
  });
  it('gives no emptiness reason when emptiness is unknown', () => {
    expect(nonEligibilityReasons({ ...ok, slaveEmpty: null })).toEqual([]);
  });
  it("names each of oVirt's reasons", () => {
    expect(
      nonEligibilityReasons({
        master,
        slave: { ...slave, clusterId: 'c1', status: 'down', sizeTotal: 50 },
        isSlaveOfSession: true,
        slaveClusterHasUpHost: false,
        slaveEmpty: false,
      }),
    ).toEqual([
      'slave_volume_should_be_up',
      'slave_and_master_volumes_should_not_be_in_same_cluster',
      'slave_volume_size_should_be_greater_than_master_volume_size',
      'slave_volume_should_not_be_slave_of_another_geo_rep_session',
      'no_up_slave_server',
      'slave_volume_to_be_empty',
    ]);
  });
  it('asks for sizes when gluster did not report them', () => {
    expect(
      nonEligibilityReasons({ ...ok, master: { ...master, sizeTotal: null }, slave: { ...slave, sizeTotal: null } }),
    ).toEqual(['slave_volume_size_to_be_available', 'master_volume_size_to_be_available']);
  });
});
