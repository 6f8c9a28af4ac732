import * as fs from 'fs';
import * as path from 'path';
import {
  GeoRepWorkerStatus,
  RollupRow,
  checkpointProgress,
  geoRepSubvolumeSize,
  parseGeoRepStatus,
  parseVolumeInfo,
  rollUpSessionStatus,
} from './index';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');
const fixture = (name: string) => ({ stdout: fs.readFileSync(path.join(DIR, name), 'utf8'), exitCode: 0 });

const master = parseVolumeInfo(fixture('volume-info-xml.xml')).find((v) => v.name === 'mastervol')!;
const rowsOf = (name: string) => parseGeoRepStatus(fixture(name))[0].bricks;

describe('roll-up on real captures (mastervol: replica 2, one replica set)', () => {
  it.each([
    ['georep-status-detail-xml.active.xml', 'active'],
    ['georep-status-detail-xml.active-passive.xml', 'active'],
    ['georep-status-detail-xml.faulty.xml', 'faulty'],
    ['georep-status-detail-xml.paused.xml', 'paused'],
    ['georep-status-detail-xml.created.xml', 'created'],
    ['georep-status-detail-xml.stopped.xml', 'stopped'],
    ['georep-status-detail-xml.checkpoint-completed.xml', 'active'],
  ])('%s → %s', (name, status) => {
    const r = rollUpSessionStatus({
      bricks: master.bricks,
      replicaCount: geoRepSubvolumeSize(master),
      rows: rowsOf(name),
    });
    expect(r.status).toBe(status);
    expect(r.subvolumes).toHaveLength(1);
    expect(r.missingBricks).toEqual([]);
    expect(r.unmatchedRows).toEqual([]);
    expect(r.subvolumes[0].bricks.map((b) => b.brick.path)).toEqual([
      '/srv/gluster-lab/bricks/master1',
      '/srv/gluster-lab/bricks/master2',
    ]);
  });

  it('the monitor-died capture comes from another glusterd (other UUID): its rows match no brick → unknown', () => {
    const r = rollUpSessionStatus({
      bricks: master.bricks,
      replicaCount: 2,
      rows: rowsOf('georep-status-detail-xml.monitor-died-ssh-unreachable.xml'),
    });
    expect(r.status).toBe('unknown');
    expect(r.missingBricks).toHaveLength(2);
    expect(r.unmatchedRows).toHaveLength(2);
  });
});

// A 2 x 2 distributed-replicate volume on two hosts.
const HA = 'aaaaaaaa-0000-4000-8000-000000000001';
const HB = 'bbbbbbbb-0000-4000-8000-000000000002';
const BRICKS = [
  { hostUuid: HA, path: '/bricks/b1' },
  { hostUuid: HB, path: '/bricks/b1' },
  { hostUuid: HA, path: '/bricks/b2' },
  { hostUuid: HB, path: '/bricks/b2' },
];
const rows = (...statuses: (GeoRepWorkerStatus | null)[]): RollupRow[] =>
  statuses.flatMap((status, i) =>
    status === null ? [] : [{ masterNodeUuid: BRICKS[i].hostUuid, masterBrick: BRICKS[i].path, status }],
  );
const roll = (r: RollupRow[], replicaCount = 2, bricks = BRICKS) =>
  rollUpSessionStatus({ bricks, replicaCount, rows: r });

describe('roll-up rules (2 x 2 distributed-replicate)', () => {
  it.each<[string, (GeoRepWorkerStatus | null)[], string]>([
    ['all active', ['active', 'active', 'active', 'active'], 'active'],
    ['active + passive in each set', ['active', 'passive', 'passive', 'active'], 'active'],
    ['one set faulty, the other healthy', ['active', 'passive', 'faulty', 'faulty'], 'partial_faulty'],
    ['faulty + passive set next to a healthy one', ['passive', 'active', 'faulty', 'passive'], 'partial_faulty'],
    ['a faulty worker in a healthy set does not matter', ['active', 'faulty', 'active', 'passive'], 'active'],
    ['no set healthy, one faulty', ['faulty', 'passive', 'passive', 'passive'], 'faulty'],
    ['all faulty', ['faulty', 'faulty', 'faulty', 'faulty'], 'faulty'],
    ['all paused', ['paused', 'paused', 'paused', 'paused'], 'paused'],
    ['all stopped', ['stopped', 'stopped', 'stopped', 'stopped'], 'stopped'],
    ['all created', ['created', 'created', 'created', 'created'], 'created'],
    ['all passive', ['passive', 'passive', 'passive', 'passive'], 'passive'],
    ['all initializing', ['initializing', 'initializing', 'initializing', 'initializing'], 'initializing'],
    [
      'starting: created/initializing and active',
      ['active', 'initializing', 'created', 'initializing'],
      'initializing',
    ],
    ['starting: one set already active', ['active', 'passive', 'initializing', 'initializing'], 'initializing'],
    ['a set of passive workers only next to an active one', ['active', 'passive', 'passive', 'passive'], 'unknown'],
    ["stopped next to active (one node's monitor gone)", ['active', 'active', 'stopped', 'stopped'], 'unknown'],
    ['paused and stopped mixed', ['paused', 'paused', 'stopped', 'stopped'], 'unknown'],
    ['all unknown', ['unknown', 'unknown', 'unknown', 'unknown'], 'unknown'],
  ])('%s → %s', (_label, statuses, expected) => {
    const r = roll(rows(...statuses));
    expect(r.status).toBe(expected);
    expect(r.subvolumes.map((s) => s.healthy)).toEqual([
      statuses.slice(0, 2).includes('active'),
      statuses.slice(2, 4).includes('active'),
    ]);
  });

  it('a brick missing from the status output, covered by an Active partner → active (listed as missing)', () => {
    const r = roll(rows('active', null, 'active', 'passive'));
    expect(r.status).toBe('active');
    expect(r.missingBricks).toEqual([BRICKS[1]]);
    expect(r.subvolumes[0].bricks[1]).toEqual({ brick: BRICKS[1], status: 'unknown', reported: false });
  });

  it('a whole replica set missing from the status output → unknown', () => {
    const r = roll(rows('active', 'passive', null, null));
    expect(r.status).toBe('unknown');
    expect(r.healthySubvolumes).toBe(1);
    expect(r.missingBricks).toEqual([BRICKS[2], BRICKS[3]]);
  });

  it('a missing brick next to a Faulty one in an unhealthy set → partial_faulty', () => {
    expect(roll(rows('active', 'passive', 'faulty', null)).status).toBe('partial_faulty');
  });

  it('no status rows at all → unknown', () => {
    expect(roll([]).status).toBe('unknown');
  });

  it('rows match on host UUID and path; another host with the same path does not count', () => {
    const r = roll([
      { masterNodeUuid: HB, masterBrick: '/bricks/b1', status: 'active' },
      { masterNodeUuid: HB, masterBrick: '/bricks/b2', status: 'active' },
      { masterNodeUuid: 'cccccccc-0000-4000-8000-000000000003', masterBrick: '/bricks/b1', status: 'faulty' },
    ]);
    expect(r.status).toBe('active');
    expect(r.missingBricks).toEqual([BRICKS[0], BRICKS[2]]);
    expect(r.unmatchedRows).toEqual([
      { masterNodeUuid: 'cccccccc-0000-4000-8000-000000000003', masterBrick: '/bricks/b1', status: 'faulty' },
    ]);
  });

  it('trailing slashes and UUID case do not prevent a match', () => {
    const r = roll([
      { masterNodeUuid: HA.toUpperCase(), masterBrick: '/bricks/b1/', status: 'active' },
      { masterNodeUuid: HA, masterBrick: '/bricks/b2', status: 'active' },
    ]);
    expect(r.status).toBe('active');
    expect(r.missingBricks).toEqual([BRICKS[1], BRICKS[3]]);
  });

  it('distribute (replica 1): every brick is its own set', () => {
    expect(roll(rows('active', 'active', 'active', 'active'), 1).status).toBe('active');
    expect(roll(rows('active', 'active', 'faulty', 'active'), 1).status).toBe('partial_faulty');
    expect(roll(rows('active', 'active', 'passive', 'active'), 1).status).toBe('unknown');
  });

  it('bad shapes → unknown', () => {
    expect(roll(rows('active', 'active', 'active', 'active'), 8).status).toBe('unknown');
    expect(roll(rows('active', 'active', 'active', 'active'), 3).status).toBe('unknown');
    expect(rollUpSessionStatus({ bricks: [], replicaCount: 1, rows: [] }).status).toBe('unknown');
    // A nonsensical replica count is treated as 1.
    expect(roll(rows('active', 'active', 'active', 'active'), 0).status).toBe('active');
  });
});

describe('checkpointProgress', () => {
  const EPOCH = 1795314191; // `config checkpoint` after `config checkpoint now` (georep-config-get-checkpoint.txt)

  it('complete: every Active row completed this checkpoint', () => {
    const p = checkpointProgress(EPOCH, rowsOf('georep-status-detail-xml.checkpoint-completed.xml'));
    expect(p).toMatchObject({
      complete: true,
      reason: 'complete',
      activeWorkers: 2,
      completedWorkers: 2,
      pending: [],
      faulty: [],
    });
  });

  it('pending: checkpoint set, not reached yet', () => {
    const p = checkpointProgress(EPOCH, rowsOf('georep-status-detail-xml.checkpoint-pending.xml'));
    expect(p).toMatchObject({ complete: false, reason: 'pending', activeWorkers: 2, completedWorkers: 0 });
    expect(p.pending.map((r) => r.masterBrick)).toEqual([
      '/srv/gluster-lab/bricks/master1',
      '/srv/gluster-lab/bricks/master2',
    ]);
  });

  it("a newer checkpoint is not satisfied by the previous checkpoint's Yes", () => {
    const rows = rowsOf('georep-status-detail-xml.checkpoint-completed.xml');
    expect(rows.every((r) => r.checkpointCompleted === true)).toBe(true);
    const p = checkpointProgress(EPOCH + 600, rows);
    expect(p).toMatchObject({ complete: false, reason: 'pending', completedWorkers: 0 });
  });

  it('a later checkpoint completed by gluster also covers an earlier one', () => {
    expect(checkpointProgress(EPOCH - 60, rowsOf('georep-status-detail-xml.checkpoint-completed.xml')).complete).toBe(
      true,
    );
  });

  it('only Active rows count (Passive rows report N/A)', () => {
    const p = checkpointProgress(EPOCH, rowsOf('georep-status-detail-xml.active-passive.xml'));
    expect(p).toMatchObject({ complete: true, activeWorkers: 1, completedWorkers: 1 });
  });

  it('no checkpoint, no Active worker, or a Faulty worker: not complete', () => {
    expect(checkpointProgress(null, rowsOf('georep-status-detail-xml.checkpoint-completed.xml')).reason).toBe(
      'no_checkpoint',
    );
    expect(checkpointProgress(0, rowsOf('georep-status-detail-xml.checkpoint-completed.xml')).reason).toBe(
      'no_checkpoint',
    );
    expect(checkpointProgress(EPOCH, rowsOf('georep-status-detail-xml.stopped.xml')).reason).toBe('no_active_workers');
    expect(checkpointProgress(EPOCH, rowsOf('georep-status-detail-xml.faulty.xml')).reason).toBe('no_active_workers');
    const mixed = [
      ...rowsOf('georep-status-detail-xml.checkpoint-completed.xml'),
      { ...rowsOf('georep-status-detail-xml.faulty.xml')[0], masterBrick: '/bricks/other' },
    ];
    const p = checkpointProgress(EPOCH, mixed);
    expect(p).toMatchObject({ complete: false, reason: 'faulty_workers', completedWorkers: 2 });
    expect(p.faulty).toHaveLength(1);
  });

  it('a completed row without a checkpoint time does not count', () => {
    const [a, b] = rowsOf('georep-status-detail-xml.checkpoint-completed.xml');
    expect(checkpointProgress(EPOCH, [a, { ...b, checkpointTime: null }]).reason).toBe('pending');
  });
});
