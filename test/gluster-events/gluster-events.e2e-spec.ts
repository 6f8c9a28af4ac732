import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import IORedis from 'ioredis';
import { glusterEventsTokenSha256 } from '../../src/gluster-events/gluster-events-token';
import { SessionSignals } from '../../src/queue/session-signals';
import { addCluster, addVolume, API, JSON_TYPE } from '../api/api-helpers';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = '/ovirt-engine/services/glusterevents';
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '../fixtures/gluster-eventsapi', name), 'utf8');

/**
 * The webhook glustereventsd posts to, on the real app (api role: no worker takes the refresh jobs, so
 * they can be counted in Redis) with real PostgreSQL and Redis. The events are real posts captured from
 * the lab's glustereventsd (test/fixtures/gluster-eventsapi); the registration with a real gluster is in
 * gluster-events.lab-spec.ts.
 */
describe('gluster events webhook', () => {
  let t: TestApp;
  let cluster: string;
  let other: string;
  let session: string;
  let token: string;
  let otherToken: string;
  let redis: IORedis;

  const post = (body: string, authorization?: string) => {
    const req = t.anon.post(EVENTS).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE);
    if (authorization !== undefined) req.set('Authorization', authorization);
    return req.send(body);
  };
  const refreshJobs = async () => {
    const prefix = t.config.queuePrefix;
    const delayed = await redis.zrange(`${prefix}:maintenance:delayed`, 0, -1);
    const waiting = await redis.lrange(`${prefix}:maintenance:wait`, 0, -1);
    const ids = [...delayed, ...waiting];
    const names = await Promise.all(ids.map((id) => redis.hget(`${prefix}:maintenance:${id}`, 'name')));
    return names.filter((n) => n === 'gluster-event-refresh').length;
  };
  const clusterRow = async (id: string) =>
    (
      await t.sql<{ last: Date | null; sha: string | null }>(
        'SELECT gluster_events_last_time AS last, gluster_events_token_sha256 AS sha FROM clusters WHERE id = $1',
        [id],
      )
    )[0];

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    redis = new IORedis(t.redisUrl);
    cluster = await addCluster(t, 'site1');
    other = await addCluster(t, 'site3');
    const master = await addVolume(t, cluster, 'mastervol');
    [{ id: session }] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
         VALUES ($1, $2, '10.200.0.2', 'site2vol', 'key-1', 'active', now()) RETURNING id`,
      [cluster, master],
    );
    // As enableglusterevents leaves it: only the token's SHA-256 is kept.
    const register = async (id: string) => {
      const given = crypto.randomBytes(32).toString('base64url');
      const sha = glusterEventsTokenSha256(given);
      await t.sql('UPDATE clusters SET gluster_events_token_sha256 = $2 WHERE id = $1', [id, sha]);
      return given;
    };
    token = await register(cluster);
    otherToken = await register(other);
  });

  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  it('takes no login and no other token: 401, nothing recorded', async () => {
    const body = fixture('event-volume-set.json');
    for (const authorization of [
      undefined,
      `Bearer ${crypto.randomBytes(32).toString('base64url')}`,
      `Basic ${Buffer.from('admin@internal:test-admin-password').toString('base64')}`,
      `Bearer ${token}x`,
      token,
    ]) {
      const res = await post(body, authorization).expect(401);
      expect(res.body).toEqual({ reason: 'Unauthorized', detail: expect.stringContaining('bearer token') });
    }
    expect((await clusterRow(cluster)).last).toBeNull();
    expect(await refreshJobs()).toBe(0);
  });

  it("answers webhook-test's empty post with 200 and changes nothing", async () => {
    const res = await t.anon.post(EVENTS).set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body).toEqual({ event: null, cluster: { id: cluster } });
    expect((await clusterRow(cluster)).last).toBeNull();
    expect(await refreshJobs()).toBe(0);
  });

  it('refuses a body that is not an event with a 400 naming what is wrong, and records nothing', async () => {
    for (const [body, why] of [
      ['{"event":', 'not JSON'],
      ['{"nodeid":"x","ts":1,"event":"VOLUME_SET"}', 'nodeid'],
      [JSON.stringify({ ...JSON.parse(fixture('event-volume-set.json')), event: "VOLUME_SET'; reboot" }), 'event'],
    ]) {
      const res = await post(body, `Bearer ${token}`).expect(400);
      expect((res.body as { detail: string }).detail).toContain(why);
    }
    expect((await clusterRow(cluster)).last).toBeNull();
    expect(await refreshJobs()).toBe(0);
  });

  it("takes gsyncd's checkpoint event: names the session, signals it, and queues one refresh for a burst", async () => {
    const signals = new IORedis(t.redisUrl);
    const heard: string[] = [];
    await signals.subscribe(`${t.config.queuePrefix}:session-signals`);
    signals.on('message', (_channel: string, id: string) => heard.push(id));
    try {
      const body = fixture('event-georep-checkpoint-completed.json');
      const first = await post(body, `Bearer ${token}`).expect(200);
      expect(first.body).toEqual({
        event: 'GEOREP_CHECKPOINT_COMPLETED',
        cluster: { id: cluster },
        session: { id: session },
      });
      // The CLI names the same session its own way (primary, secondary = host::volume).
      for (let i = 0; i < 20; i++) {
        const res = await post(
          fixture(i % 2 ? 'event-georep-start.json' : 'event-georep-active.json'),
          `Bearer ${token}`,
        );
        expect(res.status).toBe(200);
        expect((res.body as { session?: { id: string } }).session).toEqual({ id: session });
      }
      const deadline = Date.now() + 10_000;
      while (heard.length < 21 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual(Array(21).fill(session));
    } finally {
      signals.disconnect();
    }
    expect(await refreshJobs()).toBe(1);
    expect((await clusterRow(cluster)).last).toBeInstanceOf(Date);
  });

  it("wakes a wait on the session (a DR run's poll) when gluster's event arrives, and only that session's", async () => {
    const signals = t.app.get(SessionSignals);
    expect(await signals.listen()).toBe(true);
    const since = Date.now();
    const unrelated = signals.sleep(crypto.randomUUID(), 1500, since);
    const woken = signals.sleep(session, 60_000, since);
    await post(fixture('event-georep-checkpoint-completed.json'), `Bearer ${token}`).expect(200);
    expect(await woken).toBe(true);
    expect(await unrelated).toBe(false);
    // a signal that came while the caller was reading the status (after `since`) is not missed either
    expect(await signals.sleep(session, 60_000, since)).toBe(true);
  });

  it('does not refresh for the CLIENT_* events of every mount, and names no session for a volume event', async () => {
    // The other cluster has no refresh pending, so one queued by mistake would show.
    const before = await refreshJobs();
    const connect = await post(fixture('event-client-connect.json'), `Bearer ${otherToken}`).expect(200);
    expect(connect.body).toEqual({ event: 'CLIENT_CONNECT', cluster: { id: other } });
    expect(await refreshJobs()).toBe(before);
    expect((await clusterRow(other)).last).toBeInstanceOf(Date);
    const set = await post(fixture('event-volume-set.json'), `Bearer ${otherToken}`).expect(200);
    expect(set.body).toEqual({ event: 'VOLUME_SET', cluster: { id: other } });
    expect(await refreshJobs()).toBe(before + 1);
  });

  it('enableglusterevents needs a URL gluster can post to: 400 before any job', async () => {
    const action = (body: object) =>
      t.http
        .post(`${API}/clusters/${cluster}/enableglusterevents`)
        .set('Content-Type', JSON_TYPE)
        .set('Accept', JSON_TYPE)
        .send(JSON.stringify(body));
    const none = await action({}).expect(400);
    expect((none.body as { detail: string }).detail).toContain('url: is required: GEOREP_PUBLIC_URL is not set');
    for (const [url, why] of [
      ['ftp://georep.example/x', 'http or https'],
      ['http://admin:secret@georep.example/x', 'credentials'],
      ["http://georep.example/x';reboot;'", 'quotes'],
    ]) {
      const res = await action({ url }).expect(400);
      expect((res.body as { detail: string }).detail).toContain(why);
      expect(res.text).not.toContain('secret');
    }
    expect(await t.sql(`SELECT id FROM jobs WHERE target_id = $1`, [cluster])).toEqual([]);
  });
});
