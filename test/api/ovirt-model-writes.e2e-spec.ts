import { startTestApp, TestApp } from '../support/test-app';
import { addVolume, API, faultOf, JSON_TYPE, XML } from './api-helpers';

/**
 * Bodies as the oVirt SDKs build them from oVirt's own object model (issue 18): every field of oVirt's
 * v4 model for cluster, host, storage domain, event, job, user and action is accepted; the ones that mean
 * something here are used, and what is read back has oVirt's shape.
 */
describe("writes with oVirt's object model (cluster, host, storage domain, event, job, user, action)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  const postXml = (path: string, body: string) => t.http.post(`${API}${path}`).set('Content-Type', XML).send(body);
  const postJson = (path: string, body: unknown) =>
    t.http.post(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
  const putJson = (path: string, body: unknown) =>
    t.http.put(`${API}${path}`).set('Content-Type', JSON_TYPE).set('Accept', JSON_TYPE).send(JSON.stringify(body));
  const idOf = (xml: string, type: string) => new RegExp(`<${type} id="([^"]+)"`).exec(xml)?.[1] as string;

  const volume = (clusterId: string, name: string) => addVolume(t, clusterId, name);

  describe('cluster', () => {
    it('XML: Cluster(name, gluster_service=True, virt_service=False) plus other oVirt fields is added and reads back with both flags', async () => {
      const res = await postXml(
        '/clusters',
        '<cluster><name>sdk-xml</name><gluster_service>true</gluster_service><virt_service>false</virt_service>' +
          '<cpu><type>Intel SandyBridge Family</type></cpu><version><major>4</major><minor>7</minor></version>' +
          '<data_center id="00000000-0000-0000-0000-000000000001"/><ballooning_enabled>false</ballooning_enabled></cluster>',
      );
      expect(res.status).toBe(201);
      expect(res.text).toContain(
        '<name>sdk-xml</name>\n    <gluster_service>true</gluster_service>\n    <virt_service>false</virt_service>\n</cluster>',
      );
      const got = await t.http
        .get(`${API}/clusters/${idOf(res.text, 'cluster')}`)
        .set('Accept', JSON_TYPE)
        .expect(200);
      expect(got.body).toMatchObject({ name: 'sdk-xml', gluster_service: true, virt_service: false });
      expect(got.body).not.toHaveProperty('cpu');
    });

    it('JSON: oVirt-style string booleans and links are accepted', async () => {
      const res = await postJson('/clusters', {
        name: 'sdk-json',
        gluster_service: 'true',
        virt_service: 'false',
        mac_pool: { id: '00000000-0000-0000-0000-000000000002' },
        required_rng_sources: { required_rng_source: ['urandom'] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'sdk-json', gluster_service: true, virt_service: false });
    });

    it('gluster_service false and virt_service true are refused with a 400 saying why, on add and on update', async () => {
      const noGluster = await postXml(
        '/clusters',
        '<cluster><name>virt-only</name><gluster_service>false</gluster_service></cluster>',
      );
      expect(noGluster.status).toBe(400);
      expect(faultOf(noGluster).detail).toBe(
        'gluster_service: must be true: this service manages gluster clusters only',
      );
      const virt = await postJson('/clusters', { name: 'virt-too', virt_service: true });
      expect(virt.status).toBe(400);
      expect(faultOf(virt).detail).toBe(
        'virt_service: must be false: this service manages gluster clusters only (no virtualization)',
      );
      expect(await t.sql("SELECT name FROM clusters WHERE name IN ('virt-only', 'virt-too')")).toEqual([]);

      const id = (await postJson('/clusters', { name: 'sdk-update' }).expect(201)).body.id as string;
      const update = await putJson(`/clusters/${id}`, { gluster_service: false });
      expect(update.status).toBe(400);
      expect(faultOf(update).detail).toBe('gluster_service: must be true: this service manages gluster clusters only');
      expect(
        (
          await putJson(`/clusters/${id}`, { virt_service: false, gluster_service: true, description: 'kept' }).expect(
            200,
          )
        ).body,
      ).toMatchObject({
        description: 'kept',
        gluster_service: true,
        virt_service: false,
      });
    });

    it('a field oVirt does not have is still refused by name', async () => {
      const res = await postJson('/clusters', { name: 'typo', glusterservice: true, virt_service: false });
      expect(res.status).toBe(400);
      expect(faultOf(res).detail).toBe('glusterservice: unknown field');
    });
  });

  describe('host', () => {
    let cluster: string;
    beforeAll(async () => {
      cluster = (await postJson('/clusters', { name: 'host-site' }).expect(201)).body.id as string;
    });

    it('XML: Host(..., ssh=Ssh(port=22, user=User(user_name=...))) uses ssh.user.user_name and reads back <ssh><user><user_name>', async () => {
      const res = await postXml(
        '/hosts',
        '<host><name>sdk-host-xml</name><address>192.0.2.21</address><cluster><name>host-site</name></cluster>' +
          '<ssh><port>2222</port><user><user_name>geoaccount</user_name></user><authentication_method>publickey</authentication_method></ssh>' +
          '<port>54321</port><override_iptables>true</override_iptables><power_management><enabled>false</enabled></power_management></host>',
      );
      expect(res.status).toBe(201);
      expect(res.text).toContain(
        '<ssh>\n        <port>2222</port>\n        <user>\n            <user_name>geoaccount</user_name>\n        </user>\n    </ssh>',
      );
      const id = idOf(res.text, 'host');
      expect(await t.sql('SELECT ssh_port, ssh_user FROM hosts WHERE id = $1', [id])).toEqual([
        { ssh_port: 2222, ssh_user: 'geoaccount' },
      ]);
    });

    it('JSON: "ssh":{"user":{"user_name":...}} is the SSH user, on add and update; other User fields are ignored', async () => {
      const res = await postJson('/hosts', {
        name: 'sdk-host-json',
        address: '192.0.2.22',
        cluster: { id: cluster },
        ssh: { port: 22, user: { user_name: 'geo', domain: { name: 'internal' } }, public_key: 'ssh-ed25519 AAAA' },
        spm: { priority: 5 },
      });
      expect(res.status).toBe(201);
      expect(res.body.ssh).toEqual({ port: 22, user: { user_name: 'geo' } });

      const updated = await putJson(`/hosts/${res.body.id as string}`, { ssh: { user: { user_name: 'geo2' } } });
      expect(updated.status).toBe(200);
      expect(updated.body.ssh).toEqual({ port: 22, user: { user_name: 'geo2' } });
      expect(await t.sql('SELECT ssh_user FROM hosts WHERE id = $1', [res.body.id])).toEqual([{ ssh_user: 'geo2' }]);
    });

    it('without ssh.user the user is root, read back in oVirt shape', async () => {
      const res = await postJson('/hosts', {
        name: 'sdk-host-default',
        address: '192.0.2.23',
        cluster: { id: cluster },
      });
      expect(res.status).toBe(201);
      expect(res.body.ssh).toEqual({ port: 22, user: { user_name: 'root' } });
    });

    it('ssh.user as text (the old shape) and a bad user_name are refused, naming the field', async () => {
      const text = await postJson('/hosts', {
        name: 'old-shape',
        address: '192.0.2.24',
        cluster: { id: cluster },
        ssh: { user: 'root' },
      });
      expect(text.status).toBe(400);
      expect(faultOf(text).detail).toBe('ssh.user: must be an object (got "root")');
      const bad = await postXml(
        '/hosts',
        '<host><name>bad-user</name><address>192.0.2.25</address><cluster><name>host-site</name></cluster><ssh><user><user_name>root;id</user_name></user></ssh></host>',
      );
      expect(bad.status).toBe(400);
      expect(faultOf(bad).detail).toMatch(/^ssh\.user\.user_name: must be a Unix user name/);
      expect(await t.sql("SELECT name FROM hosts WHERE name IN ('old-shape', 'bad-user')")).toEqual([]);
    });
  });

  describe('storage domain', () => {
    let cluster: string;
    let host: string;
    beforeAll(async () => {
      cluster = (await postJson('/clusters', { name: 'sd-site' }).expect(201)).body.id as string;
      host = (
        await postJson('/hosts', { name: 'sd-mounter', address: '192.0.2.31', cluster: { id: cluster } }).expect(201)
      ).body.id as string;
      await volume(cluster, 'vmstore');
      await volume(cluster, 'vmstore2');
    });

    it('XML: StorageDomain(..., host=Host(name=...), storage=HostStorage(...)) stores the host and reads it back as a reference', async () => {
      const res = await postXml(
        '/storagedomains',
        '<storage_domain><name>sdk-sd-xml</name><type>data</type><host><name>sd-mounter</name></host>' +
          '<storage><type>glusterfs</type><address>192.0.2.31</address><path>/vmstore</path><vfs_type>glusterfs</vfs_type>' +
          '<mount_options>backup-volfile-servers=192.0.2.32</mount_options></storage>' +
          '<storage_format>v5</storage_format><wipe_after_delete>false</wipe_after_delete><discard_after_delete>false</discard_after_delete></storage_domain>',
      );
      expect(res.status).toBe(201);
      expect(res.text).toContain(`<host id="${host}" href="${API}/hosts/${host}"/>`);
      const id = idOf(res.text, 'storage_domain');
      expect(await t.sql('SELECT host_id FROM storage_domains WHERE id = $1', [id])).toEqual([{ host_id: host }]);
      const got = await t.http.get(`${API}/storagedomains/${id}`).set('Accept', JSON_TYPE).expect(200);
      expect(got.body.host).toEqual({ id: host, href: `${API}/hosts/${host}` });
      expect(got.body.storage).toEqual({ type: 'glusterfs', address: '192.0.2.31', path: '/vmstore' });
    });

    it('JSON: host by id; update changes or clears it; removing the host clears it', async () => {
      const other = (
        await postJson('/hosts', { name: 'sd-mounter-2', address: '192.0.2.33', cluster: { id: cluster } }).expect(201)
      ).body.id as string;
      const res = await postJson('/storagedomains', {
        name: 'sdk-sd-json',
        host: { id: host },
        storage: { type: 'glusterfs', address: '192.0.2.31', path: '/vmstore2', nfs_version: 'auto' },
        data_centers: { data_center: [{ id: '00000000-0000-0000-0000-000000000001' }] },
      });
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      expect(res.body.host).toEqual({ id: host, href: `${API}/hosts/${host}` });

      expect(
        (await putJson(`/storagedomains/${id}`, { host: { name: 'sd-mounter-2' } }).expect(200)).body.host,
      ).toEqual({ id: other, href: `${API}/hosts/${other}` });
      await t.http.delete(`${API}/hosts/${other}`).expect(200);
      const after = await t.http.get(`${API}/storagedomains/${id}`).set('Accept', JSON_TYPE).expect(200);
      expect(after.body).not.toHaveProperty('host');
      expect((await putJson(`/storagedomains/${id}`, { host: { id: host } }).expect(200)).body.host).toEqual({
        id: host,
        href: `${API}/hosts/${host}`,
      });
      expect((await putJson(`/storagedomains/${id}`, { host: null }).expect(200)).body).not.toHaveProperty('host');
    });

    it('an unknown host is a 404 naming it, and nothing is stored', async () => {
      const byName = await postJson('/storagedomains', {
        name: 'sd-nohost',
        host: { name: 'nowhere' },
        storage: { type: 'glusterfs', address: '192.0.2.31', path: '/vmstore' },
      });
      expect(byName.status).toBe(404);
      expect(faultOf(byName).detail).toContain('nowhere');
      const byId = await postJson('/storagedomains', {
        name: 'sd-nohost',
        host: { id: '0f000000-0000-4000-8000-000000000000' },
        storage: { type: 'glusterfs', address: '192.0.2.31', path: '/vmstore' },
      });
      expect(byId.status).toBe(404);
      expect(faultOf(byId).detail).toContain('0f000000-0000-4000-8000-000000000000');
      const badId = await postJson('/storagedomains', {
        name: 'sd-nohost',
        host: { id: '7' },
        storage: { type: 'glusterfs', address: '192.0.2.31', path: '/vmstore' },
      });
      expect(badId.status).toBe(400);
      expect(await t.sql("SELECT name FROM storage_domains WHERE name = 'sd-nohost'")).toEqual([]);
    });
  });

  describe('event, job, user and action', () => {
    it('XML: Event(..., vm=Vm(id), data_center, log_on_host=True) is added; what means nothing here is dropped', async () => {
      const res = await postXml(
        '/events',
        '<event><description>backup finished</description><severity>normal</severity><origin>backup-tool</origin>' +
          '<custom_id>41</custom_id><log_on_host>true</log_on_host><vm id="00000000-0000-0000-0000-000000000003"/>' +
          '<data_center id="00000000-0000-0000-0000-000000000001"/><template><name>t</name></template></event>',
      );
      expect(res.status).toBe(201);
      const id = idOf(res.text, 'event');
      const got = await t.http.get(`${API}/events/${id}`).set('Accept', JSON_TYPE).expect(200);
      expect(got.body).toMatchObject({ description: 'backup finished', origin: 'backup-tool', custom_id: 41 });
      for (const dropped of ['vm', 'data_center', 'template', 'log_on_host'])
        expect(got.body).not.toHaveProperty(dropped);
    });

    it('JSON: Job(description, auto_cleared, name, steps) adds an external job; steps and name are ignored', async () => {
      const res = await postJson('/jobs', {
        description: 'an external copy',
        auto_cleared: 'true',
        name: 'copy',
        steps: { step: [{ description: 'first' }] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ description: 'an external copy', external: true, status: 'started' });
      expect(res.body).not.toHaveProperty('name');
      const steps = await t.http
        .get(`${API}/jobs/${(res.body as { id: string }).id}/steps`)
        .set('Accept', JSON_TYPE)
        .expect(200);
      expect(steps.body).toEqual({ step: [] });
    });

    it("User(user_name, domain=Domain(name), principal) with this service's role and password is added", async () => {
      const res = await postXml(
        '/users',
        '<user><user_name>sdk@internal</user_name><principal>sdk</principal><domain><name>internal</name></domain>' +
          '<role>viewer</role><password>a-long-password</password><email>sdk@example.com</email></user>',
      );
      expect(res.status).toBe(201);
      expect(res.text).toContain('<user_name>sdk@internal</user_name>');
      expect(res.text).not.toContain('principal');
      expect(res.text).not.toContain('sdk@example.com');
      expect(await t.sql("SELECT role FROM users WHERE name = 'sdk@internal'")).toEqual([{ role: 'viewer' }]);
    });

    it("an action body with fields of oVirt's action model runs the action; an unknown field is still a 400", async () => {
      const cluster = idOf((await postXml('/clusters', '<cluster><name>sdk-action</name></cluster>')).text, 'cluster');
      // This app has no worker: async answers at once with the queued job, which shows the body was taken.
      const ran = await postXml(
        `/clusters/${cluster}/refresh`,
        '<action><async>true</async><reason>after maintenance</reason><vm id="00000000-0000-0000-0000-000000000003"/>' +
          '<timeout>30</timeout><succeeded>true</succeeded></action>',
      );
      expect(ran.status).toBe(202);
      expect(ran.text).toContain('<status>pending</status>');
      expect(ran.text).not.toContain('reason');
      expect(await t.sql("SELECT count(*)::int AS n FROM jobs WHERE description LIKE '%sdk-action%'")).toEqual([
        { n: 1 },
      ]);
      const refused = await postXml(`/clusters/${cluster}/refresh`, '<action><reasonn>typo</reasonn></action>');
      expect(refused.status).toBe(400);
      expect(faultOf(refused).detail).toContain('reasonn: unknown field');
    });
  });

  it('the OpenAPI document lists the ignored oVirt fields in each type description', async () => {
    const doc = (await t.http.get('/docs/openapi.json').expect(200)).body as {
      components: { schemas: Record<string, { description?: string }> };
    };
    const described = (name: string) =>
      Object.entries(doc.components.schemas).find(([key]) => key === name)?.[1].description ?? '';
    expect(described('Cluster')).toMatch(/accepted in bodies and ignored: .*\bdata_center\b.*\bversion\b/);
    expect(described('Host')).toMatch(/accepted in bodies and ignored: .*\boverride_iptables\b/);
    expect(described('StorageDomain')).toMatch(/accepted in bodies and ignored: .*\bstorage_format\b/);
    expect(described('Event')).toMatch(/accepted in bodies and ignored: .*\blog_on_host\b.*\bvm\b/);
    expect(described('Job')).toMatch(/accepted in bodies and ignored: .*\bsteps\b/);
    expect(described('ClusterRefreshActionRequest')).toContain("Other fields of oVirt's action model");
  });
});
