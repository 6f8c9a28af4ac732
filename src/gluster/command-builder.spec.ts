import { execFileSync } from 'child_process';
import {
  DEFAULT_GLUSTER_LIBEXEC_DIR,
  FailoverSlaveOption,
  GeoRepSessionRef,
  GlusterArgumentError,
  GlusterCommand,
  geoRepCheckpointNowCommand,
  geoRepConfigGetCommand,
  geoRepConfigListCommand,
  geoRepConfigResetCommand,
  geoRepConfigSetCommand,
  geoRepControlCommand,
  geoRepCreateCommand,
  geoRepDeleteCommand,
  geoRepPauseCommand,
  geoRepResumeCommand,
  geoRepSlaveUrl,
  geoRepStartCommand,
  geoRepStatusCommand,
  geoRepStopCommand,
  glusterUuidCommand,
  glusterVersionCommand,
  glusterWorkdirCommand,
  gsecCreateCommand,
  mountBrokerAllowInsecureCommand,
  mountBrokerLogGroupCommand,
  mountBrokerRootCommand,
  mountBrokerUserCommand,
  peerStatusCommand,
  poolListCommand,
  volumeInfoCommand,
  volumeSetReadOnlyCommand,
  volumeSetFailoverOptionCommand,
  volumeResetFailoverOptionCommand,
  volumeStatusDetailCommand,
} from './index';

const S: GeoRepSessionRef = { masterVolume: 'mastervol', slaveHost: 'vm', slaveVolume: 'slavevol' };
const GEO = `'gluster' '--mode=script' 'volume' 'geo-replication' 'mastervol' 'vm::slavevol'`;
const GEO_XML_CONFIG = `'gluster' '--mode=script' '--xml' 'volume' 'geo-replication' 'mastervol' 'vm::slavevol' 'config'`;

const HOSTILE = [
  'x;touch pwned',
  '$(id)',
  '`id`',
  'a\nb',
  '--option',
  '-x',
  "it's",
  'a"b',
  'a b',
  '',
  'a|b',
  '../x',
  'a\0b',
  '\u202e',
];

function argError(fn: () => unknown): GlusterArgumentError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GlusterArgumentError);
  return caught as GlusterArgumentError;
}

describe('command builder: exact command lines', () => {
  it.each<[string, () => GlusterCommand, string, boolean]>([
    ['version', glusterVersionCommand, `'gluster' '--version'`, false],
    ['uuid', glusterUuidCommand, `'gluster' 'system::' 'uuid' 'get'`, false],
    ['peer status', peerStatusCommand, `'gluster' '--mode=script' 'peer' 'status' '--xml'`, true],
    ['pool list', poolListCommand, `'gluster' '--mode=script' 'pool' 'list' '--xml'`, true],
    ['volume info (all)', () => volumeInfoCommand(), `'gluster' '--mode=script' 'volume' 'info' '--xml'`, true],
    [
      'volume info vol',
      () => volumeInfoCommand('mastervol'),
      `'gluster' '--mode=script' 'volume' 'info' 'mastervol' '--xml'`,
      true,
    ],
    [
      'volume status detail',
      () => volumeStatusDetailCommand('mastervol'),
      `'gluster' '--mode=script' 'volume' 'status' 'mastervol' 'detail' '--xml'`,
      true,
    ],
    [
      'volume status all detail',
      () => volumeStatusDetailCommand('all'),
      `'gluster' '--mode=script' 'volume' 'status' 'all' 'detail' '--xml'`,
      true,
    ],
    [
      'create no-verify',
      () => geoRepCreateCommand(S, { mode: 'no-verify' }),
      `${GEO} 'create' 'no-verify' '--xml'`,
      true,
    ],
    [
      'create push-pem force with ssh port',
      () => geoRepCreateCommand(S, { mode: 'push-pem', force: true, sshPort: 2222 }),
      `${GEO} 'create' 'ssh-port' '2222' 'push-pem' 'force' '--xml'`,
      true,
    ],
    [
      'create for a non-root user',
      () => geoRepCreateCommand({ ...S, slaveUser: 'geoaccount' }, { mode: 'no-verify' }),
      `'gluster' '--mode=script' 'volume' 'geo-replication' 'mastervol' 'geoaccount@vm::slavevol' 'create' 'no-verify' '--xml'`,
      true,
    ],
    ['start', () => geoRepStartCommand(S), `${GEO} 'start' '--xml'`, true],
    ['start force', () => geoRepStartCommand(S, { force: true }), `${GEO} 'start' 'force' '--xml'`, true],
    ['stop', () => geoRepStopCommand(S), `${GEO} 'stop' '--xml'`, true],
    ['stop force', () => geoRepStopCommand(S, { force: true }), `${GEO} 'stop' 'force' '--xml'`, true],
    ['pause', () => geoRepPauseCommand(S), `${GEO} 'pause' '--xml'`, true],
    ['resume force', () => geoRepResumeCommand(S, { force: true }), `${GEO} 'resume' 'force' '--xml'`, true],
    ['delete', () => geoRepDeleteCommand(S), `${GEO} 'delete' '--xml'`, true],
    [
      'delete reset-sync-time',
      () => geoRepDeleteCommand(S, { resetSyncTime: true }),
      `${GEO} 'delete' 'reset-sync-time' '--xml'`,
      true,
    ],
    [
      'global status',
      () => geoRepStatusCommand(),
      `'gluster' '--mode=script' 'volume' 'geo-replication' 'status' 'detail' '--xml'`,
      true,
    ],
    [
      'per-volume status',
      () => geoRepStatusCommand({ masterVolume: 'mastervol' }),
      `'gluster' '--mode=script' 'volume' 'geo-replication' 'mastervol' 'status' 'detail' '--xml'`,
      true,
    ],
    ['session status', () => geoRepStatusCommand(S), `${GEO} 'status' 'detail' '--xml'`, true],
    // --xml before `volume`: a trailing --xml is "Invalid option" for config on 10.3.
    ['config list', () => geoRepConfigListCommand(S), GEO_XML_CONFIG, true],
    ['config get', () => geoRepConfigGetCommand(S, 'checkpoint'), `${GEO} 'config' 'checkpoint'`, false],
    [
      'config get (underscore name)',
      () => geoRepConfigGetCommand(S, 'sync_jobs'),
      `${GEO} 'config' 'sync-jobs'`,
      false,
    ],
    ['config set', () => geoRepConfigSetCommand(S, 'sync-jobs', 2), `${GEO_XML_CONFIG} 'sync-jobs' '2'`, true],
    [
      'config set (legacy name)',
      () => geoRepConfigSetCommand(S, 'use_meta_volume', true),
      `${GEO_XML_CONFIG} 'use-meta-volume' 'true'`,
      true,
    ],
    [
      'config set ssh-options with spaces',
      () =>
        geoRepConfigSetCommand(
          S,
          'ssh-options',
          '-oPasswordAuthentication=no -i /var/lib/glusterd/geo-replication/secret.pem',
        ),
      `${GEO_XML_CONFIG} 'ssh-options' '-oPasswordAuthentication=no -i /var/lib/glusterd/geo-replication/secret.pem'`,
      true,
    ],
    ['config reset', () => geoRepConfigResetCommand(S, 'sync_jobs'), `${GEO_XML_CONFIG} '!sync-jobs'`, true],
    ['checkpoint now', () => geoRepCheckpointNowCommand(S), `${GEO_XML_CONFIG} 'checkpoint' 'now'`, true],
    ['gsec_create', gsecCreateCommand, `'gluster' 'system::' 'execute' 'gsec_create'`, false],
    [
      'mountbroker root',
      () => mountBrokerRootCommand(),
      `'gluster' 'system::' 'execute' 'mountbroker' 'opt' 'mountbroker-root' '/var/mountbroker-root'`,
      false,
    ],
    [
      'mountbroker log group',
      () => mountBrokerLogGroupCommand('geogroup'),
      `'gluster' 'system::' 'execute' 'mountbroker' 'opt' 'geo-replication-log-group' 'geogroup'`,
      false,
    ],
    [
      'mountbroker insecure',
      mountBrokerAllowInsecureCommand,
      `'gluster' 'system::' 'execute' 'mountbroker' 'opt' 'rpc-auth-allow-insecure' 'on'`,
      false,
    ],
    [
      'mountbroker user',
      () => mountBrokerUserCommand('geoaccount', 'slavevol'),
      `'gluster' 'system::' 'execute' 'mountbroker' 'user' 'geoaccount' 'slavevol'`,
      false,
    ],
    ['glusterd working directory', glusterWorkdirCommand, `'gluster' 'system::' 'getwd'`, false],
    [
      'slave volume read-only',
      () => volumeSetReadOnlyCommand('slavevol', true),
      `'gluster' '--mode=script' 'volume' 'set' 'slavevol' 'features.read-only' 'on'`,
      false,
    ],
    [
      'slave volume writable again',
      () => volumeSetReadOnlyCommand('slavevol', false),
      `'gluster' '--mode=script' 'volume' 'set' 'slavevol' 'features.read-only' 'off'`,
      false,
    ],
    [
      'failover: slave volume indexing on',
      () => volumeSetFailoverOptionCommand('slavevol', 'geo-replication.indexing', true),
      `'gluster' '--mode=script' 'volume' 'set' 'slavevol' 'geo-replication.indexing' 'on'`,
      false,
    ],
    [
      'failback: slave volume changelog back to its default',
      () => volumeResetFailoverOptionCommand('slavevol', 'changelog.changelog'),
      `'gluster' '--mode=script' 'volume' 'reset' 'slavevol' 'changelog.changelog'`,
      false,
    ],
    [
      'failback: slave volume indexing back to its default (protected: force)',
      () => volumeResetFailoverOptionCommand('slavevol', 'geo-replication.indexing'),
      `'gluster' '--mode=script' 'volume' 'reset' 'slavevol' 'geo-replication.indexing' 'force'`,
      false,
    ],
  ])('%s', (_label, build, expected, xml) => {
    const c = build();
    expect(c.command).toBe(expected);
    expect(c.expectsXml).toBe(xml);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('the argv matches the quoted command word for word', () => {
    const c = geoRepConfigSetCommand(
      S,
      'ssh-options',
      '-oPasswordAuthentication=no -i /var/lib/glusterd/geo-replication/secret.pem',
    );
    expect(c.argv).toEqual([
      'gluster',
      '--mode=script',
      '--xml',
      'volume',
      'geo-replication',
      'mastervol',
      'vm::slavevol',
      'config',
      'ssh-options',
      '-oPasswordAuthentication=no -i /var/lib/glusterd/geo-replication/secret.pem',
    ]);
    const words = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${c.command}`])
      .toString('utf8')
      .split('\0')
      .slice(0, -1);
    expect(words).toEqual(c.argv);
  });

  it('root is the default user: no root@ in the slave URL', () => {
    expect(geoRepSlaveUrl({ ...S, slaveUser: 'root' })).toBe('vm::slavevol');
    expect(geoRepSlaveUrl({ ...S, slaveUser: null })).toBe('vm::slavevol');
    expect(geoRepSlaveUrl({ ...S, slaveHost: '10.200.0.2', slaveVolume: 'site2vol' })).toBe('10.200.0.2::site2vol');
  });

  it('the libexec default is the Debian directory', () => {
    expect(DEFAULT_GLUSTER_LIBEXEC_DIR).toBe('/usr/lib/x86_64-linux-gnu/glusterfs');
  });
});

describe('command builder: hostile input is refused before any command exists', () => {
  const builders: Array<[string, (v: string) => GlusterCommand, string[]?]> = [
    ['volumeInfo', (v) => volumeInfoCommand(v)],
    ['volumeStatusDetail', (v) => volumeStatusDetailCommand(v)],
    ['masterVolume', (v) => geoRepStartCommand({ ...S, masterVolume: v })],
    ['slaveHost', (v) => geoRepStopCommand({ ...S, slaveHost: v })],
    ['slaveVolume', (v) => geoRepDeleteCommand({ ...S, slaveVolume: v })],
    ['slaveUser', (v) => geoRepCreateCommand({ ...S, slaveUser: v }, { mode: 'no-verify' })],
    ['status target', (v) => geoRepStatusCommand({ masterVolume: v })],
    ['config get name', (v) => geoRepConfigGetCommand(S, v)],
    ['config set name', (v) => geoRepConfigSetCommand(S, v, '2')],
    ['config set value', (v) => geoRepConfigSetCommand(S, 'sync-jobs', v)],
    // Free text may hold spaces and dots (`aux-gfid-mount acl`); it is still quoted as one word.
    ['config set text value', (v) => geoRepConfigSetCommand(S, 'gluster-params', v), ['a b', '../x']],
    ['config set path value', (v) => geoRepConfigSetCommand(S, 'meta-volume-mnt', v)],
    ['config set command value', (v) => geoRepConfigSetCommand(S, 'rsync-command', v)],
    ['config set checkpoint', (v) => geoRepConfigSetCommand(S, 'checkpoint', v)],
    ['config reset name', (v) => geoRepConfigResetCommand(S, v)],
    ['mountbroker root', (v) => mountBrokerRootCommand(v)],
    ['mountbroker group', (v) => mountBrokerLogGroupCommand(v)],
    ['mountbroker user', (v) => mountBrokerUserCommand(v, 'slavevol')],
    ['mountbroker volume', (v) => mountBrokerUserCommand('geoaccount', v)],
    ['read-only volume', (v) => volumeSetReadOnlyCommand(v, true)],
    ['failover option volume', (v) => volumeSetFailoverOptionCommand(v, 'changelog.changelog', true)],
    ['failback option volume', (v) => volumeResetFailoverOptionCommand(v, 'features.read-only')],
  ];

  const cases = builders.flatMap(([name, build, allowed = []]) =>
    HOSTILE.filter((v) => !allowed.includes(v)).map((v) => [name, JSON.stringify(v), build, v] as const),
  );

  it.each(cases)('%s = %s', (_name, _shown, build, value) => {
    argError(() => build(value));
  });

  it('nothing runs: every accepted command line, run through sh -c with echo as the program, prints its words', () => {
    // Values that pass validation but contain characters a shell would care about.
    const c = geoRepConfigSetCommand(S, 'changelog-archive-format', '%Y%m');
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${c.command}`]).toString();
    expect(out).toBe(`${c.argv.join('\n')}\n`);
  });

  it('text values with spaces stay one quoted word', () => {
    expect(geoRepConfigSetCommand(S, 'gluster-params', 'aux-gfid-mount acl').command).toBe(
      `${GEO_XML_CONFIG} 'gluster-params' 'aux-gfid-mount acl'`,
    );
  });

  it('refuses an IPv6 slave host (gluster splits the slave URL on ::)', () => {
    expect(argError(() => geoRepStartCommand({ ...S, slaveHost: 'fe80::1' })).field).toBe('slaveHost');
  });

  it('refuses a bad create mode, ssh port and control verb', () => {
    expect(argError(() => geoRepCreateCommand(S, { mode: 'verify' as 'no-verify' })).field).toBe('mode');
    expect(argError(() => geoRepCreateCommand(S, { mode: 'push-pem', sshPort: 70000 })).field).toBe('sshPort');
    expect(argError(() => geoRepControlCommand(S, 'restart' as 'start')).field).toBe('verb');
  });

  it('refuses reserved and internal options for set and reset, and unknown ones everywhere', () => {
    expect(argError(() => geoRepConfigSetCommand(S, 'gluster-command', 'gluster')).message).toContain('reserved');
    expect(argError(() => geoRepConfigSetCommand(S, 'pid_file', '/tmp/x.pid')).message).toContain('reserved');
    // GlusterFS 10.3 accepted this one (georep-config-readonly-option.txt); we do not.
    expect(argError(() => geoRepConfigSetCommand(S, 'primary-replica-count', 5)).message).toContain(
      'managed by gluster',
    );
    expect(argError(() => geoRepConfigResetCommand(S, 'state-file')).field).toBe('option');
    expect(argError(() => geoRepConfigGetCommand(S, 'no-such-option')).message).toContain('unknown');
  });

  it('read-only takes a boolean only', () => {
    expect(argError(() => volumeSetReadOnlyCommand('slavevol', 'on' as unknown as boolean)).field).toBe('readOnly');
    expect(
      argError(() => volumeSetFailoverOptionCommand('slavevol', 'features.shard' as FailoverSlaveOption, true)).field,
    ).toBe('option');
    expect(
      argError(() => volumeResetFailoverOptionCommand('slavevol', 'auth.allow' as FailoverSlaveOption)).field,
    ).toBe('option');
  });

  it('mountbroker user must not be root', () => {
    expect(argError(() => mountBrokerUserCommand('root', 'slavevol')).field).toBe('user');
  });
});
