import * as fs from 'node:fs';
import { fingerprintOfKeyBlob } from '../../src/ssh/fingerprint';
import { API, databaseState, JSON_TYPE } from '../api/api-helpers';
import {
  acquireLabLease,
  describeLab,
  ensureLabUp,
  glusterUuid,
  LAB_LEASE_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  LabEnv,
  LabLock,
  runLab,
} from '../support/gluster-lab';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT_AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';

interface HostJson {
  id: string;
  name: string;
  status: string;
  status_detail?: string;
  gluster_version?: string;
  peer_uuid?: string;
  ssh: { port: number; user: { user_name: string }; fingerprint?: string };
}

interface ActionJson {
  status: string;
  job: { id: string };
  fault?: { reason: string; detail: string };
}

function fingerprintOfPublicKeyFile(file: string): string {
  const [, base64] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
  return fingerprintOfKeyBlob(Buffer.from(base64, 'base64'));
}

/**
 * Host registration against the real lab (test/lab/gluster-lab.sh): site 1 on 127.0.0.1 (sshd on 22,
 * 2222 and 2022 with root password logins), site 2 on 10.200.0.2 in its own network namespace.
 * Root's authorized_keys is shared by both sites; the test removes its service key line afterwards.
 */
describeLab('host registration over SSH (real lab)', () => {
  let lease: LabLock | undefined;
  let env: LabEnv;
  let t: TestApp;
  let serviceKeyLine: string;
  let site1Cluster: string;
  let site2Cluster: string;
  const hosts: Record<string, string> = {};

  const api = {
    get: async <T>(path: string): Promise<T> =>
      (await t.http.get(`${API}${path}`).set('Accept', JSON_TYPE).expect(200)).body as T,
    post: (path: string, body: object) =>
      t.http.post(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body)),
    put: (path: string, body: object) =>
      t.http.put(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body)),
  };

  /** The host as it is once its first contact (a job started by the add) has run. */
  async function settled(id: string): Promise<HostJson> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const host = await api.get<HostJson>(`/hosts/${id}`);
      if (host.status !== 'unknown') return host;
      if (Date.now() > deadline) throw new Error(`host ${id} was never contacted`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function addHost(name: string, cluster: string, address: string, extra: object = {}): Promise<HostJson> {
    const res = await api.post('/hosts', { name, address, cluster: { id: cluster }, ...extra }).expect(201);
    hosts[name] = (res.body as HostJson).id;
    return res.body as HostJson;
  }

  function removeServiceKey(): void {
    if (!serviceKeyLine || !fs.existsSync(ROOT_AUTHORIZED_KEYS)) return;
    const blob = serviceKeyLine.split(/\s+/)[1];
    const kept = fs
      .readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8')
      .split('\n')
      .filter((line) => !line.includes(blob));
    fs.writeFileSync(ROOT_AUTHORIZED_KEYS, kept.join('\n'));
  }

  beforeAll(
    async () => {
      lease = await acquireLabLease();
      env = await ensureLabUp();
      t = await startTestApp({ env: { GEOREP_ACTION_WAIT_SECONDS: '120' } });
      serviceKeyLine = (
        await t.anon
          .get('/ovirt-engine/services/pki-resource?resource=engine-certificate&format=OPENSSH-PUBKEY')
          .expect(200)
      ).text.trim();
      removeServiceKey(); // a fresh key, but be sure
      site1Cluster = ((await api.post('/clusters', { name: 'site1' }).expect(201)).body as { id: string }).id;
      site2Cluster = ((await api.post('/clusters', { name: 'site2' }).expect(201)).body as { id: string }).id;
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 60_000,
  );

  afterAll(async () => {
    removeServiceKey();
    await runLab(['sshd-start']).catch(() => undefined);
    await t?.close();
    await lease?.release();
  });

  it('a host whose account does not have the service key yet is non_responsive, saying why', async () => {
    await addHost('site2-gluster', site2Cluster, env.site2Addr);
    const host = await settled(hosts['site2-gluster']);
    expect(host.status).toBe('non_responsive');
    expect(host.status_detail).toBe(
      `SSH to root@${env.site2Addr}:22: authentication failed (All configured authentication methods failed)`,
    );
    const events = await api.get<{ event: { code: number; host?: { id: string } }[] }>(`/events?search=code=11015`);
    expect(events.event.map((e) => e.host?.id)).toEqual([hosts['site2-gluster']]);
  });

  it('a wrong root_password leaves the host install_failed, and the password nowhere', async () => {
    const wrong = 'not-the-root-password-9f3c';
    const added = await addHost('wrong-password', site1Cluster, env.site1Addr, {
      ssh: { port: env.sshPasswordPort },
      root_password: wrong,
    });
    expect(added.status).toBe('install_failed');
    expect(added.status_detail).toBe(
      `the service key could not be installed with the password given: SSH to root@${env.site1Addr}:${env.sshPasswordPort}: authentication failed (All configured authentication methods failed)`,
    );
    expect(JSON.stringify(added)).not.toContain(wrong);
    expect(JSON.stringify(await databaseState(t))).not.toContain(wrong);
    expect(fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8')).not.toContain(serviceKeyLine.split(/\s+/)[1]);
    await t.http.delete(`${API}/hosts/${hosts['wrong-password']}`).expect(200);
  });

  it('registers site 1 with the one-time root_password: key installed, host key pinned, gluster read', async () => {
    const password = fs.readFileSync(env.rootPasswordFile, 'utf8').trim();
    const added = await addHost('site1-gluster', site1Cluster, env.site1Addr, {
      ssh: { port: env.sshPasswordPort },
      root_password: password,
    });
    expect(JSON.stringify(added)).not.toContain(password);
    const host = await settled(added.id);
    expect(host).toMatchObject({
      status: 'up',
      gluster_version: expect.stringMatching(/^\d+\.\d+/),
      peer_uuid: await glusterUuid(1),
    });
    expect(host.status_detail).toBeUndefined();
    expect(host.ssh.fingerprint).toBe(fingerprintOfPublicKeyFile(env.hostKeySite1));
    expect(fs.readFileSync(ROOT_AUTHORIZED_KEYS, 'utf8').split('\n')).toContain(serviceKeyLine);
    // Used inside the request only: not in the database (jobs, events, hosts), not in any response.
    expect(JSON.stringify(await databaseState(t))).not.toContain(password);
    const jobs = await t.http.get(`${API}/jobs`).set('Accept', JSON_TYPE).expect(200);
    expect(jobs.text).not.toContain(password);
  });

  it("with the key in place (site 2 shares root's authorized_keys), a refresh brings site 2 up", async () => {
    const res = await api.post(`/hosts/${hosts['site2-gluster']}/refresh`, {}).expect(200);
    expect((res.body as ActionJson).status).toBe('complete');
    const host = await api.get<HostJson>(`/hosts/${hosts['site2-gluster']}`);
    expect(host).toMatchObject({ status: 'up', peer_uuid: await glusterUuid(2) });
    expect(host.ssh.fingerprint).toBe(fingerprintOfPublicKeyFile(env.hostKeySite2));
    const up = await api.get<{ event: { description: string }[] }>(`/events?search=code=11014`);
    expect(up.event.map((e) => e.description)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Host site2-gluster is up: glusterfs \d+\.\d+/),
        expect.stringMatching(/^Host site1-gluster is up/),
      ]),
    );
  });

  it('refuses a changed host key with a fault and an event; repin accepts it (only the fingerprint given)', async () => {
    await addHost('moving', site1Cluster, env.site1Addr);
    expect((await settled(hosts.moving)).status).toBe('up');
    // The address now leads to another machine (site 2): its key is not the pinned one.
    await api.put(`/hosts/${hosts.moving}`, { address: env.site2Addr }).expect(200);
    const refused = await api.post(`/hosts/${hosts.moving}/refresh`, {}).expect(409);
    const site1Key = fingerprintOfPublicKeyFile(env.hostKeySite1);
    const site2Key = fingerprintOfPublicKeyFile(env.hostKeySite2);
    expect((refused.body as ActionJson).status).toBe('failed');
    expect((refused.body as ActionJson).fault?.detail).toBe(
      `Host moving is non_responsive: the host key changed: pinned ${site1Key}, presented ${site2Key}; if the change is expected, re-pin it with the repin action`,
    );
    const host = await api.get<HostJson>(`/hosts/${hosts.moving}`);
    expect(host).toMatchObject({ status: 'non_responsive', ssh: { fingerprint: site1Key } });
    const mismatch = await api.get<{ event: { severity: string; host?: { id: string } }[] }>(
      '/events?search=code=11017',
    );
    expect(mismatch.event.map((e) => [e.severity, e.host?.id])).toEqual([['error', hosts.moving]]);

    const wrongPin = await api.post(`/hosts/${hosts.moving}/repin`, { fingerprint: site1Key }).expect(409);
    expect((wrongPin.body as ActionJson).fault?.detail).toBe(
      `Host moving presents ${site2Key}, not the fingerprint given (${site1Key}); nothing was changed`,
    );
    expect((await api.get<HostJson>(`/hosts/${hosts.moving}`)).ssh.fingerprint).toBe(site1Key);

    // The key is re-pinned, but the address now reaches site 2's gluster pool, which cluster site2 manages: a server belongs to one cluster.
    const elsewhere = await api.post(`/hosts/${hosts.moving}/repin`, { fingerprint: site2Key }).expect(409);
    const site2Uuid = await glusterUuid(2);
    const detail = `it reaches gluster peer ${site2Uuid}, whose pool cluster site2 already manages (host site2-gluster); a server belongs to one cluster: add it to that cluster, or remove it there first`;
    expect((elsewhere.body as ActionJson).fault?.detail).toBe(`Host moving is install_failed: ${detail}`);
    expect(await api.get<HostJson>(`/hosts/${hosts.moving}`)).toMatchObject({
      status: 'install_failed',
      status_detail: detail,
      ssh: { fingerprint: site2Key },
      peer_uuid: site2Uuid,
    });
    // moved into the cluster that manages that pool, it is up there
    await api.put(`/hosts/${hosts.moving}`, { cluster: { id: site2Cluster } }).expect(200);
    await api.post(`/hosts/${hosts.moving}/refresh`, {}).expect(200);
    expect(await api.get<HostJson>(`/hosts/${hosts.moving}`)).toMatchObject({
      status: 'up',
      ssh: { fingerprint: site2Key },
      peer_uuid: site2Uuid,
    });
    await t.http.delete(`${API}/hosts/${hosts.moving}`).expect(200);
  });

  it('fails over to the next host when an sshd is down; the down host is non_responsive until it is back', async () => {
    // Two records for site 1's glusterd: 'a-alt' on port 2222 (tried first: up, and first by name) and site1-gluster.
    await addHost('a-alt', site1Cluster, env.site1Addr, { ssh: { port: env.sshAltPort } });
    expect((await settled(hosts['a-alt'])).status).toBe('up');
    await runLab(['sshd-stop']);

    const refresh = await api.post(`/clusters/${site1Cluster}/refresh`, {}).expect(200);
    const jobId = (refresh.body as ActionJson).job.id;
    const steps = await api.get<{ step: { execution_host?: { id: string } }[] }>(`/jobs/${jobId}/steps`);
    expect(steps.step.map((s) => s.execution_host?.id)).toEqual([hosts['site1-gluster']]);
    const down = await api.get<HostJson>(`/hosts/${hosts['a-alt']}`);
    expect(down).toMatchObject({
      status: 'non_responsive',
      status_detail: `SSH to root@${env.site1Addr}:${env.sshAltPort}: connection refused (connect ECONNREFUSED ${env.site1Addr}:${env.sshAltPort})`,
    });

    const stillDown = await api.post(`/hosts/${hosts['a-alt']}/refresh`, {}).expect(502);
    expect((stillDown.body as ActionJson).fault?.detail).toBe(
      `Host a-alt is non_responsive: SSH to root@${env.site1Addr}:${env.sshAltPort}: connection refused (connect ECONNREFUSED ${env.site1Addr}:${env.sshAltPort})`,
    );

    await runLab(['sshd-start']);
    await api.post(`/hosts/${hosts['a-alt']}/refresh`, {}).expect(200);
    expect((await api.get<HostJson>(`/hosts/${hosts['a-alt']}`)).status).toBe('up');
  });

  it('refuses a root_password on update, before anything is sent', async () => {
    const res = await api.put(`/hosts/${hosts['site1-gluster']}`, { root_password: 'x' }).expect(400);
    expect((res.body as { detail: string }).detail).toBe(
      'root_password: is only taken when a host is added (to install the service key again, remove and add the host)',
    );
  });

  it("refuses a host of a gluster pool another cluster manages, and uses none of that pool's volumes twice", async () => {
    const other = ((await api.post('/clusters', { name: 'same-pool' }).expect(201)).body as { id: string }).id;
    await addHost('same-pool-host', other, env.site1Addr, { ssh: { port: env.sshAltPort } });
    const site1Uuid = await glusterUuid(1);
    const detail = `it reaches gluster peer ${site1Uuid}, whose pool cluster site1 already manages (host a-alt); a server belongs to one cluster: add it to that cluster, or remove it there first`;
    expect(await settled(hosts['same-pool-host'])).toMatchObject({ status: 'install_failed', status_detail: detail });
    const refused = await api.post(`/hosts/${hosts['same-pool-host']}/refresh`, {}).expect(409);
    expect((refused.body as ActionJson).fault?.detail).toBe(`Host same-pool-host is install_failed: ${detail}`);
    await api.post(`/clusters/${other}/refresh`, {}).expect(200); // it has no host to use
    expect(
      (await api.get<{ gluster_volume?: unknown[] }>(`/clusters/${other}/glustervolumes`)).gluster_volume ?? [],
    ).toEqual([]);
    // nor can one of site 1's two up records move to another cluster while the other stays
    const moved = await api.put(`/hosts/${hosts['a-alt']}`, { cluster: { id: other } }).expect(409);
    expect((moved.body as { detail: string }).detail).toBe(
      `Host a-alt reaches gluster peer ${site1Uuid}, which cluster site1 also manages (host site1-gluster); a server belongs to one cluster.`,
    );
    await t.http.delete(`${API}/hosts/${hosts['same-pool-host']}`).expect(200);
    await t.http.delete(`${API}/clusters/${other}`).expect(200);
  });
});
