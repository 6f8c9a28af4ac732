import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SshClient } from '../../src/ssh';
import { API, JSON_TYPE } from '../api/api-helpers';
import {
  acquireLabLease,
  describeLab,
  ensureLabUp,
  gluster,
  healSession,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  LabEnv,
  LabLock,
  labStatus,
  sessionPurge,
} from '../support/gluster-lab';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT_AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';

interface Ref {
  id: string;
  href: string;
}
interface VolumeJson extends Ref {
  name: string;
}
interface TargetJson {
  id: string;
  name: string;
  gluster_volume: Ref;
  cluster: Ref;
  eligible: boolean;
  empty?: boolean;
  reasons: { reason?: string[] };
}
interface SessionJson extends Ref {
  slave_host_name: string;
  slave_volume_name: string;
  slave_volume?: Ref;
  user_name: string;
  status: string;
}
interface JobJson extends Ref {
  status: string;
}

/**
 * Creating geo-replication sessions through the API on the real lab (test/lab/gluster-lab.sh): the
 * targets list, root sessions site 1 -> site 2 with no_verify and push_pem that replicate a file
 * (checksum on site 2's brick), and refusals that leave gluster and the database as they were.
 */
describeLab('geo-replication session create and targets (real lab)', () => {
  let lease: LabLock | undefined;
  let env: LabEnv;
  let t: TestApp;
  let serviceKeyLine = '';
  let site1: string;
  let site2: string;
  let master: VolumeJson;
  let site2vol: VolumeJson;
  let site2full: VolumeJson;
  let site1slave: VolumeJson;

  const api = {
    get: async <T>(p: string): Promise<T> => (await t.http.get(`${API}${p}`).set('Accept', JSON_TYPE).expect(200)).body as T,
    post: (p: string, body: object) => t.http.post(`${API}${p}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body)),
  };
  const sessionsPath = () => `/clusters/${site1}/glustervolumes/${master.id}/georeplication-sessions`;
  const sessions = async () => (await api.get<{ georeplication_session?: SessionJson[] }>(sessionsPath())).georeplication_session ?? [];
  const glusterSessions = async () => (await gluster(1, ['volume', 'geo-replication', 'status'], { okCodes: [0, 1, 2] })).stdout;

  async function refresh(p: string): Promise<void> {
    const res = await api.post(`${p}/refresh`, {});
    if (res.status !== 200) throw new Error(`refresh of ${p} answered ${res.status}: ${res.text}`);
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

  const volumeNamed = async (cluster: string, name: string): Promise<VolumeJson> => {
    const found = ((await api.get<{ gluster_volume?: VolumeJson[] }>(`/clusters/${cluster}/glustervolumes`)).gluster_volume ?? []).find((v) => v.name === name);
    if (!found) throw new Error(`volume ${name} not listed`);
    return found;
  };

  function removeServiceKey(): void {
    if (!serviceKeyLine || !fs.existsSync(ROOT_AUTHORIZED_KEYS)) return;
    const lines = fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8').split('\n');
    fs.writeFileSync(ROOT_AUTHORIZED_KEYS, lines.filter((line) => line.trim() !== serviceKeyLine).join('\n'));
  }

  /** Site 2's brick directory of site2vol (the lab shares /srv between the sites). */
  const site2Brick = () => env.site2VolBrick.slice(env.site2VolBrick.indexOf(':') + 1);
  const md5 = (file: string) => crypto.createHash('md5').update(fs.readFileSync(file)).digest('hex');

  /** Writes a file into the master's FUSE mount and waits until site 2's brick holds the same bytes. */
  async function replicates(): Promise<void> {
    const name = `create-${crypto.randomUUID()}.bin`;
    const data = crypto.randomBytes(256 * 1024);
    fs.writeFileSync(path.join(env.masterMnt, name), data);
    const want = crypto.createHash('md5').update(data).digest('hex');
    const target = path.join(site2Brick(), name);
    const arrived = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (fs.existsSync(target) && md5(target) === want) return true;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return false;
    };
    if (await arrived(180_000)) return;
    // pitfall 2: a worker can stay Active without syncing; the lab's heal restarts stuck workers
    await healSession(env.masterVol, env.site2Addr, env.site2Vol);
    if (!(await arrived(180_000))) throw new Error(`${name} did not reach site 2 with the same checksum\n${await labStatus()}`);
  }

  beforeAll(async () => {
    lease = await acquireLabLease();
    env = await ensureLabUp();
    await sessionPurge();
    t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '300', GEOREP_SYNC_INTERVAL_SECONDS: '0' } });
    serviceKeyLine = (await t.anon.get('/ovirt-engine/services/pki-resource?resource=engine-certificate&format=OPENSSH-PUBKEY').expect(200)).text.trim();
    const current = fs.existsSync(ROOT_AUTHORIZED_KEYS) ? fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8') : '';
    fs.writeFileSync(ROOT_AUTHORIZED_KEYS, `${current}${current === '' || current.endsWith('\n') ? '' : '\n'}${serviceKeyLine}\n`);
    site1 = ((await api.post('/clusters', { name: 'create-site1' }).expect(201)).body as Ref).id;
    site2 = ((await api.post('/clusters', { name: 'create-site2' }).expect(201)).body as Ref).id;
    const host1 = ((await api.post('/hosts', { name: 'create-site1-host', address: env.site1Addr, ssh: { port: env.sshPort }, cluster: { id: site1 } }).expect(201)).body as Ref).id;
    const host2 = ((await api.post('/hosts', { name: 'create-site2-host', address: env.site2Addr, cluster: { id: site2 } }).expect(201)).body as Ref).id;
    await hostUp(host1);
    await hostUp(host2);
    await refresh(`/clusters/${site1}`);
    await refresh(`/clusters/${site2}`);
    master = await volumeNamed(site1, env.masterVol);
    site1slave = await volumeNamed(site1, env.site1SlaveVol);
    site2vol = await volumeNamed(site2, env.site2Vol);
    site2full = await volumeNamed(site2, env.site2FullVol);
  }, LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 180_000);

  afterAll(async () => {
    try {
      await sessionPurge();
    } finally {
      removeServiceKey();
      await t?.close();
      await lease?.release();
    }
  }, LAB_SESSION_TIMEOUT_MS);

  it("lists the other volumes with oVirt's reasons: site 2's empty volume eligible, the full one and the master's own cluster not", async () => {
    const targets = (await api.get<{ georeplication_target?: TargetJson[] }>(`/clusters/${site1}/glustervolumes/${master.id}/georeplication-targets`)).georeplication_target ?? [];
    const byName = new Map(targets.map((x) => [x.name, x]));
    expect([...byName.keys()].sort()).toEqual([env.site1SlaveVol, env.site2FullVol, env.site2Vol].sort());
    expect(byName.get(env.site2Vol)).toMatchObject({ eligible: true, empty: true, gluster_volume: { id: site2vol.id }, cluster: { id: site2 } });
    expect(byName.get(env.site2Vol)?.reasons.reason ?? []).toEqual([]);
    expect(byName.get(env.site2FullVol)).toMatchObject({ eligible: false, empty: false, reasons: { reason: ['slave_volume_to_be_empty'] } });
    expect(byName.get(env.site1SlaveVol)).toMatchObject({ eligible: false, gluster_volume: { id: site1slave.id } });
    expect(byName.get(env.site1SlaveVol)?.reasons.reason).toContain('slave_and_master_volumes_should_not_be_in_same_cluster');
  });

  it('refuses an ineligible slave without force, and hostile names, leaving gluster and the database unchanged', async () => {
    const ssh = t.app.get(SshClient);
    const glusterBefore = await glusterSessions();
    const full = await api.post(sessionsPath(), { slave_volume: { id: site2full.id } });
    expect(full.status).toBe(409);
    expect((full.body as { detail: string }).detail).toContain('slave_volume_to_be_empty');
    const same = await api.post(sessionsPath(), { slave_volume: { id: site1slave.id } });
    expect(same.status).toBe(409);

    const endpoint = { host: env.site1Addr, port: env.sshPort, username: 'root' };
    const before = ssh.stats(endpoint).commandsStarted;
    for (const body of [
      { slave_host_name: '10.200.0.2; touch /tmp/pwned-georep-create', slave_volume_name: env.site2Vol },
      { slave_host_name: env.site2Addr, slave_volume_name: '$(touch /tmp/pwned-georep-create)' },
      { slave_host_name: env.site2Addr, slave_volume_name: '`touch /tmp/pwned-georep-create`' },
      { slave_host_name: '--help', slave_volume_name: env.site2Vol },
      { slave_volume: { id: site2vol.id }, user_name: 'root\ntouch /tmp/pwned-georep-create' },
      { slave_volume: { id: site2vol.id }, method: 'rm -rf' },
    ]) {
      const res = await api.post(sessionsPath(), body);
      expect([400, 404]).toContain(res.status);
    }
    expect(ssh.stats(endpoint).commandsStarted).toBe(before);
    expect(fs.existsSync('/tmp/pwned-georep-create')).toBe(false);
    expect(await sessions()).toEqual([]);
    expect(await glusterSessions()).toBe(glusterBefore);
  });

  it('creates and starts a root session with the default method (201 + Location) that replicates, and refuses the same pair again (409)', async () => {
    const res = await api.post(sessionsPath(), { slave_volume: { id: site2vol.id }, start: true });
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}\n${await labStatus()}`);
    const session = res.body as SessionJson;
    expect(res.headers.location).toBe(session.href);
    expect(session).toMatchObject({ slave_host_name: env.site2Addr, slave_volume_name: env.site2Vol, slave_volume: { id: site2vol.id }, user_name: 'root' });
    expect(['initializing', 'active', 'passive', 'created']).toContain(session.status);
    const options = (await api.get<{ option: { name: string; value: string }[] }>(`${sessionsPath()}/${session.id}/options`)).option;
    expect(options.find((o) => o.name === 'secondary-access-mount')?.value).toBe('true');
    await replicates();

    const again = await api.post(sessionsPath(), { slave_volume: { id: site2vol.id } });
    expect(again.status).toBe(409);
    expect(await sessions()).toHaveLength(1);

    const targets = (await api.get<{ georeplication_target?: TargetJson[] }>(`/clusters/${site1}/glustervolumes/${master.id}/georeplication-targets`)).georeplication_target ?? [];
    expect(targets.find((x) => x.name === env.site2Vol)?.reasons.reason).toContain('slave_volume_should_not_be_slave_of_another_geo_rep_session');
  }, LAB_SESSION_TIMEOUT_MS);

  it('creates and starts a root session with push_pem that replicates', async () => {
    await sessionPurge();
    await refresh(`/clusters/${site1}`);
    expect(await sessions()).toEqual([]);
    const res = await api.post(sessionsPath(), { slave_volume: { id: site2vol.id }, method: 'push_pem', start: true });
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}\n${await labStatus()}`);
    const session = res.body as SessionJson;
    expect(session).toMatchObject({ slave_volume: { id: site2vol.id }, user_name: 'root' });
    const jobs = (await api.get<{ job?: JobJson[] }>('/jobs')).job ?? [];
    expect(jobs.some((j) => j.status === 'finished')).toBe(true);
    await replicates();
  }, LAB_SESSION_TIMEOUT_MS);
});
