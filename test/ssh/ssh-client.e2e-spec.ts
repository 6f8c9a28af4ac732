import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePort } from '../../src/embedded/free-port';
import { isAlive } from '../../src/embedded/process-tools';
import { ServiceKey } from '../../src/ssh/service-key';
import { SshClient, SshExecResult } from '../../src/ssh/ssh-client';
import { SshClientOptions } from '../../src/ssh/ssh-options';
import { SshTarget } from '../../src/ssh/endpoint';
import {
  SshCommandTimeoutError,
  SshConnectError,
  SshConnectionLostError,
  SshHostKeyMismatchError,
  SshNoEndpointReachableError,
} from '../../src/ssh/errors';
import { CapturingLogger, HostKey, isRoot, makeHostKey, requireSshTools, TestSshd, waitUntil } from './support/sshd';

jest.setTimeout(60_000);

const describeAsRoot = isRoot() ? describe : describe.skip;
if (!isRoot()) process.stderr.write('SKIPPED test/ssh: the sshd tests run as root only\n');

/** Expects the promise to reject with an instance of `type` and returns the error for further checks. */
async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

describeAsRoot('SshClient against a real sshd', () => {
  const identity = ServiceKey.generate();
  let dir: string;
  let hostKey: HostKey;
  let sshd: TestSshd;
  let secondSshd: TestSshd;
  let target: SshTarget;
  let secondTarget: SshTarget;
  const clients: SshClient[] = [];

  function newClient(options: Partial<SshClientOptions> = {}, key = identity): SshClient {
    const client = new SshClient(key, { connectTimeoutMs: 20_000, ...options }, new CapturingLogger());
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    requireSshTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-ssh-'));
    const authorizedKeys = path.join(dir, 'authorized_keys');
    fs.writeFileSync(authorizedKeys, `${identity.publicKey}\n`);
    hostKey = makeHostKey(dir, 'host_key');
    sshd = await TestSshd.start(dir, { hostKey, authorizedKeysFile: authorizedKeys });
    secondSshd = await TestSshd.start(dir, { hostKey, authorizedKeysFile: authorizedKeys });
    target = { host: '127.0.0.1', port: sshd.port, username: 'root', pinnedFingerprint: hostKey.fingerprint };
    secondTarget = { ...target, port: secondSshd.port };
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await sshd?.stop();
    await secondSshd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('exec', () => {
    it('returns the exit code with stdout and stderr apart', async () => {
      const result = await newClient().exec(target, 'echo out; echo err >&2; exit 3');
      expect(result).toEqual<SshExecResult>({
        exitCode: 3,
        signal: null,
        stdout: 'out\n',
        stderr: 'err\n',
        stdoutTruncated: false,
        stderrTruncated: false,
        endpoint: { host: '127.0.0.1', port: sshd.port, username: 'root' },
        hostFingerprint: hostKey.fingerprint,
      });
    });

    it('feeds stdin and closes it', async () => {
      const result = await newClient().exec(target, 'cat; echo "<eof>"', { stdin: 'line one\nline two\n' });
      expect(result.stdout).toBe('line one\nline two\n<eof>\n');
    });

    it('gives a command without stdin an immediate end of input', async () => {
      const result = await newClient().exec(target, 'wc -c');
      expect(result.stdout.trim()).toBe('0');
    });

    it('reports the signal that ended a command', async () => {
      const result = await newClient().exec(target, 'kill -TERM $$');
      expect(result.exitCode).toBeNull();
      expect(result.signal).toBe('SIGTERM');
    });

    it('caps stdout and stderr and says so', async () => {
      const result = await newClient().exec(
        target,
        "head -c 200000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero | tr '\\0' b >&2; echo done >&2",
        {
          maxStdoutBytes: 1000,
          maxStderrBytes: 100,
        },
      );
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('a'.repeat(1000));
      expect(result.stderr).toBe('b'.repeat(100));
      expect(result.stdoutTruncated).toBe(true);
      expect(result.stderrTruncated).toBe(true);
    });

    it('keeps non-ASCII output intact', async () => {
      const result = await newClient().exec(target, "printf 'gr\\303\\274n \\342\\234\\223\\n'");
      expect(result.stdout).toBe('grün ✓\n');
    });
  });

  describe('pool', () => {
    it('runs two commands over one connection', async () => {
      const client = newClient();
      await client.exec(target, 'true');
      await client.exec(target, 'true');
      expect(client.stats(target)).toMatchObject({
        connectionsOpened: 1,
        commandsStarted: 2,
        connected: true,
        activeCommands: 0,
      });
    });

    it('shares one connect between commands that start together', async () => {
      const client = newClient();
      const results = await Promise.all([1, 2, 3].map((n) => client.exec(target, `echo ${n}`)));
      expect(results.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n']);
      expect(client.stats(target).connectionsOpened).toBe(1);
    });

    it('runs at most the cap at once and queues the rest', async () => {
      const client = newClient({ maxConcurrentCommandsPerEndpoint: 2 });
      const work = fs.mkdtempSync(path.join(dir, 'cap-'));
      const release = path.join(work, 'release');
      const running = [1, 2, 3, 4, 5, 6].map((n) =>
        client.exec(target, `touch ${work}/started.${n}; while [ ! -e ${release} ]; do sleep 0.05; done; echo ${n}`),
      );
      const started = () => fs.readdirSync(work).filter((f) => f.startsWith('started.')).length;
      await waitUntil(
        'two commands run and four wait',
        () => started() === 2 && client.stats(target).queuedCommands === 4,
      );
      expect(client.stats(target)).toMatchObject({ activeCommands: 2, queuedCommands: 4 });
      expect(started()).toBe(2);
      fs.writeFileSync(release, '');
      const results = await Promise.all(running);
      expect(results.map((r) => r.stdout.trim())).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(started()).toBe(6);
      expect(client.stats(target)).toMatchObject({
        maxActiveCommands: 2,
        activeCommands: 0,
        queuedCommands: 0,
        commandsStarted: 6,
        connectionsOpened: 1,
      });
    });

    it('closes a connection left idle and opens a new one when needed', async () => {
      const client = newClient({ idleTimeoutMs: 100 });
      await client.exec(target, 'true');
      await waitUntil(
        'the idle connection is closed',
        () => !client.stats(target).connected && client.stats(target).connectionsClosed === 1,
      );
      await client.exec(target, 'true');
      expect(client.stats(target)).toMatchObject({ connectionsOpened: 2, connectionsClosed: 1, connected: true });
    });

    it('refuses new commands once closed', async () => {
      const client = newClient();
      await client.exec(target, 'true');
      await client.close();
      expect(client.stats(target).connected).toBe(false);
      await expect(client.exec(target, 'true')).rejects.toThrow(/shutting down/);
    });

    it('lets a running command finish when closing', async () => {
      const client = newClient();
      const release = path.join(dir, 'close-release');
      const running = client.exec(target, `while [ ! -e ${release} ]; do sleep 0.05; done; echo finished`);
      await waitUntil(
        'the command runs',
        () => client.stats(target).activeCommands === 1 && client.stats(target).commandsStarted === 1,
      );
      const closing = client.close();
      fs.writeFileSync(release, '');
      expect((await running).stdout).toBe('finished\n');
      await closing;
    });

    it('reports a connection lost under a running command', async () => {
      const client = newClient();
      const release = path.join(dir, 'lost-release');
      const running = client.exec(target, `while [ ! -e ${release} ]; do sleep 0.05; done`);
      await waitUntil('the command runs', () => client.stats(target).commandsStarted === 1);
      client.disconnect(target);
      await rejection(running, SshConnectionLostError);
      fs.writeFileSync(release, '');
    });
  });

  describe('command timeout', () => {
    it('kills the command, reports a timeout, and the connection stays usable', async () => {
      const client = newClient();
      const pidFile = path.join(dir, 'timeout.pid');
      const error = await rejection(
        client.exec(target, `sleep 300 & echo $! > ${pidFile}; echo started; wait`, { timeoutMs: 2000 }),
        SshCommandTimeoutError,
      );
      expect(error.timeoutMs).toBe(2000);
      expect(error.stdout).toBe('started\n');
      // The kill reaches the whole process group, so the background sleep goes too.
      const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
      await waitUntil('the remote sleep is gone', () => !isAlive(sleeper));
      const after = await client.exec(target, 'echo still fine');
      expect(after.stdout).toBe('still fine\n');
      expect(client.stats(target)).toMatchObject({ connectionsOpened: 1, commandsTimedOut: 1, commandsStarted: 2 });
    });
  });

  describe('connect errors', () => {
    it('reports a refused connection as SshConnectError', async () => {
      const port = await findFreePort();
      const error = await rejection(newClient().exec({ ...target, port }, 'true'), SshConnectError);
      expect(error.reason).toBe('refused');
      expect(error.endpoint).toEqual({ host: '127.0.0.1', port, username: 'root' });
    });

    it('gives up on a server that never speaks SSH after the connect timeout', async () => {
      const silent = net.createServer(() => undefined);
      const held: net.Socket[] = [];
      silent.on('connection', (socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const error = await rejection(
          newClient({ connectTimeoutMs: 300 }).exec({ ...target, port }, 'true'),
          SshConnectError,
        );
        expect(error.reason).toBe('timeout');
      } finally {
        held.forEach((s) => s.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('reports a key the server does not accept as auth_failed', async () => {
      const error = await rejection(newClient({}, ServiceKey.generate()).exec(target, 'true'), SshConnectError);
      expect(error.reason).toBe('auth_failed');
    });
  });

  describe('presented host key', () => {
    it('reads the key the server presents and stops before authenticating', async () => {
      const before = sshd.log.length;
      expect(await newClient().presentedHostKey({ host: '127.0.0.1', port: sshd.port, username: 'root' })).toBe(
        hostKey.fingerprint,
      );
      // sshd logs every authentication attempt at VERBOSE ("Failed none/publickey/password for …", "Accepted …")
      expect(sshd.log.slice(before)).not.toMatch(/Accepted|Failed|Postponed/);
    });

    it('reports a port where nothing listens as SshConnectError', async () => {
      const port = await findFreePort();
      const error = await rejection(
        newClient().presentedHostKey({ host: '127.0.0.1', port, username: 'root' }),
        SshConnectError,
      );
      expect(error.reason).toBe('refused');
    });
  });

  describe('failover', () => {
    it('moves on from an endpoint that cannot be reached and says which one ran the command', async () => {
      const dead = { ...target, port: await findFreePort() };
      const result = await newClient().execOnAny([dead, target], 'echo ran');
      expect(result.stdout).toBe('ran\n');
      expect(result.endpoint.port).toBe(target.port);
      expect(result.failedAttempts).toHaveLength(1);
      expect(result.failedAttempts[0].endpoint.port).toBe(dead.port);
      expect(result.failedAttempts[0].error.reason).toBe('refused');
    });

    it('moves on from an endpoint whose host key does not match', async () => {
      const wrongPin = { ...target, pinnedFingerprint: makeHostKey(dir, `other_${Date.now()}`).fingerprint };
      const result = await newClient().execOnAny([wrongPin, secondTarget], 'echo ran');
      expect(result.endpoint.port).toBe(secondTarget.port);
      expect(result.failedAttempts[0].error).toBeInstanceOf(SshHostKeyMismatchError);
    });

    it('does not try another endpoint when the command failed', async () => {
      const marker = path.join(dir, 'failed-once');
      const result = await newClient().execOnAny([target, secondTarget], `echo x >> ${marker}; exit 7`);
      expect(result.exitCode).toBe(7);
      expect(result.endpoint.port).toBe(target.port);
      expect(fs.readFileSync(marker, 'utf8')).toBe('x\n');
    });

    it('does not re-run a command that timed out', async () => {
      const marker = path.join(dir, 'timed-out-once');
      await rejection(
        newClient().execOnAny([target, secondTarget], `echo x >> ${marker}; sleep 300`, { timeoutMs: 1500 }),
        SshCommandTimeoutError,
      );
      expect(fs.readFileSync(marker, 'utf8')).toBe('x\n');
    });

    it('lists every endpoint when none can be reached', async () => {
      const ports = [await findFreePort(), await findFreePort()];
      const error = await rejection(
        newClient().execOnAny(
          ports.map((port) => ({ ...target, port })),
          'true',
        ),
        SshNoEndpointReachableError,
      );
      expect(error.attempts.map((a) => [a.endpoint.port, a.error.reason])).toEqual(ports.map((p) => [p, 'refused']));
    });
  });
});

describeAsRoot('host key pinning against a real sshd', () => {
  const identity = ServiceKey.generate();
  let dir: string;
  let authorizedKeys: string;
  let keyA: HostKey;
  let keyB: HostKey;
  let running: TestSshd | undefined;
  const clients: SshClient[] = [];

  function newClient(): SshClient {
    const client = new SshClient(identity, { connectTimeoutMs: 20_000 }, new CapturingLogger());
    clients.push(client);
    return client;
  }

  beforeAll(() => {
    requireSshTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-pin-'));
    authorizedKeys = path.join(dir, 'authorized_keys');
    fs.writeFileSync(authorizedKeys, `${identity.publicKey}\n`);
    keyA = makeHostKey(dir, 'host_key_a');
    keyB = makeHostKey(dir, 'host_key_b');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await running?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records on first contact, then refuses a changed key on the same port without running the command', async () => {
    running = await TestSshd.start(dir, { hostKey: keyA, authorizedKeysFile: authorizedKeys });
    const port = running.port;
    const firstContact = await newClient().exec(
      { host: '127.0.0.1', port, username: 'root', pinnedFingerprint: null },
      'true',
    );
    expect(firstContact.hostFingerprint).toBe(keyA.fingerprint);
    const pinned: SshTarget = {
      host: '127.0.0.1',
      port,
      username: 'root',
      pinnedFingerprint: firstContact.hostFingerprint,
    };
    await Promise.all(clients.splice(0).map((c) => c.close()));

    await running.stop();
    running = await TestSshd.start(dir, { hostKey: keyB, authorizedKeysFile: authorizedKeys, port });

    const marker = path.join(dir, 'ran-on-impostor');
    const client = newClient();
    const error = await rejection(client.exec(pinned, `touch ${marker}`), SshHostKeyMismatchError);
    expect(error.expectedFingerprint).toBe(keyA.fingerprint);
    expect(error.presentedFingerprint).toBe(keyB.fingerprint);
    expect(error.reason).toBe('host_key_mismatch');
    expect(fs.existsSync(marker)).toBe(false);
    expect(client.stats(pinned)).toMatchObject({ connectionsOpened: 0, commandsStarted: 0 });
    // The refusal came before authentication: the server never saw our key.
    expect(running.log).not.toMatch(/Accepted publickey/);

    // The same command with the new key pinned (the caller's re-pin) does run: the refusal above was the pin.
    await client.exec({ ...pinned, pinnedFingerprint: keyB.fingerprint }, `touch ${marker}`);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('refuses a pooled connection to a caller whose pin differs', async () => {
    running ??= await TestSshd.start(dir, { hostKey: keyA, authorizedKeysFile: authorizedKeys });
    const client = newClient();
    const unpinned: SshTarget = { host: '127.0.0.1', port: running.port, username: 'root', pinnedFingerprint: null };
    const first = await client.exec(unpinned, 'true');
    const otherKey = first.hostFingerprint === keyA.fingerprint ? keyB : keyA;
    const marker = path.join(dir, 'ran-on-pooled');
    const error = await rejection(
      client.exec({ ...unpinned, pinnedFingerprint: otherKey.fingerprint }, `touch ${marker}`),
      SshHostKeyMismatchError,
    );
    expect(error.presentedFingerprint).toBe(first.hostFingerprint);
    expect(fs.existsSync(marker)).toBe(false);
    expect(client.stats(unpinned)).toMatchObject({ connectionsOpened: 1, commandsStarted: 1 });
  });
});
