import * as fs from 'fs';
import * as path from 'path';
import {
  GlusterCommandError,
  geoRepSubvolumeSize,
  mapVolumeType,
  parseGlusterVersion,
  parsePeerStatus,
  parseUuidGet,
  parseVolumeInfo,
  parseVolumeStatus,
  splitBrickName,
} from './index';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');
const fixture = (name: string) => ({ stdout: fs.readFileSync(path.join(DIR, name), 'utf8'), exitCode: 0 });

const wrap = (body: string, opRet = 0, opErrstr = '') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cliOutput><opRet>${opRet}</opRet><opErrno>0</opErrno><opErrstr>${opErrstr}</opErrstr>${body}</cliOutput>`;

describe('volume info', () => {
  it.each([
    ['Distribute', 'distribute'],
    ['Replicate', 'replicate'],
    ['Distributed-Replicate', 'distributed_replicate'],
    ['Disperse', 'disperse'],
    ['Distributed-Disperse', 'distributed_disperse'],
    ['Stripe', 'stripe'],
    ['Distributed-Stripe', 'distributed_stripe'],
    ['Striped-Replicate', 'striped_replicate'],
    ['Distributed-Striped-Replicate', 'distributed_striped_replicate'],
    ['Tier', 'tier'],
    ['Something-New', 'unknown'],
  ])('typeStr %s → %s', (typeStr, type) => {
    expect(mapVolumeType(typeStr)).toBe(type);
  });

  it('reads the real fixture: mastervol replica 2 (1 x 2), slavevol distribute', () => {
    const [master, slave] = parseVolumeInfo(fixture('volume-info-xml.xml'));
    expect(master).toMatchObject({
      name: 'mastervol',
      type: 'replicate',
      typeStr: 'Replicate',
      status: 'up',
      statusStr: 'Started',
      brickCount: 2,
      distCount: 1,
      replicaCount: 2,
      arbiterCount: 0,
      disperseCount: 0,
      redundancyCount: 0,
    });
    expect(geoRepSubvolumeSize(master)).toBe(2);
    expect(geoRepSubvolumeSize(slave)).toBe(1);
  });

  it('a stopped 2 x (4+2) distributed-disperse volume (synthetic, shaped like 10.3 output)', () => {
    const bricks = Array.from({ length: 12 }, (_, i) => {
      const name = `node${(i % 3) + 1}:/bricks/b${i}`;
      return `<brick uuid="00000000-0000-4000-8000-00000000000${(i % 3) + 1}">${name}<name>${name}</name><hostUuid>00000000-0000-4000-8000-00000000000${(i % 3) + 1}</hostUuid><isArbiter>0</isArbiter></brick>`;
    }).join('');
    const xml = wrap(
      `<volInfo><volumes><volume><name>ecvol</name><id>AAAAAAAA-b410-4ec9-8989-8b65a79e0fc7</id><status>2</status><statusStr>Stopped</statusStr>` +
        `<brickCount>12</brickCount><distCount>2</distCount><replicaCount>1</replicaCount><arbiterCount>0</arbiterCount>` +
        `<disperseCount>6</disperseCount><redundancyCount>2</redundancyCount><type>4</type><typeStr>Distributed-Disperse</typeStr>` +
        `<transport>2</transport><bricks>${bricks}</bricks><optCount>0</optCount><options/></volume><count>1</count></volumes></volInfo>`,
    );
    const [v] = parseVolumeInfo({ stdout: xml, exitCode: 0 });
    expect(v).toMatchObject({
      name: 'ecvol',
      id: 'aaaaaaaa-b410-4ec9-8989-8b65a79e0fc7',
      type: 'distributed_disperse',
      status: 'down',
    });
    expect(v.transportTypes).toEqual(['tcp', 'rdma']);
    expect(v.bricks).toHaveLength(12);
    expect(v.bricks[4]).toMatchObject({
      host: 'node2',
      path: '/bricks/b4',
      hostUuid: '00000000-0000-4000-8000-000000000002',
    });
    expect(v.options).toEqual([]);
    expect(geoRepSubvolumeSize(v)).toBe(6);
  });

  it('an arbiter brick and a brick without child elements (older gluster)', () => {
    const xml = wrap(
      `<volInfo><volumes><volume><name>arb</name><id>2beba8aa-b410-4ec9-8989-8b65a79e0fc7</id><statusStr>Started</statusStr><replicaCount>3</replicaCount><arbiterCount>1</arbiterCount><typeStr>Replicate</typeStr>` +
        `<bricks><brick uuid="3fa05ceb-2622-4264-839e-bd1054bfe2c7">h1:/b</brick>` +
        `<brick uuid="3fa05ceb-2622-4264-839e-bd1054bfe2c7">h2:/b<name>h2:/b</name><hostUuid>3fa05ceb-2622-4264-839e-bd1054bfe2c7</hostUuid><isArbiter>0</isArbiter></brick>` +
        `<brick uuid="3fa05ceb-2622-4264-839e-bd1054bfe2c7">h3:/arb<name>h3:/arb</name><hostUuid>3fa05ceb-2622-4264-839e-bd1054bfe2c7</hostUuid><isArbiter>1</isArbiter></brick></bricks></volume></volumes></volInfo>`,
    );
    const [v] = parseVolumeInfo({ stdout: xml, exitCode: 0 });
    expect(v.bricks.map((b) => [b.name, b.hostUuid, b.isArbiter])).toEqual([
      ['h1:/b', '3fa05ceb-2622-4264-839e-bd1054bfe2c7', false],
      ['h2:/b', '3fa05ceb-2622-4264-839e-bd1054bfe2c7', false],
      ['h3:/arb', '3fa05ceb-2622-4264-839e-bd1054bfe2c7', true],
    ]);
    expect(v.brickCount).toBe(3);
  });

  it('an unknown volume is volume_not_found', () => {
    const xml = wrap('<volInfo/>', -1, 'Volume novol does not exist');
    expect(() => parseVolumeInfo({ stdout: xml, exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'volume_not_found', glusterMessage: 'Volume novol does not exist' }),
    );
  });

  it('splitBrickName handles IPv6 hosts and refuses garbage', () => {
    expect(splitBrickName('fe80::1:/bricks/b1')).toEqual({ host: 'fe80::1', path: '/bricks/b1' });
    expect(() => splitBrickName('nohost')).toThrow(GlusterCommandError);
  });
});

describe('volume status', () => {
  it('an offline brick: no port, no pid', () => {
    const xml = wrap(
      `<volStatus><volumes><volume><volName>v</volName><nodeCount>1</nodeCount><node><hostname>h</hostname><path>/b</path>` +
        `<peerid>3fa05ceb-2622-4264-839e-bd1054bfe2c7</peerid><status>0</status><port>N/A</port><ports><tcp>N/A</tcp><rdma>N/A</rdma></ports><pid>-1</pid></node>` +
        `<node><hostname>NFS Server</hostname><path>localhost</path><peerid>3fa05ceb-2622-4264-839e-bd1054bfe2c7</peerid><status>0</status><port>N/A</port><pid>-1</pid></node>` +
        `<tasks/></volume></volumes></volStatus>`,
    );
    const [v] = parseVolumeStatus({ stdout: xml, exitCode: 0 });
    expect(v.bricks).toHaveLength(1);
    expect(v.bricks[0]).toMatchObject({
      host: 'h',
      path: '/b',
      online: false,
      port: null,
      pid: null,
      sizeTotal: null,
      device: null,
    });
  });

  it('the detail fixture carries sizes', () => {
    const [v] = parseVolumeStatus(fixture('volume-status-mastervol-detail-xml.xml'));
    expect(v.bricks.map((b) => [b.sizeTotal, b.sizeFree])).toEqual([
      [270553174016, 246591631360],
      [270553174016, 246591631360],
    ]);
  });
});

describe('peers', () => {
  it('peer status with two peers (synthetic, element names of gluster 10 peer status --xml)', () => {
    const xml = wrap(
      `<peerStatus><peer><uuid>5D5E9C35-6F5C-4E5B-9A63-0A6E1C7A3B11</uuid><hostname>gl2</hostname><hostnames><hostname>gl2</hostname><hostname>192.0.2.12</hostname></hostnames>` +
        `<connected>1</connected><state>3</state><stateStr>Peer in Cluster</stateStr></peer>` +
        `<peer><uuid>6d5e9c35-6f5c-4e5b-9a63-0a6e1c7a3b12</uuid><hostname>gl3</hostname><connected>0</connected><state>3</state><stateStr>Peer in Cluster</stateStr></peer></peerStatus>`,
    );
    expect(parsePeerStatus({ stdout: xml, exitCode: 0 })).toEqual([
      {
        uuid: '5d5e9c35-6f5c-4e5b-9a63-0a6e1c7a3b11',
        hostname: 'gl2',
        hostnames: ['gl2', '192.0.2.12'],
        connected: true,
        state: 3,
        stateStr: 'Peer in Cluster',
      },
      {
        uuid: '6d5e9c35-6f5c-4e5b-9a63-0a6e1c7a3b12',
        hostname: 'gl3',
        hostnames: ['gl3'],
        connected: false,
        state: 3,
        stateStr: 'Peer in Cluster',
      },
    ]);
  });

  it('a peer without a uuid is a parse error', () => {
    const xml = wrap('<peerStatus><peer><hostname>x</hostname></peer></peerStatus>');
    expect(() => parsePeerStatus({ stdout: xml, exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
  });
});

describe('plain outputs', () => {
  it('system:: uuid get', () => {
    expect(parseUuidGet({ stdout: 'UUID: 3FA05CEB-2622-4264-839E-BD1054BFE2C7\n', exitCode: 0 })).toBe(
      '3fa05ceb-2622-4264-839e-bd1054bfe2c7',
    );
    expect(() => parseUuidGet({ stdout: 'UUID: nope\n', exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
    expect(() =>
      parseUuidGet({
        stdout: '',
        stderr: 'Connection failed. Please check if gluster daemon is operational.',
        exitCode: 1,
      }),
    ).toThrow(
      expect.objectContaining({
        kind: 'failed',
        glusterMessage: 'Connection failed. Please check if gluster daemon is operational.',
      }),
    );
  });

  it('gluster --version of other releases', () => {
    expect(parseGlusterVersion({ stdout: 'glusterfs 9.6\nRepository revision: ...\n', exitCode: 0 })).toEqual({
      version: '9.6',
      major: 9,
      minor: 6,
      primarySecondaryNames: false,
    });
    expect(parseGlusterVersion({ stdout: 'glusterfs 11.1.2\n', exitCode: 0 })).toMatchObject({
      version: '11.1.2',
      major: 11,
    });
    expect(() => parseGlusterVersion({ stdout: 'bash: gluster: command not found\n', exitCode: 0 })).toThrow(
      GlusterCommandError,
    );
  });
});
