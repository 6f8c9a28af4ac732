import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { addCluster, API, databaseState, faultOf, JSON_TYPE, withIds, XML } from './api-helpers';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}/g;

interface JobJson {
  id: string;
  status: string;
  description: string;
  external: boolean;
  correlation_id?: string;
  actions?: { link: { rel: string }[] };
}

/** Polls the job through the API until it has ended; the deadline only guards against a hang. */
async function jobEnded(t: TestApp, jobId: string): Promise<JobJson> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await t.http.get(`${API}/jobs/${jobId}`).set('Accept', JSON_TYPE).expect(200);
    const job = res.body as JobJson;
    if (job.status !== 'started') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not end`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function jobIdOf(text: string): string {
  const id = /<job id="([^"]+)"/.exec(text)?.[1] ?? (JSON.parse(text) as { job?: { id: string } }).job?.id;
  if (!id) throw new Error(`no job in ${text}`);
  return id;
}

/**
 * A POST through node:http with every header given up front: superagent cannot send `Expect` (node's
 * client flushes the headers as soon as it sees one, and superagent then adds more).
 */
async function rawPost(
  t: TestApp,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const server = t.app.getHttpServer() as http.Server;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { Authorization: auth, 'Content-Length': '0', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The worker's run lock on a target, taken by the test itself so a job must wait for it. */
async function holdTargetLock(databaseUrl: string, key: string): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
  return async () => {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    await client.end();
  };
}

describe('actions over HTTP, jobs and steps', () => {
  let t: TestApp;
  let cluster: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '60' } });
    cluster = await addCluster(t, 'site-a');
  });
  afterAll(() => t.close());

  it('runs a synchronous action: 200, the echoed envelope complete with its job, then the job and its step', async () => {
    const res = await t.http
      .post(`${API}/clusters/${cluster}/refresh`)
      .set('Content-Type', XML)
      .set('Correlation-Id', 'refresh-1')
      .send('<action/>')
      .expect(200);
    const job = jobIdOf(res.text);
    expect(withIds(res.text, { job })).toBe(`${DECLARATION}
<action>
    <status>complete</status>
    <job id="{job}" href="/ovirt-engine/api/jobs/{job}"/>
</action>
`);
    const jobXml = await t.http.get(`${API}/jobs/${job}`).expect(200);
    const [admin] = await t.sql<{ id: string }>('SELECT id FROM users WHERE name = $1', [TEST_ADMIN.user]);
    expect(withIds(jobXml.text, { job, admin: admin.id }).replace(ISO_TIME, 'T')).toBe(`${DECLARATION}
<job id="{job}" href="/ovirt-engine/api/jobs/{job}">
    <actions>
        <link rel="clear" href="/ovirt-engine/api/jobs/{job}/clear"/>
    </actions>
    <description>Refreshing cluster site-a</description>
    <status>finished</status>
    <start_time>T</start_time>
    <end_time>T</end_time>
    <last_updated>T</last_updated>
    <external>false</external>
    <auto_cleared>true</auto_cleared>
    <owner id="{admin}" href="/ovirt-engine/api/users/{admin}"/>
    <correlation_id>refresh-1</correlation_id>
    <link rel="steps" href="/ovirt-engine/api/jobs/{job}/steps"/>
</job>
`);
    const steps = await t.http.get(`${API}/jobs/${job}/steps`).set('Accept', JSON_TYPE).expect(200);
    const [step] = (steps.body as { step: Record<string, unknown>[] }).step;
    expect(steps.body.step).toHaveLength(1);
    expect(step).toMatchObject({
      description: 'Refreshing cluster site-a',
      type: 'executing',
      number: 1,
      status: 'finished',
      progress: 100,
      external: false,
      job: { id: job },
    });
    const one = await t.http
      .get(`${API}/jobs/${job}/steps/${step.id as string}`)
      .set('Accept', JSON_TYPE)
      .expect(200);
    expect(one.body).toEqual(step);
    const events = await t.http
      .get(`${API}/events`)
      .query({ search: 'correlation_id=refresh-1' })
      .set('Accept', JSON_TYPE)
      .expect(200);
    expect(
      (events.body as { event: Record<string, unknown>[] }).event.map((e) => [
        e.code,
        e.severity,
        (e.job as { id: string }).id,
      ]),
    ).toEqual([[11004, 'normal', job]]);
  });

  it('answers 202 with the job when async is asked in the body, the query or with Expect: 202-accepted', async () => {
    const asks = [
      t.http
        .post(`${API}/clusters/${cluster}/refresh`)
        .set('Content-Type', XML)
        .send('<action><async>true</async></action>'),
      t.http.post(`${API}/clusters/${cluster}/refresh?async=true`).set('Content-Type', XML).send('<action/>'),
      rawPost(t, `${API}/clusters/${cluster}/refresh`, { Expect: '202-accepted' }),
      t.http
        .post(`${API}/clusters/${cluster}/refresh`)
        .set('Content-Type', JSON_TYPE)
        .set('Accept', JSON_TYPE)
        .send('{"async": true}'),
    ];
    for (const ask of asks) {
      const res = await ask;
      expect(res.status).toBe(202);
      const status = res.text.startsWith('{')
        ? (JSON.parse(res.text) as { status: string }).status
        : /<status>(\w+)<\/status>/.exec(res.text)?.[1];
      expect(['pending', 'in_progress']).toContain(status);
      expect(res.text).not.toContain('<fault>');
      const job = await jobEnded(t, jobIdOf(res.text));
      expect(job.status).toBe('finished');
    }
  });

  it('refuses async=false together with Expect: 202-accepted, and a bad action body, without creating a job', async () => {
    const before = await databaseState(t);
    const contradiction = await rawPost(t, `${API}/clusters/${cluster}/refresh?async=false`, {
      Expect: '202-accepted',
      Accept: JSON_TYPE,
    });
    expect(contradiction.status).toBe(400);
    expect(JSON.parse(contradiction.text)).toEqual({
      reason: 'Bad Request',
      detail: 'async=false contradicts Expect: 202-accepted',
    });
    expect((await rawPost(t, `${API}/clusters/${cluster}/refresh`, { Expect: 'something-else' })).status).toBe(417);
    const malformed = await t.http
      .post(`${API}/clusters/${cluster}/refresh`)
      .set('Content-Type', XML)
      .send('<action><async>maybe</async></action>')
      .expect(400);
    expect(faultOf(malformed).reason).toBe('Invalid request body');
    const badQuery = await t.http.post(`${API}/clusters/${cluster}/refresh?async=perhaps`).expect(400);
    expect(faultOf(badQuery).detail).toMatch(/^async: must be true or false/);
    const wrongRoot = await t.http
      .post(`${API}/clusters/${cluster}/refresh`)
      .set('Content-Type', XML)
      .send('<cluster/>')
      .expect(400);
    faultOf(wrongRoot);
    const unknown = await t.http
      .post(`${API}/clusters/00000000-0000-4000-8000-000000000000/refresh`)
      .send()
      .expect(404);
    expect(faultOf(unknown).detail).toBe('cluster with id "00000000-0000-4000-8000-000000000000" does not exist');
    expect(await databaseState(t)).toEqual(before);
  });

  it('answers a job that failed while it ran with the failed envelope, its fault and the status of the failure', async () => {
    const doomed = await addCluster(t, 'doomed');
    const release = await holdTargetLock(t.databaseUrl, `cluster:${doomed}`);
    let released = false;
    try {
      const pending = t.http
        .post(`${API}/clusters/${doomed}/refresh`)
        .set('Accept', JSON_TYPE)
        .then((r) => r);
      // The job is queued and cannot run while the test holds its lock; the cluster goes meanwhile.
      const deadline = Date.now() + 60_000;
      while ((await t.sql(`SELECT 1 FROM jobs WHERE target_id = $1`, [doomed])).length === 0) {
        if (Date.now() > deadline) throw new Error('the job was never written');
        await new Promise((r) => setTimeout(r, 50));
      }
      await t.http.delete(`${API}/clusters/${doomed}`).expect(200);
      await release();
      released = true;
      const res = await pending;
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        status: 'failed',
        fault: { reason: 'Operation Failed', detail: 'The cluster was removed before it could be refreshed.' },
        job: { id: expect.any(String), href: `/ovirt-engine/api/jobs/${(res.body as { job: { id: string } }).job.id}` },
      });
      const job = await jobEnded(t, (res.body as { job: { id: string } }).job.id);
      expect(job.status).toBe('failed');
    } finally {
      if (!released) await release();
    }
  });

  it('adds, ends and clears an external job; refuses ending or clearing what cannot be', async () => {
    const added = await t.http
      .post(`${API}/jobs`)
      .set('Content-Type', XML)
      .set('Accept', JSON_TYPE)
      .send('<job><description>backup of vm1</description></job>')
      .expect(201);
    const job = added.body as JobJson;
    expect(added.headers.location).toBe(`/ovirt-engine/api/jobs/${job.id}`);
    expect(job).toMatchObject({ description: 'backup of vm1', status: 'started', external: true, auto_cleared: true });
    expect(job.actions?.link.map((l) => l.rel)).toEqual(['end']);

    const early = await t.http.post(`${API}/jobs/${job.id}/clear`).send().expect(409);
    expect(faultOf(early).detail).toBe(`job ${job.id} has not ended yet; only ended jobs can be cleared`);

    const ended = await t.http
      .post(`${API}/jobs/${job.id}/end`)
      .set('Content-Type', XML)
      .send('<action><succeeded>false</succeeded></action>')
      .expect(200);
    expect(ended.text).toBe(`${DECLARATION}
<action>
    <status>complete</status>
    <succeeded>false</succeeded>
</action>
`);
    expect((await jobEnded(t, job.id)).status).toBe('failed');
    const again = await t.http.post(`${API}/jobs/${job.id}/end`).send().expect(409);
    expect(faultOf(again).detail).toBe(`job ${job.id} has already ended (failed)`);

    await t.http.post(`${API}/jobs/${job.id}/clear`).send().expect(200);
    await t.http.get(`${API}/jobs/${job.id}`).expect(404);

    const ours = jobIdOf((await t.http.post(`${API}/clusters/${cluster}/refresh`).expect(200)).text);
    const endOurs = await t.http.post(`${API}/jobs/${ours}/end?force=true`).send().expect(409);
    expect(faultOf(endOurs).detail).toBe(`job ${ours} has already ended (finished)`);
  });

  it('cancels a queued job of the service with end and force, so the worker never runs it', async () => {
    const release = await holdTargetLock(t.databaseUrl, `cluster:${cluster}`);
    try {
      const res = await t.http.post(`${API}/clusters/${cluster}/refresh?async=true`).expect(202);
      const job = jobIdOf(res.text);
      // While it waits for the lock it may already have been claimed by the worker once; it is
      // cancellable only while queued, so the answer is one of the two and the row must agree.
      const noForce = await t.http.post(`${API}/jobs/${job}/end`).send();
      expect(noForce.status).toBe(409);
      const forced = await t.http
        .post(`${API}/jobs/${job}/end`)
        .set('Content-Type', XML)
        .send('<action><force>true</force></action>');
      const [row] = await t.sql<{ status: string; run_state: string }>(
        'SELECT status, run_state FROM jobs WHERE id = $1',
        [job],
      );
      if (forced.status === 200) {
        expect(row).toEqual({ status: 'aborted', run_state: 'done' });
      } else {
        expect(forced.status).toBe(409);
        expect(row.status).toBe('started');
      }
    } finally {
      await release();
    }
  });

  it('lists jobs newest first, with search and max; 404 for unknown jobs and steps', async () => {
    const list = await t.http.get(`${API}/jobs`).set('Accept', JSON_TYPE).expect(200);
    const jobs = (list.body as { job: { start_time: number }[] }).job;
    expect(jobs.length).toBeGreaterThan(3);
    const times = jobs.map((j) => j.start_time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const failed = await t.http
      .get(`${API}/jobs`)
      .query({ search: 'status=failed' })
      .set('Accept', JSON_TYPE)
      .expect(200);
    expect((failed.body as { job: JobJson[] }).job.map((j) => j.description)).toEqual(['Refreshing cluster doomed']);
    const one = await t.http.get(`${API}/jobs`).query({ max: 1 }).set('Accept', JSON_TYPE).expect(200);
    expect((one.body as { job: unknown[] }).job).toHaveLength(1);
    await t.http.get(`${API}/jobs/not-a-uuid`).expect(404);
    await t.http.get(`${API}/jobs/00000000-0000-4000-8000-000000000000/steps`).expect(404);
    const job = jobs[0] as unknown as { id: string };
    await t.http.get(`${API}/jobs/${job.id}/steps/00000000-0000-4000-8000-000000000000`).expect(404);
  });
});

describe('the audit trail of cluster and host changes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  it('writes one event per add, update and remove, with the correlation id and the refs', async () => {
    const send = (method: 'post' | 'put' | 'delete', path: string, body?: object) =>
      t.http[method](`${API}${path}`)
        .set('Correlation-Id', 'audit-1')
        .set('Content-Type', JSON_TYPE)
        .set('Accept', JSON_TYPE)
        .send(body === undefined ? undefined : JSON.stringify(body));
    const cluster = ((await send('post', '/clusters', { name: 'audited' }).expect(201)).body as { id: string }).id;
    await send('put', `/clusters/${cluster}`, { description: 'changed' }).expect(200);
    const host = (
      (await send('post', '/hosts', { name: 'h1', address: '192.0.2.1', cluster: { id: cluster } }).expect(201))
        .body as { id: string }
    ).id;
    await send('put', `/hosts/${host}`, { address: '192.0.2.2' }).expect(200);
    await send('delete', `/hosts/${host}`).expect(200);
    await send('delete', `/clusters/${cluster}`).expect(200);
    // Refused changes write nothing.
    await send('post', '/clusters', { name: '' }).expect(400);

    const res = await t.http
      .get(`${API}/events`)
      .query({ search: 'correlation_id=audit-1 sortby index asc' })
      .set('Accept', JSON_TYPE)
      .expect(200);
    const events = (
      res.body as { event: { code: number; description: string; cluster?: { id: string }; host?: { id: string } }[] }
    ).event;
    expect(events.map((e) => [e.code, e.description])).toEqual([
      [11001, 'Cluster audited was added.'],
      [11002, 'Cluster audited was updated.'],
      [11011, 'Host h1 (192.0.2.1) was added.'],
      [11012, 'Host h1 was updated.'],
      [11013, 'Host h1 was removed.'],
      [11003, 'Cluster audited was removed.'],
    ]);
    // The links to what was removed are gone with it (the event keeps its text).
    expect(events.every((e) => e.host === undefined && e.cluster === undefined)).toBe(true);
  });
});

describe('the wait limit', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('turns into 202 when the job outlasts it', async () => {
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '0' } });
    const cluster = await addCluster(t, 'slow');
    const release = await holdTargetLock(t.databaseUrl, `cluster:${cluster}`);
    try {
      const res = await t.http.post(`${API}/clusters/${cluster}/refresh`).set('Accept', JSON_TYPE).expect(202);
      expect(['pending', 'in_progress']).toContain((res.body as { status: string }).status);
    } finally {
      await release();
    }
  });
});

describe('events', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(() => t.close());

  const addEvent = (body: Record<string, unknown>) =>
    t.http.post(`${API}/events`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));

  it('adds external events with oVirt codes by severity, unique per origin and custom_id', async () => {
    const res = await addEvent({
      description: 'backup started',
      severity: 'warning',
      origin: 'backup-tool',
      custom_id: 7,
    }).expect(201);
    const event = res.body as {
      id: string;
      index: number;
      code: number;
      severity: string;
      origin: string;
      custom_id: number;
    };
    expect(event).toMatchObject({
      description: 'backup started',
      severity: 'warning',
      origin: 'backup-tool',
      custom_id: 7,
      code: 13,
      index: Number(event.id),
    });
    expect(res.headers.location).toBe(`/ovirt-engine/api/events/${event.id}`);
    const xml = await t.http.get(`${API}/events/${event.id}`).expect(200);
    const [admin] = await t.sql<{ id: string }>('SELECT id FROM users WHERE name = $1', [TEST_ADMIN.user]);
    expect(xml.text.replace(ISO_TIME, 'T')).toBe(`${DECLARATION}
<event id="${event.id}" href="/ovirt-engine/api/events/${event.id}">
    <description>backup started</description>
    <index>${event.id}</index>
    <code>13</code>
    <severity>warning</severity>
    <time>T</time>
    <origin>backup-tool</origin>
    <custom_id>7</custom_id>
    <flood_rate>30</flood_rate>
    <correlation_id>${res.headers['correlation-id'] as string}</correlation_id>
    <user id="${admin.id}" href="/ovirt-engine/api/users/${admin.id}"/>
</event>
`);
    const duplicate = await addEvent({
      description: 'again',
      severity: 'normal',
      origin: 'backup-tool',
      custom_id: 7,
    }).expect(409);
    expect(faultOf(duplicate).detail).toBe('an event from origin "backup-tool" with custom_id 7 already exists');
    await addEvent({ description: 'other tool', severity: 'alert', origin: 'other-tool', custom_id: 7 }).expect(201);
  });

  it('refuses events without custom_id, with our origin, or with a missing cluster, and writes nothing', async () => {
    const before = await databaseState(t);
    expect(faultOf(await addEvent({ description: 'x', severity: 'normal', origin: 'tool' }).expect(400)).detail).toBe(
      'custom_id is required for an event a client adds',
    );
    expect(
      faultOf(await addEvent({ description: 'x', severity: 'normal', origin: 'georep-api', custom_id: 1 }).expect(400))
        .detail,
    ).toBe('the origin "georep-api" is the service\'s own; use another');
    expect(
      faultOf(
        await addEvent({
          description: 'x',
          severity: 'normal',
          origin: 'tool',
          custom_id: 2,
          cluster: { id: '00000000-0000-4000-8000-000000000000' },
        }).expect(404),
      ).detail,
    ).toBe('the cluster the event refers to does not exist');
    await addEvent({ description: 'x', severity: 'fatal', origin: 'tool', custom_id: 3 }).expect(400);
    expect(await databaseState(t)).toEqual(before);
  });

  it('lists newest first, polls with from=, filters by severity, code and time, and caps with max', async () => {
    const added: number[] = [];
    for (const [i, severity] of (['normal', 'warning', 'error', 'alert'] as const).entries()) {
      added.push(
        (
          (await addEvent({ description: `poll ${i}`, severity, origin: 'poller', custom_id: i }).expect(201)).body as {
            index: number;
          }
        ).index,
      );
    }
    const list = async (query: Record<string, string | number>) =>
      (
        (await t.http.get(`${API}/events`).query(query).set('Accept', JSON_TYPE).expect(200)).body as {
          event?: { index: number; description: string }[];
        }
      ).event ?? [];

    const all = await list({});
    expect(all.map((e) => e.index)).toEqual([...all.map((e) => e.index)].sort((a, b) => b - a));
    expect((await list({ from: added[1] })).map((e) => e.description)).toEqual(['poll 3', 'poll 2']);
    expect(await list({ from: added[3] })).toEqual([]);
    expect((await list({ search: 'origin=poller and severity>=error' })).map((e) => e.description)).toEqual([
      'poll 3',
      'poll 2',
    ]);
    expect((await list({ search: 'origin=poller and severity<warning' })).map((e) => e.description)).toEqual([
      'poll 0',
    ]);
    expect((await list({ search: 'origin=poller and code=14' })).map((e) => e.description)).toEqual(['poll 2']);
    expect((await list({ search: 'origin=poller sortby index asc', max: 2 })).map((e) => e.description)).toEqual([
      'poll 0',
      'poll 1',
    ]);
    expect(await list({ search: 'time>2999-01-01T00:00:00Z' })).toEqual([]);
    expect((await list({ search: `origin=poller and time>2000-01-01T00:00:00Z` })).length).toBe(4);

    expect(faultOf(await t.http.get(`${API}/events`).query({ from: 'yesterday' }).expect(400)).detail).toBe(
      'from: must be given once, as an event index (a whole number)',
    );
    expect(faultOf(await t.http.get(`${API}/events`).query({ search: 'time>yesterday' }).expect(400)).detail).toMatch(
      /^search: time must be an ISO 8601 date/,
    );
    await t.http.get(`${API}/events/abc`).expect(404);
    await t.http.get(`${API}/events/999999999`).expect(404);
  });
});
