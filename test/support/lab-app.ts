import * as fs from 'node:fs';
import { API, JSON_TYPE } from '../api/api-helpers';
import {
  acquireLabLease,
  ensureLabUp,
  LabEnv,
  LabLock,
  labStatus,
  sessionCreate,
  sessionPurge,
  sessionStart,
} from './gluster-lab';
import { runService, ServiceProcess } from './processes';
import { serviceEnvFor, startTestApp, TestApp } from './test-app';

const ROOT_AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';

export interface LabApi {
  get<T>(path: string): Promise<T>;
  post(path: string, body: object): ReturnType<TestApp['http']['post']>;
  put(path: string, body: object): ReturnType<TestApp['http']['put']>;
  delete(path: string): ReturnType<TestApp['http']['delete']>;
}

/** The real app managing the lab: a cluster and an up host per site, reached with the service's own key. */
export interface LabApp {
  env: LabEnv;
  t: TestApp;
  api: LabApi;
  site1: string;
  site2: string;
  host1: string;
  host2: string;
  /** POST …/refresh on the path and insist on `complete`, with the lab's state in the error otherwise. */
  refresh(path: string): Promise<void>;
  /** With `separateWorker`: the worker process that runs the jobs (the app in the test process is the API). */
  worker?: LabWorker;
  close(): Promise<void>;
}

/** The jobs' worker as its own process (the built service), to be killed as a crash would. */
export interface LabWorker {
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** A new worker process on the same database, Redis and secret key; resolves once it runs. */
  start(): Promise<void>;
}

function jsonApi(t: TestApp): LabApi {
  const send = <R extends { set(k: string, v: string): R; send(b: string): R }>(req: R, body: object) =>
    req.set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
  return {
    get: async <T>(path: string): Promise<T> =>
      (await t.http.get(`${API}${path}`).set('Accept', JSON_TYPE).expect(200)).body as T,
    post: (path, body) => send(t.http.post(`${API}${path}`), body),
    put: (path, body) => send(t.http.put(`${API}${path}`), body),
    delete: (path) => t.http.delete(`${API}${path}`).set('Accept', JSON_TYPE),
  };
}

/**
 * Takes the lab lease, brings the lab up with no geo-rep sessions, starts the app, lets its service key
 * into root's authorized_keys (shared by both sites; exactly that line is removed on close) and
 * registers one host per site in its own cluster, waiting until both are up.
 */
export async function startLabApp(
  prefix: string,
  env: NodeJS.ProcessEnv = {},
  options: { separateWorker?: boolean } = {},
): Promise<LabApp> {
  const lease: LabLock = await acquireLabLease();
  let t: TestApp | undefined;
  let workerProcess: ServiceProcess | undefined;
  let keyLine = '';
  const removeKey = () => {
    if (!keyLine || !fs.existsSync(ROOT_AUTHORIZED_KEYS)) return;
    const lines = fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8').split('\n');
    fs.writeFileSync(ROOT_AUTHORIZED_KEYS, lines.filter((line) => line.trim() !== keyLine).join('\n'));
  };
  const close = async () => {
    try {
      await sessionPurge();
    } finally {
      removeKey();
      workerProcess?.child.kill('SIGKILL');
      await t?.close();
      await lease.release();
    }
  };
  try {
    const labEnv = await ensureLabUp();
    await sessionPurge();
    t = await startTestApp({
      role: options.separateWorker ? 'api' : 'all',
      env: { GEOREP_ACTION_WAIT_SECONDS: '120', ...env },
    });
    const app = t;
    const worker: LabWorker | undefined = options.separateWorker
      ? {
          kill: async () => {
            const running = workerProcess;
            workerProcess = undefined;
            if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
            running.child.kill('SIGKILL');
            await running.exited;
          },
          start: async () => {
            workerProcess = runService(['worker'], serviceEnvFor(app, { GEOREP_SYNC_INTERVAL_SECONDS: '0', ...env }));
            await workerProcess.waitFor(/georep-api \(worker\) running/);
          },
        }
      : undefined;
    await worker?.start();
    const api = jsonApi(t);
    keyLine = (
      await t.anon
        .get('/ovirt-engine/services/pki-resource?resource=engine-certificate&format=OPENSSH-PUBKEY')
        .expect(200)
    ).text.trim();
    const current = fs.existsSync(ROOT_AUTHORIZED_KEYS) ? fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8') : '';
    fs.writeFileSync(
      ROOT_AUTHORIZED_KEYS,
      `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${keyLine}\n`,
    );
    const id = async (res: PromiseLike<{ status: number; body: unknown; text: string }>) => {
      const r = await res;
      if (r.status !== 201) throw new Error(`expected 201, got ${r.status}: ${r.text}`);
      return (r.body as { id: string }).id;
    };
    const site1 = await id(api.post('/clusters', { name: `${prefix}-site1` }));
    const site2 = await id(api.post('/clusters', { name: `${prefix}-site2` }));
    const host1 = await id(
      api.post('/hosts', {
        name: `${prefix}-site1-host`,
        address: labEnv.site1Addr,
        ssh: { port: labEnv.sshPort },
        cluster: { id: site1 },
      }),
    );
    const host2 = await id(
      api.post('/hosts', { name: `${prefix}-site2-host`, address: labEnv.site2Addr, cluster: { id: site2 } }),
    );
    for (const host of [host1, host2]) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const h = await api.get<{ status: string; status_detail?: string }>(`/hosts/${host}`);
        if (h.status === 'up') break;
        if (h.status !== 'unknown' || Date.now() > deadline)
          throw new Error(`host ${host} is ${h.status}: ${h.status_detail}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const refresh = async (path: string) => {
      const res = await api.post(`${path}/refresh`, {});
      if (res.status !== 200 || (res.body as { status: string }).status !== 'complete') {
        throw new Error(`refresh of ${path} answered ${res.status}: ${res.text}\n${await labStatus()}`);
      }
    };
    return { env: labEnv, t, api, site1, site2, host1, host2, refresh, worker, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/** A session of the lab as the app lists it. */
export interface LabSession {
  sessionId: string;
  /** Below the API root: /clusters/{site1}/glustervolumes/{mastervol}/georeplication-sessions/{id}. */
  sessionPath: string;
  /** The registered slave host the app linked the session to. */
  slaveHostId?: string;
}

/**
 * A running root session mastervol → site 2's site2vol made with the lab script (create no-verify,
 * start, and the script's own check that every active worker moves), then discovered by the app.
 */
export async function startLabSession(lab: LabApp): Promise<LabSession> {
  const { env } = lab;
  await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol, { mode: 'no-verify' });
  await sessionStart(env.masterVol, env.site2Addr, env.site2Vol);
  await lab.refresh(`/clusters/${lab.site2}`);
  await lab.refresh(`/clusters/${lab.site1}`);
  const master = (
    await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
  ).gluster_volume.find((v) => v.name === env.masterVol);
  if (!master) throw new Error(`the app lists no ${env.masterVol} on site 1\n${await labStatus()}`);
  const volumePath = `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions`;
  const [session] =
    (await lab.api.get<{ georeplication_session?: { id: string; slave_host?: { id: string } }[] }>(volumePath))
      .georeplication_session ?? [];
  if (!session) throw new Error(`the app lists no session of ${env.masterVol}\n${await labStatus()}`);
  return { sessionId: session.id, sessionPath: `${volumePath}/${session.id}`, slaveHostId: session.slave_host?.id };
}

/** A DR schedule of a storage domain on site 1's master volume, through a created (never started) session to site 2. */
export interface LabDrSchedule {
  sessionId: string;
  /** Below the API root: /storagedomains/{id}/dr-schedules/{id}. */
  schedulePath: string;
}

/** Creates the session with the lab script (push-pem), lets the app discover it, and adds a domain and its schedule. */
export async function startLabDrSchedule(lab: LabApp, domainName: string): Promise<LabDrSchedule> {
  const { api, env } = lab;
  await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol);
  await lab.refresh(`/clusters/${lab.site2}`);
  await lab.refresh(`/clusters/${lab.site1}`);
  const master = (
    await api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
  ).gluster_volume.find((v) => v.name === env.masterVol);
  if (!master) throw new Error(`the app lists no ${env.masterVol} on site 1\n${await labStatus()}`);
  const [session] =
    (
      await api.get<{ georeplication_session?: { id: string }[] }>(
        `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions`,
      )
    ).georeplication_session ?? [];
  if (!session) throw new Error(`the app lists no session of ${env.masterVol}\n${await labStatus()}`);
  const added = async (res: PromiseLike<{ status: number; body: unknown; text: string }>) => {
    const r = await res;
    if (r.status !== 201) throw new Error(`expected 201, got ${r.status}: ${r.text}`);
    return (r.body as { id: string }).id;
  };
  const domain = await added(
    api.post('/storagedomains', {
      name: domainName,
      storage: { type: 'glusterfs', address: env.site1Addr, path: `/${env.masterVol}` },
    }),
  );
  const schedule = await added(
    api.post(`/storagedomains/${domain}/dr-schedules`, {
      georeplication_session: { id: session.id },
      schedule: 'DAILY at 03:00',
      checkpoint_timeout: 10,
    }),
  );
  return { sessionId: session.id, schedulePath: `/storagedomains/${domain}/dr-schedules/${schedule}` };
}
