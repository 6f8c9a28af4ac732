import * as fs from 'fs';
import * as path from 'path';
import {
  GlusterCommandError,
  normalizeCrawlStatus,
  normalizeWorkerStatus,
  parseGeoRepSessionStatus,
  parseGeoRepStatus,
  parseGeoRepStatusList,
  parseGlusterUtcTime,
  parseSessionKey,
  parseSlaveUrl,
} from './index';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');
const fixture = (name: string, exitCode = 0) => ({ stdout: fs.readFileSync(path.join(DIR, name), 'utf8'), exitCode });

describe('GlusterFS <= 9 element names (synthetic fixture derived from a 10.3 capture)', () => {
  const old = parseGeoRepStatus(fixture('synthetic-gluster9-status.xml'));
  const current = parseGeoRepStatus(fixture('georep-status-detail-xml.checkpoint-completed.xml'));

  it('is really in the old naming', () => {
    const text = fixture('synthetic-gluster9-status.xml').stdout.replace(/<!--[\s\S]*?-->/, '');
    expect(text).toContain('<session_slave>');
    expect(text).toContain('<master_brick>');
    expect(text).not.toMatch(/primary|secondary/);
  });

  it('parses to the same data as the 10.3 original, except the naming marker', () => {
    expect(old).toHaveLength(1);
    expect(old[0].naming).toBe('master-slave');
    expect(current[0].naming).toBe('primary-secondary');
    expect({ ...old[0], naming: 'x' }).toEqual({ ...current[0], naming: 'x' });
  });

  it('has the key facts', () => {
    const s = old[0];
    expect(s).toMatchObject({
      masterVolume: 'mastervol',
      slaveHost: 'vm',
      slaveVolume: 'slavevol',
      slaveUser: 'root',
      slaveVolumeUuid: '8c1a5055-8d2f-40b8-a728-1b83630d63a2',
      keyNodeUuid: '3fa05ceb-2622-4264-839e-bd1054bfe2c7',
    });
    expect(s.bricks.map((b) => [b.masterBrick, b.masterNodeUuid, b.status, b.checkpointCompleted])).toEqual([
      ['/srv/gluster-lab/bricks/master1', '3fa05ceb-2622-4264-839e-bd1054bfe2c7', 'active', true],
      ['/srv/gluster-lab/bricks/master2', '3fa05ceb-2622-4264-839e-bd1054bfe2c7', 'active', true],
    ]);
  });
});

describe('session keys and slave URLs', () => {
  it.each([
    [
      '3fa05ceb-2622-4264-839e-bd1054bfe2c7:ssh://vm::slavevol:8c1a5055-8d2f-40b8-a728-1b83630d63a2',
      {
        nodeUuid: '3fa05ceb-2622-4264-839e-bd1054bfe2c7',
        slaveUser: null,
        slaveHost: 'vm',
        slaveVolume: 'slavevol',
        slaveVolumeUuid: '8c1a5055-8d2f-40b8-a728-1b83630d63a2',
      },
    ],
    [
      '3fa05ceb-2622-4264-839e-bd1054bfe2c7:ssh://geoaccount@gl-b.example.com::backup_vol:8C1A5055-8D2F-40B8-A728-1B83630D63A2',
      {
        nodeUuid: '3fa05ceb-2622-4264-839e-bd1054bfe2c7',
        slaveUser: 'geoaccount',
        slaveHost: 'gl-b.example.com',
        slaveVolume: 'backup_vol',
        slaveVolumeUuid: '8c1a5055-8d2f-40b8-a728-1b83630d63a2',
      },
    ],
    // Keys made before glusterfs 3.7.12 have no slave volume uuid.
    [
      '3fa05ceb-2622-4264-839e-bd1054bfe2c7:ssh://10.200.0.2::site2vol',
      {
        nodeUuid: '3fa05ceb-2622-4264-839e-bd1054bfe2c7',
        slaveUser: null,
        slaveHost: '10.200.0.2',
        slaveVolume: 'site2vol',
        slaveVolumeUuid: null,
      },
    ],
  ])('%s', (key, expected) => {
    expect(parseSessionKey(key)).toEqual(expected);
  });

  it('returns null for something that is not a key', () => {
    expect(parseSessionKey('garbage')).toBeNull();
  });

  it('slave URLs with and without ssh:// and user', () => {
    expect(parseSlaveUrl('ssh://vm::slavevol')).toEqual({ user: null, host: 'vm', volume: 'slavevol' });
    expect(parseSlaveUrl('geoaccount@vm::slavevol')).toEqual({ user: 'geoaccount', host: 'vm', volume: 'slavevol' });
    expect(parseSlaveUrl('vm:slavevol')).toBeNull();
  });
});

describe('field normalization', () => {
  it.each([
    ['Active', 'active'],
    ['Passive', 'passive'],
    ['Initializing...', 'initializing'],
    ['Created', 'created'],
    ['Paused', 'paused'],
    ['Stopped', 'stopped'],
    ['Faulty', 'faulty'],
    ['Offline', 'unknown'],
    ['N/A', 'unknown'],
    ['', 'unknown'],
  ])('status %j → %s', (text, status) => {
    expect(normalizeWorkerStatus(text)).toBe(status);
  });

  it.each([
    ['Changelog Crawl', 'changelog_crawl'],
    ['History Crawl', 'history_crawl'],
    ['Hybrid Crawl', 'hybrid_crawl'],
    ['N/A', null],
    ['', null],
    [undefined, null],
    ['Xsync Crawl', 'unknown'],
  ])('crawl %j → %s', (text, crawl) => {
    expect(normalizeCrawlStatus(text)).toBe(crawl);
  });

  it('times are read as UTC', () => {
    expect(parseGlusterUtcTime('2026-11-22 02:23:11')?.toISOString()).toBe('2026-11-22T02:23:11.000Z');
    expect(parseGlusterUtcTime('2026-11-22 02:23:11')?.getTime()).toBe(1795314191000);
    for (const bad of ['N/A', '', undefined, '2026-02-30 00:00:00', '2026-11-22T02:23:11Z', '1795314191']) {
      expect(parseGlusterUtcTime(bad)).toBeNull();
    }
  });
});

describe('status rows in states not captured as XML', () => {
  const xml = (rows: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/><geoRep><volume><name>mv</name><sessions><session>
<session_secondary>3fa05ceb-2622-4264-839e-bd1054bfe2c7:ssh://geoaccount@gl-b::sv:8c1a5055-8d2f-40b8-a728-1b83630d63a2</session_secondary>
${rows}</session></sessions></volume></geoRep></cliOutput>`;
  const pair = (brick: string, status: string, crawl: string, extra = '') =>
    `<pair><primary_node>gl-a</primary_node><primary_brick>${brick}</primary_brick><secondary_user>geoaccount</secondary_user>` +
    `<secondary>geoaccount@gl-b::sv</secondary><secondary_node>gl-b2</secondary_node><status>${status}</status><crawl_status>${crawl}</crawl_status>` +
    `<entry>12</entry><data>3</data><meta>N/A</meta><failures>1</failures><checkpoint_completed>No</checkpoint_completed>` +
    `<primary_node_uuid>3fa05ceb-2622-4264-839e-bd1054bfe2c7</primary_node_uuid><last_synced>N/A</last_synced>` +
    `<checkpoint_time>N/A</checkpoint_time><checkpoint_completion_time>N/A</checkpoint_completion_time>${extra}</pair>`;

  it('Initializing... / Hybrid Crawl, non-root user, a slave node name, pending counts', () => {
    const [s] = parseGeoRepStatus({
      stdout: xml(pair('/b1', 'Initializing...', 'Hybrid Crawl') + pair('/b2', 'Active', 'History Crawl')),
      exitCode: 0,
    });
    expect(s.slaveUser).toBe('geoaccount');
    expect(s.slaveHost).toBe('gl-b');
    expect(s.bricks.map((b) => [b.status, b.statusText, b.crawlStatus])).toEqual([
      ['initializing', 'Initializing...', 'hybrid_crawl'],
      ['active', 'Active', 'history_crawl'],
    ]);
    expect(s.bricks[0]).toMatchObject({
      slaveNode: 'gl-b2',
      slaveUser: 'geoaccount',
      entry: 12,
      data: 3,
      meta: null,
      failures: 1,
      checkpointCompleted: false,
    });
  });

  it('a session element without pairs is kept (no bricks)', () => {
    const [s] = parseGeoRepStatus({ stdout: xml(''), exitCode: 0 });
    expect(s.bricks).toEqual([]);
    expect(s.slaveUser).toBe('geoaccount');
  });

  it('parseGeoRepSessionStatus picks the expected session, or no_session', () => {
    const out = fixture('netns-georep-status-mastervol-xml.two-sessions.xml');
    const s = parseGeoRepSessionStatus(out, {
      masterVolume: 'mastervol',
      slaveHost: '10.200.0.2',
      slaveVolume: 'site2vol',
    });
    expect(s.slaveVolumeUuid).toBe('d32c35d8-4111-42e1-8f00-7a631770d4e0');
    expect(() =>
      parseGeoRepSessionStatus(out, { masterVolume: 'mastervol', slaveHost: 'vm', slaveVolume: 'other' }),
    ).toThrow(expect.objectContaining({ kind: 'no_session' }));
  });

  it('status of an unknown session: exit 2 without XML is no_session, the list form is empty', () => {
    const out = fixture('georep-nosession-status-xml.xml', 2);
    expect(() => parseGeoRepSessionStatus(out)).toThrow(expect.objectContaining({ kind: 'no_session' }));
    expect(parseGeoRepStatusList(out)).toEqual([]);
  });

  it('the list form still throws real failures', () => {
    expect(() => parseGeoRepStatusList({ stdout: '', stderr: 'Connection failed.', exitCode: 1 })).toThrow(
      GlusterCommandError,
    );
    expect(() => parseGeoRepStatusList({ stdout: 'garbage', exitCode: 0 })).toThrow(
      expect.objectContaining({ kind: 'parse_error' }),
    );
  });
});
