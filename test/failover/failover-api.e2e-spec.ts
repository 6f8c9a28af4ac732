import { EventCode } from '../../src/events/event-codes';
import { addCluster, addVolume, API, databaseState, faultOf, JSON_TYPE } from '../api/api-helpers';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 16, failover through the API without gluster: the refusals (before any job), what a failed-over
 * session refuses, and failovers whose gluster side cannot be reached (the clusters have no host), which
 * fail cleanly with nothing recorded. The real failovers are in failover.lab-spec.ts.
 */
describe('session failover (API)', () => {
  let t: TestApp;
  let site1: string;
  let site2: string;
  let masterVol: string;
  let slaveVol: string;

  const post = (path: string, body: unknown) =>
    t.http.post(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
  const get = (path: string) => t.http.get(`${API}${path}`).set('Accept', JSON_TYPE);
  const sessionPath = (id: string) => `/clusters/${site1}/glustervolumes/${masterVol}/georeplication-sessions/${id}`;

  async function georepSession(
    slaveVolume: string,
    extra: { slaveCluster?: string; failedOver?: boolean; status?: string } = {},
  ): Promise<string> {
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status,
         last_refreshed, slave_cluster_id, slave_volume_id, failed_over, failover_time, failover_mode, recovery_point, data_loss_window_seconds)
       VALUES ($1, $2, '10.200.0.2', $3, $4, $5, now(), $6, $7, $8,
         CASE WHEN $8 THEN timestamptz '2026-12-03 10:00:00+00' END, CASE WHEN $8 THEN 'unplanned' END,
         CASE WHEN $8 THEN timestamptz '2026-12-03 09:58:30+00' END, CASE WHEN $8 THEN 90 END)
       RETURNING id`,
      [
        site1,
        masterVol,
        slaveVolume,
        `key-${slaveVolume}`,
        extra.status ?? 'active',
        extra.slaveCluster ?? null,
        extra.slaveCluster ? slaveVol : null,
        extra.failedOver === true,
      ],
    );
    return row.id;
  }

  async function jobEnded(id: string): Promise<{ status: string }> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await get(`/jobs/${id}`).expect(200)).body as { status: string };
      if (job.status !== 'started') return job;
      if (Date.now() > deadline) throw new Error(`job still going: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { GEOREP_SYNC_INTERVAL_SECONDS: '0' } });
    site1 = await addCluster(t, 'failover-site1');
    site2 = await addCluster(t, 'failover-site2');
    masterVol = await addVolume(t, site1, 'mastervol');
    slaveVol = await addVolume(t, site2, 'site2vol');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a session whose slave volume is on no managed cluster, and bad parameters, before any job', async () => {
    const unmanaged = await georepSession('elsewhere');
    const managed = await georepSession('site2vol', { slaveCluster: site2 });
    const before = await databaseState(t);
    const res = await post(`${sessionPath(unmanaged)}/failover`, { force: true }).expect(409);
    expect(faultOf(res).detail).toMatch(
      /^the slave volume is not on a cluster the service manages: register the slave cluster/,
    );
    for (const [body, field] of [
      [{ timeout: 0 }, 'timeout'],
      [{ timeout: 86401 }, 'timeout'],
      [{ force: 'yes' }, 'force'],
      [{ planned: true }, 'planned'],
    ] as const) {
      const bad = await post(`${sessionPath(managed)}/failover`, body).expect(400);
      expect(faultOf(bad).detail).toContain(field);
    }
    await post(
      `/clusters/${site1}/glustervolumes/${masterVol}/georeplication-sessions/00000000-0000-4000-8000-000000000000/failover`,
      {},
    ).expect(404);
    expect(await databaseState(t)).toEqual(before);
  });

  it('shows a failed-over session and refuses what would sync over the slave: start, resume, verify, a second failover, a DR run', async () => {
    const id = await georepSession('site2vol-b', { slaveCluster: site2, failedOver: true, status: 'stopped' });
    const view = (await get(sessionPath(id)).expect(200)).body;
    expect(view).toMatchObject({
      failed_over: true,
      failover_time: new Date('2026-12-03T10:00:00Z').getTime(),
      failover_mode: 'unplanned',
      recovery_point: new Date('2026-12-03T09:58:30Z').getTime(),
      data_loss_window: 90,
    });
    expect(view.actions.link.map((l: { rel: string }) => l.rel)).toContain('failover');
    const xml = await t.http
      .get(`${API}${sessionPath(id)}`)
      .set('Accept', 'application/xml')
      .expect(200);
    expect(xml.text).toContain('<failed_over>true</failed_over>');
    expect(xml.text).toContain('<data_loss_window>90</data_loss_window>');

    const domain = (
      await post('/storagedomains', {
        name: 'failed-over-domain',
        storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
        gluster_volume: { id: masterVol },
      }).expect(201)
    ).body.id as string;
    const schedule = (
      await post(`/storagedomains/${domain}/dr-schedules`, {
        georeplication_session: { id },
        schedule: '30 2 * * *',
        enabled: false,
      }).expect(201)
    ).body.id as string;

    const before = await databaseState(t);
    const refused = [
      [
        'start',
        { force: true },
        /^the session was failed over to its slave at 2026-12-03T10:00:00.000Z: starting it would overwrite the slave's newer data with the master's/,
      ],
      ['resume', { force: true }, /: resuming it would overwrite/],
      ['verify', {}, /: a canary through it would overwrite/],
      ['failover', { force: true }, /^the session is already failed over \(unplanned, at 2026-12-03T10:00:00.000Z\)$/],
    ] as const;
    for (const [action, body, detail] of refused) {
      const res = await post(`${sessionPath(id)}/${action}`, body).expect(409);
      expect(faultOf(res).detail).toMatch(detail);
    }
    const sync = await post(`/storagedomains/${domain}/dr-schedules/${schedule}/syncnow`, {}).expect(409);
    expect(faultOf(sync).detail).toMatch(/: a DR run would overwrite the slave's newer data/);
    expect(await databaseState(t)).toEqual(before);
  });

  it('a planned failover whose master cluster does not answer fails 502 naming force; nothing is recorded', async () => {
    const id = await georepSession('site2vol-c', { slaveCluster: site2 });
    const res = await post(`${sessionPath(id)}/failover`, { async: false }).expect(502);
    expect(res.body.status).toBe('failed');
    expect(res.body.fault.detail).toMatch(/fail over with force=true \(unplanned: only the slave is touched\)\.$/);
    await jobEnded(res.body.job.id);
    const [row] = await t.sql<{ failed_over: boolean; slave_options_before_failover: unknown }>(
      'SELECT failed_over, slave_options_before_failover FROM georep_sessions WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ failed_over: false, slave_options_before_failover: null });
    const events = await t.sql<{ severity: string }>('SELECT severity FROM events WHERE code = $1 AND job_id = $2', [
      EventCode.GeoRepFailoverFailed,
      res.body.job.id,
    ]);
    expect(events).toEqual([{ severity: 'error' }]);
  });

  it('an unplanned failover never touches the master, and fails 502 when the slave cluster does not answer; nothing is recorded', async () => {
    const id = await georepSession('site2vol-d', { slaveCluster: site2 });
    const res = await post(`${sessionPath(id)}/failover`, { force: true, async: false }).expect(502);
    const steps = (await get(`/jobs/${res.body.job.id}/steps`).expect(200)).body.step as { description: string }[];
    expect(steps.map((s) => s.description)).toEqual(['Making slave volume site2vol-d take writes']);
    const [row] = await t.sql<{ failed_over: boolean }>('SELECT failed_over FROM georep_sessions WHERE id = $1', [id]);
    expect(row.failed_over).toBe(false);
  });

  it('refuses a failback of a session not failed over, and bad phases; a failback whose master cluster does not answer is a 502 that changes nothing', async () => {
    const running = await georepSession('site2vol-e', { slaveCluster: site2 });
    const before = await databaseState(t);
    expect(faultOf(await post(`${sessionPath(running)}/failback`, {}).expect(409)).detail).toBe(
      'the session is not failed over: there is nothing to fail back',
    );
    expect(faultOf(await post(`${sessionPath(running)}/failback`, { phase: 'all' }).expect(400)).detail).toContain(
      'phase',
    );
    expect(await databaseState(t)).toEqual(before);

    const failed = await georepSession('site2vol-f', { slaveCluster: site2, failedOver: true, status: 'stopped' });
    const res = await post(`${sessionPath(failed)}/failback`, { phase: 'complete', async: false }).expect(502);
    expect(res.body.fault.detail).toMatch(/a failback needs the master cluster to answer\. Nothing was changed\.$/);
    const [row] = await t.sql<{ failed_over: boolean; failback_phase: string | null }>(
      'SELECT failed_over, failback_phase FROM georep_sessions WHERE id = $1',
      [failed],
    );
    expect(row).toEqual({ failed_over: true, failback_phase: null });
    const events = await t.sql<{ code: number }>('SELECT code FROM events WHERE job_id = $1', [res.body.job.id]);
    expect(events.map((e) => e.code)).toEqual([EventCode.GeoRepFailbackFailed]);
  });

  it("refuses to delete or fail over a failback's reverse session", async () => {
    const original = await georepSession('site2vol-g', { slaveCluster: site2, failedOver: true, status: 'stopped' });
    const reverse = await georepSession('site2vol-h', { slaveCluster: site2, status: 'stopped' });
    await t.sql('UPDATE georep_sessions SET failback_of = $1 WHERE id = $2', [original, reverse]);
    expect((await get(sessionPath(reverse)).expect(200)).body.failback_of).toBe(original);
    const before = await databaseState(t);
    expect(
      faultOf(
        await t.http
          .delete(`${API}${sessionPath(reverse)}`)
          .set('Accept', JSON_TYPE)
          .expect(409),
      ).detail,
    ).toBe('this is the reverse session of a failback in progress; it is deleted when the failback completes');
    expect(faultOf(await post(`${sessionPath(reverse)}/failover`, { force: true }).expect(409)).detail).toMatch(
      /^the session is the reverse session of a failback/,
    );
    expect(await databaseState(t)).toEqual(before);
  });

  it("fails a storage domain over through its DR schedule's session; shows the primary copy; 409 without one", async () => {
    const lonely = (
      await post('/storagedomains', {
        name: 'no-schedule',
        storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
        gluster_volume: { id: masterVol },
      }).expect(201)
    ).body;
    expect(lonely).toMatchObject({
      primary_copy: 'master',
      primary_storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
    });
    expect(lonely.actions.link.map((l: { rel: string }) => l.rel).sort()).toEqual(['failback', 'failover']);
    expect(faultOf(await post(`/storagedomains/${lonely.id}/failover`, { force: true }).expect(409)).detail).toMatch(
      /^storage domain no-schedule has no DR schedule with a geo-replication session/,
    );
    await post('/storagedomains/00000000-0000-4000-8000-000000000000/failover', {}).expect(404);

    const id = await georepSession('site2vol-i', { slaveCluster: site2 });
    await post(`/storagedomains/${lonely.id}/dr-schedules`, {
      georeplication_session: { id },
      schedule: '30 2 * * *',
      enabled: false,
    }).expect(201);
    // The session's failover job runs (and fails here: the slave cluster has no host), on the session's lock.
    const res = await post(`/storagedomains/${lonely.id}/failover`, { force: true, async: false }).expect(502);
    const [job] = await t.sql<{ target_type: string; target_id: string; action: string }>(
      'SELECT target_type, target_id, action FROM jobs WHERE id = $1',
      [res.body.job.id],
    );
    expect(job).toEqual({ target_type: 'georep_session', target_id: id, action: 'session.failover' });
    expect(faultOf(await post(`/storagedomains/${lonely.id}/failback`, {}).expect(409)).detail).toBe(
      'the session is not failed over: there is nothing to fail back',
    );

    await t.sql(
      `UPDATE storage_domains SET primary_copy = 'slave', primary_storage_address = '10.200.0.2', primary_storage_path = '/site2vol-i' WHERE id = $1`,
      [lonely.id],
    );
    expect((await get(`/storagedomains/${lonely.id}`).expect(200)).body).toMatchObject({
      primary_copy: 'slave',
      primary_storage: { type: 'glusterfs', address: '10.200.0.2', path: '/site2vol-i' },
      storage: { address: '127.0.0.1', path: '/mastervol' },
    });
  });
});
