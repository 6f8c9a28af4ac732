import { buildSnapshot, DiscoveredOption } from '../../src/discovery/discovery-snapshot';
import { DiscoveryStore } from '../../src/discovery/discovery-store';
import { parseGeoRepSessionStatus, parseGeoRepStatusList, parseVolumeInfo, parseVolumeStatus } from '../../src/gluster';
import { databaseState } from '../api/api-helpers';
import { startTestApp, TestApp } from '../support/test-app';
import { captured } from '../support/gluster-captures';

const T0 = new Date('2026-12-01T12:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const SYNC_JOBS: DiscoveredOption = { name: 'sync-jobs', value: '2', defaultValue: '3', modified: true };

/**
 * A targeted re-read of one session (what an action does before and after its command) as the
 * discovery store applies it, on real PostgreSQL with the real captured outputs: the session's own
 * `status detail` stores exactly what a whole-cluster pass stores for it, and the store refuses (null,
 * nothing written) whenever its stored rows cannot take that read alone.
 */
describe("storing one session's own status", () => {
  let t: TestApp;
  let store: DiscoveryStore;
  let clusterId: string;
  let sessionId: string;
  const volumes = parseVolumeInfo(captured('volume-info-xml.xml'));
  const brickStatuses = parseVolumeStatus(captured('volume-status-mastervol-detail-xml.xml'));
  const wholePass = (statusCapture: string, options = new Map<string, DiscoveredOption[]>()) =>
    store.apply(
      clusterId,
      buildSnapshot(volumes, brickStatuses, parseGeoRepStatusList(captured(statusCapture))),
      options,
      at(0),
    );
  const ownStatus = (statusCapture: string) =>
    parseGeoRepSessionStatus(captured(statusCapture), {
      masterVolume: 'mastervol',
      slaveHost: 'vm',
      slaveVolume: 'slavevol',
    });
  /** The session and its workers as stored, without the times of the pass. */
  const stored = async () => ({
    session: await t.sql(`SELECT status, health, drifted, session_key FROM georep_sessions WHERE id = $1`, [sessionId]),
    workers: await t.sql(
      `SELECT position, master_host_name, master_brick_dir, master_brick_id, slave_node, status, crawl_status,
              last_synced, checkpoint_completed, entry_pending, data_pending, meta_pending, failures, stalled
         FROM georep_session_details WHERE session_id = $1 ORDER BY position`,
      [sessionId],
    ),
    options: await t.sql(`SELECT name, value FROM georep_session_options WHERE session_id = $1 ORDER BY name`, [
      sessionId,
    ]),
  });

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    store = t.app.get(DiscoveryStore);
    [{ id: clusterId }] = await t.sql<{ id: string }>(`INSERT INTO clusters (name) VALUES ('site1') RETURNING id`);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    await t.sql('DELETE FROM gluster_volumes');
    await wholePass('georep-status-all-xml.stopped.xml');
    const sessions = await t.sql<{ id: string }>('SELECT id FROM georep_sessions');
    expect(sessions).toHaveLength(1);
    sessionId = sessions[0].id;
  });

  it('stores what the whole-cluster pass stores for the session, with its status change, and keeps the options unless read', async () => {
    await wholePass('georep-status-all-xml.active-passive.xml', new Map());
    const byWholePass = await stored();
    expect(byWholePass.session).toMatchObject([{ status: 'active' }]);
    expect(byWholePass.workers.map((w) => w.status)).toEqual(['active', 'passive']);
    await wholePass('georep-status-all-xml.stopped.xml');
    const options = [SYNC_JOBS];
    await store.applySession(clusterId, sessionId, ownStatus('georep-status-detail-xml.stopped.xml'), options, at(1));
    expect((await stored()).options).toEqual([{ name: 'sync-jobs', value: '2' }]);

    const result = await store.applySession(
      clusterId,
      sessionId,
      ownStatus('georep-status-detail-xml.active-passive.xml'),
      undefined,
      at(2),
    );
    expect(result).toEqual({
      changes: [
        {
          kind: 'session_status',
          sessionId,
          label: 'mastervol → vm::slavevol',
          from: 'stopped',
          to: 'active',
        },
      ],
      stalledSessionIds: [],
    });
    expect(await stored()).toEqual({ ...byWholePass, options: [{ name: 'sync-jobs', value: '2' }] });
  });

  it('a pass that reads nothing new rewrites no row but moves last_refreshed; one that does rewrites what changed', async () => {
    const options = new Map([[`mastervol\u0000vm\u0000slavevol\u0000root`, [SYNC_JOBS]]]);
    await wholePass('georep-status-all-xml.active-passive.xml', options);
    const rowVersions = () =>
      t.sql<{ what: string; xmin: string }>(
        `SELECT 'volume ' || name AS what, xmin::text FROM gluster_volumes
         UNION ALL SELECT 'brick ' || brick_dir, xmin::text FROM gluster_bricks
         UNION ALL SELECT 'session', xmin::text FROM georep_sessions
         UNION ALL SELECT 'worker ' || position, xmin::text FROM georep_session_details
         UNION ALL SELECT 'option ' || name, xmin::text FROM georep_session_options ORDER BY 1`,
      );
    const before = await rowVersions();
    const snapshot = buildSnapshot(
      volumes,
      brickStatuses,
      parseGeoRepStatusList(captured('georep-status-all-xml.active-passive.xml')),
    );
    await store.apply(clusterId, snapshot, options, at(30));
    const after = await rowVersions();
    const rewritten = after.filter((r, i) => r.xmin !== before[i].xmin).map((r) => r.what);
    // last_refreshed is written once for all volumes and once for all sessions; nothing else.
    expect(rewritten.sort()).toEqual(
      [...after.filter((r) => /^(volume|session)/.test(r.what)).map((r) => r.what)].sort(),
    );
    expect(await t.sql('SELECT DISTINCT last_refreshed FROM georep_sessions')).toEqual([{ last_refreshed: at(30) }]);
    expect(await t.sql('SELECT DISTINCT last_refreshed FROM gluster_volumes')).toEqual([{ last_refreshed: at(30) }]);

    const moved = {
      ...snapshot,
      sessions: snapshot.sessions.map((ds) => ({
        ...ds,
        details: ds.details.map((d, i) => (i === 0 ? { ...d, row: { ...d.row, entry: 41 } } : d)),
      })),
    };
    await store.apply(
      clusterId,
      moved,
      new Map([[options.keys().next().value as string, [{ ...SYNC_JOBS, value: '4' }]]]),
      at(60),
    );
    expect(
      await t.sql('SELECT entry_pending::int AS entry_pending FROM georep_session_details ORDER BY position'),
    ).toEqual([{ entry_pending: 41 }, { entry_pending: snapshot.sessions[0].details[1].row.entry }]);
    expect(await t.sql('SELECT name, value FROM georep_session_options')).toEqual([{ name: 'sync-jobs', value: '4' }]);
  });

  it("a read just after the service's own command (settling) is no drift when it contradicts the request, but ends one when it matches", async () => {
    await t.sql(`UPDATE georep_sessions SET desired_status = 'started', desired_at = $1`, [at(0)]);
    const stopped = ownStatus('georep-status-detail-xml.stopped.xml');
    const settling = await store.applySession(clusterId, sessionId, stopped, undefined, at(1), at(1), true);
    expect(settling?.changes.filter((c) => c.kind.startsWith('drift'))).toEqual([]);
    expect(await t.sql('SELECT drifted FROM georep_sessions')).toEqual([{ drifted: false }]);
    // The same read when it counts (a later read, or the last of the action's) is drift.
    const judged = await store.applySession(clusterId, sessionId, stopped, undefined, at(2), at(2));
    expect(judged?.changes.filter((c) => c.kind.startsWith('drift')).map((c) => c.kind)).toEqual(['drift_started']);
    const active = ownStatus('georep-status-detail-xml.active-passive.xml');
    const ended = await store.applySession(clusterId, sessionId, active, undefined, at(3), at(3), true);
    expect(ended?.changes.filter((c) => c.kind.startsWith('drift')).map((c) => c.kind)).toEqual(['drift_ended']);
  });

  it('answers null and writes nothing when the session is not stored, or not for that master volume', async () => {
    const before = await databaseState(t);
    const status = ownStatus('georep-status-detail-xml.active-passive.xml');
    expect(
      await store.applySession(clusterId, '00000000-0000-4000-8000-000000000000', status, undefined, at(1)),
    ).toBeNull();
    expect(
      await store.applySession(clusterId, sessionId, { ...status, masterVolume: 'slavevol' }, undefined, at(1)),
    ).toBeNull();
    expect(
      await store.applySession(clusterId, sessionId, { ...status, slaveVolume: 'other' }, undefined, at(1)),
    ).toBeNull();
    expect(await databaseState(t)).toEqual(before);
  });

  it('answers null and writes nothing when a worker matches no stored brick (the volume changed since the last pass)', async () => {
    await t.sql(
      `DELETE FROM gluster_bricks WHERE id = (SELECT b.id FROM gluster_bricks b JOIN gluster_volumes v ON v.id = b.volume_id
        WHERE v.name = 'mastervol' ORDER BY b.position DESC LIMIT 1)`,
    );
    const before = await databaseState(t);
    expect(
      await store.applySession(
        clusterId,
        sessionId,
        ownStatus('georep-status-detail-xml.active-passive.xml'),
        [SYNC_JOBS],
        at(1),
      ),
    ).toBeNull();
    expect(await databaseState(t)).toEqual(before);
  });
});
