import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findFreePort, waitForPort } from './free-port';
import { isAlive, stopProcess } from './process-tools';

export const REDIS_SERVER = process.env.GEOREP_REDIS_SERVER ?? '/usr/bin/redis-server';

/** Loopback only, AOF on (no RDB snapshots), in the foreground, never evicting keys. */
function serverArguments(port: number, dir: string, pidFile: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--pidfile',
    pidFile,
    '--logfile',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
}

/** Debian's redis-server as a child process: loopback only, AOF on, data under `dir`. */
export class EmbeddedRedis {
  private child?: ChildProcess;
  private exitNote?: string;
  port = 0;

  /** `port`: listen there on every start (a restarted server keeps its URL); otherwise a free port each time. */
  constructor(
    private readonly dir: string,
    private readonly log: (line: string) => void = () => undefined,
    private readonly fixedPort?: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static installed(): boolean {
    return fs.existsSync(REDIS_SERVER);
  }

  async start(): Promise<void> {
    if (!EmbeddedRedis.installed()) {
      throw new Error(`redis-server not found at ${REDIS_SERVER}: install it with \`apt-get install -y redis-server\``);
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const pidFile = path.join(this.dir, 'redis.pid');
    await this.killStale(pidFile);
    this.port = this.fixedPort ?? (await findFreePort());
    // A restart of this instance: the last exit's note is not about the new process.
    this.exitNote = undefined;
    this.spawnServer(pidFile);
    await waitForPort(this.port, 30_000, () => this.exitNote);
  }

  /** A redis-server left by a killed earlier run would hold the data dir; stop it first. */
  private async killStale(pidFile: string): Promise<void> {
    if (!fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && isAlive(pid)) {
      const cmdline = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (cmdline.includes('redis-server')) await stopProcess(pid, 'SIGTERM', 15_000);
    }
  }

  /** Starts redis-server on this.port; its output goes to the log, and its exit is noted for the wait. */
  private spawnServer(pidFile: string): void {
    const child = spawn(REDIS_SERVER, serverArguments(this.port, this.dir, pidFile), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let lastLines = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      lastLines = (lastLines + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) this.log(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      this.exitNote = `redis-server exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}): ${lastLines.trim().split('\n').slice(-2).join(' ')}`;
    });
  }

  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (pid && isAlive(pid)) await stopProcess(pid, 'SIGTERM', 15_000);
    this.child = undefined;
  }
}
