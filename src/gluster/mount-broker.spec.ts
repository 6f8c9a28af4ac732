import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GlusterArgumentError, GlusterCommand } from './index';
import {
  clearRestartPendingCommand,
  geoRepLogPermissionsCommand,
  glusterdAnswersCommand,
  glusterdRestartShellCommand,
  mountBrokerExecuteProblem,
  mountBrokerPrepareCommand,
  mountBrokerSetupCommands,
  mountBrokerStateCommand,
  parseGlusterWorkdir,
  parseMountBrokerState,
  parsePrepareResult,
  parseSessionPemWritten,
  parseSlaveUserCheck,
  sessionPemWriteCommand,
  slavePeersWithoutKeys,
  slavePeersWithoutKeysWarning,
  slaveUserCheckCommand,
  slaveUserProblem,
} from './mount-broker';

/** Debian 12's stock glusterd.vol (GlusterFS 10.3): note the two spaces in `max-port  60999`. */
const DEBIAN_GLUSTERD_VOL = [
  'volume management',
  '    type mgmt/glusterd',
  '    option working-directory /var/lib/glusterd',
  '    option transport-type socket',
  '    option transport.socket.keepalive-time 10',
  '    option transport.socket.keepalive-interval 2',
  '    option transport.socket.read-fail-log off',
  '    option transport.socket.listen-port 24007',
  '    option ping-timeout 0',
  '    option event-threads 1',
  '#   option lock-timer 180',
  '#   option transport.address-family inet6',
  '#   option base-port 49152',
  '    option max-port  60999',
  'end-volume',
  '',
].join('\n');

const HOSTILE = [
  '; touch /tmp/pwned-mb',
  '$(touch /tmp/pwned-mb)',
  '`touch /tmp/pwned-mb`',
  'geo\nrm -rf /',
  '--help',
  'Geo Rep',
  '',
];

/** Runs a built command line through /bin/sh, as the SSH server's shell would. */
function sh(command: GlusterCommand, stdin = ''): string {
  return execFileSync('/bin/sh', ['-c', command.command], { input: stdin, encoding: 'utf8' });
}

describe('mount-broker commands', () => {
  let dir: string;
  let files: { glusterdVol: string; restartMarker: string };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-spec-'));
    files = { glusterdVol: path.join(dir, 'glusterd.vol'), restartMarker: path.join(dir, 'restart-pending') };
    fs.writeFileSync(files.glusterdVol, DEBIAN_GLUSTERD_VOL);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("builds oVirt's four set-up commands, single-quoted", () => {
    expect(mountBrokerSetupCommands('georep', 'geogroup', 'site2vol').map((c) => c.command)).toEqual([
      "'gluster' 'system::' 'execute' 'mountbroker' 'opt' 'mountbroker-root' '/var/mountbroker-root'",
      "'gluster' 'system::' 'execute' 'mountbroker' 'opt' 'geo-replication-log-group' 'geogroup'",
      "'gluster' 'system::' 'execute' 'mountbroker' 'opt' 'rpc-auth-allow-insecure' 'on'",
      "'gluster' 'system::' 'execute' 'mountbroker' 'user' 'georep' 'site2vol'",
    ]);
    expect(glusterdAnswersCommand('site2vol').command).toBe("'gluster' '--mode=script' 'volume' 'info' 'site2vol'");
  });

  it('refuses root and hostile user, group and volume names before building anything', () => {
    for (const bad of ['root', ...HOSTILE]) {
      expect(() => mountBrokerSetupCommands(bad, 'geogroup', 'site2vol')).toThrow(GlusterArgumentError);
      expect(() => slaveUserCheckCommand(bad, null)).toThrow(GlusterArgumentError);
      expect(() => mountBrokerStateCommand(bad, 'geogroup', 'site2vol')).toThrow(GlusterArgumentError);
    }
    for (const bad of HOSTILE) {
      expect(() => mountBrokerSetupCommands('georep', bad, 'site2vol')).toThrow(GlusterArgumentError);
      expect(() => slaveUserCheckCommand('georep', bad)).toThrow(GlusterArgumentError);
      expect(() => mountBrokerSetupCommands('georep', 'geogroup', bad)).toThrow(GlusterArgumentError);
      expect(() => sessionPemWriteCommand('/var/lib/glusterd', bad, 'site2vol')).toThrow(GlusterArgumentError);
      expect(() => sessionPemWriteCommand('/var/lib/glusterd', 'mastervol', bad)).toThrow(GlusterArgumentError);
      expect(() => sessionPemWriteCommand(bad, 'mastervol', 'site2vol')).toThrow(GlusterArgumentError);
    }
    expect(() => mountBrokerPrepareCommand('relative/root')).toThrow(GlusterArgumentError);
  });

  it('checks the user and group on a slave host: the given group, else the primary group', () => {
    // `daemon` (primary group daemon) and the group `nogroup` exist on every Debian system
    expect(parseSlaveUserCheck(sh(slaveUserCheckCommand('daemon', null)))).toEqual({ kind: 'ok', group: 'daemon' });
    expect(parseSlaveUserCheck(sh(slaveUserCheckCommand('daemon', 'daemon')))).toEqual({ kind: 'ok', group: 'daemon' });
    expect(parseSlaveUserCheck(sh(slaveUserCheckCommand('daemon', 'nogroup')))).toEqual({
      kind: 'not_member',
      group: 'nogroup',
    });
    expect(parseSlaveUserCheck(sh(slaveUserCheckCommand('no-such-user-mb', null)))).toEqual({ kind: 'no_user' });
    expect(parseSlaveUserCheck(sh(slaveUserCheckCommand('daemon', 'no-such-group-mb')))).toEqual({
      kind: 'no_group',
      group: 'no-such-group-mb',
    });
    expect(parseSlaveUserCheck('')).toBeNull();
    expect(parseSlaveUserCheck('member=yes $(x)')).toBeNull();
    expect(slaveUserProblem({ kind: 'no_group', group: 'geogroup' }, 'georep', 'h2')).toBe(
      "The group geogroup does not exist on the slave host h2; create it on every slave host and add georep to it (gluster's docs use geogroup), or give an existing user_group.",
    );
  });

  it('prepare makes the root 0711, sets the restart marker and normalises the option lines once, keeping a copy', () => {
    const root = path.join(dir, 'mbroot');
    const cmd = mountBrokerPrepareCommand(root, files);
    expect(parsePrepareResult(sh(cmd))).toEqual({ normalised: true });
    expect(fs.statSync(root).mode & 0o777).toBe(0o711);
    expect(fs.existsSync(files.restartMarker)).toBe(true);
    expect(fs.readFileSync(`${files.glusterdVol}.georep-api.orig`, 'utf8')).toBe(DEBIAN_GLUSTERD_VOL);
    expect(fs.readFileSync(files.glusterdVol, 'utf8')).toBe(
      DEBIAN_GLUSTERD_VOL.replace('option max-port  60999', 'option max-port 60999'),
    );
    // every option line now splits on single spaces into exactly three words (what peer_mountbroker needs)
    for (const line of fs.readFileSync(files.glusterdVol, 'utf8').split('\n')) {
      if (line.trim().startsWith('option')) expect(line.trim().split(' ')).toHaveLength(3);
    }
    // a second run changes nothing and keeps the first copy
    expect(parsePrepareResult(sh(cmd))).toEqual({ normalised: false });
    expect(fs.readFileSync(`${files.glusterdVol}.georep-api.orig`, 'utf8')).toBe(DEBIAN_GLUSTERD_VOL);
    sh(clearRestartPendingCommand(files));
    expect(fs.existsSync(files.restartMarker)).toBe(false);
  });

  it('reads whether glusterd.vol already holds the set-up and whether a restart is pending', () => {
    const state = () =>
      parseMountBrokerState(
        sh(mountBrokerStateCommand('georep', 'geogroup', 'site2vol', '/var/mountbroker-root', files)),
      );
    expect(state()).toEqual({ configured: false, pending: false });
    fs.appendFileSync(
      files.glusterdVol,
      [
        '    option mountbroker-root /var/mountbroker-root',
        '    option geo-replication-log-group geogroup',
        '    option rpc-auth-allow-insecure on',
        '    option mountbroker-geo-replication.georep othervol',
        '',
      ].join('\n'),
    );
    expect(state()).toEqual({ configured: false, pending: false }); // the user is allowed on another volume only
    fs.appendFileSync(files.glusterdVol, '    option mountbroker-geo-replication.georep othervol,site2vol\n');
    expect(state()).toEqual({ configured: true, pending: false });
    fs.writeFileSync(files.restartMarker, '');
    expect(state()).toEqual({ configured: true, pending: true });
    expect(
      parseMountBrokerState(
        sh(mountBrokerStateCommand('georep', 'othergroup', 'site2vol', '/var/mountbroker-root', files)),
      ),
    ).toEqual({ configured: false, pending: true });
    expect(parseMountBrokerState('garbage')).toBeNull();
  });

  it("tells peer_mountbroker's failures apart: it exits 0 with an error: line, gluster exits 1 when the script dies", () => {
    expect(mountBrokerExecuteProblem({ exitCode: 0, stdout: '', stderr: '' })).toBeNull();
    expect(
      mountBrokerExecuteProblem({
        exitCode: 0,
        stdout: 'error: the following arguments are required: opt_value\n',
        stderr: '',
      }),
    ).toBe('the following arguments are required: opt_value');
    expect(mountBrokerExecuteProblem({ exitCode: 1, stdout: '', stderr: 'Unable to end. Error : Success\n' })).toBe(
      'Unable to end. Error : Success',
    );
  });

  it("gives the slave's geo-rep log directories and glusterd's geo-replication directory to the group, as gluster-mountbroker setup does", () => {
    const logs = path.join(dir, 'geo-replication-secondaries');
    fs.mkdirSync(path.join(logs, 'mastervol_h2_site2vol'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(logs, 'mastervol_h2_site2vol', 'gsyncd.log'), 'x', { mode: 0o644 });
    const cmd = geoRepLogPermissionsCommand('daemon', [logs, path.join(dir, 'geo-replication-slaves')]);
    expect(cmd.argv.slice(3)).toEqual(['sh', 'daemon', logs, path.join(dir, 'geo-replication-slaves')]);
    expect(cmd.argv[2]).toContain('g=/var/lib/glusterd/geo-replication');
    // run it on the temporary tree only (the fixed glusterd directory is not touched when it is absent here)
    const local: GlusterCommand = {
      ...cmd,
      command: cmd.command.replace('g=/var/lib/glusterd/geo-replication', `g=${dir}/no-glusterd-dir`),
    };
    expect(sh(local)).toBe('permissions=ok\n');
    const gid = Number(execFileSync('getent', ['group', 'daemon'], { encoding: 'utf8' }).split(':')[2]);
    for (const p of [logs, path.join(logs, 'mastervol_h2_site2vol')]) {
      expect(fs.statSync(p).gid).toBe(gid);
      expect(fs.statSync(p).mode & 0o7777).toBe(0o770);
    }
    expect(fs.statSync(path.join(logs, 'mastervol_h2_site2vol', 'gsyncd.log')).mode & 0o777).toBe(0o660);
    expect(() => geoRepLogPermissionsCommand('$(x)')).toThrow(GlusterArgumentError);
  });

  it('runs the configured restart command through /bin/sh and refuses a multi-line one', () => {
    expect(glusterdRestartShellCommand('systemctl restart glusterd').argv).toEqual([
      '/bin/sh',
      '-c',
      'systemctl restart glusterd',
    ]);
    expect(glusterdRestartShellCommand('GLAB_DIR=/srv/x /opt/lab.sh glusterd-restart').command).toBe(
      "'/bin/sh' '-c' 'GLAB_DIR=/srv/x /opt/lab.sh glusterd-restart'",
    );
    expect(() => glusterdRestartShellCommand('a\nb')).toThrow(GlusterArgumentError);
    expect(() => glusterdRestartShellCommand(' ')).toThrow(GlusterArgumentError);
  });

  it("writes the session's pem file into glusterd's geo-replication directory: workdir and file name as positional arguments", () => {
    const cmd = sessionPemWriteCommand('/var/lib/glusterd', 'mastervol', 'site2vol');
    expect(cmd.argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(cmd.argv.slice(3)).toEqual(['sh', '/var/lib/glusterd', 'mastervol_site2vol_common_secret.pem.pub']);
    // user-home-writes.spec.ts runs it against planted links; here: it reads no home and renames, never writes by name
    expect(cmd.argv[2]).not.toMatch(/getent|home|runuser|authorized_keys/);
    expect(cmd.argv[2]).toContain('mv -f -T -- "$t" "$d/$name"');
    expect(() => sessionPemWriteCommand('relative/dir', 'mastervol', 'site2vol')).toThrow(GlusterArgumentError);
  });

  it("reads gluster's working directory and the write script's answer", () => {
    expect(parseGlusterWorkdir('/var/lib/glusterd\n')).toBe('/var/lib/glusterd');
    for (const bad of [
      '',
      '\n',
      'var/lib/glusterd\n',
      '/var/lib/glusterd\n/tmp\n',
      '/var/../etc\n',
      'Connection failed. Please check if gluster daemon is operational.\n',
    ]) {
      expect(parseGlusterWorkdir(bad)).toBeNull();
    }
    expect(parseSessionPemWritten('written=/var/lib/glusterd/geo-replication/m_s_common_secret.pem.pub\n')).toBe(
      '/var/lib/glusterd/geo-replication/m_s_common_secret.pem.pub',
    );
    expect(parseSessionPemWritten('')).toBeNull();
  });
});

describe('slave peers without keys', () => {
  const U1 = '11111111-1111-4111-8111-111111111111';
  const U2 = '22222222-2222-4222-8222-222222222222';
  const U3 = '33333333-3333-4333-8333-333333333333';
  const site2a = { name: 'site2-a', address: '10.200.0.2', peerUuid: U1 };
  const site2b = { name: 'site2-b', address: 'site2-b.example', peerUuid: null };
  const site2c = { name: 'site2-c', address: '10.200.0.9', peerUuid: U3 };

  it('none when every brick is on a host the job reached (glusterd UUID, else address or name, any case)', () => {
    const bricks = [
      { host: 'site2-a.lab', hostUuid: U1 },
      { host: 'SITE2-B.example', hostUuid: U2 },
      { host: 'site2-a', hostUuid: null },
    ];
    expect(slavePeersWithoutKeys(bricks, [site2a, site2b], [site2a, site2b])).toEqual([]);
  });

  it('names each other server once: without a host row, or a registered host that was not up', () => {
    const bricks = [
      { host: '10.200.0.2', hostUuid: U1 },
      { host: '10.200.0.7', hostUuid: U2 },
      { host: '10.200.0.7', hostUuid: U2 },
      { host: 'site2-c', hostUuid: U3 },
      { host: 'peer-d', hostUuid: null },
    ];
    expect(slavePeersWithoutKeys(bricks, [site2a], [site2a, site2c])).toEqual([
      { server: '10.200.0.7', registeredHost: null },
      { server: 'site2-c', registeredHost: 'site2-c' },
      { server: 'peer-d', registeredHost: null },
    ]);
    // an unmanaged slave host: no registered hosts, reached by its address
    expect(
      slavePeersWithoutKeys(bricks.slice(0, 2), [{ name: '10.200.0.2', address: '10.200.0.2', peerUuid: null }], []),
    ).toEqual([{ server: '10.200.0.7', registeredHost: null }]);
  });

  it('the warning names the peers, the file to copy and how to append it as the user', () => {
    const text = slavePeersWithoutKeysWarning(
      [
        { server: '10.200.0.7', registeredHost: null },
        { server: 'site2-c', registeredHost: 'site2-c' },
      ],
      'georep',
      'site2vol',
      '/var/lib/glusterd/geo-replication/mastervol_site2vol_common_secret.pem.pub',
      'site2-a',
    );
    expect(text).toContain(
      'Bricks of site2vol are on slave peers the service did not reach: 10.200.0.7 (no registered host), site2-c (host site2-c, not up).',
    );
    expect(text).toContain(
      'append the lines of /var/lib/glusterd/geo-replication/mastervol_site2vol_common_secret.pem.pub on site2-a to ~georep/.ssh/authorized_keys as georep',
    );
    expect(text).toContain("runuser -u georep -- sh -c 'cat >> ~/.ssh/authorized_keys'");
  });
});
