import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { findFreePort } from '../../../src/embedded/free-port';

export const SSHD = '/usr/sbin/sshd';

/** Debian packages these tests need on the machine (CI installs them): sshd, ssh-keygen, useradd/chpasswd. */
export const REQUIRED_PACKAGES = ['openssh-server', 'openssh-client', 'passwd'];

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Fails the suite with the fix in the message when the machine lacks sshd. */
export function requireSshTools(): void {
  const missing = [SSHD, '/usr/bin/ssh-keygen'].filter((file) => !fs.existsSync(file));
  if (missing.length > 0)
    throw new Error(`${missing.join(', ')} missing: apt-get install -y ${REQUIRED_PACKAGES.join(' ')}`);
}

export interface HostKey {
  file: string;
  /** As `ssh-keygen -lf` prints it: the reference our own fingerprint formatting must match. */
  fingerprint: string;
}

export function makeHostKey(dir: string, name: string): HostKey {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  const listed = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' });
  const fingerprint = listed.split(' ')[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${listed}`);
  return { file, fingerprint };
}

export interface SshdOptions {
  hostKey: HostKey;
  /** Defaults to a free port. */
  port?: number;
  /** Absolute path, or relative to the user's home like `.ssh/authorized_keys`. */
  authorizedKeysFile: string;
  passwordAuthentication?: boolean;
  permitRootLogin?: 'yes' | 'prohibit-password' | 'no';
}

/** A real OpenSSH server on 127.0.0.1 with its own host key and config, run in the foreground as our child. */
export class TestSshd {
  private output = '';

  private constructor(
    readonly port: number,
    readonly hostKey: HostKey,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('sshd has no pid');
    return this.child.pid;
  }

  get log(): string {
    return this.output;
  }

  static async start(dir: string, options: SshdOptions): Promise<TestSshd> {
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = options.port ?? (await findFreePort());
    const config = path.join(dir, `sshd_config.${port}.${path.basename(options.hostKey.file)}`);
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${options.hostKey.file}`,
        `PidFile ${config}.pid`,
        `AuthorizedKeysFile ${options.authorizedKeysFile}`,
        `PermitRootLogin ${options.permitRootLogin ?? 'prohibit-password'}`,
        `PasswordAuthentication ${options.passwordAuthentication ? 'yes' : 'no'}`,
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'StrictModes no',
        'UsePAM no',
        'MaxSessions 10',
        'LogLevel VERBOSE',
        // As in the lab's sshds: bash skips root's ~/.bashrc (pyenv init here, 1-5 s a command) when nested.
        'SetEnv SHLVL=1',
        '',
      ].join('\n'),
    );
    execFileSync(SSHD, ['-t', '-f', config]);
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sshd = new TestSshd(port, options.hostKey, child);
    await sshd.waitForBanner();
    return sshd;
  }

  /** Polls until the server sends its SSH banner on the port (or the process dies). */
  private async waitForBanner(deadlineMs = 20_000): Promise<void> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`sshd exited at start:\n${this.output}`);
      const banner = await new Promise<string>((resolve) => {
        const socket = net.connect({ port: this.port, host: '127.0.0.1' });
        socket.setTimeout(2000, () => socket.destroy());
        socket.once('data', (data) => {
          socket.destroy();
          resolve(data.toString());
        });
        socket.once('error', () => resolve(''));
        socket.once('close', () => resolve(''));
      });
      if (banner.startsWith('SSH-2.0-')) return;
      if (Date.now() > end)
        throw new Error(`sshd on port ${this.port} sent no banner within ${deadlineMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the listener by its PID. Sessions already open have their own processes and end with their connections. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    process.kill(this.pid, 'SIGTERM');
    await exited;
  }
}

/** Polls `condition` until it holds; fails with `what` at the deadline. No test asserts on elapsed time. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  deadlineMs = 20_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Collects what the SSH client logs, to check that secrets never reach a log. */
export class CapturingLogger {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  debug(message: unknown): void {
    this.lines.push(String(message));
  }
  text(): string {
    return this.lines.join('\n');
  }
}
