import { addCluster, addVolume, API, faultOf, JSON_TYPE } from '../api/api-helpers';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A session's reads find their rows by cluster, volume (and id) in one query (issue 22); the cluster and
 * the volume are read only to say which part of the path a 404 is missing, or that an empty list is empty.
 */
describe('geo-replication session reads', () => {
  let t: TestApp;
  let site1: string;
  let site2: string;
  let masterVol: string;
  let emptyVol: string;
  let otherClusterVol: string;
  let sessionId: string;
  const UNKNOWN = '00000000-0000-4000-8000-000000000000';

  const get = (path: string) => t.http.get(`${API}${path}`).set('Accept', JSON_TYPE);
  const list = (cluster: string, volume: string, query = '') =>
    get(`/clusters/${cluster}/glustervolumes/${volume}/georeplication-sessions${query}`);

  beforeAll(async () => {
    t = await startTestApp({ env: { GEOREP_SYNC_INTERVAL_SECONDS: '0' } });
    site1 = await addCluster(t, 'reads-site1');
    site2 = await addCluster(t, 'reads-site2');
    masterVol = await addVolume(t, site1, 'mastervol');
    emptyVol = await addVolume(t, site1, 'novol-sessions');
    otherClusterVol = await addVolume(t, site2, 'site2vol');
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
       VALUES ($1, $2, '10.200.0.2', 'site2vol', 'key-reads', 'active', now()) RETURNING id`,
      [site1, masterVol],
    );
    sessionId = row.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists a volume's sessions, and an empty list for a volume without any or a search that matches none", async () => {
    const listed = (await list(site1, masterVol).expect(200)).body as { georeplication_session: { id: string }[] };
    expect(listed.georeplication_session.map((s) => s.id)).toEqual([sessionId]);
    expect((await list(site1, emptyVol).expect(200)).body).toEqual({ georeplication_session: [] });
    expect((await list(site1, masterVol, '?search=slave_volume_name%3Dnone').expect(200)).body).toEqual({
      georeplication_session: [],
    });
  });

  it('a 404 names the first part of the path that is missing, for the list and for one session', async () => {
    const cases: [string, string, RegExp][] = [
      [UNKNOWN, masterVol, new RegExp(`^cluster with id "${UNKNOWN}" does not exist$`)],
      ['not-a-uuid', masterVol, /^cluster with id "not-a-uuid" does not exist$/],
      [site1, UNKNOWN, new RegExp(`^gluster volume with id "${UNKNOWN}" does not exist$`)],
      [site1, 'x', /^gluster volume with id "x" does not exist$/],
      // A volume of another cluster is not under this cluster, sessions or not.
      [site1, otherClusterVol, new RegExp(`^gluster volume with id "${otherClusterVol}" does not exist$`)],
      [site2, masterVol, new RegExp(`^gluster volume with id "${masterVol}" does not exist$`)],
    ];
    for (const [cluster, volume, detail] of cases) {
      expect({ cluster, volume, detail: faultOf(await list(cluster, volume).expect(404)).detail }).toEqual({
        cluster,
        volume,
        detail: expect.stringMatching(detail),
      });
      const one = await get(`/clusters/${cluster}/glustervolumes/${volume}/georeplication-sessions/${sessionId}`);
      expect({ cluster, volume, status: one.status, detail: faultOf(one).detail }).toEqual({
        cluster,
        volume,
        status: 404,
        detail: expect.stringMatching(detail),
      });
    }
    const missing = await get(`/clusters/${site1}/glustervolumes/${emptyVol}/georeplication-sessions/${sessionId}`);
    expect(missing.status).toBe(404);
    expect(faultOf(missing).detail).toBe(`geo-replication session with id "${sessionId}" does not exist`);
  });
});
