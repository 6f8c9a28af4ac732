import type { GeoRepBrickStatus, GeoRepWorkerStatus } from '../gluster';
import type { GeoRepSessionEntity } from './georep-session.entity';

/** The pure decisions of a failover (the handler does the I/O). */

/** How long a planned failover waits for the slave to catch up, unless the request says. */
export const DEFAULT_FAILOVER_TIMEOUT_SECONDS = 1800;

/** A worker row as the last status read stored it. */
export interface RecoveryRow {
  readonly status: GeoRepWorkerStatus;
  readonly lastSynced: Date | null;
  readonly checkpointTime: Date | null;
  readonly checkpointCompleted: boolean | null;
}

/**
 * The last point in time known to be on the slave: the later of the checkpoint that every active
 * worker completed (or a DR run's completed checkpoint) and the oldest `last_synced` of the active
 * workers; both are lower bounds, so the later one is the tighter. Null when nothing is known (no
 * active worker and no completed checkpoint): the window cannot be measured.
 */
export function recoveryPoint(rows: readonly RecoveryRow[], drCheckpoint: Date | null): Date | null {
  const active = rows.filter((r) => r.status === 'active');
  const candidates: Date[] = [];
  if (drCheckpoint) candidates.push(drCheckpoint);
  if (active.length > 0) {
    const checkpoint = active[0].checkpointTime;
    const allCompleted = active.every(
      (r) => r.checkpointCompleted === true && r.checkpointTime?.getTime() === checkpoint?.getTime(),
    );
    if (checkpoint && allCompleted) candidates.push(checkpoint);
    if (active.every((r) => r.lastSynced !== null)) {
      candidates.push(new Date(Math.min(...active.map((r) => r.lastSynced!.getTime()))));
    }
  }
  if (candidates.length === 0) return null;
  return new Date(Math.max(...candidates.map((d) => d.getTime())));
}

/** Whole seconds from the recovery point to the failover (never negative: clocks of two sites differ). */
export function dataLossWindowSeconds(point: Date | null, failoverTime: Date): number | null {
  if (point === null) return null;
  return Math.max(0, Math.ceil((failoverTime.getTime() - point.getTime()) / 1000));
}

/** Why an action that would sync master → slave again is refused on a failed-over session, or null. */
export function failedOverRefusal(
  session: Pick<GeoRepSessionEntity, 'failedOver' | 'failoverTime'>,
  what: string,
): string | null {
  if (!session.failedOver) return null;
  const when = session.failoverTime ? ` at ${session.failoverTime.toISOString()}` : '';
  return `the session was failed over to its slave${when}: ${what} would overwrite the slave's newer data with the master's; fail it back instead`;
}

/** Statuses in which gluster runs the session's workers (a paused, stopped or created one syncs nothing). */
const RUNNING_STATUSES: ReadonlySet<string> = new Set([
  'initializing',
  'active',
  'passive',
  'partial_faulty',
  'faulty',
]);

/**
 * A failed-over session that gluster runs again: its master site came back (glusterd starts a started
 * session's workers when it starts), or it never stopped (an unplanned failover leaves the master alone).
 * Its workers would write the master's older files over the slave's newer ones: it is to be stopped at once.
 */
export function runsAgainAfterFailover(session: Pick<GeoRepSessionEntity, 'failedOver' | 'status'>): boolean {
  return session.failedOver && RUNNING_STATUSES.has(session.status);
}

/** A worker row of a status read: where it runs and what it counted as failed. */
export type FailureRow = Pick<GeoRepBrickStatus, 'masterNode' | 'masterBrick' | 'failures'>;

/**
 * Entries the workers could not sync (gluster's FAILURES: with gfid-conflict-resolution false, e.g. a file
 * made under the same name on both sites), and the bricks that counted them. gluster keeps the count for the
 * session's life, across worker restarts.
 */
export function syncFailures(rows: readonly FailureRow[]): { count: number; bricks: string[] } {
  const failing = rows.filter((r) => (r.failures ?? 0) > 0);
  return {
    count: failing.reduce((sum, r) => sum + (r.failures ?? 0), 0),
    bricks: failing.map((r) => `${r.masterNode}:${r.masterBrick} (${r.failures})`),
  };
}
