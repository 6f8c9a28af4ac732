import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  LabEnv,
  labStatus,
  sessionCreate,
  site2,
} from '../support/gluster-lab';
import { LabApi, LabApp, startLabApp } from '../support/lab-app';
import type { TestApp } from '../support/test-app';

interface Ref {
  id: string;
  href: string;
}
interface RunJson extends Ref {
  status: string;
  trigger: string;
  started_session: boolean;
  start_time: number;
  end_time?: number;
  duration?: number;
  checkpoint_time?: number;
  checkpoint_completed_time?: number;
  rpo?: number;
  error?: string;
  job?: Ref;
  steps?: { step: { description: string; status: string }[] };
  progress?: { brick: { master_brick_dir: string; status: string }[] };
}

const md5 = (data: string | Buffer) => crypto.createHash('md5').update(data).digest('hex');

interface Proc {
  pid: number;
  pgid: number;
  stat: string;
  args: string;
}

function processes(): Proc[] {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), stat: m[3], args: m[4] }));
}

/** The members of a process group whose leader is a gsyncd monitor (daemonized: its own session and group). */
const monitorGroup = (pgid: number) => processes().filter((p) => p.pgid === pgid);

/**
 * Freezes a geo-rep session's gsyncd processes the moment its workers exist: SIGSTOP to the process
 * group of the monitor (monitor and workers, what gluster's own `pause` signals), so the monitor can
 * neither see its workers time out nor respawn them. Only a group led by a `gsyncd.py --monitor`
 * process is ever signalled (before it daemonizes, a starting monitor is still in glusterd's group).
 */
async function freezeSessionWorkers(
  masterVol: string,
  slave: string,
  deadlineMs: number,
): Promise<{ pgid: number; workers: number[] }> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const all = processes();
    const workers = all.filter(
      (p) => p.args.includes('gsyncd.py worker') && p.args.includes(` ${masterVol} ${slave} `),
    );
    const leader = workers.length > 0 ? all.find((p) => p.pid === workers[0].pgid) : undefined;
    if (leader && leader.args.includes('gsyncd.py') && leader.args.includes('--monitor')) {
      process.kill(-leader.pid, 'SIGSTOP');
      return { pgid: leader.pid, workers: workers.filter((w) => w.pgid === leader.pid).map((w) => w.pid) };
    }
    if (Date.now() > deadline)
      throw new Error(
        `no gsyncd workers of ${masterVol} -> ${slave} appeared:\n${all
          .filter((p) => p.args.includes('gsyncd'))
          .map((p) => p.args)
          .join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A DR run end to end on the real lab: a storage domain on site 1's master volume, a schedule through
 * a session to site 2 that was created and never started, `syncnow`. The run sets a checkpoint, starts
 * the session, waits for every Active worker to complete that checkpoint and stops the session again;
 * a file written before the run is then on the slave with the same checksum.
 */
describeLab('DR run on the real lab', () => {
  let lab: LabApp;
  let env: LabEnv;
  let t: TestApp;
  let api: LabApi;
  let site1: string;

  /** Polls the run until `done` says so (a real condition), with a deadline. */
  async function runUntil(p: string, done: (r: RunJson) => boolean, ms: number, everyMs = 1000): Promise<RunJson> {
    const deadline = Date.now() + ms;
    for (;;) {
      const run = await api.get<RunJson>(p);
      if (done(run)) return run;
      if (Date.now() > deadline) throw new Error(`run did not get there: ${JSON.stringify(run)}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  beforeAll(
    async () => {
      lab = await startLabApp('dr', { GEOREP_SYNC_INTERVAL_SECONDS: '0', GEOREP_DR_POLL_INTERVAL_MS: '1000' });
      ({ env, t, api, site1 } = lab);
      await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol);
      await lab.refresh(`/clusters/${lab.site2}`);
      await lab.refresh(`/clusters/${site1}`);
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(() => lab?.close(), LAB_SESSION_TIMEOUT_MS);

  it(
    'syncnow: checkpoint, start, wait for that checkpoint, stop; the file written before is on the slave',
    async () => {
      const master = (
        await api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${site1}/glustervolumes`)
      ).gluster_volume.find((v) => v.name === env.masterVol);
      expect(master).toBeDefined();
      const sessionsPath = `/clusters/${site1}/glustervolumes/${master?.id}/georeplication-sessions`;
      const [session] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath))
        .georeplication_session;
      expect(session.status).toMatch(/^(created|stopped)$/);

      // written before the run: must be on the slave when the run ends
      const name = `dr-before-${Date.now()}-${crypto.randomBytes(4).toString('hex')}`;
      const content = crypto.randomBytes(256 * 1024);
      fs.writeFileSync(path.join(env.masterMnt, name), content);

      const domain = (
        (
          await api
            .post('/storagedomains', {
              name: 'dr-lab',
              storage: { type: 'glusterfs', address: env.site1Addr, path: `/${env.masterVol}` },
            })
            .expect(201)
        ).body as Ref
      ).id;
      const schedPath = `/storagedomains/${domain}/dr-schedules`;
      const schedule = (
        (
          await api
            .post(schedPath, {
              georeplication_session: { id: session.id },
              schedule: 'DAILY at 03:00',
              checkpoint_timeout: 10,
            })
            .expect(201)
        ).body as Ref
      ).id;

      const reply = await api.post(`${schedPath}/${schedule}/syncnow`, {}).expect(202);
      const runPath = `${schedPath}/${schedule}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;

      // Nothing is written after the checkpoint: on this idle volume the run itself touches the master
      // root when nothing moves (a checkpoint completes only once a newer changelog is processed).
      const run = await runUntil(runPath, (r) => r.status !== 'started', 12 * 60_000);
      if (run.status !== 'finished')
        throw new Error(`run ${run.status}: ${run.error}\n${JSON.stringify(run.steps)}\n${await labStatus()}`);
      expect(run).toMatchObject({
        trigger: 'manual',
        started_session: true,
        job: { id: (reply.body as { job: Ref }).job.id },
      });
      expect(run.steps?.step.map((s) => [s.description, s.status])).toEqual([
        ['Reading the status of the geo-replication session', 'finished'],
        ...(run.steps?.step[1].description === 'Setting a geo-replication checkpoint'
          ? [
              ['Setting a geo-replication checkpoint', 'finished'],
              ['Starting the geo-replication session', 'finished'],
            ]
          : [
              ['Starting the geo-replication session', 'finished'],
              ['Setting a geo-replication checkpoint', 'finished'],
            ]),
        ['Waiting for every active worker to complete the checkpoint', 'finished'],
        ['Stopping the geo-replication session', 'finished'],
      ]);
      expect(run.checkpoint_time).toBeDefined();
      expect(run.checkpoint_completed_time).toBeGreaterThanOrEqual(run.checkpoint_time as number);
      expect(run.rpo).toBeGreaterThanOrEqual(0);
      expect(run.end_time).toBeGreaterThanOrEqual(run.start_time);
      expect(run.progress?.brick.some((b) => b.status === 'active')).toBe(true);

      // on the slave, byte for byte (site2vol has one brick)
      const brickDir = env.site2VolBrick.slice(env.site2VolBrick.indexOf(':') + 1);
      const sum = (await site2(['md5sum', path.join(brickDir, name)])).output.trim().split(/\s+/)[0];
      expect(sum).toBe(md5(content));

      // the run started the session, so it stopped it again
      const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath))
        .georeplication_session;
      expect(after).toMatchObject({ id: session.id, status: 'stopped' });

      const sched = await api.get<{
        last_run: Ref;
        last_run_status: string;
        last_success_checkpoint: number;
        data_age: number;
      }>(`${schedPath}/${schedule}`);
      expect(sched.last_run.id).toBe(run.id);
      expect(sched.last_run_status).toBe('finished');
      expect(sched.last_success_checkpoint).toBe(run.checkpoint_time);
      expect(sched.data_age).toBeGreaterThanOrEqual(0);

      const codes = (
        await t.sql<{ code: number }>(`SELECT code FROM events WHERE code IN (4164, 4165, 4166) ORDER BY id`)
      ).map((e) => e.code);
      expect(codes).toEqual([4166, 4165]);
      ctx = { sessionsPath, schedPath: `${schedPath}/${schedule}`, sessionId: session.id };
    },
    LAB_SESSION_TIMEOUT_MS + 10 * 60_000,
  );

  let ctx: { sessionsPath: string; schedPath: string; sessionId: string } | undefined;

  it(
    'a cancelled run ends aborted and leaves the session stopped',
    async () => {
      if (!ctx) throw new Error('needs the previous test');
      const { sessionsPath, schedPath, sessionId } = ctx;
      const reply = await api.post(`${schedPath}/syncnow`, {}).expect(202);
      const runPath = `${schedPath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;
      // Cancel as soon as the run has started the session (a real condition): its workers are still
      // Initializing then, so the checkpoint cannot be complete yet and the cancel lands in the wait.
      const going = await runUntil(runPath, (r) => r.started_session || r.status !== 'started', 5 * 60_000, 100);
      expect(going.status).toBe('started');
      await api.post(`${runPath}/cancel`, {}).expect(200);
      const run = await runUntil(runPath, (r) => r.status !== 'started', 5 * 60_000);
      expect(run).toMatchObject({ status: 'aborted', started_session: true, error: 'The DR run was cancelled.' });
      // the cancel is only looked at in the wait (once the session lock is held), so that step is the aborted one
      expect(run.steps?.step.slice(-2)).toEqual([
        expect.objectContaining({
          description: 'Waiting for every active worker to complete the checkpoint',
          status: 'aborted',
        }),
        expect.objectContaining({ description: 'Stopping the geo-replication session', status: 'finished' }),
      ]);
      const job = await api.get<{ status: string }>(`/jobs/${(reply.body as { job: Ref }).job.id}`);
      expect(job.status).toBe('aborted');
      const jobSteps = (
        await api.get<{ step: { description: string; status: string }[] }>(
          `/jobs/${(reply.body as { job: Ref }).job.id}/steps`,
        )
      ).step;
      expect(jobSteps.find((s) => s.description.startsWith('Waiting for every active worker'))?.status).toBe('aborted');
      const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath))
        .georeplication_session;
      expect(after).toMatchObject({ id: sessionId, status: 'stopped' });
      expect(await t.sql(`SELECT 1 FROM events WHERE code = 4164`)).toHaveLength(0);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'a run whose slave volume is stopped fails with 4164 (alert) and a clear error, and stops the session',
    async () => {
      if (!ctx) throw new Error('needs the first test');
      const { sessionsPath, schedPath, sessionId } = ctx;
      await api.put(schedPath, { checkpoint_timeout: 2 }).expect(200);
      await gluster(2, ['volume', 'stop', env.site2Vol]);
      try {
        const reply = await api.post(`${schedPath}/syncnow`, {}).expect(202);
        const runPath = `${schedPath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;
        // a write after the checkpoint gives the workers something to (fail to) replicate
        const withCheckpoint = await runUntil(
          runPath,
          (r) => r.checkpoint_time !== undefined || r.status !== 'started',
          5 * 60_000,
        );
        if (withCheckpoint.status === 'started')
          fs.writeFileSync(path.join(env.masterMnt, `dr-slave-down-${Date.now()}`), 'x\n');
        const run = await runUntil(runPath, (r) => r.status !== 'started', 6 * 60_000);
        expect(run.status).toBe('failed');
        expect(run.error).toMatch(/Faulty|did not complete within 2 minute/);
        expect(run.steps?.step.at(-1)).toEqual(
          expect.objectContaining({ description: 'Stopping the geo-replication session', status: 'finished' }),
        );
        const failed = await t.sql<{ severity: string; description: string }>(
          `SELECT severity, description FROM events WHERE code = 4164`,
        );
        expect(failed).toHaveLength(1);
        expect(await t.sql(`SELECT 1 FROM events WHERE code = 11218`)).toHaveLength(0);
        expect(failed[0].severity).toBe('alert');
        expect(failed[0].description).toContain(run.error as string);
        const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath))
          .georeplication_session;
        expect(after).toMatchObject({ id: sessionId, status: 'stopped' });
      } finally {
        await gluster(2, ['volume', 'start', env.site2Vol, 'force']);
      }
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'a run past its timeout fails with one 4164 and stops the session it started (its gsyncd processes frozen, so the checkpoint cannot complete)',
    async () => {
      if (!ctx) throw new Error('needs the first test');
      const { sessionsPath, schedPath, sessionId } = ctx;
      const [before] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath))
        .georeplication_session;
      expect(before).toMatchObject({ id: sessionId, status: 'stopped' }); // so the run starts it
      await api.put(schedPath, { checkpoint_timeout: 1 }).expect(200);
      const failuresBefore = (await t.sql(`SELECT 1 FROM events WHERE code = 4164`)).length;
      let frozen: { pgid: number; workers: number[] } | undefined;
      try {
        const reply = await api.post(`${schedPath}/syncnow`, {}).expect(202);
        const runPath = `${schedPath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;
        // The run starts the session; its workers are frozen within one 25 ms scan of existing. A worker
        // needs seconds (ssh to site 2, mount, changelog registration, history crawl) before it can
        // report Active, let alone process a changelog newer than the checkpoint.
        frozen = await freezeSessionWorkers(env.masterVol, env.site2Addr + '::' + env.site2Vol, 5 * 60_000);
        expect(frozen.workers.length).toBeGreaterThan(0);
        const run = await runUntil(runPath, (r) => r.status !== 'started', 6 * 60_000);
        expect(run).toMatchObject({ status: 'failed', started_session: true });
        // a frozen worker completes nothing (whether or not it reported Active first): the timeout is the only way this run could end
        expect(run.error).toMatch(
          /^the checkpoint did not complete within 1 minute\(s\) \(0 of \d+ active worker\(s\) completed it\)$/,
        );
        expect(run.steps?.step.slice(-2)).toEqual([
          expect.objectContaining({
            description: 'Waiting for every active worker to complete the checkpoint',
            status: 'failed',
          }),
          expect.objectContaining({ description: 'Stopping the geo-replication session', status: 'finished' }),
        ]);
        // exactly one failure event for the run, the domain's alert
        const failed = await t.sql<{ severity: string; description: string; job_id: string }>(
          `SELECT severity, description, job_id FROM events WHERE code = 4164 ORDER BY id`,
        );
        expect(failed).toHaveLength(failuresBefore + 1);
        expect(failed.at(-1)).toMatchObject({
          severity: 'alert',
          job_id: (reply.body as { job: Ref }).job.id,
          description: expect.stringContaining(run.error as string),
        });
        expect(await t.sql(`SELECT 1 FROM events WHERE code = 11218`)).toHaveLength(0);
        expect((await api.get<{ status: string }>(`/jobs/${(reply.body as { job: Ref }).job.id}`)).status).toBe(
          'failed',
        );
        // stopped again: in the API, in gluster, and the frozen processes are gone (stop force killed them)
        const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath))
          .georeplication_session;
        expect(after).toMatchObject({ id: sessionId, status: 'stopped' });
        const xml = (
          await gluster(1, [
            'volume',
            'geo-replication',
            env.masterVol,
            `${env.site2Addr}::${env.site2Vol}`,
            'status',
            '--xml',
          ])
        ).stdout;
        const statuses = [...xml.matchAll(/<status>([^<]*)<\/status>/g)].map((m) => m[1]);
        expect(statuses.length).toBeGreaterThan(0);
        expect(new Set(statuses)).toEqual(new Set(['Stopped']));
        expect(monitorGroup(frozen.pgid).filter((p) => !p.stat.startsWith('Z'))).toEqual([]);
      } finally {
        // undo the freeze if the group is still there (a failed assertion above, or a stop that did not kill it)
        const leader = frozen
          ? processes().find((p) => p.pid === frozen?.pgid && p.args.includes('--monitor'))
          : undefined;
        if (leader) process.kill(-leader.pid, 'SIGCONT');
      }
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
