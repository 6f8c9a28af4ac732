import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DrScheduler } from '../../src/dr/dr-scheduler';
import { DrScheduleRunner } from '../../src/dr/dr-schedule-runner.job';
import { TargetLock, HeldLock } from '../../src/jobs/target-lock';
import { QueueName } from '../../src/queue/queue-names';
import { QueueProducer } from '../../src/queue/queue-producer';
import { addCluster, addVolume, API, databaseState, faultOf, JSON_TYPE, XML } from '../api/api-helpers';
import { startTestEngine } from '../support/ovirt-engine-server';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Storage domains, DR schedules and runs without gluster: CRUD, validation and faults, the BullMQ job
 * scheduler of a schedule, one run per domain (409), cancel, a vanished session and the missed-run
 * policy. Runs here fail at their first gluster step (the cluster has no host), which is enough for
 * the run's bookkeeping; the real run is in dr-runs.lab-spec.ts.
 */
describe('DR API', () => {
  let t: TestApp;
  let cluster: string;
  let masterVol: string;
  let otherVol: string;
  let lonelyVol: string;
  let session: string;
  let otherSession: string;

  const post = (path: string, body: unknown) =>
    t.http.post(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
  const put = (path: string, body: unknown) =>
    t.http.put(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
  const get = (path: string) => t.http.get(`${API}${path}`).set('Accept', JSON_TYPE);
  const events = (code: number) =>
    t.sql<{ severity: string; description: string }>(
      'SELECT severity, description FROM events WHERE code = $1 ORDER BY id',
      [code],
    );

  const volume = (name: string) => addVolume(t, cluster, name);

  async function georepSession(volumeId: string, slaveVolume: string): Promise<string> {
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
       VALUES ($1, $2, '10.200.0.2', $3, $4, 'stopped', now()) RETURNING id`,
      [cluster, volumeId, slaveVolume, `key-${slaveVolume}`],
    );
    return row.id;
  }

  async function runEnded(
    path: string,
  ): Promise<{ status: string; error?: string; steps?: { step: { description: string; status: string }[] } }> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = (await get(path).expect(200)).body as { status: string; error?: string };
      if (run.status !== 'started') return run;
      if (Date.now() > deadline) throw new Error(`run still going: ${JSON.stringify(run)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { GEOREP_DR_POLL_INTERVAL_MS: '200', GEOREP_SYNC_INTERVAL_SECONDS: '0' } });
    cluster = await addCluster(t, 'site1');
    masterVol = await volume('mastervol');
    otherVol = await volume('othervol');
    lonelyVol = await volume('lonelyvol');
    session = await georepSession(masterVol, 'site2vol');
    otherSession = await georepSession(otherVol, 'site2other');
  });

  afterAll(async () => {
    await t?.close();
  });

  let domain: string;

  it('adds a gluster data storage domain in oVirt shape, linked to its volume', async () => {
    const res = await post('/storagedomains', {
      name: 'data1',
      storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
      gluster_volume: { id: masterVol },
    }).expect(201);
    domain = res.body.id;
    expect(res.body).toMatchObject({
      name: 'data1',
      type: 'data',
      storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
      gluster_volume: { id: masterVol, href: `${API}/clusters/${cluster}/glustervolumes/${masterVol}` },
      link: [{ rel: 'dr-schedules', href: `${API}/storagedomains/${domain}/dr-schedules` }],
    });
    // found from the path when the reference is left out
    const byPath = await post('/storagedomains', {
      name: 'data2',
      storage: { type: 'glusterfs', address: 'gluster1.example.com', path: 'lonelyvol' },
    }).expect(201);
    expect(byPath.body.gluster_volume.id).toBe(lonelyVol);
    const xml = await t.http.get(`${API}/storagedomains/${domain}`).set('Accept', 'application/xml').expect(200);
    expect(xml.text).toContain(`<storage_domain id="${domain}" href="${API}/storagedomains/${domain}">`);
    expect(xml.text).toContain(
      `<gluster_volume id="${masterVol}" href="${API}/clusters/${cluster}/glustervolumes/${masterVol}"/>`,
    );
  });

  it('refuses bad storage domains with clear faults', async () => {
    expect(
      faultOf(
        await post('/storagedomains', {
          name: 'x',
          storage: { type: 'glusterfs', address: 'a', path: '/othervol' },
          gluster_volume: { id: masterVol },
        }).expect(400),
      ).detail,
    ).toMatch(/storage.path.*names volume "othervol" but gluster_volume is "mastervol"/);
    expect(
      faultOf(
        await post('/storagedomains', {
          name: 'x',
          storage: { type: 'glusterfs', address: 'a', path: '/nosuchvol' },
        }).expect(404),
      ).detail,
    ).toMatch(/nosuchvol/);
    expect(
      faultOf(
        await post('/storagedomains', {
          name: 'x',
          storage: { type: 'glusterfs', address: 'bad host;', path: '/mastervol' },
        }).expect(400),
      ).detail,
    ).toMatch(/storage.address/);
    expect(
      faultOf(
        await post('/storagedomains', { name: 'x', storage: { type: 'nfs', address: 'a', path: '/mastervol' } }).expect(
          400,
        ),
      ).detail,
    ).toMatch(/storage.type/);
    expect(
      faultOf(
        await post('/storagedomains', {
          name: 'data1',
          storage: { type: 'glusterfs', address: 'a', path: '/mastervol' },
        }).expect(409),
      ).detail,
    ).toMatch(/already exists/);
    await get('/storagedomains/00000000-0000-4000-8000-000000000000').expect(404);
    await get('/storagedomains/not-a-uuid').expect(404);
  });

  let schedule: string;

  it('adds a schedule in oVirt form with a time zone and a next run, backed by a BullMQ job scheduler', async () => {
    const res = await post(`/storagedomains/${domain}/dr-schedules`, {
      georeplication_session: { id: session },
      schedule: 'weekly on fri,mon at 2:30',
      timezone: 'Europe/Paris',
      checkpoint_timeout: 30,
      missed_run_policy: 'run_once',
    }).expect(201);
    schedule = res.body.id;
    expect(res.body).toMatchObject({
      name: 'dr-site2vol',
      schedule: 'WEEKLY on MON,FRI at 02:30',
      cron: '30 2 * * 1,5',
      timezone: 'Europe/Paris',
      enabled: true,
      checkpoint_timeout: 30,
      missed_run_policy: 'run_once',
      quiesce: 'off',
      georeplication_session: {
        id: session,
        href: `${API}/clusters/${cluster}/glustervolumes/${masterVol}/georeplication-sessions/${session}`,
      },
      storage_domain: { id: domain },
    });
    expect(res.body.next_run).toBeGreaterThan(Date.now());
    expect(res.body.data_age).toBeUndefined();
    const scheduler = await t.app
      .get(QueueProducer)
      .queue(QueueName.Maintenance)
      .getJobScheduler(DrScheduler.idOf(schedule));
    expect(scheduler).toMatchObject({ pattern: '30 2 * * 1,5', tz: 'Europe/Paris' });
    await get(`/storagedomains/${domain}/dr-schedules/${schedule}`).expect(200);
    expect((await get(`/storagedomains/${domain}/dr-schedules`).expect(200)).body.dr_schedule).toHaveLength(1);
  });

  it('refuses bad schedules: invalid cron, Quartz, unknown time zone, a session of another volume, unknown ids', async () => {
    const base = `/storagedomains/${domain}/dr-schedules`;
    expect(
      faultOf(
        await post(base, { georeplication_session: { id: session }, schedule: '61 2 * * *', name: 'a' }).expect(400),
      ).detail,
    ).toMatch(/schedule.*not a valid cron/);
    expect(
      faultOf(
        await post(base, { georeplication_session: { id: session }, schedule: '0 30 2 * * ?', name: 'a' }).expect(400),
      ).detail,
    ).toMatch(/Quartz cron syntax is not supported.*5-field cron/);
    expect(
      faultOf(
        await post(base, { georeplication_session: { id: session }, schedule: '30 2 ? * MON', name: 'a' }).expect(400),
      ).detail,
    ).toMatch(/Quartz/);
    expect(
      faultOf(
        await post(base, {
          georeplication_session: { id: session },
          schedule: '30 2 * * *',
          timezone: 'Mars/Base',
          name: 'a',
        }).expect(400),
      ).detail,
    ).toMatch(/timezone.*not a time zone/);
    expect(
      faultOf(
        await post(base, { georeplication_session: { id: otherSession }, schedule: '30 2 * * *', name: 'a' }).expect(
          400,
        ),
      ).detail,
    ).toMatch(/replicates another volume, not "mastervol"/);
    expect(
      faultOf(
        await post(base, {
          georeplication_session: { id: '00000000-0000-4000-8000-000000000000' },
          schedule: '30 2 * * *',
          name: 'a',
        }).expect(404),
      ).detail,
    ).toMatch(/session/);
    expect(
      faultOf(await post(base, { schedule: '30 2 * * *', quiesce: 'required', name: 'a' }).expect(400)).detail,
    ).toMatch(/engine_url.*needed to quiesce.*engine_password.*engine_storage_domain_id/s);
    expect(faultOf(await post(base, { schedule: '30 2 * * *', quiesce: true, name: 'a' }).expect(400)).detail).toMatch(
      /quiesce/,
    );
    await post(`/storagedomains/00000000-0000-4000-8000-000000000000/dr-schedules`, { schedule: '30 2 * * *' }).expect(
      404,
    );
    await get(`${base.replace(domain, '00000000-0000-4000-8000-000000000000')}`).expect(404);
    await get(`${base}/00000000-0000-4000-8000-000000000000`).expect(404);
    await get(`${base}/${schedule}/runs/00000000-0000-4000-8000-000000000000`).expect(404);
  });

  it('keeps an oVirt engine connection: CA fetched and pinned, password never served; bad engines and a slave cluster not registered are faults that change nothing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-api-engine-'));
    const engineDomain = '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c';
    const engine = await startTestEngine({ root, storageDomain: { id: engineDomain, name: 'data' }, vms: [] });
    const schedulePath = `/storagedomains/${domain}/dr-schedules/${schedule}`;
    try {
      const res = await put(schedulePath, {
        engine_url: `${engine.url}/ovirt-engine/api/`,
        engine_password: engine.password,
        engine_storage_domain_id: engineDomain,
      }).expect(200);
      expect(res.body).toMatchObject({
        quiesce: 'off',
        engine_url: engine.url,
        engine_username: 'admin@internal',
        engine_ca_certificate: engine.caPem.trim() + '\n',
        engine_storage_domain_id: engineDomain,
      });
      expect(res.body.engine_password).toBeUndefined();
      const xml = (await t.http.get(`${API}${schedulePath}`).set('Accept', XML).expect(200)).text;
      expect(xml).toContain(`<engine_url>${engine.url}</engine_url>`);
      expect(xml).toContain('<quiesce>off</quiesce>');
      expect(xml).not.toContain(engine.password);
      expect(xml).not.toContain('engine_password');
      const [row] = await t.sql<{ sealed: string }>(
        'SELECT engine_password_sealed AS sealed FROM dr_schedules WHERE id = $1',
        [schedule],
      );
      expect(row.sealed).toMatch(/^v1:/);
      expect(row.sealed).not.toContain(engine.password);

      const before = await databaseState(t);
      // The session's slave cluster is not registered here: its volume could not be mounted to remove overlays.
      expect(faultOf(await put(schedulePath, { quiesce: 'required' }).expect(409)).detail).toMatch(
        /quiesce required removes the snapshots' overlays from the slave volume.*slave cluster of 10\.200\.0\.2::site2vol must be registered/,
      );
      expect(
        faultOf(await put(schedulePath, { engine_ca_certificate: 'not a certificate' }).expect(400)).detail,
      ).toMatch(/engine_ca_certificate.*PEM of the engine's CA certificate/);
      expect(
        faultOf(await put(schedulePath, { engine_url: 'http://engine.example/ovirt-engine/api' }).expect(400)).detail,
      ).toMatch(/engine_url/);
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise((r) => closed.close(r));
      expect(faultOf(await put(schedulePath, { engine_url: `https://127.0.0.1:${port}` }).expect(502)).detail).toMatch(
        /CA certificate could not be fetched.*give it in engine_ca_certificate/,
      );
      expect(await databaseState(t)).toEqual(before);

      const cleared = (await put(schedulePath, { engine_url: null }).expect(200)).body;
      for (const field of ['engine_url', 'engine_username', 'engine_ca_certificate', 'engine_storage_domain_id'])
        expect(cleared[field]).toBeUndefined();
      const [after] = await t.sql<{ sealed: string | null }>(
        'SELECT engine_password_sealed AS sealed FROM dr_schedules WHERE id = $1',
        [schedule],
      );
      expect(after.sealed).toBeNull();
    } finally {
      await engine.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('alerts with a how-to when sync is asked for a domain whose volume has no session', async () => {
    const lonely = (await get('/storagedomains?search=name%3Ddata2').expect(200)).body.storage_domain[0].id as string;
    const fault = faultOf(
      await post(`/storagedomains/${lonely}/dr-schedules`, { schedule: 'DAILY at 01:00' }).expect(409),
    );
    expect(fault.detail).toMatch(/has no geo-replication session.*create one with POST/);
    const alerts = await events(11215);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].severity).toBe('alert');
    expect(alerts[0].description).toMatch(/Create one .*georeplication-sessions/);
  });

  it('pauses and resumes: the job scheduler goes and comes back', async () => {
    const path = `/storagedomains/${domain}/dr-schedules/${schedule}`;
    const queue = t.app.get(QueueProducer).queue(QueueName.Maintenance);
    await post(`${path}/pause`, {}).expect(200);
    expect((await get(path).expect(200)).body).toMatchObject({ enabled: false });
    expect((await get(path)).body.next_run).toBeUndefined();
    expect(await queue.getJobScheduler(DrScheduler.idOf(schedule))).toBeFalsy();
    await post(`${path}/resume`, {}).expect(200);
    expect((await get(path).expect(200)).body).toMatchObject({ enabled: true });
    expect(await queue.getJobScheduler(DrScheduler.idOf(schedule))).toMatchObject({ pattern: '30 2 * * 1,5' });
    const updated = await put(path, { schedule: '*/5 * * * *', timezone: 'UTC' }).expect(200);
    expect(updated.body).toMatchObject({ schedule: '*/5 * * * *', cron: '*/5 * * * *', timezone: 'UTC' });
    expect(await queue.getJobScheduler(DrScheduler.idOf(schedule))).toMatchObject({
      pattern: '*/5 * * * *',
      tz: 'UTC',
    });
  });

  it('syncnow answers 202 with the job and the run; a second one for the domain is a 409; the run fails cleanly with 4164 (alert)', async () => {
    const path = `/storagedomains/${domain}/dr-schedules/${schedule}`;
    // Hold the session's lock, as a session action would: the run waits for it, so it is surely still going.
    const lock = (await t.app.get(TargetLock).tryAcquire('georep_session', session)) as HeldLock;
    expect(lock).toBeDefined();
    let released = false;
    try {
      const first = await post(`${path}/syncnow`, {}).expect(202);
      expect(first.body.status).toMatch(/pending|in_progress/);
      expect(first.body.job.id).toBeDefined();
      const runId = first.body.dr_run.id as string;
      expect(first.body.dr_run.href).toBe(`${API}${path}/runs/${runId}`);
      const second = await post(`${path}/syncnow`, {}).expect(409);
      expect(faultOf(second).detail).toMatch(/in progress for the domain data1/);
      expect(await t.sql('SELECT id FROM dr_runs')).toHaveLength(1);
      await lock.release();
      released = true;
      const run = await runEnded(`${path}/runs/${runId}`);
      expect(run).toMatchObject({ status: 'failed', trigger: 'manual', job: { id: first.body.job.id } });
      expect(run.error).toMatch(/host/i);
      expect(run.steps?.step).toEqual([
        expect.objectContaining({ description: 'Reading the status of the geo-replication session', status: 'failed' }),
      ]);
      const failed = await events(4164);
      expect(failed).toHaveLength(1);
      expect(failed[0].severity).toBe('alert');
      expect(await events(11218)).toHaveLength(0); // one failure, one event: the job adds none of its own
      expect((await events(4166)).length).toBe(1);
      const job = (await get(`/jobs/${first.body.job.id}`).expect(200)).body;
      expect(job.status).toBe('failed');
      const sched = (await get(path).expect(200)).body;
      expect(sched.last_run).toEqual({ id: runId, href: `${API}${path}/runs/${runId}` });
      expect(sched.last_run_status).toBe('failed');
      expect(sched.last_success).toBeUndefined();
      expect(faultOf(await post(`${path}/runs/${runId}/cancel`, {}).expect(409)).detail).toMatch(/already ended/);
    } finally {
      if (!released) await lock.release();
    }
  });

  it('cancel ends a run aborted, and its job aborted (an ended job that can be cleared)', async () => {
    const path = `/storagedomains/${domain}/dr-schedules/${schedule}`;
    const lock = (await t.app.get(TargetLock).tryAcquire('georep_session', session)) as HeldLock;
    let released = false;
    try {
      const reply = (await post(`${path}/syncnow`, {}).expect(202)).body;
      const runId = reply.dr_run.id as string;
      await post(`${path}/runs/${runId}/cancel`, {}).expect(200);
      await lock.release();
      released = true;
      const run = await runEnded(`${path}/runs/${runId}`);
      expect(run).toMatchObject({ status: 'aborted', cancel_requested: true, started_session: false });
      expect((await events(4164)).length).toBe(1); // an abort is no failure alert
      expect(await events(11218)).toHaveLength(0);
      const aborted = await events(11219);
      expect(aborted).toEqual([
        { severity: 'warning', description: expect.stringContaining('aborted: The DR run was cancelled.') },
      ]);
      const job = (await get(`/jobs/${reply.job.id}`).expect(200)).body;
      expect(job).toMatchObject({ status: 'aborted', end_time: expect.any(Number) });
      expect(job.actions.link.map((l: { rel: string }) => l.rel)).toEqual(['clear']);
      expect(
        (await get(`/jobs?search=status%3Daborted`).expect(200)).body.job.map((j: { id: string }) => j.id),
      ).toContain(reply.job.id);
      expect(faultOf(await post(`/jobs/${reply.job.id}/end`, { force: true }).expect(409)).detail).toMatch(
        /already ended \(aborted\)/,
      );
      const runs = (await get(`${path}/runs?search=status%3Daborted`).expect(200)).body.dr_run;
      expect(runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    } finally {
      if (!released) await lock.release();
    }
  });

  it('runs a missed fire once at start-up (run_once), and only once', async () => {
    const runner = t.app.get(DrScheduleRunner);
    await t.sql(`UPDATE dr_schedules SET next_run = now() - interval '1 hour' WHERE id = $1`, [schedule]);
    const before = (await t.sql('SELECT id FROM dr_runs')).length;
    await Promise.all([runner.reconcile(new Date()), runner.reconcile(new Date())]);
    const runs = await t.sql<{ id: string; trigger: string }>(
      'SELECT id, trigger FROM dr_runs ORDER BY start_time DESC',
    );
    expect(runs).toHaveLength(before + 1);
    expect(runs[0].trigger).toBe('schedule');
    expect(await events(11221)).toHaveLength(1);
    await runEnded(`/storagedomains/${domain}/dr-schedules/${schedule}/runs/${runs[0].id}`);
  });

  it('a session a DR schedule syncs through cannot be deleted (DR registers the guard); nothing changes', async () => {
    const before = await databaseState(t);
    const res = await t.http
      .delete(`${API}/clusters/${cluster}/glustervolumes/${masterVol}/georeplication-sessions/${session}`)
      .set('Accept', JSON_TYPE)
      .expect(409);
    expect(faultOf(res).detail).toBe('a DR schedule syncs through this session; remove the schedule first');
    expect(await databaseState(t)).toEqual(before);
    // Without a schedule the guard lets the delete through: its job runs and fails at gluster (no host here).
    const unguarded = await t.http
      .delete(`${API}/clusters/${cluster}/glustervolumes/${otherVol}/georeplication-sessions/${otherSession}`)
      .set('Accept', JSON_TYPE)
      .expect(502);
    expect(faultOf(unguarded).detail).not.toMatch(/DR schedule/);
    expect(
      await t.sql("SELECT id FROM jobs WHERE action = 'session.delete' AND target_id = $1", [otherSession]),
    ).toHaveLength(1);
  });

  it('a schedule whose session vanished is disabled with an error event', async () => {
    await t.sql('DELETE FROM georep_sessions WHERE id = $1', [session]);
    const path = `/storagedomains/${domain}/dr-schedules/${schedule}`;
    expect((await get(path).expect(200)).body.georeplication_session).toBeUndefined();
    const fired = await t.app.get(DrScheduleRunner).fire({ data: { scheduleId: schedule } } as never);
    expect(fired).toEqual({ skipped: 'session vanished' });
    const sched = (await get(path).expect(200)).body;
    expect(sched).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/no longer exists/) });
    expect(
      await t.app.get(QueueProducer).queue(QueueName.Maintenance).getJobScheduler(DrScheduler.idOf(schedule)),
    ).toBeFalsy();
    const vanished = await events(11216);
    expect(vanished).toHaveLength(1);
    expect(vanished[0].severity).toBe('error');
    expect(faultOf(await post(`${path}/resume`, {}).expect(409)).detail).toMatch(/no geo-replication session/);
  });

  it('a storage domain with schedules cannot be removed; removing the schedule first works', async () => {
    expect(
      faultOf(await t.http.delete(`${API}/storagedomains/${domain}`).set('Accept', JSON_TYPE).expect(409)).detail,
    ).toMatch(/DR schedules/);
    await t.http.delete(`${API}/storagedomains/${domain}/dr-schedules/${schedule}`).expect(200);
    await t.http.delete(`${API}/storagedomains/${domain}`).expect(200);
    expect(await t.sql('SELECT id FROM dr_runs')).toHaveLength(0);
  });
});
