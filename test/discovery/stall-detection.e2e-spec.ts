import { DiscoverySnapshot, buildSnapshot } from '../../src/discovery/discovery-snapshot';
import { DiscoveryStore } from '../../src/discovery/discovery-store';
import { SessionsRepository } from '../../src/sessions/sessions.repository';
import { parseGeoRepStatusList, parseVolumeInfo, parseVolumeStatus } from '../../src/gluster';
import { startTestApp, TestApp } from '../support/test-app';
import { captured } from '../support/gluster-captures';

const T0 = new Date('2026-11-30T12:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/**
 * Stall detection (LAB.md pitfall 2) as the discovery store applies it, on real PostgreSQL, with the
 * real captured `status detail` of an active session: the store keeps each worker's stall clock
 * between syncs and flags an Active worker with pending work whose last_synced does not move.
 */
describe('stall detection across discovery syncs', () => {
  let t: TestApp;
  let store: DiscoveryStore;
  let clusterId: string;
  let base: DiscoverySnapshot;

  /** The captured snapshot, with the first session's active workers given pending entries and a last_synced. */
  function snapshot(lastSynced: Date, entryPending: number): DiscoverySnapshot {
    const [session, ...rest] = base.sessions;
    return {
      volumes: base.volumes,
      sessions: [
        {
          ...session,
          details: session.details.map((d) =>
            d.row.status === 'active'
              ? {
                  ...d,
                  row: { ...d.row, lastSynced, entry: entryPending, checkpointTime: null, checkpointCompleted: null },
                }
              : d,
          ),
        },
        ...rest,
      ],
    };
  }

  const rows = () =>
    t.sql<{ status: string; stalled: boolean; health: string }>(
      `SELECT d.status, d.stalled, s.health FROM georep_session_details d JOIN georep_sessions s ON s.id = d.session_id ORDER BY d.position`,
    );

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { GEOREP_STALL_SECONDS: '60' } });
    store = t.app.get(DiscoveryStore);
    [{ id: clusterId }] = await t.sql<{ id: string }>(`INSERT INTO clusters (name) VALUES ('stall') RETURNING id`);
    base = buildSnapshot(
      parseVolumeInfo(captured('volume-info-xml.xml')),
      parseVolumeStatus(captured('volume-status-mastervol-detail-xml.xml')),
      parseGeoRepStatusList(captured('georep-status-all-xml.active-passive.xml')),
    );
    base = { ...base, sessions: base.sessions.slice(0, 1) };
    expect(base.sessions[0].details.map((d) => d.row.status)).toContain('active');
  });
  afterAll(() => t.close());

  it('flags the frozen active worker after the threshold, and clears it when last_synced moves', async () => {
    const first = await store.apply(clusterId, snapshot(at(-5), 12), new Map(), at(0));
    expect(first.changes.filter((c) => c.kind === 'worker_stalled')).toEqual([]);
    expect((await rows()).every((r) => !r.stalled && r.health === 'healthy')).toBe(true);

    // 59 s later, nothing moved: not yet.
    const early = await store.apply(clusterId, snapshot(at(-5), 12), new Map(), at(59));
    expect(early.changes.filter((c) => c.kind === 'worker_stalled')).toEqual([]);

    // 60 s: the active worker is stalled; the passive one is not; the session is failing (its only active worker is stuck).
    const late = await store.apply(clusterId, snapshot(at(-5), 12), new Map(), at(60));
    const stalled = late.changes.filter((c) => c.kind === 'worker_stalled');
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({ kind: 'worker_stalled', since: at(0) });
    const [{ id: sessionId }] = await t.sql<{ id: string }>('SELECT id FROM georep_sessions');
    expect(late.stalledSessionIds).toEqual([sessionId]);
    expect(early.stalledSessionIds).toEqual([]);
    expect((await rows()).map((r) => [r.status, r.stalled, r.health])).toEqual([
      ['active', true, 'failing'],
      ['passive', false, 'failing'],
    ]);

    // Still frozen a sync later: no second event.
    const again = await store.apply(clusterId, snapshot(at(-5), 12), new Map(), at(90));
    expect(again.changes.filter((c) => c.kind === 'worker_stalled')).toEqual([]);

    // last_synced moves: recovered, healthy.
    const moved = await store.apply(clusterId, snapshot(at(95), 3), new Map(), at(100));
    expect(moved.changes.filter((c) => c.kind === 'worker_unstalled')).toHaveLength(1);
    expect((await rows()).every((r) => !r.stalled && r.health === 'healthy')).toBe(true);
  });

  it('does not flag a frozen worker with nothing to do', async () => {
    await store.apply(clusterId, snapshot(at(200), 0), new Map(), at(200));
    const idle = await store.apply(clusterId, snapshot(at(200), 0), new Map(), at(5000));
    expect(idle.changes.filter((c) => c.kind === 'worker_stalled')).toEqual([]);
    expect((await rows()).every((r) => !r.stalled)).toBe(true);
  });

  it('drift: a status that contradicts what the service last asked for is flagged once, and cleared once', async () => {
    const [{ id: sessionId }] = await t.sql<{ id: string }>('SELECT id FROM georep_sessions');
    const withStatus = (status: 'stopped' | 'active' | 'unknown'): DiscoverySnapshot => ({
      volumes: base.volumes,
      sessions: [{ ...base.sessions[0], status }],
    });
    const drift = (r: { changes: { kind: string }[] }) => r.changes.filter((c) => c.kind.startsWith('drift'));
    // Never asked: no drift whatever gluster says.
    expect(drift(await store.apply(clusterId, withStatus('stopped'), new Map(), at(6000)))).toEqual([]);
    const repo = t.app.get(SessionsRepository);
    // While the service's start runs (no time yet), and for status read before it returned: no verdict.
    await repo.recordDesiredStatus(sessionId, 'started', null);
    expect(drift(await store.apply(clusterId, withStatus('stopped'), new Map(), at(6005)))).toEqual([]);
    await repo.recordDesiredStatus(sessionId, 'started', at(6008));
    expect(drift(await store.apply(clusterId, withStatus('stopped'), new Map(), at(6009), at(6007)))).toEqual([]);
    expect(await t.sql('SELECT drifted FROM georep_sessions')).toEqual([{ drifted: false }]);
    const started = await store.apply(clusterId, withStatus('stopped'), new Map(), at(6010));
    expect(drift(started)).toEqual([
      {
        kind: 'drift_started',
        sessionId,
        label: expect.stringMatching(/^mastervol → /),
        desired: 'started',
        status: 'stopped',
      },
    ]);
    expect(drift(await store.apply(clusterId, withStatus('stopped'), new Map(), at(6020)))).toEqual([]);
    // An unreadable status in between (glusterd busy) neither ends nor restarts the drift.
    expect(drift(await store.apply(clusterId, withStatus('unknown'), new Map(), at(6023)))).toEqual([]);
    expect(drift(await store.apply(clusterId, withStatus('stopped'), new Map(), at(6026)))).toEqual([]);
    expect(await t.sql('SELECT desired_status, drifted FROM georep_sessions')).toEqual([
      { desired_status: 'started', drifted: true },
    ]);
    const ended = await store.apply(clusterId, withStatus('active'), new Map(), at(6030));
    expect(drift(ended)).toEqual([
      {
        kind: 'drift_ended',
        sessionId,
        label: expect.stringMatching(/^mastervol → /),
        desired: 'started',
        status: 'active',
      },
    ]);
    expect(await t.sql('SELECT desired_status, drifted FROM georep_sessions')).toEqual([
      { desired_status: 'started', drifted: false },
    ]);
  });

  it('heals are limited per session per hour, atomically', async () => {
    const repo = t.app.get(SessionsRepository);
    const [{ id: sessionId }] = await t.sql<{ id: string }>('SELECT id FROM georep_sessions');
    const taken = await Promise.all([0, 1, 2, 3].map(() => repo.reserveHeal(sessionId, at(7000), 2)));
    expect(taken.filter((x) => x)).toHaveLength(2);
    expect(await repo.reserveHeal(sessionId, at(7000 + 3599), 2)).toBe(false);
    // An hour later the allowance is back, and the old times are dropped.
    expect(await repo.reserveHeal(sessionId, at(7000 + 3601), 2)).toBe(true);
    const [session] = await repo.findByIds([sessionId]);
    expect(session.healTimes.map((d) => d.toISOString())).toEqual([at(7000 + 3601).toISOString()]);
  });
});
