import * as fs from 'fs';
import * as path from 'path';
import {
  CommandOutput,
  geoRepConfigListCommand,
  GlusterArgumentError,
  parseGeoRepConfigXml,
  parseGeoRepStatusList,
  parseVolumeInfo,
  parseVolumeStatus,
} from '../gluster';
import { buildSnapshot, discoveredOptions, volumeCapacity } from './discovery-snapshot';
import { matchHost } from '../gluster';
import { sessionLabel } from './discovery-store';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');
function out(name: string): CommandOutput {
  return {
    stdout: fs.readFileSync(path.join(DIR, name), 'utf8'),
    stderr: '',
    exitCode: Number(fs.readFileSync(path.join(DIR, `${name}.rc`), 'utf8').trim()),
  };
}

const volumes = parseVolumeInfo(out('volume-info-xml.xml'));
const statuses = parseVolumeStatus(out('volume-status-mastervol-detail-xml.xml'));
const sessionsOf = (capture: string) => buildSnapshot(volumes, statuses, parseGeoRepStatusList(out(capture))).sessions;

describe('discovery snapshot (captured GlusterFS 10.3 outputs)', () => {
  it('volumes: type, status, counts, options, bricks in order with status and size from status detail', () => {
    const { volumes: vols } = buildSnapshot(volumes, statuses, []);
    const master = vols.find((v) => v.name === 'mastervol')!;
    expect(master).toMatchObject({
      volumeType: 'replicate',
      status: 'up',
      replicaCount: 2,
      brickCount: 2,
      transportTypes: 'tcp',
      glusterUuid: '2beba8aa-b410-4ec9-8989-8b65a79e0fc7',
    });
    expect(master.options).toContainEqual({ name: 'nfs.disable', value: 'on' });
    expect(master.bricks.map((b) => [b.position, b.brickDir, b.status])).toEqual([
      [0, '/srv/gluster-lab/bricks/master1', 'up'],
      [1, '/srv/gluster-lab/bricks/master2', 'up'],
    ]);
    // replica 2 on two bricks of the same file system: the volume holds one brick's worth
    expect(master.sizeTotal).toBe(master.bricks[0].sizeTotal);
    expect(master.bricks[0].port).toBeGreaterThan(0);
    // slavevol is started but absent from the mastervol-only status: brick status unknown, no size
    const slave = vols.find((v) => v.name === 'slavevol')!;
    expect(slave.bricks[0]).toMatchObject({ status: 'unknown', sizeTotal: null });
    expect(slave.sizeTotal).toBeNull();
  });

  it('without a status reading, a started volume has bricks of unknown status', () => {
    const { volumes: vols } = buildSnapshot(volumes, null, []);
    expect(vols.flatMap((v) => v.bricks.map((b) => b.status))).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it.each([
    ['georep-status-detail-xml.created.xml', 'created', ['created', 'created']],
    ['georep-status-detail-xml.active-passive.xml', 'active', ['active', 'passive']],
    ['georep-status-detail-xml.faulty.xml', 'faulty', ['faulty', 'faulty']],
    ['georep-status-detail-xml.paused.xml', 'paused', ['paused', 'paused']],
    ['georep-status-detail-xml.stopped.xml', 'stopped', ['stopped', 'stopped']],
  ])('%s: session rolled up to %s, per-brick rows in brick order', (capture, status, workers) => {
    const [s] = sessionsOf(capture);
    expect(s).toMatchObject({
      masterVolume: 'mastervol',
      slaveHost: 'vm',
      slaveVolume: 'slavevol',
      userName: 'root',
      slaveVolumeUuid: '8c1a5055-8d2f-40b8-a728-1b83630d63a2',
      status,
    });
    expect(s.details.map((d) => [d.position, d.brickPosition, d.row.status])).toEqual(workers.map((w, i) => [i, i, w]));
  });

  it('rows that match no brick of the volume (another glusterd) are kept after the bricks, and the session is unknown', () => {
    const sessions = sessionsOf('netns-georep-status-all-xml.two-sessions.xml');
    expect(sessions.map((s) => `${s.slaveHost}::${s.slaveVolume}`)).toEqual(['vm::slavevol', '10.200.0.2::site2vol']);
    for (const s of sessions) {
      expect(s.status).toBe('unknown');
      expect(s.details.map((d) => d.brickPosition)).toEqual([null, null]);
      expect(s.details.map((d) => d.position)).toEqual([2, 3]);
    }
  });

  it('a session of a volume the pass did not read is left out', () => {
    const snap = buildSnapshot(
      volumes.filter((v) => v.name !== 'mastervol'),
      statuses,
      parseGeoRepStatusList(out('georep-status-detail-xml.active.xml')),
    );
    expect(snap.sessions).toEqual([]);
  });

  it('options: canonical names, the catalogue default, modified when different', () => {
    const fresh = discoveredOptions(parseGeoRepConfigXml(out('georep-config-xml.xml')));
    const modified = discoveredOptions(parseGeoRepConfigXml(out('georep-config-xml.modified.xml')));
    expect(fresh.find((o) => o.name === 'sync-jobs')).toEqual({
      name: 'sync-jobs',
      value: '3',
      defaultValue: '3',
      modified: false,
    });
    expect(fresh.filter((o) => o.modified)).toEqual([]);
    expect(modified.filter((o) => o.modified).length).toBeGreaterThan(0);
    expect(fresh.every((o) => !o.name.includes('_'))).toBe(true);
  });

  it('volume capacity: smallest brick per replica set, data bricks of a disperse set, null when a size is missing', () => {
    expect(volumeCapacity({ replicaCount: 2, disperseCount: 0, redundancyCount: 0 }, [100, 80, 50, 60])).toBe(130);
    expect(volumeCapacity({ replicaCount: 1, disperseCount: 3, redundancyCount: 1 }, [10, 12, 11])).toBe(20);
    expect(volumeCapacity({ replicaCount: 1, disperseCount: 0, redundancyCount: 0 }, [10, null])).toBeNull();
    expect(volumeCapacity({ replicaCount: 2, disperseCount: 0, redundancyCount: 0 }, [10, 10, 10])).toBeNull();
  });

  it('bricks match a registered host by peer UUID first, then by address or name', () => {
    const hosts = [
      { id: 'a', address: '127.0.0.1', name: 'site1', peerUuid: '3fa05ceb-2622-4264-839e-bd1054bfe2c7' },
      { id: 'b', address: 'vm2', name: 'other', peerUuid: null },
    ];
    expect(matchHost(hosts, 'vm', '3FA05CEB-2622-4264-839E-BD1054BFE2C7')?.id).toBe('a');
    expect(matchHost(hosts, 'VM2', null)?.id).toBe('b');
    expect(matchHost(hosts, 'other', null)?.id).toBe('b');
    expect(matchHost(hosts, 'nowhere', '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('a session whose names would not validate never becomes a command (the config read is skipped)', () => {
    expect(() => geoRepConfigListCommand({ masterVolume: 'x;touch pwned', slaveHost: 'h', slaveVolume: 'v' })).toThrow(
      GlusterArgumentError,
    );
    expect(() => geoRepConfigListCommand({ masterVolume: 'mv', slaveHost: '$(reboot)', slaveVolume: 'v' })).toThrow(
      GlusterArgumentError,
    );
    expect(sessionLabel('mv', { slaveHost: 'h', slaveVolume: 'v', userName: 'geo' })).toBe('mv → geo@h::v');
  });
});
