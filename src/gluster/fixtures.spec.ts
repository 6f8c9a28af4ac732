/**
 * Every capture in test/fixtures/gluster-10.3 (INDEX.tsv) is parsed here by the parser the product
 * uses for it (or, for plain outputs without a parser, by the error detector), with its key facts.
 * A capture missing from the table fails the test, so new captures cannot go unchecked.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  GEOREP_FAILED_LINE,
  GeoRepCrawlStatus,
  GeoRepSessionStatus,
  GeoRepWorkerStatus,
  GlusterCommandError,
  GlusterErrorKind,
  parseCheckpointEpoch,
  parseCliXml,
  parseGeoRepAction,
  parseGeoRepConfigGet,
  parseGeoRepConfigSet,
  parseGeoRepConfigText,
  parseGeoRepConfigXml,
  parseGeoRepStatus,
  parseGeoRepStatusList,
  parseGlusterVersion,
  parseGsecCreate,
  parsePeerStatus,
  parsePlainOutput,
  parseVolumeInfo,
  parseVolumeStatus,
  parseXmlDocument,
  child,
  children,
} from './index';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');

interface Fixture {
  readonly name: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly command: string;
}

interface IndexEntry {
  readonly name: string;
  readonly exitCode: number;
  readonly command: string;
}

function readIndex(): IndexEntry[] {
  return fs
    .readFileSync(path.join(DIR, 'INDEX.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [name, rc, , command] = l.split('\t');
      return { name, exitCode: Number(rc), command };
    });
}

const INDEX = readIndex();
const BY_NAME = new Map(INDEX.map((e) => [e.name, e]));

function load(name: string): Fixture {
  const e = BY_NAME.get(name);
  if (!e) throw new Error(`${name} is not in INDEX.tsv`);
  const stderrPath = path.join(DIR, `${name}.stderr`);
  return {
    name,
    stdout: fs.readFileSync(path.join(DIR, name), 'utf8'),
    stderr: fs.existsSync(stderrPath) ? fs.readFileSync(stderrPath, 'utf8') : '',
    exitCode: Number(fs.readFileSync(path.join(DIR, `${name}.rc`), 'utf8').trim()),
    command: e.command,
  };
}

const U1 = '3fa05ceb-2622-4264-839e-bd1054bfe2c7';
const U2 = '25bdbfc7-9df2-45ad-ad2b-687caae1f922';
const SLAVEVOL_UUID = '8c1a5055-8d2f-40b8-a728-1b83630d63a2';
const SLAVEVOL_UUID_2 = '922f01c6-b92a-4c30-9a6b-af7f99daa258';
const SITE2VOL_UUID = 'd32c35d8-4111-42e1-8f00-7a631770d4e0';
const B1 = '/srv/gluster-lab/bricks/master1';
const B2 = '/srv/gluster-lab/bricks/master2';

const iso = (t: string | null): string | null => (t === null ? null : `${t.replace(' ', 'T')}.000Z`);
const isoOf = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function expectGlusterError(fn: () => unknown, kind: GlusterErrorKind, message?: string): GlusterCommandError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GlusterCommandError);
  const err = caught as GlusterCommandError;
  expect(err.kind).toBe(kind);
  if (message !== undefined) expect(err.glusterMessage).toContain(message);
  return err;
}

type Check = (f: Fixture) => void;

/** Plain output that succeeded: the error detector passes it through. */
const plainOk =
  (re: RegExp): Check =>
  (f) => {
    expect(f.exitCode).toBe(0);
    expect(parsePlainOutput(f)).toMatch(re);
  };

/** Plain failure: non-zero exit, gluster's message (stderr) and the error kind. */
const plainErr =
  (kind: GlusterErrorKind, message: string, exitCode = 1): Check =>
  (f) => {
    expect(f.exitCode).toBe(exitCode);
    const err = expectGlusterError(() => parsePlainOutput(f), kind, message);
    expect(err.exitCode).toBe(exitCode);
    expect(err.glusterMessage).not.toContain(GEOREP_FAILED_LINE);
    if (f.command.includes('geo-replication')) expect(f.stdout).toContain(GEOREP_FAILED_LINE);
  };

/** XML failure: exit 0 but opRet != 0. */
const xmlErr =
  (kind: GlusterErrorKind, message: string, opRet = -1): Check =>
  (f) => {
    expect(f.exitCode).toBe(0);
    const err = expectGlusterError(() => parseCliXml(f), kind, message);
    expect(err.opRet).toBe(opRet);
    expect(err.opErrno).toBe(30800);
  };

/** Session command with --xml that succeeded. */
const actionOk =
  (note: string | null, master = 'mastervol', slave = 'vm::slavevol'): Check =>
  (f) => {
    expect(parseGeoRepAction(f)).toEqual({ masterVolume: master, slave, note });
  };

/** `status --xml` with nothing to show: exit 2, no XML. */
const statusNoXml: Check = (f) => {
  expect(f.exitCode).toBe(2);
  expect(f.stdout.trim()).toBe(GEOREP_FAILED_LINE);
  const err = expectGlusterError(() => parseGeoRepStatus(f), 'no_session');
  expect(err.exitCode).toBe(2);
  expect(parseGeoRepStatusList(f)).toEqual([]);
};

interface SessionExpect {
  slave: string;
  slaveHost?: string;
  slaveVolume?: string;
  slaveVolumeUuid?: string;
  nodeUuid?: string;
  statuses: GeoRepWorkerStatus[];
  crawl?: (GeoRepCrawlStatus | null)[];
  lastSynced?: (string | null)[];
  checkpointTime?: (string | null)[];
  checkpointCompleted?: (boolean | null)[];
  checkpointCompletion?: (string | null)[];
}

function checkSession(s: GeoRepSessionStatus, e: SessionExpect): void {
  const nodeUuid = e.nodeUuid ?? U1;
  const slaveHost = e.slaveHost ?? 'vm';
  const slaveVolume = e.slaveVolume ?? 'slavevol';
  expect(s.masterVolume).toBe('mastervol');
  expect(s.naming).toBe('primary-secondary');
  expect(s.keyNodeUuid).toBe(nodeUuid);
  expect(s.slaveHost).toBe(slaveHost);
  expect(s.slaveVolume).toBe(slaveVolume);
  expect(s.slaveVolumeUuid).toBe(e.slaveVolumeUuid ?? SLAVEVOL_UUID);
  expect(s.slaveUser).toBe('root');
  expect(s.sessionKey).toBe(`${nodeUuid}:ssh://${slaveHost}::${slaveVolume}:${s.slaveVolumeUuid}`);
  expect(s.bricks.map((b) => b.masterBrick)).toEqual([B1, B2]);
  for (const b of s.bricks) {
    expect(b.masterNode).toBe('vm');
    expect(b.masterNodeUuid).toBe(nodeUuid);
    expect(b.slave).toBe(e.slave);
    expect(b.slaveHost).toBe(slaveHost);
    expect(b.slaveVolume).toBe(slaveVolume);
    expect(b.slaveUser).toBe('root');
    // Empty while a worker runs and N/A otherwise in 10.3: never a node name.
    expect(b.slaveNode).toBeNull();
    if (b.status !== 'active') {
      expect([b.crawlStatus, b.lastSynced, b.entry, b.data, b.meta, b.failures]).toEqual([
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
    } else {
      expect([b.entry, b.data, b.meta, b.failures]).toEqual([0, 0, 0, 0]);
    }
  }
  expect(s.bricks.map((b) => b.status)).toEqual(e.statuses);
  const active = e.statuses.map((st) => st === 'active');
  expect(s.bricks.map((b) => b.crawlStatus)).toEqual(e.crawl ?? active.map((a) => (a ? 'changelog_crawl' : null)));
  expect(s.bricks.map((b) => isoOf(b.lastSynced))).toEqual((e.lastSynced ?? e.statuses.map(() => null)).map(iso));
  expect(s.bricks.map((b) => isoOf(b.checkpointTime))).toEqual(
    (e.checkpointTime ?? e.statuses.map(() => null)).map(iso),
  );
  expect(s.bricks.map((b) => b.checkpointCompleted)).toEqual(e.checkpointCompleted ?? e.statuses.map(() => null));
  expect(s.bricks.map((b) => isoOf(b.checkpointCompletionTime))).toEqual(
    (e.checkpointCompletion ?? e.statuses.map(() => null)).map(iso),
  );
}

const statusXml =
  (sessions: SessionExpect[], opErrstr = ''): Check =>
  (f) => {
    expect(f.exitCode).toBe(0);
    expect(parseCliXml(f).opErrstr).toBe(opErrstr);
    const parsed = parseGeoRepStatus(f);
    expect(parsed).toHaveLength(sessions.length);
    parsed.forEach((s, i) => checkSession(s, sessions[i]));
    expect(parseGeoRepStatusList(f)).toEqual(parsed);
  };

const LOCAL = 'vm::slavevol';
const GLOBAL = 'ssh://vm::slavevol';
const both = <T>(v: T): T[] => [v, v];

// ---- plain status tables (no product parser): a test-only reader cross-checks them with XML ----

const STATUS_WORDS = ['Created', 'Initializing...', 'Active', 'Passive', 'Paused', 'Stopped', 'Faulty'];

interface TableRow {
  brick: string;
  user: string;
  slave: string;
  status: string;
  crawl: string;
  lastSynced: string;
  checkpointTime?: string;
  checkpointCompleted?: string;
  checkpointCompletion?: string;
}

function readStatusTable(stdout: string): TableRow[] {
  const lines = stdout.split('\n');
  const dash = lines.findIndex((l) => /^-{20,}\s*$/.test(l));
  expect(dash).toBeGreaterThan(0);
  expect(lines[dash - 1]).toMatch(
    /^PRIMARY NODE\s+PRIMARY VOL\s+PRIMARY BRICK\s+SECONDARY USER\s+SECONDARY\s+SECONDARY NODE\s+STATUS/,
  );
  const detail = lines[dash - 1].includes('CHECKPOINT TIME');
  return lines
    .slice(dash + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      // Columns are separated by 2+ spaces; SECONDARY NODE may be blank, so find STATUS by value.
      const t = l.trim().split(/\s{2,}/);
      const si = t.findIndex((x) => STATUS_WORDS.includes(x));
      expect(si).toBeGreaterThan(4);
      const row: TableRow = {
        brick: t[2],
        user: t[3],
        slave: t[4],
        status: t[si],
        crawl: t[si + 1],
        lastSynced: t[si + 2],
      };
      if (detail) {
        row.checkpointTime = t[si + 7];
        row.checkpointCompleted = t[si + 8];
        row.checkpointCompletion = t[si + 9];
      }
      return row;
    });
}

const plainTime = (d: Date | null): string => (d === null ? 'N/A' : d.toISOString().slice(0, 19).replace('T', ' '));

/**
 * Plain status table: expected STATUS column and slave; with an XML capture of the same state, each
 * row must agree with it (the lab's local time is UTC, so plain times equal the XML's UTC times).
 */
const statusTable =
  (statuses: string[], slave: string, xmlSibling?: string, crawl?: string[]): Check =>
  (f) => {
    expect(f.exitCode).toBe(0);
    const rows = readStatusTable(parsePlainOutput(f));
    expect(rows.map((r) => r.status)).toEqual(statuses);
    expect(rows.every((r) => r.slave === slave && r.user === 'root')).toBe(true);
    if (crawl) expect(rows.map((r) => r.crawl)).toEqual(crawl);
    if (!xmlSibling) return;
    const xmlRows = parseGeoRepStatus(load(xmlSibling)).flatMap((s) => s.bricks);
    expect(rows).toHaveLength(xmlRows.length);
    rows.forEach((r, i) => {
      const x = xmlRows[i];
      expect(r.brick).toBe(x.masterBrick);
      expect(r.status).toBe(x.statusText);
      expect(r.lastSynced).toBe(plainTime(x.lastSynced));
      if (r.checkpointTime !== undefined) {
        expect(r.checkpointTime).toBe(plainTime(x.checkpointTime));
        expect(r.checkpointCompleted).toBe(
          x.checkpointCompleted === null ? 'N/A' : x.checkpointCompleted ? 'Yes' : 'No',
        );
        // gsyncd does not clear the (local-time) completion time of non-Active workers; the XML's UTC
        // value is cleared. Only Active rows agree.
        if (x.status === 'active') expect(r.checkpointCompletion).toBe(plainTime(x.checkpointCompletionTime));
      }
    });
  };

const UPDATED = /^geo-replication config updated successfully$/;

const TABLE: Record<string, Check> = {
  // ---------------------------------------------------------------- version, peers, volumes
  'gluster-version.txt': (f) => {
    expect(parseGlusterVersion(f)).toEqual({ version: '10.3', major: 10, minor: 3, primarySecondaryNames: true });
  },
  'peer-status.txt': plainOk(/^Number of Peers: 0$/),
  'peer-status-xml.xml': (f) => expect(parsePeerStatus(f)).toEqual([]),
  'pool-list.txt': (f) => {
    const [header, row] = parsePlainOutput(f).split('\n');
    expect(header).toMatch(/^UUID\s+Hostname\s+State$/);
    expect(row.split(/\s+/).filter(Boolean)).toEqual([U1, 'localhost', 'Connected']);
  },
  'pool-list-xml.xml': (f) => {
    expect(parsePeerStatus(f)).toEqual([
      { uuid: U1, hostname: 'localhost', hostnames: ['localhost'], connected: true, state: null, stateStr: null },
    ]);
  },
  'volume-info.txt': (f) => {
    const text = parsePlainOutput(f);
    const xml = parseVolumeInfo(load('volume-info-xml.xml'));
    for (const v of xml) {
      expect(text).toContain(`Volume Name: ${v.name}\nType: ${v.typeStr}\nVolume ID: ${v.id}\nStatus: ${v.statusStr}`);
      v.bricks.forEach((b, i) => expect(text).toContain(`Brick${i + 1}: ${b.name}\n`));
    }
  },
  'volume-info-xml.xml': (f) => {
    const vols = parseVolumeInfo(f);
    expect(vols.map((v) => [v.name, v.id, v.type, v.status, v.replicaCount, v.brickCount])).toEqual([
      ['mastervol', '2beba8aa-b410-4ec9-8989-8b65a79e0fc7', 'replicate', 'up', 2, 2],
      ['slavevol', SLAVEVOL_UUID, 'distribute', 'up', 1, 1],
    ]);
    expect(vols[0].bricks).toEqual([
      { name: `vm:${B1}`, host: 'vm', path: B1, hostUuid: U1, isArbiter: false },
      { name: `vm:${B2}`, host: 'vm', path: B2, hostUuid: U1, isArbiter: false },
    ]);
    expect(vols[1].bricks.map((b) => b.path)).toEqual(['/srv/gluster-lab/bricks/slave1']);
    expect(vols[0].options).toContainEqual({ name: 'performance.client-io-threads', value: 'off' });
    expect(vols[0].options).toHaveLength(5);
    expect(vols[1].options).toHaveLength(3);
    expect(vols.map((v) => v.transportTypes)).toEqual([['tcp'], ['tcp']]);
  },
  'volume-info-mastervol-xml.georep-enabled.xml': (f) => {
    const [v] = parseVolumeInfo(f);
    expect(v.name).toBe('mastervol');
    expect(v.options.slice(0, 3)).toEqual([
      { name: 'changelog.changelog', value: 'on' },
      { name: 'geo-replication.ignore-pid-check', value: 'on' },
      { name: 'geo-replication.indexing', value: 'on' },
    ]);
  },
  'volume-status.txt': (f) => {
    const text = parsePlainOutput(f);
    for (const v of parseVolumeStatus(load('volume-status-xml.xml'))) {
      expect(text).toContain(`Status of volume: ${v.volumeName}`);
      for (const b of v.bricks) {
        expect(text).toMatch(new RegExp(`Brick ${b.host}:${b.path}\\s+${b.port}\\s+0\\s+Y\\s+${b.pid}`));
      }
    }
  },
  'volume-status-xml.xml': (f) => {
    const vols = parseVolumeStatus(f);
    expect(vols.map((v) => v.volumeName)).toEqual(['mastervol', 'slavevol']);
    // The Self-heal Daemon node is not a brick.
    expect(vols[0].bricks.map((b) => [b.path, b.port, b.pid, b.online])).toEqual([
      [B1, 55650, 7906, true],
      [B2, 50687, 7926, true],
    ]);
    expect(vols[1].bricks.map((b) => [b.path, b.port, b.pid])).toEqual([
      ['/srv/gluster-lab/bricks/slave1', 53209, 8002],
    ]);
    expect(vols[0].bricks[0].sizeTotal).toBeNull();
  },
  'volume-status-mastervol-detail-xml.xml': (f) => {
    const [v] = parseVolumeStatus(f);
    expect(v.volumeName).toBe('mastervol');
    expect(v.bricks[0]).toEqual({
      volumeName: 'mastervol',
      host: 'vm',
      path: B1,
      peerUuid: U1,
      online: true,
      port: 55650,
      rdmaPort: null,
      pid: 7906,
      sizeTotal: 270553174016,
      sizeFree: 246591631360,
      device: '/dev/vda',
      fsName: 'ext4',
      mntOptions: 'rw,relatime,discard,resv_strict,resuid=65534,resgid=65534',
      blockSize: 4096,
      inodesTotal: 16777216,
      inodesFree: 16367731,
    });
    expect(v.bricks[1].path).toBe(B2);
  },
  'volume-list.txt': (f) => {
    expect(parsePlainOutput(f).split('\n')).toEqual(parseVolumeInfo(load('volume-info-xml.xml')).map((v) => v.name));
  },
  'volume-list-xml.xml': (f) => {
    const volList = child(parseCliXml(f).root, 'volList');
    expect(children(volList, 'volume').map((v) => v.text)).toEqual(['mastervol', 'slavevol']);
  },
  'volume-start-force-slavevol.txt': plainOk(/^volume start: slavevol: success$/),
  'volume-stop-primary-while-georep-running.txt': (f) => {
    expect(f.stdout).toBe('');
    plainErr('georep_sessions_active', 'volume stop: mastervol: failed: geo-replication sessions are active')(f);
  },
  'volume-stop-primary-while-georep-running-xml.xml': (f) => {
    const err = expectGlusterError(() => parseCliXml(f), 'georep_sessions_active');
    expect(err.glusterMessage).toBe(
      'geo-replication sessions are active for the volume mastervol.\n' +
        "Stop geo-replication sessions involved in this volume. Use 'volume geo-replication status' command for more info.",
    );
    expect(err.opRet).toBe(-1);
  },
  'gsec-create.txt': (f) => {
    expect(parseGsecCreate(f)).toEqual({ pubKeyFile: '/var/lib/glusterd/geo-replication/common_secret.pem.pub' });
  },

  // ---------------------------------------------------------------- create / delete
  'georep-create-nonexistent-slavevol.txt': plainErr(
    'slave_unreachable',
    'Unable to mount and fetch secondary volume details',
  ),
  'georep-create-nonexistent-slavevol-xml.xml': xmlErr('slave_unreachable', 'gverify-secondarymnt.log'),
  'georep-create-nonexistent-mastervol.txt': plainErr('volume_not_found', 'Volume novol does not exist'),
  'georep-create-nonexistent-mastervol-xml.xml': xmlErr('volume_not_found', 'Volume novol does not exist'),
  'georep-create.noforce.txt': plainOk(
    /^Creating geo-replication session between mastervol & vm::slavevol has been successful$/,
  ),
  'georep-create-existing-session.txt': plainErr('slave_not_empty', 'vm::slavevol is not empty'),
  'georep-create-existing-session-xml.xml': xmlErr('slave_not_empty', 'use force to continue'),
  'georep-create-force-xml.xml': actionOk(
    'vm::slavevol is not empty. Please delete existing files in vm::slavevol and retry, or use force to continue without deleting the existing files.',
  ),
  'netns-georep-create.txt': plainOk(
    /^Creating geo-replication session between mastervol & 10\.200\.0\.2::site2vol has been successful$/,
  ),
  'georep-delete-while-running.txt': plainErr('session_active', 'is still active. Please stop the session and retry.'),
  'georep-delete-while-running-xml.xml': xmlErr(
    'session_active',
    'geo-replication session between mastervol & vm::slavevol is still active',
  ),
  'georep-delete.txt': plainOk(
    /^Deleting geo-replication session between mastervol & vm::slavevol has been successful$/,
  ),
  'georep-delete-reset-sync-time-xml.xml': actionOk('delete successful'),

  // ---------------------------------------------------------------- start / stop / pause / resume
  'georep-start.txt': plainOk(
    /^Starting geo-replication session between mastervol & vm::slavevol has been successful$/,
  ),
  'georep-start.after-stop.txt': plainOk(/^Starting geo-replication session .* successful$/),
  'georep-start-when-monitor-died.txt': plainOk(/^Starting geo-replication session .* successful$/),
  'netns-georep-start.txt': plainOk(
    /^Starting geo-replication session between mastervol & 10\.200\.0\.2::site2vol has been successful$/,
  ),
  'georep-start-xml.xml': actionOk(null),
  'georep-start-already-started.txt': plainErr(
    'already_started',
    'geo-replication session between mastervol & vm::slavevol already started',
  ),
  'georep-start-already-started-xml.xml': xmlErr('already_started', 'already started'),
  'georep-start-when-paused.txt': plainErr('already_started', 'already started'),
  'georep-stop.txt': plainOk(/^Stopping geo-replication session between mastervol & vm::slavevol has been successful$/),
  'georep-stop-xml.xml': actionOk(null),
  'georep-stop-force-xml.xml': actionOk(null),
  'georep-stop-already-stopped.txt': plainOk(/^Stopping geo-replication session .* successful$/),
  // Success with a noisy opErrstr: not an error.
  'georep-stop-already-stopped-xml.xml': actionOk('geo-replication is not set up'),
  'georep-pause.txt': plainOk(/^Pausing geo-replication session between mastervol & vm::slavevol has been successful$/),
  'georep-pause-xml.xml': actionOk(null),
  'georep-pause-when-stopped.txt': plainOk(/^Pausing geo-replication session .* successful$/),
  'georep-pause-already-paused.txt': plainErr('already_paused', 'already Paused.', 254),
  'georep-pause-already-paused-xml.xml': xmlErr('already_paused', 'already Paused.', 2),
  'georep-resume.txt': plainOk(
    /^Resuming geo-replication session between mastervol & vm::slavevol has been successful$/,
  ),
  'georep-resume-xml.xml': actionOk(null),
  'georep-resume-when-stopped.txt': plainErr('not_paused', 'is not Paused.', 254),
  'georep-resume-already-running.txt': plainErr('not_paused', 'is not Paused.', 254),
  'georep-resume-already-running-xml.xml': xmlErr('not_paused', 'is not Paused.', 2),

  // ---------------------------------------------------------------- no such session
  'georep-nosession-start.txt': plainErr(
    'no_session',
    'Geo-replication session between mastervol and vm::novol does not exist.',
  ),
  'georep-nosession-start-xml.xml': xmlErr('no_session', 'does not exist.'),
  'georep-nosession-stop.txt': plainErr('no_session', 'does not exist.'),
  'georep-nosession-stop-xml.xml': xmlErr('no_session', 'does not exist.'),
  'georep-nosession-pause.txt': plainErr('no_session', 'does not exist.'),
  'georep-nosession-resume.txt': plainErr('no_session', 'does not exist.'),
  'georep-nosession-delete.txt': plainErr('no_session', 'does not exist.'),
  'georep-nosession-delete-xml.xml': xmlErr('no_session', 'does not exist.'),
  'georep-nosession-config.txt': plainErr('no_session', 'does not exist.'),
  'georep-nosession-config-xml.xml': (f) => {
    xmlErr('no_session', 'does not exist.')(f);
    expectGlusterError(() => parseGeoRepConfigXml(f), 'no_session');
  },
  'georep-nosession-config-set.txt': plainErr('no_session', 'does not exist.'),
  'georep-nosession-status.txt': plainErr(
    'no_session',
    'No active geo-replication sessions between mastervol and vm::novol',
  ),
  'georep-nosession-status-xml.xml': statusNoXml,
  'georep-nosession-status-detail-xml.xml': statusNoXml,
  'georep-status.none.txt': plainErr('no_session', 'No active geo-replication sessions'),
  'georep-status-xml.none.xml': statusNoXml,
  'georep-status.after-delete.txt': plainErr(
    'no_session',
    'No active geo-replication sessions between mastervol and vm::slavevol',
  ),
  'georep-status-all.after-delete.txt': plainErr('no_session', 'No active geo-replication sessions'),
  'georep-status-all-xml.after-delete.xml': statusNoXml,
  'georep-status-nonexistent-primaryvol.txt': plainErr('volume_not_found', 'Volume novol does not exist'),
  'georep-status-nonexistent-primaryvol-xml.xml': statusNoXml,
  'georep-status-vol-without-sessions.txt': plainErr('no_session', 'No active geo-replication sessions for slavevol'),
  'georep-status-vol-without-sessions-xml.xml': statusNoXml,

  // ---------------------------------------------------------------- status XML
  'georep-status-xml.created.xml': statusXml([{ slave: GLOBAL, statuses: both('created') }], 'primary not found'),
  'georep-status-session-xml.created.xml': statusXml([{ slave: LOCAL, statuses: both('created') }]),
  'georep-status-detail-xml.created.xml': statusXml([{ slave: LOCAL, statuses: both('created') }]),
  'georep-status-xml.active.xml': statusXml(
    [{ slave: GLOBAL, statuses: both('active'), lastSynced: both('2026-11-22 02:13:09') }],
    'primary not found',
  ),
  'georep-status-session-xml.active.xml': statusXml([
    { slave: LOCAL, statuses: both('active'), lastSynced: both('2026-11-22 02:13:09') },
  ]),
  'georep-status-detail-xml.active.xml': statusXml([
    { slave: LOCAL, statuses: both('active'), lastSynced: both('2026-11-22 02:13:09') },
  ]),
  'georep-status-xml.stopped.xml': statusXml([{ slave: LOCAL, statuses: both('stopped') }]),
  'georep-status-detail-xml.stopped.xml': statusXml([{ slave: LOCAL, statuses: both('stopped') }]),
  'georep-status-all-xml.stopped.xml': statusXml([{ slave: GLOBAL, statuses: both('stopped') }], 'primary not found'),
  'georep-status-xml.stopped-after-run.xml': statusXml([{ slave: LOCAL, statuses: both('stopped') }]),
  'georep-status-detail-xml.checkpoint-pending.xml': statusXml([
    {
      slave: LOCAL,
      statuses: both('active'),
      lastSynced: ['2026-11-22 02:22:20', '2026-11-22 02:22:59'],
      checkpointTime: both('2026-11-22 02:23:11'),
      checkpointCompleted: both(false),
    },
  ]),
  'georep-status-detail-xml.checkpoint-completed.xml': statusXml([
    {
      slave: LOCAL,
      statuses: both('active'),
      lastSynced: ['2026-11-22 02:26:04', '2026-11-22 02:26:01'],
      checkpointTime: both('2026-11-22 02:23:11'),
      checkpointCompleted: both(true),
      checkpointCompletion: ['2026-11-22 02:25:34', '2026-11-22 02:23:16'],
    },
  ]),
  'georep-status-xml.paused.xml': statusXml([{ slave: LOCAL, statuses: both('paused') }]),
  'georep-status-detail-xml.paused.xml': statusXml([{ slave: LOCAL, statuses: both('paused') }]),
  'georep-status-xml.faulty.xml': statusXml([{ slave: LOCAL, statuses: both('faulty') }]),
  'georep-status-detail-xml.faulty.xml': statusXml([{ slave: LOCAL, statuses: both('faulty') }]),
  'georep-status-xml.active-passive.xml': statusXml([
    {
      slave: LOCAL,
      statuses: ['active', 'passive'],
      lastSynced: ['2026-11-22 02:33:21', null],
      checkpointTime: ['2026-11-22 02:23:11', null],
      checkpointCompleted: [true, null],
      checkpointCompletion: ['2026-11-22 02:25:34', null],
    },
  ]),
  'georep-status-detail-xml.active-passive.xml': statusXml([
    {
      slave: LOCAL,
      statuses: ['active', 'passive'],
      lastSynced: ['2026-11-22 02:33:21', null],
      checkpointTime: ['2026-11-22 02:23:11', null],
      checkpointCompleted: [true, null],
      checkpointCompletion: ['2026-11-22 02:25:34', null],
    },
  ]),
  'georep-status-all-xml.active-passive.xml': statusXml(
    [
      {
        slave: GLOBAL,
        statuses: ['active', 'passive'],
        lastSynced: ['2026-11-22 02:33:21', null],
        checkpointTime: ['2026-11-22 02:23:11', null],
        checkpointCompleted: [true, null],
        checkpointCompletion: ['2026-11-22 02:25:34', null],
      },
    ],
    'primary not found',
  ),
  // Captured from the later glusterd instance: other node UUID and slave volume UUID.
  'georep-status-xml.monitor-died-ssh-unreachable.xml': statusXml([
    { slave: LOCAL, statuses: both('stopped'), nodeUuid: U2, slaveVolumeUuid: SLAVEVOL_UUID_2 },
  ]),
  'georep-status-detail-xml.monitor-died-ssh-unreachable.xml': statusXml([
    { slave: LOCAL, statuses: both('stopped'), nodeUuid: U2, slaveVolumeUuid: SLAVEVOL_UUID_2 },
  ]),
  'netns-georep-status-all-xml.two-sessions.xml': statusXml(
    [
      {
        slave: GLOBAL,
        statuses: both('active'),
        nodeUuid: U2,
        slaveVolumeUuid: SLAVEVOL_UUID_2,
        lastSynced: ['2026-11-22 02:48:20', '2026-11-22 02:48:21'],
      },
      {
        slave: 'ssh://10.200.0.2::site2vol',
        slaveHost: '10.200.0.2',
        slaveVolume: 'site2vol',
        statuses: both('active'),
        nodeUuid: U2,
        slaveVolumeUuid: SITE2VOL_UUID,
        lastSynced: ['2026-11-22 02:46:20', '2026-11-22 02:48:21'],
      },
    ],
    'primary not found',
  ),
  'netns-georep-status-mastervol-xml.two-sessions.xml': statusXml([
    {
      slave: GLOBAL,
      statuses: both('active'),
      nodeUuid: U2,
      slaveVolumeUuid: SLAVEVOL_UUID_2,
      lastSynced: ['2026-11-22 02:48:20', '2026-11-22 02:48:21'],
    },
    {
      slave: 'ssh://10.200.0.2::site2vol',
      slaveHost: '10.200.0.2',
      slaveVolume: 'site2vol',
      statuses: both('active'),
      nodeUuid: U2,
      slaveVolumeUuid: SITE2VOL_UUID,
      lastSynced: ['2026-11-22 02:46:20', '2026-11-22 02:48:21'],
    },
  ]),
  // A failback's reverse session (slavevol → mastervol, one brick) that could not sync a name made at both sites.
  'georep-status-detail-xml.entry-failure.xml': (f) => {
    expect(f.exitCode).toBe(0);
    expect(parseCliXml(f).opErrstr).toBe('');
    const parsed = parseGeoRepStatus(f);
    expect(parsed.map((s) => [s.masterVolume, s.slaveHost, s.slaveVolume, s.slaveUser])).toEqual([
      ['slavevol', '127.0.0.1', 'mastervol', 'root'],
    ]);
    expect(
      parsed[0].bricks.map((b) => ({
        node: b.masterNode,
        brick: b.masterBrick,
        status: b.status,
        crawl: b.crawlStatus,
        pending: [b.entry, b.data, b.meta],
        failures: b.failures,
        lastSynced: isoOf(b.lastSynced),
        checkpoint: [isoOf(b.checkpointTime), b.checkpointCompleted, isoOf(b.checkpointCompletionTime)],
      })),
    ).toEqual([
      {
        node: 'vm',
        brick: '/srv/gluster-lab/bricks/slave1',
        status: 'active',
        crawl: 'changelog_crawl',
        pending: [0, 0, 0],
        failures: 1,
        lastSynced: iso('2026-12-04 17:54:13'),
        checkpoint: [iso('2026-12-04 17:53:59'), true, iso('2026-12-04 17:54:15')],
      },
    ]);
    expect(parseGeoRepStatusList(f)).toEqual(parsed);
  },
  'netns-georep-status-detail-xml.site2.xml': statusXml([
    {
      slave: '10.200.0.2::site2vol',
      slaveHost: '10.200.0.2',
      slaveVolume: 'site2vol',
      statuses: both('active'),
      nodeUuid: U2,
      slaveVolumeUuid: SITE2VOL_UUID,
      lastSynced: ['2026-11-22 02:46:20', '2026-11-22 02:48:21'],
    },
  ]),

  // ---------------------------------------------------------------- status tables (plain)
  'georep-status.created.txt': statusTable(['Created', 'Created'], GLOBAL, 'georep-status-xml.created.xml'),
  'georep-status-session.created.txt': statusTable(
    ['Created', 'Created'],
    LOCAL,
    'georep-status-session-xml.created.xml',
  ),
  'georep-status-detail.created.txt': statusTable(
    ['Created', 'Created'],
    LOCAL,
    'georep-status-detail-xml.created.xml',
  ),
  'georep-status-mastervol.created.txt': statusTable(['Created', 'Created'], GLOBAL, 'georep-status-xml.created.xml'),
  // Taken 0.1 s after start: still Created (README).
  'georep-status-detail.initializing.txt': statusTable(
    ['Created', 'Created'],
    LOCAL,
    'georep-status-detail-xml.created.xml',
  ),
  'georep-status.active.txt': statusTable(['Active', 'Active'], GLOBAL, 'georep-status-xml.active.xml'),
  'georep-status-session.active.txt': statusTable(['Active', 'Active'], LOCAL, 'georep-status-session-xml.active.xml'),
  'georep-status-detail.active.txt': statusTable(['Active', 'Active'], LOCAL, 'georep-status-detail-xml.active.xml'),
  'georep-status.stopped.txt': statusTable(['Stopped', 'Stopped'], LOCAL, 'georep-status-xml.stopped.xml'),
  'georep-status-detail.stopped.txt': statusTable(
    ['Stopped', 'Stopped'],
    LOCAL,
    'georep-status-detail-xml.stopped.xml',
  ),
  // pause of a stopped session "succeeds" but nothing changes; resume is refused.
  'georep-status.after-pause-when-stopped.txt': statusTable(
    ['Stopped', 'Stopped'],
    LOCAL,
    'georep-status-xml.stopped.xml',
  ),
  'georep-status.after-resume-when-stopped.txt': statusTable(
    ['Stopped', 'Stopped'],
    LOCAL,
    'georep-status-xml.stopped.xml',
  ),
  'georep-status-detail.checkpoint-pending.txt': statusTable(
    ['Active', 'Active'],
    LOCAL,
    'georep-status-detail-xml.checkpoint-pending.xml',
  ),
  'georep-status-detail.checkpoint-completed.txt': statusTable(
    ['Active', 'Active'],
    LOCAL,
    'georep-status-detail-xml.checkpoint-completed.xml',
  ),
  'georep-status.paused.txt': statusTable(['Paused', 'Paused'], LOCAL, 'georep-status-xml.paused.xml'),
  'georep-status-all.paused.txt': statusTable(['Paused', 'Paused'], GLOBAL),
  'georep-status.resumed.txt': (f) => {
    statusTable(['Active', 'Active'], LOCAL, undefined, ['Changelog Crawl', 'Changelog Crawl'])(f);
    expect(readStatusTable(f.stdout).map((r) => r.lastSynced)).toEqual(['2026-11-22 02:26:04', '2026-11-22 02:26:01']);
  },
  'georep-status.faulty.txt': statusTable(['Faulty', 'Faulty'], LOCAL, 'georep-status-xml.faulty.xml'),
  'georep-status-detail.faulty.txt': (f) => {
    statusTable(['Faulty', 'Faulty'], LOCAL, 'georep-status-detail-xml.faulty.xml')(f);
    // Quirk: the plain table still shows the old completion time of the checkpoint; the XML has N/A.
    expect(readStatusTable(f.stdout).map((r) => r.checkpointCompletion)).toEqual([
      '2026-11-22 02:25:34',
      '2026-11-22 02:23:16',
    ]);
    expect(
      parseGeoRepStatus(load('georep-status-detail-xml.faulty.xml'))[0].bricks.map((b) => b.checkpointCompletionTime),
    ).toEqual([null, null]);
  },
  'georep-status-all.faulty.txt': statusTable(['Faulty', 'Faulty'], GLOBAL),
  'georep-status.active-passive.txt': statusTable(['Active', 'Passive'], LOCAL, 'georep-status-xml.active-passive.xml'),
  'georep-status-detail.active-passive.txt': statusTable(
    ['Active', 'Passive'],
    LOCAL,
    'georep-status-detail-xml.active-passive.xml',
  ),
  'georep-status-all.active-passive.txt': statusTable(
    ['Active', 'Passive'],
    GLOBAL,
    'georep-status-all-xml.active-passive.xml',
  ),
  'georep-status.monitor-died-ssh-unreachable.txt': statusTable(
    ['Stopped', 'Stopped'],
    LOCAL,
    'georep-status-xml.monitor-died-ssh-unreachable.xml',
  ),
  'netns-georep-status-all.two-sessions.txt': (f) => {
    const rows = readStatusTable(f.stdout);
    expect(rows.map((r) => r.slave)).toEqual([
      GLOBAL,
      GLOBAL,
      'ssh://10.200.0.2::site2vol',
      'ssh://10.200.0.2::site2vol',
    ]);
    expect(rows.map((r) => r.status)).toEqual(['Active', 'Active', 'Active', 'Active']);
    const xml = parseGeoRepStatus(load('netns-georep-status-all-xml.two-sessions.xml')).flatMap((s) => s.bricks);
    expect(rows.map((r) => r.lastSynced)).toEqual(xml.map((b) => plainTime(b.lastSynced)));
  },
  // `mastervol slavevol status` (no host::) is not an error: it lists the sessions of mastervol.
  'georep-bad-secondary-url.txt': statusTable(['Active', 'Active'], GLOBAL, undefined, [
    'History Crawl',
    'History Crawl',
  ]),

  // ---------------------------------------------------------------- config
  'georep-config.created.txt': (f) => {
    const c = parseGeoRepConfigText(f);
    expect(Object.keys(c)).toHaveLength(67);
    expect(c['sync-jobs']).toBe('3');
    expect(c['checkpoint']).toBe('0');
    expect(c['allow-network']).toBe('');
    expect(c['gluster-params']).toBe('aux-gfid-mount acl');
    expect(c['changelog-log-file']).toBe(
      '/var/log/glusterfs/geo-replication/mastervol_vm_slavevol/changes-${local_id}.log',
    );
    expect(parseGeoRepConfigXml(load('georep-config-xml.xml'))).toEqual(c);
  },
  'georep-config.modified.txt': (f) => {
    const c = parseGeoRepConfigText(f);
    expect(c).toMatchObject({
      checkpoint: '1795314191',
      'sync-jobs': '2',
      'use-meta-volume': 'true',
      'secondary-access-mount': 'true',
      'log-rsync-performance': 'true',
      'ssh-port': '22',
      'stime-xattr-prefix': `trusted.glusterfs.2beba8aa-b410-4ec9-8989-8b65a79e0fc7.${SLAVEVOL_UUID}`,
    });
    expect(parseGeoRepConfigXml(load('georep-config-xml.modified.xml'))).toEqual(c);
  },
  'georep-config-xml.xml': (f) => {
    const c = parseGeoRepConfigXml(f);
    expect(Object.keys(c)).toHaveLength(67);
    expect(c['ssh-options']).toBe(
      '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/secret.pem',
    );
    expect(c['use-meta-volume']).toBe('false');
  },
  'georep-config-xml.modified.xml': (f) => {
    const c = parseGeoRepConfigXml(f);
    expect(c['checkpoint']).toBe('1795314191');
    expect(c['sync-jobs']).toBe('2');
  },
  'georep-config-trailing-xml-flag.error.txt': plainErr('invalid_option', 'Invalid option'),
  'georep-config-get-sync-jobs.txt': (f) => expect(parseGeoRepConfigGet(f)).toBe('3'),
  'georep-config-get-sync_jobs-underscore.txt': (f) => expect(parseGeoRepConfigGet(f)).toBe('3'),
  'georep-config-get-sync-jobs.after-set.txt': (f) => expect(parseGeoRepConfigGet(f)).toBe('2'),
  // A single-option get with --xml returns an empty <config/>: useless, hence the plain form.
  'georep-config-get-sync-jobs-xml.xml': (f) => expect(parseGeoRepConfigXml(f)).toEqual({}),
  'georep-config-get-checkpoint.txt': (f) => {
    expect(parseCheckpointEpoch(f)).toBe(1795314191);
    // The epoch is the checkpoint_time shown in the status XML (UTC).
    expect(new Date(1795314191 * 1000).toISOString()).toBe(iso('2026-11-22 02:23:11'));
  },
  'georep-config-set-sync-jobs.txt': plainOk(UPDATED),
  'georep-config-set-sync-jobs-xml.xml': (f) => {
    expect(parseGeoRepConfigSet(f)).toEqual({ message: 'geo-replication config updated successfully' });
  },
  'georep-config-set-checkpoint-now.txt': plainOk(UPDATED),
  'georep-config-set-checkpoint-now-xml.xml': (f) => {
    expect(parseCliXml(f).opErrstr).toBe('config-set successful');
    expect(parseGeoRepConfigSet(f)).toEqual({ message: 'geo-replication config updated successfully' });
  },
  'georep-config-set-secondary-access-mount.txt': plainOk(UPDATED),
  'georep-config-set-ssh-port-2222.txt': plainOk(UPDATED),
  'georep-config-set-ssh-port-closed.txt': plainOk(UPDATED),
  'georep-config-reset-ssh-port.txt': plainOk(UPDATED),
  'georep-config-set-use-meta-volume.txt': plainOk(UPDATED),
  // Accepted by gluster although configurable=false: the service refuses it (georep-options).
  'georep-config-readonly-option.txt': plainOk(UPDATED),
  'georep-config-reset-option.txt': plainOk(UPDATED),
  'georep-config-bad-option-set.txt': plainErr('invalid_option', 'Invalid option'),
  'georep-config-bad-option-set-xml.xml': (f) => {
    xmlErr('invalid_option', 'Invalid option')(f);
    // For config errors the geoRep element is empty.
    expect(child(parseXmlDocument(f.stdout), 'geoRep')?.children).toEqual([]);
  },
  'georep-config-bad-option-get.txt': plainErr('invalid_option', 'Invalid option'),
  'georep-config-bad-option-get-xml.xml': xmlErr('invalid_option', 'Invalid option'),
  'georep-config-bad-value.txt': plainErr(
    'config_set_failed',
    'geo-replication config-set failed for mastervol vm::slavevol',
    3,
  ),
};

describe('gluster 10.3 fixtures', () => {
  it('INDEX.tsv lists every capture, and each has its .rc (matching INDEX) and the file itself', () => {
    expect(INDEX.length).toBeGreaterThan(100);
    for (const e of INDEX) {
      expect(fs.existsSync(path.join(DIR, e.name))).toBe(true);
      expect(Number(fs.readFileSync(path.join(DIR, `${e.name}.rc`), 'utf8').trim())).toBe(e.exitCode);
    }
    const known = new Set(['INDEX.tsv', 'README.md', 'synthetic-gluster9-status.xml']);
    for (const e of INDEX) {
      known.add(e.name).add(`${e.name}.rc`).add(`${e.name}.stderr`);
    }
    const unexpected = fs.readdirSync(DIR).filter((f) => !known.has(f));
    expect(unexpected).toEqual([]);
  });

  it('every capture in INDEX.tsv has a check, and every check names a capture', () => {
    expect(INDEX.map((e) => e.name).filter((n) => !(n in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((n) => !BY_NAME.has(n))).toEqual([]);
  });

  it.each(INDEX.map((e) => [e.name]))('%s', (name) => {
    TABLE[name](load(name));
  });
});
