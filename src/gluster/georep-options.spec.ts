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
    for (const name of ['checkpoint', 'sync-jobs', 'use-meta-volume', 'secondary-access-mount', 'log-rsync-performance']) {
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

  it.each(['no-such-option', 'Sync-Jobs', '!sync-jobs', '--xml', 'sync jobs', '', 'a;b', 'x'.repeat(70)])('rejects %j', (n) => {
    expect(argError(() => requireGeoRepOption(n)).field).toBe('option');
  });

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
    ['special-sync-mode', 'blind', 'blind'],
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
    expect(normalizeGeoRepOption('ssh-options', '-oForwardAgent=no -oStrictHostKeyChecking=no -i /x.pem').value).toBe(
      '-oForwardAgent=no -oStrictHostKeyChecking=no -i /x.pem',
    );
  });
});
