import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
} from '../support/gluster-lab';
import { LabApp, startLabApp, startLabDrSchedule } from '../support/lab-app';

interface Ref {
  id: string;
  href: string;
}
interface ClusterJson {
  gluster_events_url?: string;
  gluster_events_registered_at?: number;
  gluster_events_last_time?: number;
}
interface RunJson {
  status: string;
  error?: string;
  checkpoint_time?: number;
  checkpoint_completed_time?: number;
  end_time?: number;
  steps?: { step: { description: string; status: string }[] };
}

/** site 1's glustereventsd reads its webhooks here (the lab starts it with none). */
const WEBHOOKS = '/var/lib/glusterd/events/webhooks.json';
const WAIT_STEP = 'Waiting for every active worker to complete the checkpoint';
/** The DR runs here poll the status this seldom: a run that notices its checkpoint sooner was told by gluster. */
const POLL_MS = 600_000;

const webhooks = (): Record<string, { token: string; secret: string }> =>
  fs.existsSync(WEBHOOKS) ? (JSON.parse(fs.readFileSync(WEBHOOKS, 'utf8')) as Record<string, never>) : {};

/**
 * gluster's events API on the real lab: the app (listening on loopback, which site 1's glusterd shares)
 * registers its webhook with site 1's real glustereventsd, real events arrive, and a DR run whose poll
 * interval is ten minutes notices its checkpoint from gluster's GEOREP_CHECKPOINT_COMPLETED instead.
 */
describeLab('gluster events API on the real lab', () => {
  let lab: LabApp;
  let url: string;

  const until = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(value)}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    lab = await startLabApp('gevents', { GEOREP_DR_POLL_INTERVAL_MS: String(POLL_MS) });
    await lab.t.app.listen(0, '127.0.0.1');
    const port = ((lab.t.app.getHttpServer() as http.Server).address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}/ovirt-engine/services/glusterevents`;
  }, LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS);

  afterAll(() => lab?.close(), LAB_SESSION_TIMEOUT_MS);

  it(
    "enableglusterevents registers the webhook with glustereventsd; gluster's events then reach the cluster",
    async () => {
      const { api, t, site1 } = lab;
      const res = await api.post(`/clusters/${site1}/enableglusterevents`, { url });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'complete' });
      const job = (res.body as { job: Ref }).job.id;
      const steps = await api.get<{ step: { description: string; status: string }[] }>(`/jobs/${job}/steps`);
      expect(steps.step.map((s) => [s.description, s.status])).toEqual([
        [expect.stringContaining(`reaches ${url}`), 'finished'],
        [`Registering ${url} with gluster's events API`, 'finished'],
        ['Reloading glustereventsd on every host of the cluster', 'finished'],
      ]);

      // gluster holds the token; the service only its SHA-256, and nowhere else
      const registered = webhooks()[url];
      expect(registered?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [row] = await t.sql<{ sha: string }>(
        'SELECT gluster_events_token_sha256 AS sha FROM clusters WHERE id = $1',
        [site1],
      );
      expect(row.sha).toBe(crypto.createHash('sha256').update(registered.token).digest('hex'));
      const leaks = await t.sql(
        `SELECT 'job' FROM jobs WHERE params::text LIKE $1 OR coalesce(result::text, '') LIKE $1 OR description LIKE $1
         UNION ALL SELECT 'step' FROM steps WHERE description LIKE $1
         UNION ALL SELECT 'event' FROM events WHERE description LIKE $1`,
        [`%${registered.token}%`],
      );
      expect(leaks).toEqual([]);

      const cluster = await api.get<ClusterJson>(`/clusters/${site1}`);
      expect(cluster).toMatchObject({ gluster_events_url: url, gluster_events_registered_at: expect.any(Number) });

      // a real event of gluster's (glusterd's VOLUME_SET), pushed by glustereventsd
      await gluster(1, ['volume', 'set', lab.env.masterVol, 'diagnostics.client-log-level', 'INFO']);
      const seen = await until(
        'no gluster event arrived',
        () => api.get<ClusterJson>(`/clusters/${site1}`),
        (c) => c.gluster_events_last_time !== undefined,
        60_000,
      );
      expect(seen.gluster_events_last_time).toBeGreaterThanOrEqual(cluster.gluster_events_registered_at as number);
    },
    5 * 60_000,
  );

  it(
    "a DR run polling every ten minutes notices its checkpoint from gluster's event",
    async () => {
      const { api, env } = lab;
      const { schedulePath } = await startLabDrSchedule(lab, 'events-lab');
      const reply = await api.post(`${schedulePath}/syncnow`, {}).expect(202);
      const runPath = `${schedulePath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;

      // Once the run waits, a write gives the workers a changelog newer than the checkpoint to complete it with.
      await until(
        'the run did not reach its wait',
        () => api.get<RunJson>(runPath),
        (r) => r.status !== 'started' || (r.steps?.step ?? []).some((s) => s.description === WAIT_STEP),
        5 * 60_000,
      );
      fs.writeFileSync(path.join(env.masterMnt, `events-${Date.now()}`), crypto.randomBytes(4096));

      // Far less than one poll interval: only gluster's events can have woken the run.
      const run = await until(
        'the run did not end before its next poll',
        () => api.get<RunJson>(runPath),
        (r) => r.status !== 'started',
        POLL_MS / 2,
      );
      if (run.status !== 'finished') throw new Error(`run ${run.status}: ${run.error}\n${await labStatus()}`);
      expect(run.steps?.step.find((s) => s.description === WAIT_STEP)?.status).toBe('finished');
      expect(run.checkpoint_completed_time).toBeGreaterThanOrEqual(run.checkpoint_time as number);
    },
    LAB_SESSION_TIMEOUT_MS + 10 * 60_000,
  );

  it(
    'disableglusterevents removes the webhook; the old token is refused from then on',
    async () => {
      const { api, t, site1 } = lab;
      const token = webhooks()[url]?.token;
      expect(token).toBeDefined();
      const res = await api.post(`/clusters/${site1}/disableglusterevents`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'complete' });
      expect(webhooks()[url]).toBeUndefined();
      const cluster = await api.get<ClusterJson>(`/clusters/${site1}`);
      expect(cluster.gluster_events_url).toBeUndefined();
      await t.anon.post('/ovirt-engine/services/glusterevents').set('Authorization', `Bearer ${token}`).expect(401);
    },
    5 * 60_000,
  );
});
