import {
  desiredStatusAfter,
  hasPendingWork,
  judgeDrift,
  judgeWorker,
  sessionHealth,
  WorkerNow,
} from './stall-detection';

const T0 = new Date('2026-11-30T12:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);
const worker = (over: Partial<WorkerNow> = {}): WorkerNow => ({
  status: 'active',
  lastSynced: T0,
  entryPending: 0,
  dataPending: 0,
  metaPending: 0,
  checkpointTime: null,
  checkpointCompleted: null,
  ...over,
});

describe('stall detection (LAB.md pitfall 2)', () => {
  it('counts pending entries, data, metadata and an open checkpoint as work', () => {
    expect(hasPendingWork(worker())).toBe(false);
    expect(hasPendingWork(worker({ entryPending: 1 }))).toBe(true);
    expect(hasPendingWork(worker({ dataPending: 2 }))).toBe(true);
    expect(hasPendingWork(worker({ metaPending: 3 }))).toBe(true);
    expect(hasPendingWork(worker({ checkpointTime: T0, checkpointCompleted: false }))).toBe(true);
    expect(hasPendingWork(worker({ checkpointTime: T0, checkpointCompleted: true }))).toBe(false);
  });

  it('starts the clock when a worker is first seen or its last_synced moves', () => {
    expect(judgeWorker(undefined, worker({ entryPending: 5 }), T0, 60_000)).toEqual({ progressAt: T0, stalled: false });
    const moved = judgeWorker(
      { lastSynced: T0, progressAt: T0, stalled: true },
      worker({ lastSynced: later(5), entryPending: 5 }),
      later(300),
      60_000,
    );
    expect(moved).toEqual({ progressAt: later(300), stalled: false });
  });

  it('flags an active worker with pending work whose last_synced froze for the threshold', () => {
    const previous = { lastSynced: T0, progressAt: T0, stalled: false };
    expect(judgeWorker(previous, worker({ entryPending: 5 }), later(59), 60_000)).toEqual({
      progressAt: T0,
      stalled: false,
    });
    expect(judgeWorker(previous, worker({ entryPending: 5 }), later(60), 60_000)).toEqual({
      progressAt: T0,
      stalled: true,
    });
    expect(
      judgeWorker(previous, worker({ checkpointTime: later(1), checkpointCompleted: false }), later(600), 60_000)
        .stalled,
    ).toBe(true);
  });

  it('does not flag an idle worker, or one that is not active', () => {
    const previous = { lastSynced: T0, progressAt: T0, stalled: false };
    expect(judgeWorker(previous, worker(), later(3600), 60_000).stalled).toBe(false);
    expect(judgeWorker(previous, worker({ status: 'passive', entryPending: 9 }), later(3600), 60_000).stalled).toBe(
      false,
    );
    expect(judgeWorker(previous, worker({ status: 'paused', entryPending: 9 }), later(3600), 60_000).stalled).toBe(
      false,
    );
  });

  it('rolls workers up into the session health', () => {
    expect(
      sessionHealth('active', [
        { status: 'active', stalled: false },
        { status: 'passive', stalled: false },
      ]),
    ).toBe('healthy');
    expect(
      sessionHealth('active', [
        { status: 'active', stalled: true },
        { status: 'active', stalled: false },
      ]),
    ).toBe('degraded');
    expect(
      sessionHealth('active', [
        { status: 'active', stalled: true },
        { status: 'passive', stalled: false },
      ]),
    ).toBe('failing');
    expect(
      sessionHealth('partial_faulty', [
        { status: 'active', stalled: false },
        { status: 'faulty', stalled: false },
      ]),
    ).toBe('degraded');
    expect(sessionHealth('faulty', [{ status: 'faulty', stalled: false }])).toBe('failing');
    expect(sessionHealth('stopped', [{ status: 'stopped', stalled: false }])).toBe('healthy');
  });
});

describe('drift', () => {
  it('start and resume ask for started, stop for stopped, pause for paused', () => {
    expect([
      desiredStatusAfter('start'),
      desiredStatusAfter('resume'),
      desiredStatusAfter('stop'),
      desiredStatusAfter('pause'),
    ]).toEqual(['started', 'started', 'stopped', 'paused']);
  });

  it('is gluster contradicting what the service last asked for', () => {
    expect(judgeDrift('started', 'stopped')).toBe(true);
    expect(judgeDrift('started', 'created')).toBe(true);
    expect(judgeDrift('started', 'paused')).toBe(true);
    expect(judgeDrift('stopped', 'active')).toBe(true);
    expect(judgeDrift('stopped', 'paused')).toBe(true);
    expect(judgeDrift('paused', 'active')).toBe(true);
    expect(judgeDrift('paused', 'stopped')).toBe(true);
  });

  it('has no verdict on an unknown status (the previous one stands)', () => {
    expect(judgeDrift('started', 'unknown')).toBeNull();
    expect(judgeDrift('stopped', 'unknown')).toBeNull();
  });

  it('is not a faulty running session (that is health), or a session the service never acted on', () => {
    for (const running of ['initializing', 'active', 'passive', 'partial_faulty', 'faulty'] as const)
      expect(judgeDrift('started', running)).toBe(false);
    expect(judgeDrift('stopped', 'stopped')).toBe(false);
    expect(judgeDrift('stopped', 'created')).toBe(false);
    expect(judgeDrift('paused', 'paused')).toBe(false);
    expect(judgeDrift(null, 'stopped')).toBe(false);
    expect(judgeDrift(null, 'unknown')).toBe(false);
  });
});
