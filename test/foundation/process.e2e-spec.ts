import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { isAlive } from '../../src/embedded/process-tools';
import { createTestDatabase } from '../support/test-app';
import { testServices } from '../support/test-env';
import { runService } from '../support/processes';

const SECRET = 'k'.repeat(40);

describe('the service as a process', () => {
  it('exits non-zero with one clear line naming DATABASE_URL when the database cannot be reached', async () => {
    const svc = runService(['api'], {
      DATABASE_URL: 'postgres://georep:secretpw@127.0.0.1:1/georep',
      REDIS_URL: testServices().redisUrl,
      GEOREP_SECRET_KEY: SECRET,
      GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'p-')),
      PORT: '0',
    });
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    const lines = svc.output().trim().split('\n');
    expect(lines).toEqual([
      'configuration error: DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:1/georep (ECONNREFUSED)',
    ]);
    expect(svc.output()).not.toContain('secretpw');
  });

  it('exits with status 2 and one line per bad setting before touching anything', async () => {
    const svc = runService([], { PORT: '99999', LOG_LEVEL: 'chatty', GEOREP_DATA_DIR: '/tmp/never-created-by-georep' });
    const { code } = await svc.exited;
    expect(code).toBe(2);
    expect(svc.output().trim().split('\n')).toEqual([
      'configuration error: PORT: must be a port number between 1 and 65535, or 0 for any free port (got "99999")',
      'configuration error: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "chatty")',
    ]);
    expect(fs.existsSync('/tmp/never-created-by-georep')).toBe(false);
  });

  it('runs the worker role without an HTTP server and stops cleanly on SIGTERM', async () => {
    const db = await createTestDatabase();
    const svc = runService(['worker'], {
      DATABASE_URL: db.url,
      REDIS_URL: testServices().redisUrl,
      GEOREP_SECRET_KEY: SECRET,
      GEOREP_ADMIN_PASSWORD: 'worker-test-password',
      GEOREP_DATA_DIR: fs.mkdtempSync(path.join(testServices().baseDir, 'w-')),
      GEOREP_QUEUE_PREFIX: `test-${db.name}`,
      PORT: '1',
    });
    await svc.waitFor(/georep-api \(worker\) running/);
    expect(svc.output()).not.toMatch(/listening on/);
    svc.child.kill('SIGTERM');
    const { code } = await svc.exited;
    expect(code).toBe(0);
  });

  it('starts the embedded default, keeps its data across a restart, and leaves no process behind', async () => {
    const dataDir = fs.mkdtempSync(path.join(testServices().baseDir, 'embedded-'));
    const env = { GEOREP_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };

    const first = runService([], env);
    const [, pgPort] = await first.waitFor(/embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
    const [, passwordFile] = await first.waitFor(/password in (\S+)/);
    expect(passwordFile).toBe(path.join(dataDir, 'admin-password'));
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
    const password = fs.readFileSync(passwordFile, 'utf8');
    expect(first.output()).not.toContain(password);

    const pgPassword = fs.readFileSync(path.join(dataDir, 'postgres', 'pg-password'), 'utf8').trim();
    const url = `postgres://georep:${encodeURIComponent(pgPassword)}@127.0.0.1:${pgPort}/georep`;
    let client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO clusters (name) VALUES ('kept-across-restart')`);
    await client.end();

    const firstPids = childPids(first.child.pid!);
    expect(firstPids.length).toBeGreaterThanOrEqual(2);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    for (const pid of firstPids) expect(isAlive(pid)).toBe(false);

    const second = runService([], env);
    const [, pgPort2] = await second.waitFor(/embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
    await second.waitFor(/password in /);
    client = new Client({
      connectionString: `postgres://georep:${encodeURIComponent(pgPassword)}@127.0.0.1:${pgPort2}/georep`,
    });
    await client.connect();
    const rows = await client.query(`SELECT name FROM clusters`);
    await client.end();
    expect(rows.rows).toEqual([{ name: 'kept-across-restart' }]);
    expect(fs.readFileSync(passwordFile, 'utf8')).toBe(password);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('the worker readiness check (no HTTP)', () => {
  const run = async (env: NodeJS.ProcessEnv) => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [path.join(__dirname, '..', '..', 'dist', 'src', 'health', 'readiness-cli.js')],
      { env: { PATH: process.env.PATH, ...env } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, out: out.trim() };
  };

  it('says ready when PostgreSQL and Redis answer', async () => {
    const db = await createTestDatabase();
    expect(await run({ DATABASE_URL: db.url, REDIS_URL: testServices().redisUrl, GEOREP_SECRET_KEY: SECRET })).toEqual({
      code: 0,
      out: 'ready',
    });
  });

  it('says which dependency is down', async () => {
    const db = await createTestDatabase();
    expect(await run({ DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1', GEOREP_SECRET_KEY: SECRET })).toEqual({
      code: 1,
      out: 'not ready: redis: not reachable',
    });
  });
});
