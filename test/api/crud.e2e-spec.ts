import { startTestApp, TestApp } from '../support/test-app';
import { addCluster, addHost, API, faultOf, JSON_TYPE, XML } from './api-helpers';

describe('CRUD round trips', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('cluster in XML: add (201 + Location), get, update, list, remove', async () => {
    const added = await t.http
      .post(`${API}/clusters`)
      .set('Content-Type', 'application/xml; charset=utf-8')
      .send('<?xml version="1.0"?>\n<cluster><name>xml-one</name><description>first</description></cluster>')
      .expect(201);
    const id = /<cluster id="([^"]+)"/.exec(added.text)?.[1] as string;
    expect(added.headers.location).toBe(`${API}/clusters/${id}`);
    expect(added.headers['content-type']).toBe('application/xml; charset=utf-8');

    const got = await t.http.get(added.headers.location).expect(200);
    expect(got.text).toBe(added.text);

    const updated = await t.http
      .put(`${API}/clusters/${id}`)
      .set('Content-Type', XML)
      .send(
        `<cluster id="${id}" href="/ignored"><name>xml-renamed</name><gluster_service>true</gluster_service><virt_service>false</virt_service></cluster>`,
      )
      .expect(200);
    expect(updated.text).toContain(
      '<name>xml-renamed</name>\n    <description>first</description>\n    <gluster_service>true</gluster_service>\n    <virt_service>false</virt_service>',
    );
    expect(await t.sql('SELECT name, description, gluster_service FROM clusters WHERE id = $1', [id])).toEqual([
      { name: 'xml-renamed', description: 'first', gluster_service: true },
    ]);

    expect((await t.http.get(`${API}/clusters`).expect(200)).text).toContain(`<cluster id="${id}"`);
    const removed = await t.http.delete(`${API}/clusters/${id}`).expect(200);
    expect(removed.text).toBe('');
    await t.http.get(`${API}/clusters/${id}`).expect(404);
    expect(await t.sql('SELECT id FROM clusters WHERE id = $1', [id])).toEqual([]);
  });

  it('host in JSON: add with defaults, get, update (partial, clearing nothing else), remove', async () => {
    const cluster = await addCluster(t, 'json-cluster');
    const other = await addCluster(t, 'json-other');
    const added = await t.http
      .post(`${API}/hosts`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(
        JSON.stringify({
          name: 'json-host',
          address: '2001:db8::10',
          cluster: { id: cluster },
          status: 'up',
          ssh: { fingerprint: 'forged' },
        }),
      )
      .expect(201);
    const host = added.body as {
      id: string;
      href: string;
      ssh: Record<string, unknown>;
      status: string;
      cluster: { id: string };
    };
    expect(added.headers.location).toBe(host.href);
    // Read-only fields in a body are ignored, as oVirt does.
    expect(host.status).toBe('unknown');
    expect(host.ssh).toEqual({ port: 22, user: { user_name: 'root' } });

    const updated = await t.http
      .put(`${API}/hosts/${host.id}`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify({ ssh: { port: '2200' }, cluster: { name: 'json-other' } }))
      .expect(200);
    expect(updated.body).toMatchObject({
      name: 'json-host',
      address: '2001:db8::10',
      ssh: { port: 2200, user: { user_name: 'root' } },
      cluster: { id: other },
    });

    const got = await t.http.get(host.href).set('Accept', JSON_TYPE).expect(200);
    expect(got.body).toEqual(updated.body);
    await t.http.delete(host.href).expect(200);
    await t.http.get(host.href).set('Accept', JSON_TYPE).expect(404);
  });

  it('answers in the format asked for, whatever the body format', async () => {
    const res = await t.http
      .post(`${API}/clusters`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')
      .send('{"name":"browser"}')
      .expect(201);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const json = await t.http.get(res.headers.location).set('Accept', 'application/json, text/plain, */*').expect(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('serves a GET that carries a body, ignoring the body (even a hostile one)', async () => {
    const res = await t.http
      .get(`${API}/clusters`)
      .set('Content-Type', 'text/plain')
      .send('<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>')
      .expect(200);
    expect(res.text).toContain('<clusters>');
  });

  it('accepts the /v4 prefix and Version: 4 on every route; hrefs stay without /v4', async () => {
    const res = await t.http
      .post(`${API}/v4/clusters`)
      .set('Version', '4')
      .set('Content-Type', XML)
      .send('<cluster><name>v4</name></cluster>')
      .expect(201);
    expect(res.headers.location).toMatch(/^\/ovirt-engine\/api\/clusters\/[0-9a-f-]{36}$/);
    await t.http.get(`${API}/v4/clusters/${res.headers.location.split('/').pop()}`).expect(200);
  });

  it('echoes the Correlation-Id, also on faults', async () => {
    const res = await t.http.get(`${API}/clusters/nope`).set('Correlation-Id', 'req-42').expect(404);
    expect(res.headers['correlation-id']).toBe('req-42');
    const early = await t.http.get(`${API}/clusters`).set('Version', '5').set('Correlation-Id', 'req-43').expect(400);
    expect(early.headers['correlation-id']).toBe('req-43');
  });

  it('answers an unexpected error with a 500 fault that names only the correlation id', async () => {
    await t.sql('ALTER TABLE hosts RENAME TO hosts_away');
    try {
      const res = await t.http
        .get(`${API}/hosts`)
        .set('Correlation-Id', 'broken-1')
        .set('Accept', JSON_TYPE)
        .expect(500);
      expect(res.body).toEqual({
        reason: 'Internal Server Error',
        detail: 'the server could not complete the request; the error was logged (correlation id broken-1)',
      });
    } finally {
      await t.sql('ALTER TABLE hosts_away RENAME TO hosts');
    }
    await t.http.get(`${API}/hosts`).expect(200);
  });

  it('answers unknown routes with a 404 fault, and an undeclared method of a known path with a 405 fault and Allow', async () => {
    for (const res of [
      await t.http.get('/nothing/here'),
      await t.http.get(`${API}/datacenters`),
      await t.http.get(`${API}/v4x`),
    ]) {
      expect(res.status).toBe(404);
      expect(faultOf(res)).toEqual({ reason: 'Not Found', detail: 'there is nothing at this address' });
    }
    const patch = await t.http.patch(`${API}/clusters`).set('Content-Type', JSON_TYPE).send('{}');
    expect([patch.status, patch.headers.allow]).toEqual([405, 'GET, HEAD, POST']);
    expect(faultOf(patch)).toEqual({
      reason: 'Method Not Allowed',
      detail: 'this method is not allowed here (allowed: GET, HEAD, POST)',
    });
  });
});

describe('max, search, sortby, follow', () => {
  let t: TestApp;
  const names = (text: string) => [...text.matchAll(/<name>([^<]*)<\/name>/g)].map((m) => m[1]);
  const list = async (collection: string, query: Record<string, string>) => {
    const res = await t.http.get(`${API}/${collection}`).query(query).expect(200);
    return names(res.text);
  };

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    const a = await addCluster(t, 'alpha', { description: 'first site' });
    const b = await addCluster(t, 'beta', { description: 'second site' });
    await addCluster(t, 'Gamma_1');
    await addCluster(t, 'gamma.2', { description: '100% done' });
    await addHost(t, 'node1', a);
    await addHost(t, 'node2', a, { ssh: { port: 2222 } });
    await addHost(t, 'node3', b);
    await t.sql(`UPDATE hosts SET status = 'up' WHERE name IN ('node1', 'node3')`);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists by name by default', async () => {
    expect(await list('clusters', {})).toEqual(['Gamma_1', 'alpha', 'beta', 'gamma.2']);
  });

  it('sortby field asc|desc', async () => {
    expect(await list('clusters', { search: 'sortby name desc' })).toEqual(['gamma.2', 'beta', 'alpha', 'Gamma_1']);
    expect(await list('hosts', { search: 'sortby status desc' })).toEqual(['node1', 'node3', 'node2']);
    expect(await list('hosts', { search: 'sortby status asc' })).toEqual(['node2', 'node1', 'node3']);
  });

  it('max limits the list; -1 is all', async () => {
    expect(await list('clusters', { max: '2' })).toEqual(['Gamma_1', 'alpha']);
    expect(await list('clusters', { max: '1', search: 'sortby name desc' })).toEqual(['gamma.2']);
    expect(await list('clusters', { max: '0' })).toEqual([]);
    expect(await list('clusters', { max: '-1' })).toHaveLength(4);
  });

  it('search name= with * wildcards; % and _ are literal; case-sensitive unless asked', async () => {
    expect(await list('clusters', { search: 'name=alpha' })).toEqual(['alpha']);
    expect(await list('clusters', { search: 'name=*a' })).toEqual(['alpha', 'beta']);
    expect(await list('clusters', { search: 'name=gamma*' })).toEqual(['gamma.2']);
    expect(await list('clusters', { search: 'name=gamma*', case_sensitive: 'false' })).toEqual(['Gamma_1', 'gamma.2']);
    expect(await list('clusters', { search: 'name=Gamma%1' })).toEqual([]);
    expect(await list('clusters', { search: 'name=Gamma_1' })).toEqual(['Gamma_1']);
    expect(await list('clusters', { search: 'name=gamma_2' })).toEqual([]);
    expect(await list('clusters', { search: 'description=1%0*' })).toEqual([]);
    expect(await list('clusters', { search: 'description="100% *"' })).toEqual(['gamma.2']);
    expect(await list('clusters', { search: 'name!=*amma*' })).toEqual(['alpha', 'beta']);
    expect(await list('clusters', { search: 'description="second site"' })).toEqual(['beta']);
  });

  it('search status= and combined conditions with and', async () => {
    expect(await list('hosts', { search: 'status=up' })).toEqual(['node1', 'node3']);
    expect(await list('hosts', { search: 'status=UP and name=*3' })).toEqual(['node3']);
    expect(await list('hosts', { search: 'status=unknown' })).toEqual(['node2']);
    expect(await list('hosts', { search: 'name=node* and status!=up sortby name desc', max: '5' })).toEqual(['node2']);
  });

  it('follow inlines references in lists too', async () => {
    const res = await t.http
      .get(`${API}/hosts`)
      .query({ follow: 'cluster', search: 'name=node3' })
      .set('Accept', JSON_TYPE)
      .expect(200);
    expect((res.body as { host: { cluster: Record<string, unknown> }[] }).host[0].cluster).toMatchObject({
      name: 'beta',
      description: 'second site',
    });
  });

  it('All-Content is accepted in its oVirt spellings', async () => {
    await t.http.get(`${API}/hosts`).set('All-Content', 'true').expect(200);
    await t.http.get(`${API}/hosts`).query({ all_content: 'y' }).expect(200);
    expect(faultOf(await t.http.get(`${API}/hosts`).set('All-Content', 'sometimes').expect(400)).detail).toBe(
      'All-Content: must be true or false',
    );
  });
});
