import * as fs from 'node:fs';
import { DiscoverySchedule } from '../../src/discovery/discovery-schedule.job';
import { SshClient } from '../../src/ssh';
import { API, JSON_TYPE, XML } from '../api/api-helpers';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  LabEnv,
  labStatus,
  sessionCreate,
  sessionStart,
} from '../support/gluster-lab';
import { LabApp, startLabApp } from '../support/lab-app';
import { TestApp } from '../support/test-app';

interface Ref {
  id: string;
  href: string;
}
interface VolumeJson extends Ref {
  name: string;
  volume_type: string;
  status: string;
  replica_count: number;
  gluster_uuid?: string;
  options: { option?: { name: string; value: string }[] };
  georeplication_slave: boolean;
  georeplication_session?: Ref;
  link: { rel: string; href: string }[];
}
interface BrickJson extends Ref {
  name: string;
  server_name: string;
  brick_dir: string;
  status: string;
  position: number;
  host?: Ref;
  gluster_volume: Ref;
}
interface DetailJson {
  master_brick?: Ref;
  master_brick_dir: string;
  status: string;
}
interface SessionJson extends Ref {
  master_volume: Ref;
  slave_host_name: string;
  slave_volume_name: string;
  slave_volume?: Ref;
  slave_cluster?: Ref;
  slave_host?: Ref;
  user_name: string;
  status: string;
  session_details?: { session_detail?: DetailJson[] };
}
interface EventJson {
  code: number;
  severity: string;
  description: string;
}

/**
 * Discovery against the real lab (test/lab/gluster-lab.sh): the service reads both sites over SSH with
 * its own key, and a geo-rep session made with the gluster CLI outside the service is followed through
 * created → active → stopped → deleted by refreshes. Root's authorized_keys is shared by both sites;
 * the test adds the service key line in beforeAll and removes exactly that line in afterAll.
 */
describeLab('gluster discovery sync and read API (real lab)', () => {
  let lab: LabApp;
  let env: LabEnv;
  let t: TestApp;
  let site1: string;
  let site2: string;
  let host1: string;
  let host2: string;
  let slaveUrl: string;

  const api = {
    get: <T>(path: string) => lab.api.get<T>(path),
    post: (path: string, body: object) => lab.api.post(path, body),
  };
  const refresh = (path: string) => lab.refresh(path);

  const volumes = async (cluster: string) =>
    (await api.get<{ gluster_volume?: VolumeJson[] }>(`/clusters/${cluster}/glustervolumes`)).gluster_volume ?? [];
  const volumeNamed = async (cluster: string, name: string): Promise<VolumeJson> => {
    const found = (await volumes(cluster)).find((v) => v.name === name);
    if (!found) throw new Error(`volume ${name} not listed`);
    return found;
  };
  const sessionsOf = async (cluster: string, volume: string) =>
    (
      await api.get<{ georeplication_session?: SessionJson[] }>(
        `/clusters/${cluster}/glustervolumes/${volume}/georeplication-sessions`,
      )
    ).georeplication_session ?? [];
  const eventsWithCode = async (code: number) =>
    (await api.get<{ event?: EventJson[] }>(`/events?search=code=${code}`)).event ?? [];

  /** Refreshes the master cluster until the one session has the wanted status (gluster's workers move on their own). */
  async function refreshUntil(masterVolumeId: string, status: string): Promise<SessionJson> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      await refresh(`/clusters/${site1}`);
      const [session] = await sessionsOf(site1, masterVolumeId);
      if (session?.status === status) return session;
      if (Date.now() > deadline)
        throw new Error(`session status stayed ${session?.status} (wanted ${status})\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  beforeAll(
    async () => {
      lab = await startLabApp('disc', { GEOREP_SYNC_INTERVAL_SECONDS: '0' });
      ({ env, t, site1, site2, host1, host2 } = lab);
      slaveUrl = `${env.site2Addr}::${env.site2Vol}`;
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 180_000,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it('a refresh of each cluster lists its volumes and their bricks, matched to the registered hosts', async () => {
    await refresh(`/clusters/${site1}`);
    await refresh(`/clusters/${site2}`);

    const master = await volumeNamed(site1, env.masterVol);
    expect(master).toMatchObject({
      volume_type: 'replicate',
      status: 'up',
      replica_count: 2,
      georeplication_slave: false,
    });
    expect(master.href).toBe(`${API}/clusters/${site1}/glustervolumes/${master.id}`);
    expect(master.link.map((l) => l.rel).sort()).toEqual([
      'georeplication-sessions',
      'georeplication-targets',
      'glusterbricks',
    ]);
    expect(master.options.option).toContainEqual({ name: 'changelog.rollover-time', value: '3' });
    expect((await volumes(site1)).map((v) => v.name).sort()).toEqual([env.masterVol, env.site1SlaveVol].sort());
    expect((await volumes(site2)).map((v) => v.name).sort()).toEqual([env.site2FullVol, env.site2Vol].sort());

    const bricks = (
      await api.get<{ brick: BrickJson[] }>(`/clusters/${site1}/glustervolumes/${master.id}/glusterbricks`)
    ).brick;
    expect(bricks.map((b) => b.name)).toEqual(env.masterBricks);
    expect(bricks.map((b) => [b.position, b.status, b.host?.id, b.gluster_volume.id])).toEqual([
      [0, 'up', host1, master.id],
      [1, 'up', host1, master.id],
    ]);
    const one = await api.get<BrickJson>(
      `/clusters/${site1}/glustervolumes/${master.id}/glusterbricks/${bricks[1].id}`,
    );
    expect(one).toMatchObject({ id: bricks[1].id, brick_dir: bricks[1].brick_dir });

    const site2vol = await volumeNamed(site2, env.site2Vol);
    const site2Bricks = (
      await api.get<{ brick: BrickJson[] }>(`/clusters/${site2}/glustervolumes/${site2vol.id}/glusterbricks`)
    ).brick;
    expect(site2Bricks.map((b) => [b.name, b.status, b.host?.id])).toEqual([[env.site2VolBrick, 'up', host2]]);

    // the pass recorded each volume it found once; a second pass finds nothing new
    expect((await eventsWithCode(11101)).length).toBe(4);
    await refresh(`/clusters/${site1}/glustervolumes/${master.id}`);
    expect((await eventsWithCode(11101)).length).toBe(4);
    expect((await volumeNamed(site1, env.masterVol)).id).toBe(master.id);
    expect(
      (await api.get<{ brick: BrickJson[] }>(`/clusters/${site1}/glustervolumes/${master.id}/glusterbricks`)).brick.map(
        (b) => b.id,
      ),
    ).toEqual(bricks.map((b) => b.id));
  });

  it('hostile names in the path are refused before any SSH command', async () => {
    const ssh = t.app.get(SshClient);
    const endpoints = [
      { host: env.site1Addr, port: env.sshPort, username: 'root' },
      { host: env.site2Addr, port: env.sshPort, username: 'root' },
    ];
    const before = endpoints.map((e) => ssh.stats(e).commandsStarted);
    const master = await volumeNamed(site1, env.masterVol);
    const hostile = encodeURIComponent('x;touch /tmp/pwned-georep');
    await t.http.get(`${API}/clusters/${site1}/glustervolumes/${hostile}`).expect(404);
    await t.http
      .post(`${API}/clusters/${site1}/glustervolumes/${hostile}/refresh`)
      .set('Content-Type', JSON_TYPE)
      .send('{}')
      .expect(404);
    await t.http.get(`${API}/clusters/${hostile}/glustervolumes`).expect(404);
    await t.http
      .get(`${API}/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${hostile}`)
      .expect(404);
    await t.http
      .post(`${API}/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${hostile}/refresh`)
      .set('Content-Type', JSON_TYPE)
      .send('{}')
      .expect(404);
    await t.http
      .get(
        `${API}/clusters/${site1}/glustervolumes/${master.id}/glusterbricks/${encodeURIComponent('$(touch /tmp/pwned-georep)')}`,
      )
      .expect(404);
    expect(endpoints.map((e) => ssh.stats(e).commandsStarted)).toEqual(before);
    expect(fs.existsSync('/tmp/pwned-georep')).toBe(false);
  });

  it('a session created outside the service appears as created, with per-brick rows, options and the slave linked', async () => {
    await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol);
    await refresh(`/clusters/${site1}`);
    const master = await volumeNamed(site1, env.masterVol);
    const site2vol = await volumeNamed(site2, env.site2Vol);
    const [session, ...others] = await sessionsOf(site1, master.id);
    expect(others).toEqual([]);
    expect(session).toMatchObject({
      master_volume: { id: master.id },
      slave_host_name: env.site2Addr,
      slave_volume_name: env.site2Vol,
      slave_volume: { id: site2vol.id, href: site2vol.href },
      slave_cluster: { id: site2 },
      slave_host: { id: host2 },
      user_name: 'root',
      status: 'created',
    });
    expect(session.session_details).toBeUndefined(); // inline on the single GET only

    const single = await api.get<SessionJson>(
      `/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${session.id}`,
    );
    const bricks = (
      await api.get<{ brick: BrickJson[] }>(`/clusters/${site1}/glustervolumes/${master.id}/glusterbricks`)
    ).brick;
    expect(single.session_details?.session_detail?.map((d) => [d.master_brick?.id, d.status])).toEqual(
      bricks.map((b) => [b.id, 'created']),
    );
    const rows = (
      await api.get<{ session_detail: DetailJson[] }>(
        `/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${session.id}/bricks`,
      )
    ).session_detail;
    expect(rows.map((d) => d.master_brick_dir)).toEqual(bricks.map((b) => b.brick_dir));

    const options = (
      await api.get<{ option: { name: string; value: string; default_value?: string; modified: boolean }[] }>(
        `/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${session.id}/options`,
      )
    ).option;
    expect(options.find((o) => o.name === 'sync-jobs')).toEqual({
      href: expect.stringMatching(/\/options\/sync-jobs$/),
      name: 'sync-jobs',
      value: '3',
      default_value: '3',
      modified: false,
      restarts_session: true,
    });
    // the lab sets secondary-access-mount (rsync 3.5.0 needs it): it differs from the default
    expect(options.find((o) => o.name === 'secondary-access-mount')).toMatchObject({ value: 'true', modified: true });
    const byUnderscore = await api.get<{ name: string }>(
      `/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${session.id}/options/sync_jobs`,
    );
    expect(byUnderscore.name).toBe('sync-jobs');
    await t.http
      .get(
        `${API}/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${session.id}/options/no-such-option`,
      )
      .expect(404);

    // the slave volume on site 2 says it is a slave, and of which session
    const slave = await api.get<VolumeJson>(`/clusters/${site2}/glustervolumes/${site2vol.id}`);
    expect(slave).toMatchObject({
      georeplication_slave: true,
      georeplication_session: { id: session.id, href: session.href },
    });
    expect((await volumeNamed(site2, env.site2FullVol)).georeplication_slave).toBe(false);

    // the same in oVirt XML
    const volumeXml = (
      await t.http.get(`${API}/clusters/${site2}/glustervolumes/${site2vol.id}`).set('Accept', XML).expect(200)
    ).text;
    expect(volumeXml).toContain(`<gluster_volume id="${site2vol.id}" href="${site2vol.href}">`);
    expect(volumeXml).toContain(`<georeplication_slave>true</georeplication_slave>`);
    expect(volumeXml).toContain(`<georeplication_session id="${session.id}" href="${session.href}"/>`);
    const sessionXml = (await t.http.get(session.href).set('Accept', XML).expect(200)).text;
    expect(sessionXml).toMatch(/<georeplication_session id="[^"]+" href="[^"]+">/);
    expect(sessionXml).toContain('<status>created</status>');
    expect(sessionXml.match(/<session_detail id=/g)).toHaveLength(2);
    expect(sessionXml).toContain(`<link rel="bricks" href="${session.href}/bricks"/>`);
    expect(sessionXml).toContain(`<link rel="refresh" href="${session.href}/refresh"/>`);
    const bricksXml = (
      await t.http
        .get(`${API}/clusters/${site1}/glustervolumes/${master.id}/glusterbricks`)
        .set('Accept', XML)
        .expect(200)
    ).text;
    expect(bricksXml).toMatch(/^(<\?xml[^>]*>)?\s*<bricks>\s*<brick id=/);

    const detected = await eventsWithCode(4098);
    expect(detected).toEqual([
      expect.objectContaining({
        severity: 'normal',
        description: expect.stringContaining(`${env.masterVol} → ${slaveUrl}`),
      }),
    ]);
  });

  it('started outside: active after a refresh, every change recorded', async () => {
    await sessionStart(env.masterVol, env.site2Addr, env.site2Vol);
    const session = await refreshUntil((await volumeNamed(site1, env.masterVol)).id, 'active');
    const single = await api.get<SessionJson>(`${session.href.slice(API.length)}`);
    const workers = single.session_details?.session_detail?.map((d) => d.status) ?? [];
    expect(workers).toHaveLength(2);
    expect(workers).toContain('active');
    // the session refresh action runs the same sync
    await refresh(session.href.slice(API.length));
    const changes = await eventsWithCode(11100);
    expect(changes.length).toBeGreaterThanOrEqual(1);
    expect(changes[0].description).toMatch(/to active\.$/);
  });

  it('stopped outside: reflected after a refresh', async () => {
    await gluster(1, ['volume', 'geo-replication', env.masterVol, slaveUrl, 'stop']);
    const master = await volumeNamed(site1, env.masterVol);
    const session = await refreshUntil(master.id, 'stopped');
    const single = await api.get<SessionJson>(session.href.slice(API.length));
    expect(single.session_details?.session_detail?.map((d) => d.status)).toEqual(['stopped', 'stopped']);
  });

  it('deleted outside: removed by the periodic sync, with event 4097, and the slave is no longer one', async () => {
    const master = await volumeNamed(site1, env.masterVol);
    const [session] = await sessionsOf(site1, master.id);
    await gluster(1, ['volume', 'geo-replication', env.masterVol, slaveUrl, 'delete']);
    // what the repeatable maintenance job runs (the schedule itself is off in this file)
    expect(await t.app.get(DiscoverySchedule).syncAll()).toEqual({ synced: 2, skipped: 0, failed: 0 });
    expect(await sessionsOf(site1, master.id)).toEqual([]);
    await t.http
      .get(`${API}/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions/${session.id}`)
      .expect(404);
    const deleted = await eventsWithCode(4097);
    expect(deleted).toEqual([
      expect.objectContaining({
        severity: 'warning',
        description: expect.stringContaining(`${env.masterVol} → ${slaveUrl}`),
      }),
    ]);
    expect((await volumeNamed(site2, env.site2Vol)).georeplication_slave).toBe(false);
  });
});
