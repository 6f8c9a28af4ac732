import { execFileSync } from 'node:child_process';
import {
  describeLab,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
  warnSkipped,
} from '../support/gluster-lab';
import { LabApp, startLabApp, startLabSession } from '../support/lab-app';

interface SessionJson {
  id: string;
  status: string;
  slave_host?: { id: string };
  last_verified?: number;
  last_verify_result?: string;
  replication_delay?: number;
}

/** LAB.md pitfall 1 happens with Debian's rsync 3.5.0 only. */
function rsyncVersion(): string {
  return /version\s+(\S+)/.exec(execFileSync('rsync', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
}

/**
 * The replication canary on the real lab: a running session mastervol → site 2's site2vol; the probe
 * must arrive byte for byte, and the session records the result and the delay.
 */
describeLab('replication canary (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;

  async function verify(body: object = {}): Promise<{ jobStatus: string; session: SessionJson; job: string }> {
    const res = await lab.api.post(`${sessionPath}/verify`, body);
    expect(res.status).toBe(202); // async by default: it waits for the probe on the slave
    const job = (res.body as { job: { id: string } }).job.id;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const j = await lab.api.get<{ status: string }>(`/jobs/${job}`);
      if (j.status !== 'started')
        return { jobStatus: j.status, session: await lab.api.get<SessionJson>(sessionPath), job };
      if (Date.now() > deadline) throw new Error(`verify job ${job} did not end\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  beforeAll(
    async () => {
      lab = await startLabApp('canary');
      const session = await startLabSession(lab);
      sessionPath = session.sessionPath;
      expect(session.slaveHostId).toBe(lab.host2);
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 2 * LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'passes on a healthy session and records when, the result and the delay',
    async () => {
      const before = Date.now();
      const { jobStatus, session, job } = await verify();
      expect(jobStatus).toBe('finished');
      expect(session.last_verify_result).toBe('passed');
      expect(session.last_verified).toBeGreaterThanOrEqual(before - 1000);
      expect(session.replication_delay).toBeGreaterThan(0);
      const steps = (await lab.api.get<{ step: { description: string; status: string }[] }>(`/jobs/${job}/steps`)).step;
      expect(steps.map((s) => s.status)).toEqual(['finished', 'finished', 'finished']);
      expect(steps[0].description).toMatch(/^Writing probe probe-[0-9a-f-]{36} into mastervol$/);
      const passed = await lab.api.get<{ event: { description: string }[] }>('/events?search=code=11140');
      expect(passed.event).toHaveLength(1);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  const pitfall1 = rsyncVersion().startsWith('3.5.0');
  if (!pitfall1) {
    warnSkipped(
      `the canary's rsync 3.5.0 case (LAB.md pitfall 1): rsync here is ${rsyncVersion()}`,
      "Install Debian's current rsync (bookworm-security, 3.5.0+ds1-0+deb12u1) to run it.",
    );
  }
  (pitfall1 ? it : it.skip)(
    'with rsync 3.5.0, secondary-access-mount false makes the canary fail saying what it saw; true makes it pass',
    async () => {
      await lab.api.post(`${sessionPath}/options`, { name: 'secondary-access-mount', value: 'false' }).expect(201);
      const failed = await verify({ timeout: 30 });
      expect(failed.jobStatus).toBe('failed');
      // LAB.md pitfall 1: gluster creates the entry on the slave but leaves the regular file at 0 bytes.
      expect(failed.session.last_verify_result).toBe(
        'failed: the probe arrived on the slave volume with the wrong size (0 bytes, expected 64)',
      );
      const events = await lab.api.get<{ event: { severity: string }[] }>('/events?search=code=11141');
      expect(events.event.map((e) => e.severity)).toEqual(['error']);
      await lab.api.post(`${sessionPath}/options`, { name: 'secondary-access-mount', value: 'true' }).expect(201);
      expect((await verify()).session.last_verify_result).toBe('passed');
    },
    2 * LAB_SESSION_TIMEOUT_MS,
  );

  it('refuses a bad timeout before anything runs', async () => {
    const res = await lab.api.post(`${sessionPath}/verify`, { timeout: 0 }).expect(400);
    expect((res.body as { detail: string }).detail).toMatch(/^timeout: /);
  });
});
