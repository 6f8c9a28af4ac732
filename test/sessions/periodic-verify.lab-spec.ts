import { PeriodicVerify, VERIFY_SWEEP_SCHEDULER_ID } from '../../src/session-worker/periodic-verify.job';
import { QueueName } from '../../src/queue/queue-names';
import { QueueProducer } from '../../src/queue/queue-producer';
import {
  describeLab,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
  sessionCreate,
  sessionStart,
} from '../support/gluster-lab';
import { LabApp, startLabApp } from '../support/lab-app';

interface SessionJson {
  id: string;
  status: string;
  slave_host?: { id: string };
  last_verified?: number;
  last_verify_result?: string;
  replication_delay?: number;
}
interface JobJson {
  id: string;
  description: string;
  status: string;
  start_time: number;
}

const PERIODIC = 'Periodic replication canary on geo-replication session to';

/** The lab app with a running session mastervol → site 2's site2vol, discovered and active. */
async function labWithActiveSession(
  prefix: string,
  verifyIntervalSeconds: string,
): Promise<{ lab: LabApp; sessionPath: string; session: SessionJson }> {
  const lab = await startLabApp(prefix, { GEOREP_VERIFY_INTERVAL_SECONDS: verifyIntervalSeconds });
  try {
    return await activeSession(lab);
  } catch (e) {
    await lab.close().catch(() => undefined); // the lease, the key and the sessions go with it
    throw e;
  }
}

async function activeSession(lab: LabApp): Promise<{ lab: LabApp; sessionPath: string; session: SessionJson }> {
  const { env } = lab;
  await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol, { mode: 'no-verify' });
  await sessionStart(env.masterVol, env.site2Addr, env.site2Vol);
  await lab.refresh(`/clusters/${lab.site2}`);
  // The periodic sync is off in tests: refresh until discovery has seen the session active (the sweep only looks at active ones).
  const deadline = Date.now() + 180_000;
  for (;;) {
    await lab.refresh(`/clusters/${lab.site1}`);
    const master = (
      await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
    ).gluster_volume.find((v) => v.name === env.masterVol);
    const [session] = (
      await lab.api.get<{ georeplication_session: SessionJson[] }>(
        `/clusters/${lab.site1}/glustervolumes/${master?.id}/georeplication-sessions`,
      )
    ).georeplication_session;
    if (session?.status === 'active') {
      expect(session.slave_host?.id).toBe(lab.host2);
      return {
        lab,
        session,
        sessionPath: `/clusters/${lab.site1}/glustervolumes/${master?.id}/georeplication-sessions/${session.id}`,
      };
    }
    if (Date.now() > deadline)
      throw new Error(`the session is not active: ${JSON.stringify(session)}\n${await labStatus()}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const periodicJobs = async (lab: LabApp) =>
  (await lab.api.get<{ job?: JobJson[] }>(`/jobs?search=${encodeURIComponent('description=Periodic*')}`)).job ?? [];
const scheduler = (lab: LabApp) =>
  lab.t.app.get(QueueProducer).queue(QueueName.Maintenance).getJobScheduler(VERIFY_SWEEP_SCHEDULER_ID);

/** GEOREP_VERIFY_INTERVAL_SECONDS=0 (the default): no schedule, and the sweep submits nothing even for an active session never verified. */
describeLab('periodic replication canary off (real lab)', () => {
  let lab: LabApp;
  let session: SessionJson;

  beforeAll(
    async () => {
      ({ lab, session } = await labWithActiveSession('pv-off', '0'));
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 2 * LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it('has no sweep schedule, and a sweep submits no verify job', async () => {
    expect(session.last_verified).toBeUndefined();
    expect(await scheduler(lab)).toBeUndefined();
    expect(await lab.t.app.get(PeriodicVerify).sweep()).toEqual({ due: 0, submitted: 0, skipped: 0 });
    expect(await periodicJobs(lab)).toEqual([]);
    expect(await lab.t.sql(`SELECT id FROM jobs WHERE action = 'session.verify'`)).toEqual([]);
  });
});

/** A small interval: a verify job appears for the active session by itself and passes, like `POST …/verify`. */
describeLab('periodic replication canary on (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;
  let session: SessionJson;

  beforeAll(
    async () => {
      ({ lab, session, sessionPath } = await labWithActiveSession('pv-on', '3'));
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 2 * LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'sweeps every 3 s; a verify job appears by itself, runs like POST …/verify and records the result on the session',
    async () => {
      expect((await scheduler(lab))?.every).toBe(3000);
      const deadline = Date.now() + 300_000;
      let job: JobJson | undefined;
      for (;;) {
        const jobs = await periodicJobs(lab);
        job = jobs.sort((a, b) => a.start_time - b.start_time)[0];
        if (job && job.status !== 'started') break;
        if (Date.now() > deadline)
          throw new Error(`no periodic verify job ended: ${JSON.stringify(jobs)}\n${await labStatus()}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(job.description).toBe(`${PERIODIC} ${lab.env.site2Addr}::${lab.env.site2Vol}`);
      expect(job.status).toBe('finished');
      const [row] = await lab.t.sql<{
        action: string;
        target_type: string;
        target_id: string;
        owner_id: string | null;
      }>('SELECT action, target_type, target_id, owner_id FROM jobs WHERE id = $1', [job.id]);
      expect(row).toEqual({
        action: 'session.verify',
        target_type: 'georep_session',
        target_id: session.id,
        owner_id: null,
      });
      const steps = (await lab.api.get<{ step: { description: string; status: string }[] }>(`/jobs/${job.id}/steps`))
        .step;
      expect(steps.map((s) => s.status)).toEqual(['finished', 'finished', 'finished']);
      expect(steps[0].description).toMatch(new RegExp(`^Writing probe probe-[0-9a-f-]{36} into ${lab.env.masterVol}$`));
      const after = await lab.api.get<SessionJson>(sessionPath);
      expect(after.last_verify_result).toBe('passed');
      expect(after.last_verified).toBeGreaterThanOrEqual(job.start_time);
      const passed = await lab.api.get<{ event?: { description: string; job?: { id: string } }[] }>(
        `/events?search=${encodeURIComponent('code=11140')}`,
      );
      expect((passed.event ?? []).some((e) => e.job?.id === job.id)).toBe(true);
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
