import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { addUser, API, JSON_TYPE, login } from './auth-helpers';

const XML = 'application/xml';

describe('/users (admins only)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  const adminId = async () =>
    (await t.sql<{ id: string }>(`SELECT id FROM users WHERE name = $1`, [TEST_ADMIN.user]))[0].id;

  it('adds a user (201 + Location) and never shows a password or its hash, in XML or JSON', async () => {
    const password = 'carol-password-1';
    const res = await t.http
      .post(`${API}/users`)
      .set('Content-Type', XML)
      .send(`<user><user_name>carol@internal</user_name><role>viewer</role><password>${password}</password></user>`)
      .expect(201);
    const id = String(res.headers.location).split('/').pop() as string;
    expect(res.headers.location).toBe(`${API}/users/${id}`);
    expect(res.text).toContain(`id="${id}"`);
    expect(res.text).toContain('<user_name>carol@internal</user_name>');
    expect(res.text).toContain('<role>viewer</role>');
    const json = await t.http.get(`${API}/users/${id}`).set('Accept', JSON_TYPE).expect(200);
    expect(json.body).toEqual({
      id,
      href: `${API}/users/${id}`,
      user_name: 'carol@internal',
      role: 'viewer',
      link: [{ rel: 'eventsubscriptions', href: `${API}/users/${id}/eventsubscriptions` }],
    });
    const list = await t.http.get(`${API}/users`).query({ search: 'role=viewer' }).set('Accept', JSON_TYPE).expect(200);
    expect(list.body.user.map((u: { user_name: string }) => u.user_name)).toEqual(['carol@internal']);
    for (const text of [res.text, json.text, list.text]) {
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/argon2|password/);
    }
    const [row] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM users WHERE id = $1`, [id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    await t.as('CAROL@internal', password).get(API).expect(200);
  });

  it('writes an audit event for each add, update and remove, naming who did it and never the password', async () => {
    const send = (method: 'post' | 'put' | 'delete', path: string, body?: object) =>
      t.http[method](`${API}${path}`)
        .set('Correlation-Id', 'users-audit')
        .set('Content-Type', JSON_TYPE)
        .set('Accept', JSON_TYPE)
        .send(body === undefined ? undefined : JSON.stringify(body));
    const password = 'erin-password-1';
    const added = await send('post', '/users', { user_name: 'erin@internal', role: 'viewer', password }).expect(201);
    const id = (added.body as { id: string }).id;
    await send('put', `/users/${id}`, { role: 'admin' }).expect(200);
    await send('put', `/users/${id}`, { password: 'erin-password-2' }).expect(200);
    await send('delete', `/users/${id}`).expect(200);
    // Refused changes write nothing.
    await send('delete', `/users/${await adminId()}`).expect(409);

    const res = await t.http
      .get(`${API}/events`)
      .query({ search: 'correlation_id=users-audit sortby index asc' })
      .set('Accept', JSON_TYPE)
      .expect(200);
    const events = (res.body as { event: { code: number; description: string; user?: { id: string } }[] }).event;
    expect(events.map((e) => [e.code, e.description])).toEqual([
      [11030, 'User erin@internal (viewer) was added.'],
      [11031, 'User erin@internal was updated: role admin.'],
      [11031, 'User erin@internal was updated: password reset, its tokens revoked.'],
      [11032, 'User erin@internal was removed, with its tokens.'],
    ]);
    const admin = await adminId();
    expect(events.map((e) => e.user?.id)).toEqual([admin, admin, admin, admin]);
    expect(JSON.stringify(events)).not.toMatch(/erin-password/);
  });

  it('refuses a duplicate name regardless of case (409), a bad name or a short password (400) without echoing the password', async () => {
    await addUser(t, 'dave@internal', 'viewer', 'dave-password-1');
    const dup = await t.http
      .post(`${API}/users`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify({ user_name: 'DAVE@internal', role: 'admin', password: 'whatever-123' }));
    expect(dup.status).toBe(409);
    const badName = await t.http
      .post(`${API}/users`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify({ user_name: 'no-domain', role: 'viewer', password: 'whatever-123' }));
    expect(badName.status).toBe(400);
    const short = await t.http
      .post(`${API}/users`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify({ user_name: 'eve@internal', role: 'viewer', password: 'sEcr3t' }));
    expect(short.status).toBe(400);
    expect(short.text).not.toContain('sEcr3t');
    const noPassword = await t.http
      .post(`${API}/users`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify({ user_name: 'eve@internal', role: 'viewer' }));
    expect(noPassword.status).toBe(400);
  });

  it("changes the role, resets the password (revoking the user's tokens) and refuses a rename", async () => {
    const id = await addUser(t, 'frank@internal', 'viewer', 'frank-password-1');
    const frank = t.as('frank@internal', 'frank-password-1');
    await frank.post(`${API}/clusters`).set('Content-Type', JSON_TYPE).send('{"name":"frank1"}').expect(403);

    const promoted = await t.http
      .put(`${API}/users/${id}`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send('{"role":"admin"}')
      .expect(200);
    expect(promoted.body.role).toBe('admin');
    // The role is read on every request: the same Basic credentials may now write.
    await frank.post(`${API}/clusters`).set('Content-Type', JSON_TYPE).send('{"name":"frank1"}').expect(201);

    const { access_token } = await login(t.anon, 'frank@internal', 'frank-password-1');
    await t.http
      .put(`${API}/users/${id}`)
      .set('Content-Type', JSON_TYPE)
      .send('{"password":"frank-password-2"}')
      .expect(200);
    await frank.get(API).expect(401);
    await t.as('frank@internal', 'frank-password-2').get(API).expect(200);
    await t.anon.get(API).set('Authorization', `Bearer ${access_token}`).expect(401);

    const rename = await t.http
      .put(`${API}/users/${id}`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send('{"user_name":"francis@internal"}');
    expect(rename.status).toBe(400);
    expect(rename.body.reason).toBe('Broken immutability constraint');
  });

  it('removes a user with its tokens; the user can no longer log in', async () => {
    const id = await addUser(t, 'gina@internal', 'viewer', 'gina-password-1');
    const { access_token } = await login(t.anon, 'gina@internal', 'gina-password-1');
    await t.http.delete(`${API}/users/${id}`).expect(200);
    await t.http.get(`${API}/users/${id}`).expect(404);
    expect(
      await t.sql(`SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = 'gina@internal'`),
    ).toEqual([]);
    await t.anon.get(API).set('Authorization', `Bearer ${access_token}`).expect(401);
    await t.as('gina@internal', 'gina-password-1').get(API).expect(401);
  });

  it('never removes or demotes the last admin (409), but may once there is another', async () => {
    const others = await t.sql<{ id: string }>(`SELECT id FROM users WHERE role = 'admin' AND name <> $1`, [
      TEST_ADMIN.user,
    ]);
    for (const { id } of others) await t.http.delete(`${API}/users/${id}`).expect(200);
    const me = await adminId();
    const demote = await t.http
      .put(`${API}/users/${me}`)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send('{"role":"viewer"}');
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatch(/last admin/);
    expect((await t.http.delete(`${API}/users/${me}`)).status).toBe(409);

    const second = await addUser(t, 'second@internal', 'admin', 'second-password-1');
    await t.http.put(`${API}/users/${second}`).set('Content-Type', JSON_TYPE).send('{"role":"viewer"}').expect(200);
    await t.http.put(`${API}/users/${second}`).set('Content-Type', JSON_TYPE).send('{"role":"admin"}').expect(200);
    await t.as('second@internal', 'second-password-1').delete(`${API}/users/${me}`).expect(200);
    const left = await t.sql<{ name: string }>(`SELECT name FROM users WHERE role = 'admin'`);
    expect(left).toEqual([{ name: 'second@internal' }]);
  });
});
