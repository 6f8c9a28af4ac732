import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createVerdict,
  checkCapacity,
  checkClockSkew,
  checkGlusterVersions,
  checkRsyncAccessMount,
  checkSsh,
  ClockRead,
  clockOffset,
  HostReading,
  MAX_CLOCK_SKEW_MS,
  overallResult,
  parseClock,
  parseHostFacts,
  parseSshProbe,
  PreflightCheck,
  SshProbeOutcome,
  VersionReading,
} from './preflight-checks';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'gluster-10.3');

/** What hostFactsCommand prints on the lab machine: the first lines of the real `gluster --version` and `rsync --version`. */
function factsOutput(gluster: string, rsync: string): string {
  return `gluster=${gluster}\nrsync=${rsync}\n`;
}

const live = (host: string, version: string | null): HostReading<VersionReading> => ({
  host,
  value: { version, source: 'live' },
});
const clock = (remoteMs: number, sentMs: number, receivedMs: number): ClockRead => ({
  remoteMs,
  sentMs,
  receivedMs,
  resolutionMs: 1,
});

describe('probe output parsers', () => {
  it('reads the versions from the real first lines of gluster 10.3 and Debian rsync', () => {
    const gluster = fs.readFileSync(path.join(FIXTURES, 'gluster-version.txt'), 'utf8').split('\n')[0];
    expect(gluster).toBe('glusterfs 10.3');
    expect(parseHostFacts(factsOutput(gluster, 'rsync  version 3.2.7  protocol version 32'))).toEqual({
      glusterVersion: '10.3',
      rsyncVersion: '3.2.7',
    });
    expect(parseHostFacts(factsOutput(gluster, 'rsync  version v3.5.0  protocol version 32'))).toEqual({
      glusterVersion: '10.3',
      rsyncVersion: '3.5.0',
    });
  });

  it('gives null for a tool that printed nothing (not installed) or something else', () => {
    expect(parseHostFacts('gluster=\nrsync=\n')).toEqual({ glusterVersion: null, rsyncVersion: null });
    expect(parseHostFacts('gluster=bash: gluster: command not found\n')).toEqual({
      glusterVersion: null,
      rsyncVersion: null,
    });
  });

  it('reads a nanosecond clock, a seconds-only clock (coarser), and refuses anything else', () => {
    expect(parseClock('1764552372123456789\n')).toEqual({ ms: 1764552372123, resolutionMs: 1 });
    expect(parseClock('1764552372N\n')).toEqual({ ms: 1764552372500, resolutionMs: 500 });
    expect(parseClock('')).toBeNull();
    expect(parseClock('Tue Dec  1 01:00:00 UTC 2026')).toBeNull();
  });

  it('reads the ssh attempt: no key, authenticated, refused', () => {
    expect(parseSshProbe('nokey\n')).toEqual({ kind: 'nokey' });
    expect(parseSshProbe('rc=1\nauth=yes\nmsg=gsyncd: usage\n')).toEqual({
      kind: 'tried',
      exitCode: 1,
      authenticated: true,
      message: 'gsyncd: usage',
    });
    expect(
      parseSshProbe('rc=255\nauth=no\nmsg=ssh: connect to host 10.200.0.2 port 2299: Connection refused\n'),
    ).toEqual({
      kind: 'tried',
      exitCode: 255,
      authenticated: false,
      message: 'ssh: connect to host 10.200.0.2 port 2299: Connection refused',
    });
    expect(parseSshProbe('rc=255\nauth=no\n')).toEqual({
      kind: 'tried',
      exitCode: 255,
      authenticated: false,
      message: '',
    });
    expect(parseSshProbe('something else')).toBeNull();
  });
});

describe('overallResult', () => {
  const c = (result: PreflightCheck['result']): PreflightCheck => ({ name: 'ssh', result, detail: '' });
  it('is the worst: failed > warning > unknown > passed', () => {
    expect(overallResult([])).toBe('passed');
    expect(overallResult([c('passed'), c('passed')])).toBe('passed');
    expect(overallResult([c('passed'), c('unknown')])).toBe('unknown');
    expect(overallResult([c('unknown'), c('warning'), c('passed')])).toBe('warning');
    expect(overallResult([c('warning'), c('failed'), c('unknown')])).toBe('failed');
  });
});

describe('checkGlusterVersions', () => {
  it('passes when every host runs the same version', () => {
    expect(checkGlusterVersions([live('m1', '10.3'), live('m2', '10.3')], [live('s1', '10.3')], true)).toEqual({
      name: 'gluster_version',
      result: 'passed',
      detail: 'GlusterFS 10.3 on every host: master m1: 10.3; master m2: 10.3; slave s1: 10.3',
    });
  });

  it('fails on different major versions, warns on a different minor', () => {
    const major = checkGlusterVersions([live('m1', '10.3')], [live('s1', '9.6')], true);
    expect(major.result).toBe('failed');
    expect(major.detail).toBe('different GlusterFS major versions: master m1: 10.3; slave s1: 9.6');
    expect(major.remedy).toBe('upgrade the hosts so that both sites run the same GlusterFS version');
    const minor = checkGlusterVersions([live('m1', '10.3')], [live('s1', '10.4')], true);
    expect(minor.result).toBe('warning');
  });

  it('uses the host row from the last refresh for a host that did not answer, and says so', () => {
    const r = checkGlusterVersions(
      [{ host: 'm1', value: { version: '10.3', source: 'refresh' } }],
      [live('s1', '10.3')],
      true,
    );
    expect(r).toMatchObject({
      result: 'passed',
      detail: 'GlusterFS 10.3 on every host: master m1: 10.3 (from its last refresh); slave s1: 10.3',
    });
  });

  it('is at best a warning when a host could not be read, unknown when a side has no version at all', () => {
    const partial = checkGlusterVersions(
      [live('m1', '10.3'), { host: 'm2', error: 'connection refused' }],
      [live('s1', '10.3')],
      true,
    );
    expect(partial.result).toBe('warning');
    expect(partial.detail).toContain('master m2: not read (connection refused)');
    const none = checkGlusterVersions([live('m1', '10.3')], [{ host: 's1', error: 'timed out' }], true);
    expect(none).toMatchObject({
      result: 'unknown',
      detail: 'no GlusterFS version could be read on the slave side: master m1: 10.3; slave s1: not read (timed out)',
    });
  });

  it('is unknown with a remedy when the slave host is not registered', () => {
    expect(checkGlusterVersions([live('m1', '10.3')], [], false)).toEqual({
      name: 'gluster_version',
      result: 'unknown',
      detail: 'the slave host is not registered with the service, so its version cannot be read (master: 10.3)',
      remedy: 'register the slave host (POST /hosts) to check it',
    });
  });
});

describe('checkClockSkew', () => {
  it('measures each reading against the midpoint of its round trip', () => {
    expect(clockOffset(clock(10_050, 10_000, 10_100))).toEqual({ offsetMs: 0, uncertaintyMs: 51 });
    expect(clockOffset(clock(13_000, 10_000, 10_010))).toEqual({ offsetMs: 2995, uncertaintyMs: 6 });
  });

  it('passes when the skew with its uncertainty is within the limit', () => {
    const r = checkClockSkew([{ host: 'm1', value: clock(1_000_020, 1_000_000, 1_000_010) }], {
      host: 's1',
      value: clock(2_000_005, 2_000_000, 2_000_010),
    });
    expect(r).toEqual({
      name: 'clock_skew',
      result: 'passed',
      detail: `skew of each master host's clock against slave s1 (limit ${MAX_CLOCK_SKEW_MS} ms): m1: 15 ms ± 12 ms`,
    });
  });

  it('fails when even the most favourable reading is beyond the limit, naming the host', () => {
    const r = checkClockSkew(
      [
        { host: 'm1', value: clock(1_000_005, 1_000_000, 1_000_010) },
        { host: 'm2', value: clock(1_003_005, 1_000_000, 1_000_010) },
      ],
      { host: 's1', value: clock(5_000_005, 5_000_000, 5_000_010) },
    );
    expect(r.result).toBe('failed');
    expect(r.detail).toBe(
      `skew of each master host's clock against slave s1 (limit ${MAX_CLOCK_SKEW_MS} ms): m1: 0 ms ± 12 ms; m2: 3000 ms ± 12 ms`,
    );
    expect(r.remedy).toBe('synchronise the clocks of both sites (NTP, e.g. chrony) on every host');
  });

  it('warns when the round trip is too long to tell', () => {
    // 1900 ms apart, but each reading took 400 ms: anything from 1498 to 2302 ms is possible.
    const r = checkClockSkew([{ host: 'm1', value: clock(1_002_100, 1_000_000, 1_000_400) }], {
      host: 's1',
      value: clock(5_000_200, 5_000_000, 5_000_400),
    });
    expect(r.result).toBe('warning');
  });

  it('is unknown when the slave is not registered or its clock could not be read', () => {
    expect(checkClockSkew([{ host: 'm1', value: clock(1, 0, 2) }], null).result).toBe('unknown');
    expect(
      checkClockSkew([{ host: 'm1', value: clock(1, 0, 2) }], { host: 's1', error: 'connection refused' }),
    ).toMatchObject({
      result: 'unknown',
      detail: 'the clock of slave s1 could not be read: connection refused',
    });
  });
});

describe('checkSsh', () => {
  const target = { user: 'root', slaveHost: '10.200.0.2', port: 22 };
  const tried = (authenticated: boolean, exitCode: number, message = ''): SshProbeOutcome => ({
    kind: 'tried',
    authenticated,
    exitCode,
    message,
  });

  it('passes when every master host logs in, whatever the forced command on the slave answered', () => {
    expect(
      checkSsh(
        [
          { host: 'm1', value: tried(true, 1) },
          { host: 'm2', value: tried(true, 0) },
        ],
        target,
      ),
    ).toEqual({
      name: 'ssh',
      result: 'passed',
      detail: 'ssh with the geo-replication key to root@10.200.0.2 port 22: m1: logged in; m2: logged in',
    });
  });

  it('fails naming the host and what ssh said, with a remedy that names the port', () => {
    const r = checkSsh(
      [{ host: 'm1', value: tried(false, 255, 'ssh: connect to host 10.200.0.2 port 2299: Connection refused') }],
      { ...target, port: 2299 },
    );
    expect(r.result).toBe('failed');
    expect(r.detail).toBe(
      'ssh with the geo-replication key to root@10.200.0.2 port 2299: m1: cannot log in (ssh: connect to host 10.200.0.2 port 2299: Connection refused)',
    );
    expect(r.remedy).toMatch(
      /^make 10\.200\.0\.2 accept ssh on port 2299 from every master host, .*set the session's ssh-port option/,
    );
  });

  it('fails on a timeout and on a missing key', () => {
    expect(checkSsh([{ host: 'm1', value: tried(false, 124) }], target).detail).toContain(
      'm1: cannot log in (timed out)',
    );
    expect(checkSsh([{ host: 'm1', value: { kind: 'nokey' } }], target)).toMatchObject({
      result: 'failed',
      detail:
        'ssh with the geo-replication key to root@10.200.0.2 port 22: m1: has no geo-replication key (/var/lib/glusterd/geo-replication/secret.pem is missing)',
    });
  });

  it('is unknown when a master host could not be reached by the service (and nothing failed)', () => {
    const r = checkSsh(
      [
        { host: 'm1', value: tried(true, 1) },
        { host: 'm2', error: 'no answer within 15 s' },
      ],
      target,
    );
    expect(r.result).toBe('unknown');
    expect(r.detail).toContain('m2: not tried (no answer within 15 s)');
    expect(checkSsh([], target).result).toBe('unknown');
  });
});

describe('checkCapacity', () => {
  it('passes when the slave is at least as large', () => {
    expect(checkCapacity({ name: 'mastervol', sizeTotal: 2 ** 30 }, { name: 'site2vol', sizeTotal: 2 ** 30 })).toEqual({
      name: 'capacity',
      result: 'passed',
      detail: 'master mastervol 1.00 GiB (1073741824 bytes), slave site2vol 1.00 GiB (1073741824 bytes)',
    });
  });

  it('fails when the slave is smaller', () => {
    const r = checkCapacity({ name: 'mastervol', sizeTotal: 2 ** 31 }, { name: 'small', sizeTotal: 2 ** 30 });
    expect(r.result).toBe('failed');
    expect(r.detail).toBe(
      'the slave volume is smaller than the master volume: master mastervol 2.00 GiB (2147483648 bytes), slave small 1.00 GiB (1073741824 bytes)',
    );
  });

  it('is unknown without a managed slave volume or without sizes', () => {
    expect(checkCapacity({ name: 'mastervol', sizeTotal: 1 }, null).result).toBe('unknown');
    expect(checkCapacity({ name: 'mastervol', sizeTotal: null }, { name: 's', sizeTotal: 1 })).toMatchObject({
      result: 'unknown',
      detail: "the size of master mastervol is not known (gluster did not report every brick's size)",
    });
  });
});

describe('checkRsyncAccessMount (LAB.md pitfall 1)', () => {
  const at = (side: 'master' | 'slave', host: string, value: string | null) => ({ side, host, value });

  it('fails on rsync 3.5.0 with secondary-access-mount false or unset, naming the cause and the remedy', () => {
    for (const mount of ['false', null]) {
      const r = checkRsyncAccessMount([at('master', 'm1', '3.2.7'), at('slave', 's1', '3.5.0')], mount);
      expect(r.result).toBe('failed');
      expect(r.detail).toContain('LAB.md pitfall 1');
      expect(r.detail).toContain('slave s1: rsync 3.5.0');
      expect(r.remedy).toBe(
        'set secondary-access-mount true (POST …/options with name secondary-access-mount and value true)',
      );
    }
  });

  it('passes on rsync 3.5.0 with secondary-access-mount true', () => {
    expect(checkRsyncAccessMount([at('master', 'm1', '3.5.0')], 'true')).toMatchObject({ result: 'passed' });
  });

  it('passes without rsync 3.5.0, reporting the versions it saw', () => {
    expect(checkRsyncAccessMount([at('master', 'm1', '3.2.7'), at('slave', 's1', '3.2.7')], 'false')).toEqual({
      name: 'rsync_secondary_access_mount',
      result: 'passed',
      detail: 'no rsync 3.5.0 (secondary-access-mount is false). Seen: master m1: rsync 3.2.7; slave s1: rsync 3.2.7',
    });
  });

  it('does not mistake 3.5.01 or 13.5.0 for 3.5.0', () => {
    expect(checkRsyncAccessMount([at('master', 'm1', '3.5.01'), at('slave', 's1', '13.5.0')], 'false').result).toBe(
      'passed',
    );
  });

  it('warns when rsync is missing, is unknown when a host could not be read', () => {
    expect(checkRsyncAccessMount([at('master', 'm1', '3.2.7'), at('slave', 's1', null)], 'false').result).toBe(
      'warning',
    );
    expect(
      checkRsyncAccessMount([at('master', 'm1', '3.2.7'), { side: 'slave', host: 's1', error: 'refused' }], 'false')
        .result,
    ).toBe('unknown');
    expect(checkRsyncAccessMount([], null).result).toBe('unknown');
  });
});

describe('createVerdict (the preflight step of session creation)', () => {
  const check = (name: PreflightCheck['name'], result: PreflightCheck['result'], remedy?: string): PreflightCheck => ({
    name,
    result,
    detail: `${name} seen`,
    ...(remedy ? { remedy } : {}),
  });

  it('is advisory by default: failures and warnings are flagged with their remedy, nothing is refused', () => {
    const checks = [
      check('gluster_version', 'passed'),
      check('clock_skew', 'failed', 'sync the clocks (chrony)'),
      check('capacity', 'warning'),
      check('ssh', 'unknown'),
    ];
    expect(createVerdict(checks, false)).toEqual({
      flagged: [
        'clock_skew failed: clock_skew seen (remedy: sync the clocks (chrony))',
        'capacity warning: capacity seen',
      ],
      refusal: null,
    });
  });

  it('refuses on a failure only when enforced, naming the failures; warnings never refuse', () => {
    expect(createVerdict([check('clock_skew', 'failed', 'sync the clocks')], true).refusal).toBe(
      'Preflight failed (enforce_preflight): clock_skew failed: clock_skew seen (remedy: sync the clocks)',
    );
    expect(createVerdict([check('capacity', 'warning'), check('ssh', 'unknown')], true)).toEqual({
      flagged: ['capacity warning: capacity seen'],
      refusal: null,
    });
    expect(createVerdict([check('gluster_version', 'passed')], true)).toEqual({ flagged: [], refusal: null });
  });
});
