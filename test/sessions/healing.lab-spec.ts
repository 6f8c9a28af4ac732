import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
} from '../support/gluster-lab';
import { LabApp, startLabApp, startLabSession } from '../support/lab-app';

interface DetailJson {
  master_brick_dir: string;
  status: string;
  stalled: boolean;
}
interface SessionJson {
  id: string;
  status: string;
  health: string;
  desired_status?: string;
  drifted: boolean;
  last_healed?: number;
  last_verify_result?: string;
  session_details?: { session_detail?: DetailJson[] };
}
interface EventJson {
  code: number;
  severity: string;
  description: string;
}
interface JobJson {
  id: string;
  description: string;
  status: string;
}

const STALL_SECONDS = 30;

/**
 * The gsyncd worker of a master volume's brick, read from /proc the way the heal script does: the
 * processes with the worker's command line whose parent is not one of them (the worker forks helpers
 * with its own command line).
 */
function workerPids(masterVolume: string, brickDir: string): number[] {
  const pids: number[] = [];
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    let state: string;
    try {
      argv = fs
        .readFileSync(`/proc/${entry}/cmdline`, 'utf8')
        .split('\0')
        .filter((a) => a !== '');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      state = fields[0];
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      continue;
    }
    if (state === 'Z' || !argv.some((a) => a.endsWith('/gsyncd.py'))) continue;
    const w = argv.indexOf('worker');
    const lp = argv.indexOf('--local-path');
    if (w >= 0 && lp >= 0 && argv[w + 1] === masterVolume && argv[lp + 1] === brickDir) pids.push(Number(entry));
  }
  return pids.filter((p) => !pids.includes(parents.get(p) ?? 0));
}

/** Every gsyncd process gets SIGCONT, so a failed test leaves no frozen worker behind. */
function thawAll(): void {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('gsyncd.py'))
        process.kill(Number(entry), 'SIGCONT');
    } catch {
      /* gone */
    }
  }
}

/**
 * LAB.md pitfall 2 made on purpose: a gsyncd worker frozen with SIGSTOP stays "Active" in gluster's
 * status while its last_synced stops. The service must report it stalled, heal it by the configured
 * action (restart-worker), and the canary must pass afterwards. Then drift: a session the service
 * started and someone stopped on the gluster CLI.
 */
describeLab('stall healing and drift (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;
  let slaveUrl: string;

  const session = () => lab.api.get<SessionJson>(sessionPath);
  const eventsOf = async (code: number) =>
    (await lab.api.get<{ event?: EventJson[] }>(`/events?search=code=${code}`)).event ?? [];
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 300_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await session())}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  beforeAll(
    async () => {
      lab = await startLabApp('heal', {
        GEOREP_STALL_SECONDS: String(STALL_SECONDS),
        GEOREP_SYNC_INTERVAL_SECONDS: '3',
        GEOREP_HEAL_ACTION: 'restart-worker',
        GEOREP_HEAL_MAX_PER_HOUR: '3',
      });
      slaveUrl = `${lab.env.site2Addr}::${lab.env.site2Vol}`;
      ({ sessionPath } = await startLabSession(lab));
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 2 * LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(async () => {
    thawAll();
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'a SIGSTOPped worker is reported stalled while gluster says Active, is healed by restarting it, and the canary passes afterwards',
    async () => {
      const brickDir = lab.env.masterBricks[0].replace(/^[^:]+:/, '');
      const [frozen] = workerPids(lab.env.masterVol, brickDir);
      expect(frozen).toBeGreaterThan(0);
      process.kill(frozen, 'SIGSTOP');

      // Pending work for the frozen worker: an open checkpoint, and a steady trickle of writes, so the
      // healthy worker's last_synced keeps moving and only the frozen one can look stalled.
      expect((await lab.api.post(`${sessionPath}/checkpoint`, {})).status).toBe(200);
      const writes = path.join(lab.env.masterMnt, `heal-writes-${crypto.randomBytes(4).toString('hex')}`);
      fs.mkdirSync(writes);
      let n = 0;
      let writeError: unknown;
      const writer = setInterval(() => {
        try {
          fs.writeFileSync(path.join(writes, `f${n++}`), crypto.randomBytes(512));
        } catch (e) {
          writeError ??= e;
        }
      }, 3000);
      try {
        // Reported stalled while gluster still says Active: the stall event is only written for an Active row.
        const stalled = await waitFor('the stall event', async () =>
          (await eventsOf(11130)).find((e) => e.description.includes(brickDir)),
        );
        expect(stalled.severity).toBe('warning');
        expect(stalled.description).toMatch(/is Active with work pending, but its last_synced has not moved since/);

        // Healed by the configured action, as a job with steps and events.
        const started = await waitFor('the heal-started event', async () => (await eventsOf(11150))[0]);
        expect(started.description).toContain(`${brickDir} by restarting the gsyncd worker`);
        const healJob = await waitFor('the heal job to end', async () => {
          const job = ((await lab.api.get<{ job?: JobJson[] }>('/jobs?search=description=Healing*')).job ?? [])[0];
          return job && job.status !== 'started' ? job : undefined;
        });
        expect(healJob.status).toBe('finished');
        const steps = (
          await lab.api.get<{ step: { description: string; status: string }[] }>(`/jobs/${healJob.id}/steps`)
        ).step;
        expect(steps.map((s) => s.status).every((s) => s === 'finished')).toBe(true);
        expect(
          steps.some(
            (s) =>
              s.description.startsWith(`Restarting the gsyncd worker of brick `) && s.description.includes(brickDir),
          ),
        ).toBe(true);
        const healed = (await eventsOf(11151)).find((e) => e.description.includes(`(pid ${frozen} → `));
        expect(healed?.severity).toBe('normal');
        const now = workerPids(lab.env.masterVol, brickDir);
        expect(now).toHaveLength(1);
        expect(now).not.toContain(frozen);

        // The new worker syncs again: the stall ends by itself in the status sync.
        const recovered = await waitFor('the recovered event', async () =>
          (await eventsOf(11131)).find((e) => e.description.includes(brickDir)),
        );
        expect(recovered.severity).toBe('normal');
        expect((await session()).last_healed).toBeGreaterThan(0);
        // Every heal was for the frozen brick (gluster's own pitfall 2 may hit the respawned worker, and is healed the same way).
        for (const e of await eventsOf(11150)) expect(e.description).toContain(brickDir);
      } finally {
        clearInterval(writer);
        thawAll();
      }
      expect(writeError).toBeUndefined();

      const verify = await lab.api.post(`${sessionPath}/verify`, {});
      expect(verify.status).toBe(202);
      const verifyJob = (verify.body as { job: { id: string } }).job.id;
      const ended = await waitFor('the canary', async () => {
        const j = await lab.api.get<{ status: string }>(`/jobs/${verifyJob}`);
        return j.status === 'started' ? undefined : j.status;
      });
      expect(ended).toBe('finished');
      expect((await session()).last_verify_result).toBe('passed');
    },
    3 * LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'drift: a session the service started and someone stopped on the gluster CLI says so, with an event, until it is started again',
    async () => {
      // A heal of gluster's own pitfall 2 on the respawned worker may still run: actions on the session wait for it.
      const running = await waitFor('no running job', async () => {
        const jobs = (await lab.api.get<{ job?: JobJson[] }>('/jobs?search=status=started')).job ?? [];
        return jobs.length === 0 ? jobs : undefined;
      });
      expect(running).toEqual([]);
      // The lab started the session; the service has asked nothing of it yet. Stop and start it through the API.
      expect((await session()).desired_status).toBeUndefined();
      const act = async (verb: string) => {
        const res = await lab.api.post(`${sessionPath}/${verb}`, {});
        expect([res.status, (res.body as { status?: string }).status, res.text]).toEqual([200, 'complete', res.text]);
      };
      await act('stop');
      expect((await session()).desired_status).toBe('stopped');
      await act('start');
      const asked = await session();
      expect(asked.desired_status).toBe('started');
      expect(asked.drifted).toBe(false);

      await gluster(1, ['volume', 'geo-replication', lab.env.masterVol, slaveUrl, 'stop']);
      await lab.refresh(sessionPath);
      const drifted = await session();
      expect(drifted.status).toBe('stopped');
      expect(drifted.desired_status).toBe('started');
      expect(drifted.drifted).toBe(true);
      const [detected] = await eventsOf(11160);
      expect(detected.severity).toBe('warning');
      expect(detected.description).toBe(
        `Geo-replication session ${lab.env.masterVol} → ${slaveUrl} drifted: the service last asked for it to be started, but gluster reports it stopped.`,
      );

      await act('start');
      const again = await session();
      expect(again.drifted).toBe(false);
      const [cleared] = await eventsOf(11161);
      expect(cleared.severity).toBe('normal');
      // One drift, one end of it; when not, the status changes say what the syncs saw.
      const counts = [(await eventsOf(11160)).length, (await eventsOf(11161)).length];
      if (counts[0] !== 1 || counts[1] !== 1) {
        throw new Error(
          `expected one drift and one end of it, got ${counts.join(' and ')}; status changes: ${(await eventsOf(11100)).map((e) => e.description).join(' | ')}`,
        );
      }
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
