import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePort } from '../../src/embedded/free-port';
import { ServiceKey } from '../../src/ssh/service-key';
import { SshClient } from '../../src/ssh/ssh-client';
import { addCluster, addVolume, API, faultOf, JSON_TYPE, XML } from '../api/api-helpers';
import { addUser, basic, login } from '../auth/auth-helpers';
import { isRoot, makeHostKey, requireSshTools, TestSshd } from '../ssh/support/sshd';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { parseExposition, Sample, valueOf } from './exposition';

/**
 * Issue 19's /metrics on the real app: who may scrape, that seeded rows show with their values, that
 * HTTP, job and SSH metrics move, that labels stay bounded, that a scrape runs nothing remote, and
 * that Debian's promtool accepts the exposition, the alert rules and their unit tests.
 */

const TOKEN = crypto.randomBytes(24).toString('hex');
const VIEWER = { user: 'watcher@internal', password: 'watcher-password-1' };
const RULES_DIR = path.join(__dirname, '..', '..', 'deploy', 'prometheus');
/** Seeded text that must never reach a label or a value. */
const FREE_TEXTS = [
  'the probe did not arrive on the slave volume within 120 s',
  'checkpoint never completed on gl2 because of a broken rsync',
  'the cluster in room 42, ask Bob',
];

/** promtool from Debian's prometheus package; CI installs it, so its absence fails the test. */
function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: RULES_DIR });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT')
    throw new Error('promtool is missing: apt-get install -y prometheus (it is in scripts/system-packages.txt)');
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('GET /metrics', () => {
  let t: TestApp;
  let clusterId: string;
  let sessionId: string;
  let scheduleId: string;
  const nextRunAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 600_000);

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const res = await t.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    return { text: res.text, samples: parseExposition(res.text) };
  };

  async function seedSession(volumeId: string): Promise<string> {
    const [session] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key,
                                    status, health, drifted, desired_status, desired_at, last_verified,
                                    last_verify_result, last_refreshed)
       VALUES ($1, $2, '10.200.0.2', 'site2vol', 'key-1', 'faulty', 'failing', true, 'started', now(), now(),
               $3, now()) RETURNING id`,
      [clusterId, volumeId, `failed: ${FREE_TEXTS[0]}`],
    );
    await t.sql(
      `INSERT INTO georep_session_details (session_id, position, master_host_name, master_brick_dir, status,
                                           crawl_status, entry_pending, data_pending, meta_pending, failures,
                                           last_synced, checkpoint_time, checkpoint_completed, stalled)
       VALUES ($1, 0, 'gl1', '/bricks/b1', 'faulty', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false),
              ($1, 1, 'gl2', '/bricks/b2', 'active', 'changelog_crawl', 5, 7, 0, 2,
               now() - interval '600 seconds', now() - interval '900 seconds', false, true)`,
      [session.id],
    );
    return session.id;
  }

  async function seedSchedule(volumeId: string): Promise<string> {
    const post = (p: string, body: unknown) =>
      t.http.post(`${API}${p}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
    const domain = (
      await post('/storagedomains', {
        name: 'data1',
        storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
        gluster_volume: { id: volumeId },
      }).expect(201)
    ).body.id as string;
    const schedule = (
      await post(`/storagedomains/${domain}/dr-schedules`, {
        name: 'hourly',
        schedule: '0 * * * *',
        georeplication_session: { id: sessionId },
        enabled: false,
      }).expect(201)
    ).body.id as string;
    const [run] = await t.sql<{ id: string }>(
      `INSERT INTO dr_runs (schedule_id, storage_domain_id, session_id, trigger, status, start_time, end_time, rpo_seconds, error)
       VALUES ($1, $2, $3, 'manual', 'failed', now() - interval '30 minutes', now() - interval '25 minutes', 120, $4)
       RETURNING id`,
      [schedule, domain, sessionId, FREE_TEXTS[1]],
    );
    await t.sql(
      `UPDATE dr_schedules SET last_run_id = $2, last_success_checkpoint = now() - interval '3 hours', next_run = $3
        WHERE id = $1`,
      [schedule, run.id, nextRunAt],
    );
    return schedule;
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { GEOREP_METRICS_TOKEN: TOKEN } });
    await addUser(t, VIEWER.user, 'viewer', VIEWER.password);
    clusterId = await addCluster(t, 'site1', { description: FREE_TEXTS[2] });
    const volumeId = await addVolume(t, clusterId, 'mastervol');
    sessionId = await seedSession(volumeId);
    scheduleId = await seedSchedule(volumeId);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 as an oVirt fault without credentials, with a wrong token or a wrong password', async () => {
    const attempts = [
      t.anon.get('/metrics'),
      t.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN.slice(0, -1)}x`),
      t.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN}${TOKEN}`),
      t.anon.get('/metrics').set('Authorization', basic(TEST_ADMIN.user, 'not-the-password')),
      t.anon.get('/metrics').set('Authorization', `Basic ${Buffer.from(TOKEN).toString('base64')}`),
    ];
    for (const attempt of attempts) {
      const res = await attempt.set('Accept', XML);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="RESTAPI"');
      expect(faultOf(res).reason).toBeTruthy();
      expect(res.text).not.toContain(TOKEN);
      expect(res.text).not.toContain('georep_');
    }
  });

  it('serves the scrape token, an admin and a viewer (Basic or an SSO token) in Prometheus text format', async () => {
    const viewerToken = (await login(t.anon, VIEWER.user, VIEWER.password)).access_token;
    for (const authorization of [
      `Bearer ${TOKEN}`,
      `bearer   ${TOKEN}`,
      basic(TEST_ADMIN.user, TEST_ADMIN.password),
      basic(VIEWER.user, VIEWER.password),
      `Bearer ${viewerToken}`,
    ]) {
      const res = await t.anon.get('/metrics').set('Authorization', authorization).expect(200);
      const type = String(res.headers['content-type']).split(/;\s*/);
      expect([type[0], ...type.slice(1).sort()]).toEqual(['text/plain', 'charset=utf-8', 'version=0.0.4']);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('# TYPE georep_session_status gauge');
    }
  });

  it("shows the seeded faulty session, its stalled worker and the DR schedule's age, run and next run", async () => {
    const { samples } = await scrape();
    const session = { session_id: sessionId, cluster: 'site1', volume: 'mastervol', slave: '10.200.0.2::site2vol' };
    expect(valueOf(samples, 'georep_session_status', { ...session, status: 'faulty' })).toBe(1);
    expect(valueOf(samples, 'georep_session_status', { ...session, status: 'active' })).toBe(0);
    expect(samples.filter((s) => s.name === 'georep_session_status')).toHaveLength(9);
    expect(valueOf(samples, 'georep_session_health', { ...session, health: 'failing' })).toBe(1);
    expect(valueOf(samples, 'georep_session_health', { ...session, health: 'healthy' })).toBe(0);
    expect(valueOf(samples, 'georep_session_drifted', session)).toBe(1);
    expect(valueOf(samples, 'georep_session_failed_over', session)).toBe(0);
    expect(valueOf(samples, 'georep_session_failover_data_loss_window_seconds', session)).toBeUndefined();
    expect(valueOf(samples, 'georep_session_canary_passed', session)).toBe(0);
    expect(valueOf(samples, 'georep_session_canary_delay_seconds', session)).toBeUndefined();

    const stalled = { ...session, brick: 'gl2:/bricks/b2' };
    const faulty = { ...session, brick: 'gl1:/bricks/b1' };
    expect(valueOf(samples, 'georep_brick_status', { ...faulty, status: 'faulty' })).toBe(1);
    expect(valueOf(samples, 'georep_brick_status', { ...stalled, status: 'active' })).toBe(1);
    expect(valueOf(samples, 'georep_brick_stalled', stalled)).toBe(1);
    expect(valueOf(samples, 'georep_brick_stalled', faulty)).toBe(0);
    expect(valueOf(samples, 'georep_brick_crawl_status', { ...stalled, crawl_status: 'changelog_crawl' })).toBe(1);
    expect(valueOf(samples, 'georep_brick_crawl_status', faulty)).toBeUndefined();
    expect(valueOf(samples, 'georep_brick_pending_operations', { ...stalled, kind: 'entry' })).toBe(5);
    expect(valueOf(samples, 'georep_brick_pending_operations', { ...stalled, kind: 'data' })).toBe(7);
    expect(valueOf(samples, 'georep_brick_pending_operations', { ...stalled, kind: 'meta' })).toBe(0);
    expect(valueOf(samples, 'georep_brick_failures', stalled)).toBe(2);
    expect(valueOf(samples, 'georep_brick_checkpoint_completed', stalled)).toBe(0);
    expect(valueOf(samples, 'georep_brick_last_synced_age_seconds', stalled)).toBeGreaterThanOrEqual(600);
    expect(valueOf(samples, 'georep_brick_last_synced_age_seconds', stalled)).toBeLessThan(660);
    expect(valueOf(samples, 'georep_brick_last_synced_age_seconds', faulty)).toBeUndefined();

    const schedule = { schedule_id: scheduleId, schedule: 'hourly', storage_domain: 'data1', session_id: sessionId };
    expect(valueOf(samples, 'georep_dr_schedule_enabled', schedule)).toBe(0);
    expect(valueOf(samples, 'georep_dr_schedule_interval_seconds', schedule)).toBe(3600);
    expect(valueOf(samples, 'georep_dr_data_age_seconds', schedule)).toBeGreaterThanOrEqual(10_800);
    expect(valueOf(samples, 'georep_dr_data_age_seconds', schedule)).toBeLessThan(10_860);
    expect(valueOf(samples, 'georep_dr_last_run_status', { ...schedule, status: 'failed' })).toBe(1);
    expect(valueOf(samples, 'georep_dr_last_run_status', { ...schedule, status: 'finished' })).toBe(0);
    expect(valueOf(samples, 'georep_dr_last_run_duration_seconds', schedule)).toBe(300);
    expect(valueOf(samples, 'georep_dr_last_run_rpo_seconds', schedule)).toBe(120);
    expect(valueOf(samples, 'georep_dr_next_run_timestamp_seconds', schedule)).toBe(nextRunAt.getTime() / 1000);
    expect(valueOf(samples, 'georep_dr_last_success_timestamp_seconds', schedule)).toBeUndefined();
  });

  it('drops the series of a session once its row is gone', async () => {
    const [other] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
       SELECT cluster_id, master_volume_id, '10.200.0.3', 'gone', 'key-gone', 'active', now() FROM georep_sessions WHERE id = $1
       RETURNING id`,
      [sessionId],
    );
    expect(valueOf((await scrape()).samples, 'georep_session_status', { session_id: other.id, status: 'active' })).toBe(
      1,
    );
    await t.sql('DELETE FROM georep_sessions WHERE id = $1', [other.id]);
    expect((await scrape()).samples.filter((s) => s.labels.session_id === other.id)).toEqual([]);
  });

  it('counts HTTP requests by route template and status, and action jobs by type and outcome', async () => {
    const before = (await scrape()).samples;
    const route = { method: 'GET', route: '/ovirt-engine/api/clusters/:id', status: '200' };
    const count = 'georep_http_request_duration_seconds_count';
    for (let i = 0; i < 3; i++) await t.http.get(`${API}/clusters/${clusterId}`).expect(200);
    await t.http.get(`${API}/v4/clusters/${clusterId}`).expect(200);
    await t.http.get(`${API}/clusters/${crypto.randomUUID()}`).expect(404);
    await t.http.get(`/no/such/${crypto.randomUUID()}`).expect(404);
    const refresh = await t.http
      .post(`${API}/clusters/${clusterId}/refresh`)
      .set('Content-Type', XML)
      .set('Accept', JSON_TYPE)
      .send('<action/>');
    expect(refresh.status).toBe(200);
    expect(refresh.body.status).toBe('complete');

    const { samples, text } = await scrape();
    expect(valueOf(samples, count, route)).toBe((valueOf(before, count, route) ?? 0) + 4);
    const missing = { ...route, status: '404' };
    expect(valueOf(samples, count, missing)).toBe((valueOf(before, count, missing) ?? 0) + 1);
    const unmatched = { method: 'GET', route: 'unmatched', status: '404' };
    expect(valueOf(samples, count, unmatched)).toBe((valueOf(before, count, unmatched) ?? 0) + 1);
    const action = { method: 'POST', route: '/ovirt-engine/api/clusters/:id/refresh', status: '200' };
    expect(valueOf(samples, count, action)).toBe((valueOf(before, count, action) ?? 0) + 1);
    // the histogram's own buckets, and no URL (so no id) in a route label
    expect(valueOf(samples, 'georep_http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(
      valueOf(samples, count, route),
    );
    const routes = new Set(samples.filter((s) => s.name.startsWith('georep_http_')).map((s) => s.labels.route));
    expect([...routes].filter((r) => r !== 'unmatched' && !r.startsWith('/'))).toEqual([]);
    expect(text).not.toContain(`/clusters/${clusterId}`);

    const job = { type: 'cluster.refresh', outcome: 'finished' };
    expect(valueOf(samples, 'georep_job_duration_seconds_count', job)).toBe(
      (valueOf(before, 'georep_job_duration_seconds_count', job) ?? 0) + 1,
    );
    expect(valueOf(samples, 'georep_job_rows', { type: 'cluster.refresh', status: 'finished' })).toBe(1);
  });

  it("counts the queues in Redis and serves Node's process metrics", async () => {
    const { samples } = await scrape();
    expect(valueOf(samples, 'georep_queue_redis_up')).toBe(1);
    for (const queue of ['actions', 'maintenance'])
      for (const state of ['waiting', 'active', 'delayed', 'prioritized', 'failed'])
        expect(valueOf(samples, 'georep_queue_jobs', { queue, state })).toEqual(expect.any(Number));
    expect(valueOf(samples, 'georep_queue_oldest_waiting_age_seconds', { queue: 'actions' })).toBe(0);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('keeps labels bounded: ids, names and enums, never free text or the token', async () => {
    const { samples, text } = await scrape();
    const ours = samples.filter((s) => s.name.startsWith('georep_'));
    expect(ours.length).toBeGreaterThan(50);
    const labelNames = new Set(ours.flatMap((s) => Object.keys(s.labels)));
    const allowed = [
      ...['session_id', 'cluster', 'volume', 'slave', 'brick', 'status', 'health', 'crawl_status', 'kind'],
      ...['schedule_id', 'schedule', 'storage_domain', 'type', 'outcome', 'queue', 'state'],
      ...['method', 'route', 'le'],
    ];
    expect([...labelNames].filter((n) => !allowed.includes(n))).toEqual([]);
    expect(samples.filter((s) => Object.values(s.labels).some((v) => /\s/.test(v)))).toEqual([]);
    for (const free of [...FREE_TEXTS, TOKEN, 'failed:']) expect(text).not.toContain(free);
  });

  it('runs no SSH (so no gluster) command and submits no job when scraped, however often', async () => {
    const ssh = t.app.get(SshClient);
    const spies = (['exec', 'execOnAny', 'installPublicKeyWithPassword', 'presentedHostKey'] as const).map((name) =>
      jest.spyOn(ssh, name).mockName(name),
    );
    try {
      const jobsBefore = await t.sql('SELECT id, status FROM jobs ORDER BY id');
      await Promise.all([scrape(), scrape(), scrape()]);
      await scrape();
      expect(spies.map((s) => [s.getMockName(), s.mock.calls.length])).toEqual(spies.map((s) => [s.getMockName(), 0]));
      expect(await t.sql('SELECT id, status FROM jobs ORDER BY id')).toEqual(jobsBefore);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  (isRoot() ? it : it.skip)('counts the SSH pool and the commands it ran (a real sshd)', async () => {
    requireSshTools();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georep-metrics-'));
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `${t.app.get(ServiceKey).publicKey}\n`);
    const hostKey = makeHostKey(dir, 'host_key');
    const sshd = await TestSshd.start(dir, { hostKey, authorizedKeysFile: path.join(dir, 'authorized_keys') });
    try {
      const before = (await scrape()).samples;
      const ssh = t.app.get(SshClient);
      const target = { host: '127.0.0.1', port: sshd.port, username: 'root', pinnedFingerprint: hostKey.fingerprint };
      await ssh.exec(target, 'true');
      await ssh.exec(target, 'sleep 0.2');
      const { samples } = await scrape();
      const count = 'georep_ssh_command_duration_seconds_count';
      expect(valueOf(samples, count, { outcome: 'exited' })).toBe(
        (valueOf(before, count, { outcome: 'exited' }) ?? 0) + 2,
      );
      expect(valueOf(samples, 'georep_ssh_command_duration_seconds_sum', { outcome: 'exited' })).toBeGreaterThan(0.2);
      expect(valueOf(samples, 'georep_ssh_connections')).toBe(1);
      expect(valueOf(samples, 'georep_ssh_commands', { state: 'active' })).toBe(0);
      ssh.disconnect({ host: '127.0.0.1', port: sshd.port, username: 'root' });
    } finally {
      await sshd.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes promtool's checks: the exposition, the alert rules and the rules' unit tests", async () => {
    const { text } = await scrape();
    const metrics = promtool(['check', 'metrics'], text);
    expect(metrics).toEqual({ status: 0, output: '' });
    const rules = promtool(['check', 'rules', 'georep-rules.yml']);
    expect(rules.output).toContain('SUCCESS: 10 rules found');
    expect(rules.status).toBe(0);
    const tests = promtool(['test', 'rules', 'georep-rules.test.yml']);
    expect(tests.output).toContain('SUCCESS');
    expect(tests.status).toBe(0);
    // and the unit tests can fail: a wrong expectation is caught
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'georep-rules-')), 'broken.test.yml');
    fs.copyFileSync(path.join(RULES_DIR, 'georep-rules.yml'), path.join(path.dirname(broken), 'georep-rules.yml'));
    fs.writeFileSync(
      broken,
      fs.readFileSync(path.join(RULES_DIR, 'georep-rules.test.yml'), 'utf8').replace('2h 6m 40s', '2h 6m 41s'),
    );
    expect(promtool(['test', 'rules', broken]).status).not.toBe(0);
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/^promtool, version 2\./);
  });

  it('has a Grafana dashboard whose every query is valid PromQL over metrics the service serves', async () => {
    const dashboardFile = path.join(RULES_DIR, '..', 'grafana', 'georep-dashboard.json');
    const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8')) as {
      uid: string;
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((q) => ({ panel: p.title, expr: q.expr })));
    expect(queries.length).toBeGreaterThan(20);
    const { text } = await scrape();
    const served = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]));
    const unknown = queries.flatMap(({ panel, expr }) =>
      [...expr.matchAll(/\b((?:georep|process|nodejs)_[a-z0-9_]+)/g)]
        .map((m) => m[1])
        .filter((name) => !served.has(name) && !served.has(name.replace(/_(bucket|count|sum)$/, '')))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // promtool parses PromQL in rule files: every query (with the cluster variable at "all") as a recording rule
    const rules = queries.map(
      (q, i) =>
        `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(q.expr.replace(/\$cluster/g, '.*'))}`,
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'georep-dashboard-')), 'dashboard.rules.yml');
    fs.writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const checked = promtool(['check', 'rules', file]);
    expect(checked.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(checked.status).toBe(0);
  });
});

describe('GET /metrics while Redis is down', () => {
  let t: TestApp;
  beforeAll(async () => {
    // An API replica whose Redis does not answer: reads keep working, and so does the scrape.
    const deadRedis = `redis://127.0.0.1:${await findFreePort()}`;
    t = await startTestApp({ role: 'api', redisUrl: deadRedis, env: { GEOREP_METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still answers, quickly, from the database, and says Redis did not answer', async () => {
    const started = Date.now();
    const res = await t.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const samples = parseExposition(res.text);
    expect(valueOf(samples, 'georep_queue_redis_up')).toBe(0);
    expect(samples.filter((s) => s.name === 'georep_queue_jobs')).toEqual([]);
    expect(res.text).toContain('# TYPE georep_session_status gauge');
  });
});
