import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { API, JSON_TYPE } from '../api/api-helpers';
import {
  acquireLabLease,
  describeLab,
  ensureLabUp,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  LabEnv,
  LabLock,
  labStatus,
  sessionCreate,
  gluster,
  sessionPurge,
  site2,
} from '../support/gluster-lab';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT_AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';

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

/**
 * A DR run end to end on the real lab: a storage domain on site 1's master volume, a schedule through
 * a session to site 2 that was created and never started, `syncnow`. The run sets a checkpoint, starts
 * the session, waits for every Active worker to complete that checkpoint and stops the session again;
 * a file written before the run is then on the slave with the same checksum.
 */
describeLab('DR run on the real lab', () => {
  let lease: LabLock | undefined;
  let env: LabEnv;
  let t: TestApp;
  let serviceKeyLine = '';
  let site1: string;

  const api = {
    get: async <T>(p: string): Promise<T> => (await t.http.get(`${API}${p}`).set('Accept', JSON_TYPE).expect(200)).body as T,
    post: (p: string, body: object) => t.http.post(`${API}${p}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body)),
  };

  async function refresh(p: string): Promise<void> {
    const res = await api.post(`${p}/refresh`, {});
    if (res.status !== 200 || (res.body as { status: string }).status !== 'complete') throw new Error(`refresh of ${p} answered ${res.status}: ${res.text}`);
  }

  async function hostUp(id: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const host = await api.get<{ status: string; status_detail?: string }>(`/hosts/${id}`);
      if (host.status === 'up') return;
      if (host.status !== 'unknown' || Date.now() > deadline) throw new Error(`host ${id} is ${host.status}: ${host.status_detail}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

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

  beforeAll(async () => {
    lease = await acquireLabLease();
    env = await ensureLabUp();
    await sessionPurge();
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '120', GEOREP_SYNC_INTERVAL_SECONDS: '0', GEOREP_DR_POLL_INTERVAL_MS: '1000' } });
    serviceKeyLine = (await t.anon.get('/ovirt-engine/services/pki-resource?resource=engine-certificate&format=OPENSSH-PUBKEY').expect(200)).text.trim();
    const current = fs.existsSync(ROOT_AUTHORIZED_KEYS) ? fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8') : '';
    fs.writeFileSync(ROOT_AUTHORIZED_KEYS, `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${serviceKeyLine}\n`);
    site1 = ((await api.post('/clusters', { name: 'dr-site1' }).expect(201)).body as Ref).id;
    const site2c = ((await api.post('/clusters', { name: 'dr-site2' }).expect(201)).body as Ref).id;
    const host1 = ((await api.post('/hosts', { name: 'dr-site1-host', address: env.site1Addr, ssh: { port: env.sshPort }, cluster: { id: site1 } }).expect(201)).body as Ref).id;
    const host2 = ((await api.post('/hosts', { name: 'dr-site2-host', address: env.site2Addr, cluster: { id: site2c } }).expect(201)).body as Ref).id;
    await hostUp(host1);
    await hostUp(host2);
    await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol);
    await refresh(`/clusters/${site2c}`);
    await refresh(`/clusters/${site1}`);
  }, LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + LAB_SESSION_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await sessionPurge();
    } finally {
      if (serviceKeyLine && fs.existsSync(ROOT_AUTHORIZED_KEYS)) {
        const lines = fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8').split('\n');
        fs.writeFileSync(ROOT_AUTHORIZED_KEYS, lines.filter((line) => line.trim() !== serviceKeyLine).join('\n'));
      }
      await t?.close();
      await lease?.release();
    }
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'syncnow: checkpoint, start, wait for that checkpoint, stop; the file written before is on the slave',
    async () => {
      const master = (await api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${site1}/glustervolumes`)).gluster_volume.find((v) => v.name === env.masterVol);
      expect(master).toBeDefined();
      const sessionsPath = `/clusters/${site1}/glustervolumes/${master?.id}/georeplication-sessions`;
      const [session] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath)).georeplication_session;
      expect(session.status).toMatch(/^(created|stopped)$/);

      // written before the run: must be on the slave when the run ends
      const name = `dr-before-${Date.now()}-${crypto.randomBytes(4).toString('hex')}`;
      const content = crypto.randomBytes(256 * 1024);
      fs.writeFileSync(path.join(env.masterMnt, name), content);

      const domain = ((await api.post('/storagedomains', { name: 'dr-lab', storage: { type: 'glusterfs', address: env.site1Addr, path: `/${env.masterVol}` } }).expect(201)).body as Ref).id;
      const schedPath = `/storagedomains/${domain}/dr-schedules`;
      const schedule = ((await api.post(schedPath, { georeplication_session: { id: session.id }, schedule: 'DAILY at 03:00', checkpoint_timeout: 10 }).expect(201)).body as Ref).id;

      const reply = await api.post(`${schedPath}/${schedule}/syncnow`, {}).expect(202);
      const runPath = `${schedPath}/${schedule}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;

      // Nothing is written after the checkpoint: on this idle volume the run itself touches the master
      // root when nothing moves (a checkpoint completes only once a newer changelog is processed).
      const run = await runUntil(runPath, (r) => r.status !== 'started', 12 * 60_000);
      if (run.status !== 'finished') throw new Error(`run ${run.status}: ${run.error}\n${JSON.stringify(run.steps)}\n${await labStatus()}`);
      expect(run).toMatchObject({ trigger: 'manual', started_session: true, job: { id: (reply.body as { job: Ref }).job.id } });
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
      const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath)).georeplication_session;
      expect(after).toMatchObject({ id: session.id, status: 'stopped' });

      const sched = await api.get<{ last_run: Ref; last_run_status: string; last_success_checkpoint: number; data_age: number }>(`${schedPath}/${schedule}`);
      expect(sched.last_run.id).toBe(run.id);
      expect(sched.last_run_status).toBe('finished');
      expect(sched.last_success_checkpoint).toBe(run.checkpoint_time);
      expect(sched.data_age).toBeGreaterThanOrEqual(0);

      const codes = (await t.sql<{ code: number }>(`SELECT code FROM events WHERE code IN (4164, 4165, 4166) ORDER BY id`)).map((e) => e.code);
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
      expect(run.steps?.step.at(-1)).toEqual(expect.objectContaining({ description: 'Stopping the geo-replication session', status: 'finished' }));
      const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath)).georeplication_session;
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
      await t.http.put(`${API}${schedPath}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify({ checkpoint_timeout: 2 })).expect(200);
      await gluster(2, ['volume', 'stop', env.site2Vol]);
      try {
        const reply = await api.post(`${schedPath}/syncnow`, {}).expect(202);
        const runPath = `${schedPath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;
        // a write after the checkpoint gives the workers something to (fail to) replicate
        const withCheckpoint = await runUntil(runPath, (r) => r.checkpoint_time !== undefined || r.status !== 'started', 5 * 60_000);
        if (withCheckpoint.status === 'started') fs.writeFileSync(path.join(env.masterMnt, `dr-slave-down-${Date.now()}`), 'x\n');
        const run = await runUntil(runPath, (r) => r.status !== 'started', 6 * 60_000);
        expect(run.status).toBe('failed');
        expect(run.error).toMatch(/Faulty|did not complete within 2 minute/);
        expect(run.steps?.step.at(-1)).toEqual(expect.objectContaining({ description: 'Stopping the geo-replication session', status: 'finished' }));
        const failed = await t.sql<{ severity: string; description: string }>(`SELECT severity, description FROM events WHERE code = 4164`);
        expect(failed).toHaveLength(1);
        expect(failed[0].severity).toBe('alert');
        expect(failed[0].description).toContain(run.error as string);
        const [after] = (await api.get<{ georeplication_session: { id: string; status: string }[] }>(sessionsPath)).georeplication_session;
        expect(after).toMatchObject({ id: sessionId, status: 'stopped' });
      } finally {
        await gluster(2, ['volume', 'start', env.site2Vol, 'force']);
      }
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
