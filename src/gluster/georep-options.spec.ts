import * as fs from 'fs';
import * as path from 'path';
import {
  GEOREP_OPTIONS,
  GlusterArgumentError,
  canonicalOptionName,
  findGeoRepOption,
  normalizeGeoRepOption,
  parseGeoRepConfigText,
  parseGeoRepConfigXml,
  requireGeoRepOption,
  requireSettableGeoRepOption,
} from './index';

const DIR = path.join(__dirname, '../../test/fixtures/gluster-10.3');
const out = (name: string) => ({ stdout: fs.readFileSync(path.join(DIR, name), 'utf8'), exitCode: 0 });

const created = parseGeoRepConfigText(out('georep-config.created.txt'));
const createdXml = parseGeoRepConfigXml(out('georep-config-xml.xml'));

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

describe('geo-rep option catalogue vs GlusterFS 10.3 config output', () => {
  const settable = GEOREP_OPTIONS.filter((o) => o.settable);

  it('names are unique, canonical (dashes) and lower-case', () => {
    const names = GEOREP_OPTIONS.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('lists the 46 settable options of ovirt-georep.md section 6', () => {
    expect(settable).toHaveLength(46);
  });

  it('every settable option appears in the real config output, with its default value', () => {
    for (const o of settable) {
      expect([o.name, created[o.name]]).toEqual([o.name, o.defaultValue]);
    }
  });

  it('every option gluster printed is in the catalogue (settable, reserved or internal)', () => {
    expect(Object.keys(created)).toHaveLength(67);
    expect(Object.keys(created).filter((n) => !findGeoRepOption(n))).toEqual([]);
    expect(createdXml).toEqual(created);
  });

  it('internal and reserved defaults that are fixed match the output too', () => {
    for (const o of GEOREP_OPTIONS.filter((x) => !x.settable && x.defaultValue !== null && x.name in created)) {
      expect([o.name, created[o.name]]).toEqual([o.name, o.defaultValue]);
    }
  });

  it('reserved options: gsync_reserved_opts; the ones gluster does not print are documented here', () => {
    const reserved = GEOREP_OPTIONS.filter((o) => o.reserved).map((o) => o.name);
    expect(reserved.sort()).toEqual(
      [
        'gluster-command',
        'pid-file',
        'state-file',
        'session-owner',
        'state-socket-unencoded',
        'socketdir',
        'local-id',
        'local-path',
        'secondary-id',
      ].sort(),
    );
    // Not in `config` output on 10.3: internal to gsyncd.
    expect(reserved.filter((n) => !(n in created)).sort()).toEqual(
      ['local-id', 'local-path', 'secondary-id', 'session-owner', 'socketdir'].sort(),
    );
  });

  it('only checkpoint and log-rsync-performance change without restarting the session', () => {
    expect(GEOREP_OPTIONS.filter((o) => !o.restartsSession).map((o) => o.name)).toEqual([
      'checkpoint',
      'log-rsync-performance',
    ]);
  });

  it('every default value of a settable option passes its own validation (or is empty)', () => {
    for (const o of settable) {
      if (o.defaultValue === '' || o.defaultValue === null) continue;
      expect(normalizeGeoRepOption(o.name, o.defaultValue).value).toBe(o.defaultValue);
    }
  });

  it('the modified session config passes validation for the options we changed', () => {
    const modified = parseGeoRepConfigText(out('georep-config.modified.txt'));
    for (const name of [
      'checkpoint',
      'sync-jobs',
      'use-meta-volume',
      'secondary-access-mount',
      'log-rsync-performance',
    ]) {
      expect(normalizeGeoRepOption(name, modified[name]).value).toBe(modified[name]);
    }
  });
});

describe('option names', () => {
  it.each([
    ['sync_jobs', 'sync-jobs'],
    ['use_meta_volume', 'use-meta-volume'],
    ['timeout', 'secondary-timeout'],
    ['slave-timeout', 'secondary-timeout'],
    ['slave_access_mount', 'secondary-access-mount'],
    ['isolated-slaves', 'isolated-secondarys'],
    ['master_replica_count', 'primary-replica-count'],
    ['use-tarssh', 'sync-method'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalOptionName(input)).toBe(canonical);
    expect(requireGeoRepOption(input).name).toBe(canonical);
  });

  it.each(['no-such-option', 'Sync-Jobs', '!sync-jobs', '--xml', 'sync jobs', '', 'a;b', 'x'.repeat(70)])(
    'rejects %j',
    (n) => {
      expect(argError(() => requireGeoRepOption(n)).field).toBe('option');
    },
  );

  it('reserved and internal options are known but not settable', () => {
    expect(requireGeoRepOption('pid-file').reserved).toBe(true);
    expect(argError(() => requireSettableGeoRepOption('state_socket_unencoded')).message).toContain('reserved');
    expect(argError(() => requireSettableGeoRepOption('working-dir')).message).toContain('managed by gluster');
  });
});

describe('option values by type', () => {
  it.each<[string, unknown, string]>([
    ['sync-jobs', 2, '2'],
    ['sync-jobs', '100', '100'],
    ['ssh-port', '2222', '2222'],
    ['secondary-timeout', 0, '0'],
    ['use-meta-volume', true, 'true'],
    ['ignore-deletes', 'FALSE', 'false'],
    ['log-level', 'debug', 'DEBUG'],
    ['sync-method', 'tarssh', 'tarssh'],
    ['change-detector', 'xsync', 'xsync'],
    ['checkpoint', 'now', 'now'],
    ['checkpoint', '1795314191', '1795314191'],
    ['checkpoint', 1795314191, '1795314191'],
    ['meta-volume-mnt', '/run/gluster/shared_storage', '/run/gluster/shared_storage'],
    ['rsync-command', '/usr/local/bin/rsync', '/usr/local/bin/rsync'],
    ['ssh-command', 'ssh', 'ssh'],
    ['rsync-options', '-z --bwlimit=1000', '-z --bwlimit=1000'],
    ['rsync-ssh-options', '-c aes128-ctr', '-c aes128-ctr'],
    ['gluster-params', 'aux-gfid-mount acl', 'aux-gfid-mount acl'],
    ['changelog-archive-format', '%Y%m%d', '%Y%m%d'],
    ['allow-network', '192.0.2.0/24,10.0.0.1', '192.0.2.0/24,10.0.0.1'],
    ['isolated-secondarys', 'node1.example.com,node2', 'node1.example.com,node2'],
    ['special-sync-mode', 'recover', 'recover'],
  ])('%s = %j → %j', (name, value, expected) => {
    expect(normalizeGeoRepOption(name, value)).toMatchObject({ name, value: expected });
  });

  it('use-tarssh (legacy boolean) becomes sync-method', () => {
    expect(normalizeGeoRepOption('use_tarssh', 'true')).toMatchObject({ name: 'sync-method', value: 'tarssh' });
    expect(normalizeGeoRepOption('use-tarssh', false)).toMatchObject({ name: 'sync-method', value: 'rsync' });
    expect(argError(() => normalizeGeoRepOption('use-tarssh', 'yes')).field).toBe('option.use-tarssh');
  });

  it.each<[string, unknown]>([
    ['sync-jobs', 0],
    ['sync-jobs', 101],
    ['sync-jobs', 'notanumber'],
    ['sync-jobs', '2.5'],
    ['sync-jobs', ' 2'],
    ['sync-jobs', ''],
    ['ssh-port', 0],
    ['ssh-port', 65536],
    ['use-meta-volume', 'yes'],
    ['use-meta-volume', '1'],
    ['log-level', 'TRACE'],
    ['sync-method', 'RSYNC'],
    ['checkpoint', 'later'],
    ['checkpoint', '-1'],
    ['checkpoint', 'now; id'],
    ['meta-volume-mnt', 'relative'],
    ['meta-volume-mnt', '/a/../b'],
    ['meta-volume-mnt', '/a b'],
    ['rsync-command', '-rsync'],
    ['rsync-command', 'rsync --daemon'],
    ['rsync-command', '/tmp/../bin/sh'],
    ['ssh-options', '-oProxyCommand=touch /tmp/pwned'],
    ['ssh-options', '-o ProxyCommand=nc x 22'],
    ['ssh-options', '-oLocalCommand=id -oPermitLocalCommand=yes'],
    ['ssh-options', '-F /tmp/evil_config'],
    ['ssh-options', '-qJ jump.example.com'],
    ['rsync-ssh-options', '-oKnownHostsCommand=/bin/id'],
    // A leading -- would be taken by the gluster CLI for one of its own options.
    ['rsync-options', '--bwlimit=1000'],
    ['rsync-options', '-a -e /tmp/evil'],
    ['rsync-options', '-avze /tmp/evil'],
    ['rsync-options', '-a --rsync-path=/tmp/evil'],
    ['rsync-options', '-M--log-file=/etc/x'],
    ['gluster-params', '-o evil'],
    ['gluster-params', 'a;b'],
    ['gluster-params', '$(id)'],
    ['gluster-params', 'a\nb'],
    ['gluster-params', 'x'.repeat(1025)],
    ['allow-network', '1.2.3.4;id'],
    ['allow-network', '1.2.3.4/x'],
    ['special-sync-mode', 'none'],
    ['sync-jobs', { toString: () => '2' }],
    ['sync-jobs', null],
  ])('%s = %j is refused', (name, value) => {
    const err = argError(() => normalizeGeoRepOption(name, value));
    expect(err.field).toBe(`option.${name}`);
    // The message never echoes shell metacharacters raw.
    expect(err.message.replace(/\\u[0-9a-f]{4}/g, '')).not.toMatch(/[;$`\n]/);
  });

  it('ssh options that only look similar are fine', () => {
    expect(
      normalizeGeoRepOption(
        'ssh-options',
        '-oForwardAgent=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/x.pem',
      ).value,
    ).toBe('-oForwardAgent=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/x.pem');
  });
});

/**
 * Issue 17: gsyncd runs these programs and option words as root on every master node at the next
 * restart, so the service takes only allow-listed ones (DESIGN.md section 7).
 */
describe('options that name programs or hold their flags are allow-listed', () => {
  const refused = (name: string, value: string) => argError(() => normalizeGeoRepOption(name, value));

  it.each<[string, string]>([
    ['ssh-command', 'ssh'],
    ['ssh-command', '/usr/bin/ssh'],
    ['ssh-command', '/bin/ssh'],
    ['rsync-command', 'rsync'],
    ['rsync-command', '/usr/bin/rsync'],
    ['rsync-command', '/usr/local/bin/rsync'],
    ['tar-command', 'tar'],
    ['tar-command', '/bin/tar'],
  ])('%s = %s is allowed', (name, value) => {
    expect(normalizeGeoRepOption(name, value).value).toBe(value);
  });

  it.each<[string, string]>([
    ['ssh-command', 'rm'],
    ['ssh-command', '/bin/rm'],
    ['ssh-command', 'rsync'],
    ['ssh-command', '/tmp/ssh'],
    ['ssh-command', '/usr/bin/sshd'],
    ['ssh-command', 'bash'],
    ['rsync-command', '/bin/sh'],
    ['rsync-command', '/home/georep/rsync'],
    ['rsync-command', 'python3'],
    ['tar-command', '/usr/bin/find'],
    ['tar-command', 'ssh'],
    // gsyncd.conf's comment names these, but gluster 10's gsyncd has no BlindMixin or WrapupMixin: it would stop.
    ['special-sync-mode', 'blind'],
    ['special-sync-mode', 'wrapup'],
  ])('%s = %s is refused', (name, value) => {
    expect(refused(name, value).message).toContain('is not one of');
  });

  it.each<[string, string]>([
    // the brief's example: ssh-command=rm with these options would remove glusterd's state on every master
    ['ssh-options', '-rf /var/lib/glusterd --'],
    ['ssh-options', '-oPasswordAuthentication=no --'],
    ['ssh-options', '-I /tmp/evil.so'],
    ['ssh-options', '-oPKCS11Provider=/tmp/evil.so'],
    ['ssh-options', '-o PKCS11Provider=/tmp/evil.so'],
    ['ssh-options', '-oSecurityKeyProvider=/tmp/evil.so'],
    ['ssh-options', '-oProxyCommand=nc x 22'],
    ['ssh-options', '-oproxycommand=/tmp/x'],
    ['ssh-options', '-oLocalCommand=/tmp/x'],
    ['ssh-options', '-oKnownHostsCommand=/tmp/x'],
    ['ssh-options', '-oUserKnownHostsFile=/root/.ssh/authorized_keys'],
    ['ssh-options', '-oControlPath=/etc/x'],
    ['ssh-options', '-oForwardAgent=yes'],
    ['ssh-options', '-oInclude=/tmp/x'],
    ['ssh-options', '-E /etc/shadow'],
    ['ssh-options', '-A'],
    ['ssh-options', '-R 9000:localhost:22'],
    ['ssh-options', '-l root'],
    ['ssh-options', '-i /root/.ssh/id_rsa'],
    ['ssh-options', '-i /var/lib/glusterd/geo-replication/../../../root/.ssh/id_rsa'],
    ['ssh-options', '-i'],
    ['ssh-options', '-p 22x'],
    ['ssh-options-tar', '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -F /tmp/evil_config'],
    ['rsync-ssh-options', '-oPKCS11Provider=/tmp/evil.so'],
    ['rsync-options', '-z --log-file=/etc/shadow'],
    ['rsync-options', '-z --'],
    ['rsync-options', '-z --rsh=/tmp/evil'],
    ['rsync-options', '-z --rsync-path=/tmp/evil'],
    ['rsync-options', '-z --remote-option=--log-file=/etc/x'],
    ['rsync-options', '-z --write-batch=/etc/x'],
    ['rsync-options', '-z --temp-dir=/etc'],
    ['rsync-options', '-z --files-from=/etc/shadow'],
    ['rsync-options', '-z --copy-links'],
    ['rsync-options', '-zL'],
    ['rsync-options', '-z --delete'],
    ['rsync-options', '-z --remove-source-files'],
    ['rsync-options', '-z --bwlimit'],
    ['rsync-options', '-z --compress=1'],
    ['rsync-options', '-ze'],
    ['rsync-options', 'evil'],
    ['gluster-params', 'aux-gfid-mount acl log-file=/etc/shadow'],
    ['gluster-params', 'aux-gfid-mount pid-file=/etc/passwd'],
    ['gluster-params', 'aux-gfid-mount volfile=/tmp/evil.vol'],
    ['secondary-gluster-params', 'aux-gfid-mount dump-fuse=/etc/x'],
    ['gluster-cli-options', 'x --log-file=/etc/shadow'],
    ['gluster-cli-options', '-x'],
    ['gluster-command-dir', '/tmp'],
    ['secondary-gluster-command-dir', '/home/georep/bin'],
    ['remote-gsyncd', '/bin/sh'],
  ])('%s = %j is refused', (name, value) => {
    const err = refused(name, value);
    expect(err.field).toBe(`option.${name}`);
  });

  it('names the refused word and points at the documented list', () => {
    expect(refused('ssh-options', '-oStrictHostKeyChecking=no -oPKCS11Provider=/tmp/evil.so').message).toBe(
      'option.ssh-options: the ssh option "-oPKCS11Provider\\u003d/tmp/evil.so" is not on the allow-list (see README.md, session options)',
    );
    expect(refused('rsync-options', '-z --log-file=/etc/shadow').message).toContain(
      'the rsync option "--log-file\\u003d/etc/shadow"',
    );
  });

  it.each<[string, string]>([
    [
      'ssh-options',
      '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/secret.pem',
    ],
    [
      'ssh-options',
      '-oPasswordAuthentication=no -oStrictHostKeyChecking=accept-new -oUserKnownHostsFile=/dev/null -i /var/lib/glusterd/geo-replication/secret.pem',
    ],
    [
      'ssh-options',
      '-o ConnectTimeout=10 -oServerAliveInterval=15 -oServerAliveCountMax=3 -oCompression=yes -c aes128-gcm@openssh.com -p 2222 -4',
    ],
    ['ssh-options', '-oCiphers=aes256-ctr,aes128-ctr -oIdentitiesOnly=yes -oBatchMode=yes -oLogLevel=ERROR -qx'],
    [
      'ssh-options-tar',
      '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/tar_ssh.pem',
    ],
    ['rsync-ssh-options', '-c aes128-ctr -oCompression=no'],
    ['rsync-options', '-z --bwlimit=1000'],
    ['rsync-options', '-z --compress-level=3 --timeout=600 --sparse --acls --xattrs --hard-links'],
    ['rsync-options', '-S --bwlimit=10M --checksum-choice=xxh128 --zc=zstd'],
    ['gluster-params', 'aux-gfid-mount acl'],
    ['secondary-gluster-params', 'aux-gfid-mount acl attribute-timeout=0 entry-timeout=0'],
    ['gluster-command-dir', '/usr/sbin'],
    ['remote-gsyncd', '/usr/libexec/glusterfs/gsyncd'],
  ])('%s = %j is allowed', (name, value) => {
    expect(normalizeGeoRepOption(name, value).value).toBe(value);
  });

  it("gluster's defaults of every settable option read from a fresh session can be set back", () => {
    for (const o of GEOREP_OPTIONS.filter((x) => x.settable && created[x.name] !== '')) {
      expect([o.name, normalizeGeoRepOption(o.name, created[o.name]).value]).toEqual([o.name, created[o.name]]);
    }
  });
});
