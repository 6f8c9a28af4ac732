import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Response } from 'supertest';
import { glusterEventsTokenSha256 } from '../../src/gluster-events/gluster-events-token';
import { addUser } from '../auth/auth-helpers';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { addCluster, addJson, addVolume, API, JSON_TYPE, XML } from './api-helpers';
import {
  deref,
  doc,
  OperationObject,
  responseProblems,
  Schema,
  seedContractRows,
  validator,
} from './openapi-contract-support';

/**
 * Issue 18's contract test for every operation that is not a GET (adds, updates, removes, actions, SSO),
 * in JSON and in XML: each is sent with a valid body against an app with real rows behind every id, and its
 * answer is validated with ajv against what the document declares for that status and media type (objects
 * closed, as for the GETs). This app runs no worker: actions are asked `async`, and adds and removes that run a
 * job answer when the wait limit (set to none) passes; both answer 202 with their queued job.
 */

interface Call {
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** application/x-www-form-urlencoded instead of the format (SSO). */
  readonly form?: Record<string, string>;
  /** Sent as it is, as JSON only (an operation whose only media type is JSON, for a machine client: gluster). */
  readonly json?: string;
  /** Its own credentials instead of the admin's (the gluster events token). */
  readonly headers?: Record<string, string>;
}
/** Makes what the request needs; `tag` (the format and a count) keeps the names it picks unique. */
type Prepare = (tag: string) => Promise<Call>;

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly operation: OperationObject & { requestBody?: { content: Record<string, { schema: Schema }> } };
}

const WRITES: Operation[] = Object.entries(doc.paths).flatMap(([template, item]) =>
  Object.entries(item as Record<string, OperationObject>)
    .filter(([method]) => method !== 'get')
    .map(([method, operation]) => ({ method, template, operation })),
);

const ASYNC = { async: true };
const WEBHOOK = (f: string) => ({
  event: 'gluster_storage_domain_sync_failed',
  notification_method: 'webhook',
  url: `http://127.0.0.1:9/${f}`,
  secret: 'a-webhook-secret-of-some-length',
});

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A JSON body as oVirt's XML: nested objects are elements, a reference's `id` its attribute. */
function toXml(name: string, value: unknown): string {
  if (value === null || typeof value !== 'object') return `<${name}>${escapeXml(String(value))}</${name}>`;
  const { id, ...rest } = value as Record<string, unknown>;
  const attribute = typeof id === 'string' ? ` id="${escapeXml(id)}"` : '';
  return `<${name}${attribute}>${Object.entries(rest)
    .map(([k, v]) => toXml(k, v))
    .join('')}</${name}>`;
}

describe('every operation of the OpenAPI document that is not a GET answers what the document says (XML and JSON)', () => {
  let t: TestApp;
  let ids: Record<string, string>;
  let schemaValidator: ReturnType<typeof validator>;
  let port: number;

  beforeAll(async () => {
    // Adds and removes that run a job have no async: they answer 202 once the wait limit (here none) passes.
    t = await startTestApp({ role: 'api', env: { GEOREP_ACTION_WAIT_SECONDS: '0' } });
    await t.app.listen(0, '127.0.0.1');
    port = ((t.app.getHttpServer() as http.Server).address() as AddressInfo).port;
    schemaValidator = validator();
    ids = await seedContractRows(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`;

  /** One request over node:http (supertest cannot send Expect), read as supertest would hand it over. */
  function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: method.toUpperCase(), path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const type = String(res.headers['content-type'] ?? '');
          const parsed: unknown = type.startsWith(JSON_TYPE) && text !== '' ? JSON.parse(text) : {};
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed } as unknown as Response);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  const post = (path: string, body: object) => addJson(t, path, body);

  let sessions = 0;
  let events = 0;
  let calls = 0;
  /**
   * A session row as discovery writes it, in the state the request needs, on a slave volume of its own: each
   * request gets a session no queued job holds (this app has no worker to run them).
   */
  async function addSession(status: string, failedOver = false): Promise<string> {
    const slaveName = `slave${++sessions}`;
    const slave = await addVolume(t, ids.clusters, slaveName);
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, slave_volume_id, slave_cluster_id, slave_host_id, session_key, status, last_refreshed, failed_over, failover_time, failover_mode)
       VALUES ($1, $2, 'base-host.invalid', $3, $4, $1, $5, $6, $7, now(), $8, CASE WHEN $8 THEN now() END, CASE WHEN $8 THEN 'unplanned' END) RETURNING id`,
      [ids.clusters, ids.glustervolumes, slaveName, slave, ids.hosts, `key-${slaveName}`, status, failedOver],
    );
    await t.sql(
      `INSERT INTO georep_session_options (session_id, name, value, default_value, modified) VALUES ($1, 'sync-jobs', '3', '3', false)`,
      [row.id],
    );
    return row.id;
  }

  /** A storage domain on a volume of its own whose DR schedule syncs through a session of its own. */
  async function addDomainWithSchedule(name: string, status: string, failedOver = false) {
    const volume = await addVolume(t, ids.clusters, `${name}vol`);
    const slave = await addVolume(t, ids.clusters, `${name}slave`);
    const [session] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, slave_volume_id, slave_cluster_id, slave_host_id, session_key, status, last_refreshed, failed_over, failover_time, failover_mode)
       VALUES ($1, $2, 'base-host.invalid', $3, $4, $1, $5, $6, $7, now(), $8, CASE WHEN $8 THEN now() END, CASE WHEN $8 THEN 'unplanned' END) RETURNING id`,
      [ids.clusters, volume, `${name}slave`, slave, ids.hosts, `key-${name}`, status, failedOver],
    );
    const domain = await post('/storagedomains', {
      name,
      storage: { type: 'glusterfs', address: '127.0.0.1', path: `/${name}vol` },
      gluster_volume: { id: volume },
    });
    const schedule = await post(`/storagedomains/${domain}/dr-schedules`, {
      name: 'nightly',
      schedule: '30 2 * * *',
      georeplication_session: { id: session.id },
      enabled: !failedOver,
    });
    return { domain, schedule };
  }

  async function addDomain(name: string): Promise<string> {
    const volume = await addVolume(t, ids.clusters, `${name}vol`);
    return post('/storagedomains', {
      name,
      storage: { type: 'glusterfs', address: '127.0.0.1', path: `/${name}vol` },
      gluster_volume: { id: volume },
    });
  }

  let glusterToken: string | undefined;
  /** A bearer token of the seeded cluster's glustereventsd, as `enableglusterevents` would register it. */
  async function glusterEventsToken(): Promise<string> {
    if (glusterToken === undefined) {
      glusterToken = crypto.randomBytes(32).toString('base64url');
      const sha = glusterEventsTokenSha256(glusterToken);
      await t.sql(`UPDATE clusters SET gluster_events_token_sha256 = $2 WHERE id = $1`, [ids.clusters, sha]);
    }
    return glusterToken;
  }

  async function token(): Promise<string> {
    const res = await t.anon.post('/ovirt-engine/sso/oauth/token').type('form').send({
      grant_type: 'password',
      scope: 'ovirt-app-api',
      username: TEST_ADMIN.user,
      password: TEST_ADMIN.password,
    });
    return (res.body as { access_token: string }).access_token;
  }

  const sessionsPath = () =>
    `${API}/clusters/${ids.clusters}/glustervolumes/${ids.glustervolumes}/georeplication-sessions`;
  /** An action on a fresh session in the state it needs. */
  const session =
    (action: string, status: string, failedOver = false): Prepare =>
    async () => ({ path: `${sessionsPath()}/${await addSession(status, failedOver)}/${action}`, body: ASYNC });
  const schedulePath = () => `${API}/storagedomains/${ids.storagedomains}/dr-schedules/${ids['dr-schedules']}`;

  /** A valid request for every operation, by operationId; what a format needs of its own is made here. */
  const CASES: Record<string, Prepare> = {
    addCluster: async (f) => ({
      path: `${API}/clusters`,
      body: { name: `added-${f}`, description: 'by the contract' },
    }),
    updateCluster: async (f) => ({ path: `${API}/clusters/${ids.clusters}`, body: { description: `updated ${f}` } }),
    removeCluster: async (f) => ({ path: `${API}/clusters/${await addCluster(t, `doomed-${f}`)}` }),
    refreshCluster: async () => ({ path: `${API}/clusters/${ids.clusters}/refresh`, body: ASYNC }),
    refreshGlusterVolume: async () => ({
      path: `${API}/clusters/${ids.clusters}/glustervolumes/${ids.glustervolumes}/refresh`,
      body: ASYNC,
    }),
    addGeoreplicationSession: async (f) => {
      await addVolume(t, ids.clusters, `newslave${f}`);
      return {
        path: sessionsPath(),
        body: { slave_host_name: 'base-host.invalid', slave_volume_name: `newslave${f}`, force: true },
      };
    },
    removeGeoreplicationSession: async () => ({ path: `${sessionsPath()}/${await addSession('stopped')}` }),
    checkpointGeoreplicationSession: session('checkpoint', 'active'),
    failoverGeoreplicationSession: session('failover', 'active'),
    failbackGeoreplicationSession: session('failback', 'stopped', true),
    pauseGeoreplicationSession: session('pause', 'active'),
    refreshGeoreplicationSession: session('refresh', 'active'),
    resumeGeoreplicationSession: session('resume', 'paused'),
    startGeoreplicationSession: session('start', 'stopped'),
    stopGeoreplicationSession: session('stop', 'active'),
    verifyGeoreplicationSession: session('verify', 'active'),
    addOption: async () => ({
      path: `${sessionsPath()}/${await addSession('active')}/options`,
      body: { name: 'sync-jobs', value: '4' },
    }),
    removeOption: async () => ({ path: `${sessionsPath()}/${await addSession('active')}/options/sync-jobs` }),
    addEvent: async (f) => ({
      path: `${API}/events`,
      body: { description: `contract ${f}`, severity: 'normal', origin: 'contract', custom_id: ++events },
    }),
    addHost: async (f) => ({
      path: `${API}/hosts`,
      body: { name: `added-${f}`, address: `added-${f}.invalid`, cluster: { id: ids.clusters } },
    }),
    updateHost: async () => ({ path: `${API}/hosts/${ids.hosts}`, body: { ssh: { port: 22 } } }),
    removeHost: async (f) => ({
      path: `${API}/hosts/${await post('/hosts', { name: `gone-${f}`, address: `gone-${f}.invalid`, cluster: { id: ids.clusters } })}`,
    }),
    refreshHost: async () => ({ path: `${API}/hosts/${ids.hosts}/refresh`, body: ASYNC }),
    repinHost: async () => ({ path: `${API}/hosts/${ids.hosts}/repin`, body: ASYNC }),
    addJob: async (f) => ({ path: `${API}/jobs`, body: { description: `contract ${f}`, auto_cleared: false } }),
    clearJob: async (f) => {
      const job = await post('/jobs', { description: `to clear ${f}` });
      await t.http.post(`${API}/jobs/${job}/end`).set('Content-Type', JSON_TYPE).send('{}').expect(200);
      return { path: `${API}/jobs/${job}/clear`, body: {} };
    },
    endJob: async (f) => ({
      path: `${API}/jobs/${await post('/jobs', { description: `to end ${f}` })}/end`,
      body: { succeeded: false },
    }),
    addStorageDomain: async (f) => {
      const volume = await addVolume(t, ids.clusters, `sd${f}vol`);
      return {
        path: `${API}/storagedomains`,
        body: {
          name: `added-${f}`,
          storage: { type: 'glusterfs', address: '127.0.0.1', path: `/sd${f}vol` },
          gluster_volume: { id: volume },
          host: { id: ids.hosts },
        },
      };
    },
    updateStorageDomain: async (f) => ({
      path: `${API}/storagedomains/${ids.storagedomains}`,
      body: { description: `updated ${f}` },
    }),
    removeStorageDomain: async (f) => ({ path: `${API}/storagedomains/${await addDomain(`gone${f}`)}` }),
    failoverStorageDomain: async (f) => ({
      path: `${API}/storagedomains/${(await addDomainWithSchedule(`over${f}`, 'active')).domain}/failover`,
      body: ASYNC,
    }),
    failbackStorageDomain: async (f) => ({
      path: `${API}/storagedomains/${(await addDomainWithSchedule(`back${f}`, 'stopped', true)).domain}/failback`,
      body: ASYNC,
    }),
    addDrSchedule: async (f) => ({
      path: `${API}/storagedomains/${ids.storagedomains}/dr-schedules`,
      body: {
        name: `added-${f}`,
        schedule: 'DAILY at 03:15',
        georeplication_session: { id: ids['georeplication-sessions'] },
        enabled: false,
      },
    }),
    updateDrSchedule: async (f) => ({ path: schedulePath(), body: { description: `updated ${f}` } }),
    removeDrSchedule: async (f) => ({
      path: `${API}/storagedomains/${ids.storagedomains}/dr-schedules/${await post(`/storagedomains/${ids.storagedomains}/dr-schedules`, { name: `gone-${f}`, schedule: '0 4 * * *', georeplication_session: { id: ids['georeplication-sessions'] }, enabled: false })}`,
    }),
    pauseDrSchedule: async () => ({ path: `${schedulePath()}/pause`, body: {} }),
    resumeDrSchedule: async () => ({ path: `${schedulePath()}/resume`, body: {} }),
    syncnowDrSchedule: async (f) => {
      const { domain, schedule } = await addDomainWithSchedule(`sync${f}`, 'active');
      return { path: `${API}/storagedomains/${domain}/dr-schedules/${schedule}/syncnow`, body: ASYNC };
    },
    cancelDrRun: async () => {
      const [run] = await t.sql<{ id: string }>(
        `INSERT INTO dr_runs (schedule_id, storage_domain_id, session_id, trigger, status)
         VALUES ($1, $2, $3, 'manual', 'started') RETURNING id`,
        [ids['dr-schedules'], ids.storagedomains, ids['georeplication-sessions']],
      );
      return { path: `${schedulePath()}/runs/${run.id}/cancel`, body: {} };
    },
    addUser: async (f) => ({
      path: `${API}/users`,
      body: { user_name: `added-${f}@internal`, role: 'viewer', password: 'a-long-password' },
    }),
    updateUser: async () => ({ path: `${API}/users/${ids.users}`, body: { role: 'viewer' } }),
    removeUser: async (f) => ({
      path: `${API}/users/${await addUser(t, `gone-${f}@internal`, 'viewer', 'a-long-password')}`,
    }),
    // One subscription per event and method per user: each format subscribes a user of its own.
    addEventSubscription: async (f) => ({
      path: `${API}/users/${await addUser(t, `subscriber-${f}@internal`, 'viewer', 'a-long-password')}/eventsubscriptions`,
      body: WEBHOOK(f),
    }),
    removeEventSubscription: async (f) => {
      const user = await addUser(t, `unsubscriber-${f}@internal`, 'viewer', 'a-long-password');
      return {
        path: `${API}/users/${user}/eventsubscriptions/${await post(`/users/${user}/eventsubscriptions`, WEBHOOK(f))}`,
      };
    },
    ssoToken: async () => ({
      path: '/ovirt-engine/sso/oauth/token',
      form: {
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: TEST_ADMIN.user,
        password: TEST_ADMIN.password,
      },
    }),
    ssoLogout: async () => ({ path: '/ovirt-engine/services/sso-logout', form: { token: await token() } }),
    // A cluster of their own: the seeded one's queue is full of the other actions' jobs (no worker runs here).
    enableglustereventsCluster: async (f) => ({
      path: `${API}/clusters/${await addCluster(t, `events-on-${f}`)}/enableglusterevents`,
      body: { ...ASYNC, url: 'http://georep.example:8080/ovirt-engine/services/glusterevents' },
    }),
    disableglustereventsCluster: async (f) => ({
      path: `${API}/clusters/${await addCluster(t, `events-off-${f}`)}/disableglusterevents`,
      body: ASYNC,
    }),
    // gluster's own post: the token a cluster's glustereventsd was given, and a real event of the lab's.
    receiveGlusterEvent: async () => ({
      path: '/ovirt-engine/services/glusterevents',
      json: fs.readFileSync(path.join(__dirname, '../fixtures/gluster-eventsapi/event-georep-start.json'), 'utf8'),
      headers: { Authorization: `Bearer ${await glusterEventsToken()}` },
    }),
  };

  /** The success the document declares first for the operation (201 for adds, 200 or 202 otherwise). */
  const successes = (op: Operation) => Object.keys(op.operation.responses).filter((code) => /^2/.test(code));

  it('has a request for every such operation of the document', () => {
    expect(WRITES.length).toBeGreaterThan(40);
    expect(WRITES.map((op) => op.operation.operationId).filter((id) => CASES[id] === undefined)).toEqual([]);
    expect(Object.keys(CASES).filter((id) => !WRITES.some((op) => op.operation.operationId === id))).toEqual([]);
  });

  it('answers each one, in XML and in JSON, with a declared success and a body its schema takes', async () => {
    const wrong: string[] = [];
    const answered: string[] = [];
    for (const op of WRITES) {
      const id = op.operation.operationId;
      for (const format of ['json', 'xml'] as const) {
        const call = await CASES[id](`${format}${++calls}`);
        const accept = call.form !== undefined ? JSON_TYPE : format === 'json' ? JSON_TYPE : XML;
        const headers: Record<string, string> = { Accept: call.json !== undefined ? JSON_TYPE : accept };
        if (!call.path.startsWith('/ovirt-engine/sso/')) headers.Authorization = auth;
        Object.assign(headers, call.headers);
        let body: string | undefined;
        if (call.json !== undefined) {
          headers['Content-Type'] = JSON_TYPE;
          body = call.json;
        } else if (call.form !== undefined) {
          headers['Content-Type'] = 'application/x-www-form-urlencoded';
          body = new URLSearchParams(call.form).toString();
        } else if (call.body !== undefined) {
          const root = deref(op.operation.requestBody?.content[XML]?.schema ?? {}).xml?.name ?? 'action';
          headers['Content-Type'] = format === 'json' ? JSON_TYPE : XML;
          body = format === 'json' ? JSON.stringify(call.body) : toXml(root, call.body);
        }
        const res = await send(op.method, call.path, headers, body);
        answered.push(`${id} ${format} ${res.status}`);
        if (!successes(op).includes(String(res.status)))
          wrong.push(`${op.method} ${op.template} (${format}): ${res.status} ${res.text.slice(0, 300)}`);
        for (const problem of await responseProblems(schemaValidator, op.operation, res, format))
          wrong.push(`${op.method} ${op.template}: ${problem}`);
        if (call.form !== undefined || call.json !== undefined) break;
      }
    }
    expect(wrong).toEqual([]);
    expect(answered.length).toBeGreaterThan(80);
  });
  it('answers their faults (an unknown id, a body that cannot be read) as the document declares them', async () => {
    const wrong: string[] = [];
    let sent = 0;
    for (const op of WRITES.filter((o) => !o.template.startsWith('/ovirt-engine/s'))) {
      const call = await CASES[op.operation.operationId](`faults${++calls}`);
      const variants: { what: string; path: string; body?: string; type?: string; status: number }[] = [];
      const last = op.template.lastIndexOf('{');
      // An option's id is gluster's option name, and removing one resets it: every name gluster knows is there.
      if (last !== -1 && !op.template.endsWith('/options/{id}')) {
        const segments = call.path.split('/');
        segments[op.template.slice(0, last).split('/').length - 1] = '00000000-0000-4000-8000-000000000000';
        const body = call.body === undefined ? undefined : JSON.stringify(call.body);
        variants.push({ what: 'an unknown id', path: segments.join('/'), body, type: JSON_TYPE, status: 404 });
      }
      if (op.operation.requestBody !== undefined) {
        variants.push({ what: 'broken JSON', path: call.path, body: '{"name":', type: JSON_TYPE, status: 400 });
        variants.push({ what: 'broken XML', path: call.path, body: '<name>', type: XML, status: 400 });
      }
      for (const v of variants) {
        for (const format of ['json', 'xml'] as const) {
          sent++;
          const headers: Record<string, string> = {
            Accept: format === 'json' ? JSON_TYPE : XML,
            Authorization: auth,
            ...call.headers,
          };
          if (v.body !== undefined && v.type !== undefined) headers['Content-Type'] = v.type;
          const res = await send(op.method, v.path, headers, v.body);
          if (res.status !== v.status)
            wrong.push(`${op.method} ${op.template} with ${v.what}: ${res.status} ${res.text.slice(0, 200)}`);
          for (const problem of await responseProblems(schemaValidator, op.operation, res, format))
            wrong.push(`${op.method} ${op.template} with ${v.what}: ${problem}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(150);
    expect(wrong).toEqual([]);
  });
  it('refuses values just past the bounds the document declares (maxLength, minimum, maximum) with a declared 400', async () => {
    const wrong: string[] = [];
    let sent = 0;
    for (const op of WRITES.filter((o) => o.operation.requestBody?.content[JSON_TYPE] !== undefined)) {
      const properties = deref(op.operation.requestBody!.content[JSON_TYPE].schema).properties ?? {};
      for (const [name, ref] of Object.entries(properties)) {
        const property = deref(ref);
        const beyond: unknown[] = [];
        if (property.type === 'string' && property.maxLength !== undefined)
          beyond.push('a'.repeat(property.maxLength + 1));
        if (property.type === 'integer' && property.maximum !== undefined) beyond.push(property.maximum + 1);
        if (property.type === 'integer' && property.minimum !== undefined) beyond.push(property.minimum - 1);
        for (const value of beyond) {
          const call = await CASES[op.operation.operationId](`bounds${++calls}`);
          const valid =
            call.body ?? (call.json !== undefined ? (JSON.parse(call.json) as Record<string, unknown>) : undefined);
          if (valid === undefined) continue;
          sent++;
          const headers = { Accept: JSON_TYPE, Authorization: auth, 'Content-Type': JSON_TYPE, ...call.headers };
          const res = await send(op.method, call.path, headers, JSON.stringify({ ...valid, [name]: value }));
          const label = `${op.method} ${op.template} ${name}=${String(value).slice(0, 12)}…`;
          if (res.status !== 400) wrong.push(`${label}: ${res.status} ${res.text.slice(0, 200)}`);
          else if (!String((res.body as { detail?: string }).detail).includes(name))
            wrong.push(`${label}: the fault does not name the field: ${res.text.slice(0, 200)}`);
          for (const problem of await responseProblems(schemaValidator, op.operation, res, 'json'))
            wrong.push(`${label}: ${problem}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(20);
    expect(wrong).toEqual([]);
  });
});
