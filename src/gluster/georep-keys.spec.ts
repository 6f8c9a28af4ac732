import {
  appendAuthorizedKeysCommand,
  brickEmptyCheckCommand,
  checkAuthorizedKeysCommand,
  parseAppendResult,
  parseBrickEmptyCheck,
  parseCommonSecretPem,
  parseMissingCount,
  parsePlainPublicKey,
  sshTrustCheckCommand,
} from './georep-keys';

const B64 = 'AAAAB3NzaC1yc2EAAAADAQABAAABgQC3rWfM3dj2wDGlFloXLSYBCXx5';
const GSYNCD = `command="/usr/lib/x86_64-linux-gnu/glusterfs/gsyncd" ssh-rsa ${B64} root@vm`;
const TAR = `command="tar \${SSH_ORIGINAL_COMMAND#* }" ssh-rsa ${B64}= root@vm`;

describe('parseCommonSecretPem', () => {
  it('takes the gsyncd and tar lines gsec_create writes, once each', () => {
    expect(parseCommonSecretPem(`${GSYNCD}\n${TAR}\n${GSYNCD}\n\n`)).toEqual([GSYNCD, TAR]);
  });
  it.each([
    ['empty', ''],
    ['a plain key', `ssh-rsa ${B64} x`],
    ['a quote in the command', `command="/x" ; rm -rf /" ssh-rsa ${B64}`],
    ['shell in the command', `command="$(reboot)" ssh-rsa ${B64}`],
    ['an extra option', `command="/x",no-pty ssh-rsa ${B64}`],
  ])('refuses %s', (_, text) => {
    expect(() => parseCommonSecretPem(text)).toThrow();
  });

  it.each([
    '/usr/libexec/glusterfs/gsyncd',
    '/usr/lib/glusterfs/gsyncd',
    '/usr/lib/aarch64-linux-gnu/glusterfs/gsyncd',
  ])('takes the gsyncd line of another distribution (%s)', (gsyncd) => {
    const line = `command="${gsyncd}" ssh-ed25519 ${B64} root@rpm-host`;
    expect(parseCommonSecretPem(`${line}\n${TAR}\n`)).toEqual([line, TAR]);
  });

  // Issue 17: a master's common_secret.pem.pub reaches every slave's authorized_keys; only gluster's own
  // forced commands may come with it, whatever else fits the character set.
  it.each([
    ['a shell as the forced command', '/bin/sh'],
    ['bash reading the client command', 'bash -c ${SSH_ORIGINAL_COMMAND}'],
    ['rm', 'rm -rf /var/lib/glusterd'],
    ['a gsyncd elsewhere', '/tmp/gsyncd'],
    ['gsyncd with arguments', '/usr/lib/x86_64-linux-gnu/glusterfs/gsyncd --config-set-rx x'],
    ['a gsyncd path with ..', '/usr/libexec/glusterfs/../../../tmp/gsyncd'],
    ['tar running the whole client command', 'tar ${SSH_ORIGINAL_COMMAND}'],
    ['tar with an extra option', 'tar --to-command=sh ${SSH_ORIGINAL_COMMAND#* }'],
    ['the client command itself', '${SSH_ORIGINAL_COMMAND}'],
    ['an empty command', ''],
  ])('refuses %s', (_, command) => {
    expect(() => parseCommonSecretPem(`${GSYNCD}\ncommand="${command}" ssh-rsa ${B64} root@vm\n`)).toThrow(
      'holds a line that is not a geo-replication key',
    );
  });
});

describe('parsePlainPublicKey', () => {
  it('takes a key line and refuses options', () => {
    expect(parsePlainPublicKey(`ssh-ed25519 ${B64} root@vm\n`)).toBe(`ssh-ed25519 ${B64} root@vm`);
    expect(() => parsePlainPublicKey(GSYNCD)).toThrow();
  });
});

describe('commands', () => {
  it('quote every word and validate the user', () => {
    // a non-root account's home is written as that account; root's own as root
    expect(appendAuthorizedKeysCommand('georep').command).toMatch(
      /^'runuser' '-u' 'georep' '--' '\/bin\/sh' '-c' '.*' 'sh'$/s,
    );
    expect(checkAuthorizedKeysCommand('georep').argv.slice(0, 5)).toEqual(['runuser', '-u', 'georep', '--', '/bin/sh']);
    expect(checkAuthorizedKeysCommand('root').argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(appendAuthorizedKeysCommand('root').argv.at(-1)).toBe('sh');
    for (const hostile of ['root; rm -rf /', '$(id)', '`id`', 'a\nb', '--help']) {
      expect(() => appendAuthorizedKeysCommand(hostile)).toThrow();
      expect(() => sshTrustCheckCommand(hostile, 'h')).toThrow();
      expect(() => sshTrustCheckCommand('root', hostile)).toThrow();
      if (hostile !== '--help') expect(() => brickEmptyCheckCommand(`/srv/${hostile}`)).toThrow();
    }
    expect(sshTrustCheckCommand('root', '10.200.0.2').command).toBe(
      "'ssh' '-o' 'BatchMode=yes' '-o' 'StrictHostKeyChecking=accept-new' '-o' 'ConnectTimeout=10' '-p' '22' 'root@10.200.0.2' 'true'",
    );
    expect(brickEmptyCheckCommand('/srv/b1').command).toBe(
      "'find' '/srv/b1' '-mindepth' '1' '-maxdepth' '1' '!' '-name' '.glusterfs' '!' '-name' '.trashcan' '-print' '-quit'",
    );
  });
  it('parse their outputs', () => {
    expect(parseAppendResult('added=2 present=0\n')).toEqual({ added: 2, present: 0 });
    expect(parseAppendResult('')).toBeNull();
    expect(parseMissingCount('missing=1\n')).toBe(1);
    expect(parseBrickEmptyCheck({ exitCode: 0, stdout: '' })).toBe(true);
    expect(parseBrickEmptyCheck({ exitCode: 0, stdout: '/srv/b/x\n' })).toBe(false);
    expect(parseBrickEmptyCheck({ exitCode: 1, stdout: '' })).toBeNull();
  });
});
