import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { findFreePort } from '../../src/embedded/free-port';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
} from '../support/gluster-lab';
import { LabApp, startLabApp, startLabSession } from '../support/lab-app';
import { testServices } from '../support/test-env';

const RULES = path.resolve(__dirname, '..', '..', 'deploy', 'prometheus', 'georep-rules.yml');

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

/** Polls `read` until it gives a value, at most `ms`; the error says what was awaited and shows the lab. */
async function until<T>(what: string, ms: number, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s\n${await labStatus()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Issue 19's end-to-end check: Debian's real `prometheus` scrapes the app's /metrics on the real lab with
 * the shipped alert rules (their `for:` waits set to 0 s, so the test need not wait 5 minutes: Prometheus's
 * own `for` handling is not what is tested), and GeorepSessionFaulty fires once the session is made
 * faulty the way LAB.md measured it (the slave's brick process killed: both workers Faulty in ~46 s).
 */
describeLab('a faulty session fires its alert in a real Prometheus (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;
  let sessionId: string;
  let prometheus: ChildProcess | undefined;
  let promBase: string;
  let promLog = '';
  const token = crypto.randomBytes(24).toString('hex');

  const alerts = async (): Promise<PromAlert[]> => {
    const res = await fetch(`${promBase}/api/v1/alerts`);
    return ((await res.json()) as { data: { alerts: PromAlert[] } }).data.alerts;
  };

  beforeAll(
    async () => {
      lab = await startLabApp('prometheus', { GEOREP_METRICS_TOKEN: token });
      ({ sessionPath, sessionId } = await startLabSession(lab));
      const server = lab.t.app.getHttpServer() as Server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const appPort = (server.address() as AddressInfo).port;

      const dir = fs.mkdtempSync(path.join(testServices().baseDir, 'prometheus-'));
      fs.writeFileSync(path.join(dir, 'token'), token, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'rules.yml'), fs.readFileSync(RULES, 'utf8').replace(/\bfor: \S+/g, 'for: 0s'));
      fs.writeFileSync(
        path.join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'rule_files: [rules.yml]',
          'scrape_configs:',
          '  - job_name: georep',
          `    authorization: { credentials_file: ${path.join(dir, 'token')} }`,
          `    static_configs: [{ targets: ['127.0.0.1:${appPort}'] }]`,
          '',
        ].join('\n'),
      );
      const promPort = await findFreePort();
      promBase = `http://127.0.0.1:${promPort}`;
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));
      await until('prometheus scraping the app', 60_000, async () => {
        const res = await fetch(`${promBase}/api/v1/targets`).catch(() => undefined);
        if (!res?.ok) return undefined;
        const body = (await res.json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
        return body.data.activeTargets.find((t) => t.health === 'up');
      });
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + LAB_SESSION_TIMEOUT_MS,
  );

  interface SessionLog {
    side: string;
    file?: string;
    error?: string;
    lines: { line?: string[] };
  }

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'is quiet while the session replicates, and fires GeorepSessionFaulty for it once its workers are Faulty',
    async () => {
      expect((await alerts()).filter((a) => a.labels.alertname === 'GeorepSessionFaulty')).toEqual([]);
      const brick = execFileSync('pgrep', ['-f', `glusterfsd .*--volfile-id ${lab.env.site2Vol}\\.`], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      expect(brick).toHaveLength(1);
      process.kill(Number(brick[0]), 'SIGKILL');
      try {
        await until('the session turning faulty', 4 * 60_000, async () => {
          await lab.refresh(sessionPath);
          const { status } = await lab.api.get<{ status: string }>(sessionPath);
          return status === 'faulty' ? status : undefined;
        });
        const fired = await until('GeorepSessionFaulty firing', 60_000, async () =>
          (await alerts()).find(
            (a) =>
              a.labels.alertname === 'GeorepSessionFaulty' && a.labels.session_id === sessionId && a.state === 'firing',
          ),
        );
        expect(fired.labels).toMatchObject({ severity: 'critical', volume: lab.env.masterVol });
        // Issue 19's session logs: the faulty session's gsyncd log is readable through the API, and says so.
        const { logs } = await lab.api.get<{ logs: { log: SessionLog[] } }>(`${sessionPath}/logs?lines=1000`);
        const master = logs.log.filter((l) => l.side === 'master');
        expect(master.map((l) => l.error)).toEqual(master.map(() => undefined));
        expect(master.map((l) => l.file)).toEqual(
          master.map(() => expect.stringMatching(/^\/var\/log\/glusterfs\/geo-replication\/[^/]+\/gsyncd\.log$/)),
        );
        expect(master.flatMap((l) => l.lines.line ?? []).some((line) => /Faulty/.test(line))).toBe(true);
      } finally {
        await gluster(2, ['volume', 'start', lab.env.site2Vol, 'force']);
        if (promLog.includes('level=error')) process.stderr.write(`prometheus said:\n${promLog}\n`);
      }
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
