import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SshTarget } from '../../src/ssh/endpoint';
import { SshConnectError, SshHostKeyMismatchError } from '../../src/ssh/errors';
import { ServiceKey } from '../../src/ssh/service-key';
import { SshClient } from '../../src/ssh/ssh-client';
import { CapturingLogger, HostKey, isRoot, makeHostKey, requireSshTools, TestSshd } from './support/sshd';

jest.setTimeout(60_000);

const describeAsRoot = isRoot() ? describe : describe.skip;
if (!isRoot()) process.stderr.write('SKIPPED test/ssh: the sshd tests run as root only\n');

/**
 * A throwaway local user with a temporary password stands in for a host's root account, against an
 * sshd that allows password logins. Root's own password is never touched.
 */
describeAsRoot('installing the service key with a one-time password', () => {
  const user = `georep-t-${crypto.randomBytes(4).toString('hex')}`;
  const password = `pw-${crypto.randomBytes(12).toString('base64url')}`;
  const serviceKey = ServiceKey.generate();
  const logger = new CapturingLogger();
  let dir: string;
  let home: string;
  let hostKey: HostKey;
  let sshd: TestSshd;
  let target: SshTarget;
  let userCreated = false;
  const clients: SshClient[] = [];

  function newClient(): SshClient {
    const client = new SshClient(serviceKey, { connectTimeoutMs: 20_000 }, logger);
    clients.push(client);
    return client;
  }

  const authorizedKeys = () => path.join(home, '.ssh', 'authorized_keys');

  beforeAll(async () => {
    requireSshTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-pw-'));
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user]);
    userCreated = true;
    execFileSync('chpasswd', { input: `${user}:${password}\n` });
    home = execFileSync('sh', ['-c', `getent passwd ${user} | cut -d: -f6`], { encoding: 'utf8' }).trim();
    hostKey = makeHostKey(dir, 'host_key');
    sshd = await TestSshd.start(dir, {
      hostKey,
      authorizedKeysFile: '.ssh/authorized_keys',
      passwordAuthentication: true,
      permitRootLogin: 'no',
    });
    target = { host: '127.0.0.1', port: sshd.port, username: user, pinnedFingerprint: null };
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sshd?.stop();
    if (userCreated) execFileSync('userdel', ['--force', '--remove', user], { stdio: 'ignore' });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts with a user that does not trust the service key', async () => {
    const error = await newClient()
      .exec(target, 'true')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshConnectError);
    expect((error as SshConnectError).reason).toBe('auth_failed');
  });

  it('refuses a host whose key differs from the pin before sending the password', async () => {
    const passwordsBefore = (sshd.log.match(/password for/g) ?? []).length;
    const otherKey = makeHostKey(dir, 'other_host_key');
    const error = await newClient()
      .installPublicKeyWithPassword(
        { ...target, pinnedFingerprint: otherKey.fingerprint },
        password,
        serviceKey.publicKey,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshHostKeyMismatchError);
    expect((sshd.log.match(/password for/g) ?? []).length).toBe(passwordsBefore);
    expect(fs.existsSync(authorizedKeys())).toBe(false);
  });

  it('refuses a wrong password and changes nothing', async () => {
    const error = await newClient()
      .installPublicKeyWithPassword(target, `${password}-wrong`, serviceKey.publicKey)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshConnectError);
    expect((error as SshConnectError).reason).toBe('auth_failed');
    expect(fs.existsSync(authorizedKeys())).toBe(false);
    // What the pin test above looks for does show up when a password is sent.
    expect(sshd.log).toMatch(new RegExp(`Failed password for ${user}`));
  });

  it('installs the key once, with the right modes, and the key then logs in', async () => {
    const client = newClient();
    const first = await client.installPublicKeyWithPassword(target, password, serviceKey.publicKey);
    expect(first).toEqual({ outcome: 'added', hostFingerprint: hostKey.fingerprint });

    const pinned = { ...target, pinnedFingerprint: first.hostFingerprint };
    const second = await client.installPublicKeyWithPassword(pinned, password, serviceKey.publicKey);
    expect(second.outcome).toBe('present');

    expect(fs.readFileSync(authorizedKeys(), 'utf8')).toBe(`${serviceKey.publicKey}\n`);
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const dirStat = fs.statSync(path.dirname(authorizedKeys()));
    const fileStat = fs.statSync(authorizedKeys());
    expect([dirStat.mode & 0o777, dirStat.uid]).toEqual([0o700, uid]);
    expect([fileStat.mode & 0o777, fileStat.uid]).toEqual([0o600, uid]);

    const login = await client.exec(pinned, 'id -un');
    expect(login.stdout).toBe(`${user}\n`);
    expect(sshd.log).toMatch(new RegExp(`Accepted publickey for ${user}`));
  });

  it('never logs the password', () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.text()).not.toContain(password);
    expect(logger.text()).not.toContain(serviceKey.privateKeyForAuthentication().split('\n')[1]);
  });
});
