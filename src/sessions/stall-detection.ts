import type { GeoRepSessionRollupStatus } from '../gluster';

/** What the previous sync stored for a brick's worker. */
export interface PreviousWorker {
  readonly lastSynced: Date | null;
  /** When last_synced was last seen to change (or the worker first seen). */
  readonly progressAt: Date | null;
  readonly stalled: boolean;
}

/** What gluster reports for the worker now. */
export interface WorkerNow {
  readonly status: string;
  readonly lastSynced: Date | null;
  readonly entryPending: number | null;
  readonly dataPending: number | null;
  readonly metaPending: number | null;
  readonly checkpointTime: Date | null;
  readonly checkpointCompleted: boolean | null;
}

export interface WorkerVerdict {
  readonly progressAt: Date;
  readonly stalled: boolean;
}

/** There is something the worker should be syncing: pending entries, data or metadata, or an open checkpoint. */
export function hasPendingWork(w: WorkerNow): boolean {
  return (
    (w.entryPending ?? 0) > 0 ||
    (w.dataPending ?? 0) > 0 ||
    (w.metaPending ?? 0) > 0 ||
    (w.checkpointTime !== null && w.checkpointCompleted !== true)
  );
}

/**
 * LAB.md pitfall 2: a worker can stay Active while its last_synced freezes. It is stalled when it is
 * active, has pending work, and its last_synced has not changed for `thresholdMs`.
 */
export function judgeWorker(
  previous: PreviousWorker | undefined,
  now: WorkerNow,
  at: Date,
  thresholdMs: number,
): WorkerVerdict {
  const moved =
    previous === undefined ||
    previous.progressAt === null ||
    (previous.lastSynced?.getTime() ?? null) !== (now.lastSynced?.getTime() ?? null);
  const progressAt = moved ? at : (previous.progressAt as Date);
  const stalled = now.status === 'active' && hasPendingWork(now) && at.getTime() - progressAt.getTime() >= thresholdMs;
  return { progressAt, stalled };
}

export type SessionHealth = 'healthy' | 'degraded' | 'failing';

/** Beside gluster's status: failing when faulty, degraded when partly faulty or a worker is stalled. */
export function sessionHealth(
  status: GeoRepSessionRollupStatus,
  workers: readonly { stalled: boolean; status: string }[],
): SessionHealth {
  if (status === 'faulty') return 'failing';
  const active = workers.filter((w) => w.status === 'active');
  if (active.length > 0 && active.every((w) => w.stalled)) return 'failing';
  if (status === 'partial_faulty' || workers.some((w) => w.stalled)) return 'degraded';
  return 'healthy';
}

/** What the service last asked of a session: start and resume ask for started. */
export type DesiredSessionStatus = 'started' | 'stopped' | 'paused';

export function desiredStatusAfter(verb: 'start' | 'stop' | 'pause' | 'resume'): DesiredSessionStatus {
  return verb === 'stop' ? 'stopped' : verb === 'pause' ? 'paused' : 'started';
}

const MATCHES_DESIRED: Readonly<Record<DesiredSessionStatus, readonly GeoRepSessionRollupStatus[]>> = {
  // A faulty session is still running as asked: that is health's business, not drift.
  started: ['initializing', 'active', 'passive', 'partial_faulty', 'faulty'],
  stopped: ['stopped', 'created'],
  paused: ['paused'],
};

/**
 * Drift: gluster's state contradicts what the service last asked for (started, but gluster says
 * Stopped, e.g. after someone stopped it on the CLI or a node lost its monitor). A session the service
 * never acted on cannot drift. `unknown` (e.g. brick statuses unreadable while glusterd is busy) is no
 * evidence either way: null, and the previous verdict stands.
 */
export function judgeDrift(desired: DesiredSessionStatus | null, status: GeoRepSessionRollupStatus): boolean | null {
  if (desired === null) return false;
  if (status === 'unknown') return null;
  return !MATCHES_DESIRED[desired].includes(status);
}
