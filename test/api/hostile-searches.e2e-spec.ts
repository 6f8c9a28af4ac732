import { addUser } from '../auth/auth-helpers';
import { startTestApp, TestApp } from '../support/test-app';
import { addCluster, addVolume, API, faultOf, JSON_TYPE } from './api-helpers';

/**
 * Hostile `search` values: no user text becomes a RegExp (DESIGN.md section 7), so a pattern that makes
 * a backtracking matcher run for years is answered like any other, through the real routes, as a viewer.
 * A matcher that backtracks makes these tests hang until jest gives up, which fails them.
 */
describe('hostile search values', () => {
  const VIEWER = { user: 'searcher@internal', password: 'searcher-password-1' };
  let t: TestApp;
  let cluster: string;
  let master: string;
  let longName: string;

  const volume = (name: string) => addVolume(t, cluster, name);

  const viewerGet = (path: string) => t.as(VIEWER.user, VIEWER.password).get(`${API}${path}`).set('Accept', JSON_TYPE);
  const targets = (search: string) =>
    viewerGet(
      `/clusters/${cluster}/glustervolumes/${master}/georeplication-targets?search=${encodeURIComponent(search)}`,
    );
  // Sorted here: the database's collation decides how '#' sorts against letters.
  const names = (body: unknown, key: string) =>
    ((body as Record<string, { name: string }[] | undefined>)[key] ?? []).map((v) => v.name).sort();

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    await addUser(t, VIEWER.user, 'viewer', VIEWER.password);
    cluster = await addCluster(t, 'site1');
    await addCluster(t, 'a'.repeat(40));
    master = await volume('mastervol');
    longName = 'a'.repeat(60);
    for (const name of ['site2vol', 'backupvol', longName, `${'a'.repeat(59)}#`]) await volume(name);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the georeplication targets whose name matches stars and a # only when the # is there', async () => {
    const hostile = await targets(`name=${'*'.repeat(30)}#`).expect(200);
    expect(names(hostile.body, 'georeplication_target')).toEqual([`${'a'.repeat(59)}#`]);
    const hostileMiss = await targets(`name=${'*a'.repeat(40)}*b`).expect(200);
    expect(names(hostileMiss.body, 'georeplication_target')).toEqual([]);
    const many = await targets(`name=${'*a'.repeat(40)}*`).expect(200);
    expect(names(many.body, 'georeplication_target')).toEqual([`${'a'.repeat(59)}#`, longName].sort());
    const negated = await targets(`name!=${'*'.repeat(30)}# and name!=*vol*`).expect(200);
    expect(names(negated.body, 'georeplication_target')).toEqual([longName]);
  });

  it('keeps what is not a star literal, and ignores case only when asked', async () => {
    expect(names((await targets('name=.*').expect(200)).body, 'georeplication_target')).toEqual([]);
    expect(names((await targets('name=*VOL').expect(200)).body, 'georeplication_target')).toEqual([]);
    const insensitive = await viewerGet(
      `/clusters/${cluster}/glustervolumes/${master}/georeplication-targets?case_sensitive=false&search=${encodeURIComponent('name=*VOL')}`,
    ).expect(200);
    expect(names(insensitive.body, 'georeplication_target')).toEqual(['backupvol', 'site2vol']);
  });

  it('answers the same pattern on a list searched by the database', async () => {
    const res = await viewerGet(`/clusters?search=${encodeURIComponent(`name=${'*a'.repeat(40)}*#`)}`).expect(200);
    expect(names(res.body, 'cluster')).toEqual([]);
    const all = await viewerGet(`/clusters?search=${encodeURIComponent(`name=${'*a'.repeat(40)}*`)}`).expect(200);
    expect(names(all.body, 'cluster')).toEqual(['a'.repeat(40)]);
  });

  it('searches events by an index beyond 32 bits', async () => {
    expect((await viewerGet('/events?search=index%3E99999999999').expect(200)).body).toEqual({ event: [] });
  });

  it.each([
    [
      'a code too large for its column',
      '/events?search=code%3D999999999999999',
      /^search: code must be between -2147483648 and 2147483647 \(got 999999999999999\)$/,
    ],
    [
      'a custom_id too large for its column',
      '/events?search=custom_id%3E999999999999999',
      /^search: custom_id must be between -2147483648 and 2147483647/,
    ],
    [
      'a brick position too large for its column',
      '/clusters/{cluster}/glustervolumes/{master}/glusterbricks?search=position%3D-999999999999999',
      /^search: position must be between -2147483648 and 2147483647/,
    ],
  ])('refuses %s with a 400', async (_name, path, detail) => {
    const res = await viewerGet(path.replace('{cluster}', cluster).replace('{master}', master));
    expect(res.status).toBe(400);
    expect(faultOf(res).detail).toMatch(detail);
  });
});
