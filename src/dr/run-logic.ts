import type { CheckpointProgress, CheckpointRow, GeoRepBrickStatus, GeoRepSessionRollupStatus } from '../gluster';

/** The pure decisions of a DR run (the handler does the I/O). */

/** What to do to get the session syncing, and what to undo when the run ends. */
export interface SessionPlan {
  readonly before: 'start' | 'resume' | 'none';
  /** Put the session back as the run found it: stop what the run started, pause what it resumed. */
  readonly after: 'stop' | 'pause' | 'none';
}

/** From the session's rolled-up status before the run. */
export function planSession(status: GeoRepSessionRollupStatus): SessionPlan {
  switch (status) {
    case 'created':
    case 'stopped':
      return { before: 'start', after: 'stop' };
    case 'paused':
      return { before: 'resume', after: 'pause' };
    default:
      return { before: 'none', after: 'none' };
  }
}

export type PollDecision =
  | { readonly kind: 'complete' }
  | { readonly kind: 'faulty'; readonly detail: string }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'timeout'; readonly detail: string }
  | { readonly kind: 'wait' };

/** One poll of the checkpoint wait: cancel wins, then completion, then a faulty worker, then the timeout. */
export function decidePoll(input: {
  progress: CheckpointProgress;
  cancelRequested: boolean;
  elapsedMs: number;
  timeoutMs: number;
}): PollDecision {
  const { progress } = input;
  if (input.cancelRequested) return { kind: 'cancelled' };
  if (progress.complete) return { kind: 'complete' };
  if (progress.faulty.length > 0) {
    const where = progress.faulty.map((r) => r.masterBrick).join(', ');
    return {
      kind: 'faulty',
      detail: `geo-replication worker(s) of ${where} are Faulty; see the session's bricks and its logs`,
    };
  }
  if (input.timeoutMs > 0 && input.elapsedMs >= input.timeoutMs) {
    const done = `${progress.completedWorkers} of ${progress.activeWorkers} active worker(s) completed it`;
    return {
      kind: 'timeout',
      detail: `the checkpoint did not complete within ${Math.round(input.timeoutMs / 60_000)} minute(s) (${done})`,
    };
  }
  return { kind: 'wait' };
}

/** Whole percent of active workers done (0 while none is active). */
export function progressPercent(progress: CheckpointProgress): number {
  return progress.activeWorkers === 0 ? 0 : Math.floor((progress.completedWorkers * 100) / progress.activeWorkers);
}

/** When the last active worker completed the checkpoint (gluster's time), or null. */
export function checkpointCompletedAt(rows: readonly CheckpointRow[]): Date | null {
  let last: Date | null = null;
  for (const r of rows) {
    if (r.status !== 'active' || !r.checkpointCompletionTime) continue;
    if (!last || r.checkpointCompletionTime > last) last = r.checkpointCompletionTime;
  }
  return last;
}

/**
 * The RPO the run achieved: how old the data on the slave is when the run ends (the slave holds
 * everything written up to the checkpoint), in whole seconds.
 */
export function rpoSeconds(checkpointEpochSeconds: number, endedAt: Date): number {
  return Math.max(0, Math.round(endedAt.getTime() / 1000 - checkpointEpochSeconds));
}

/** `data_age`: now minus the checkpoint time of the last successful run, in whole seconds. */
export function dataAgeSeconds(lastSuccessCheckpoint: Date | null, now: Date): number | null {
  return lastSuccessCheckpoint
    ? Math.max(0, Math.round((now.getTime() - lastSuccessCheckpoint.getTime()) / 1000))
    : null;
}

/** `status detail` rows as the checkpoint roll-up reads them. */
export function checkpointRowsOf(rows: readonly GeoRepBrickStatus[]): CheckpointRow[] {
  return rows.map((r) => ({
    masterNodeUuid: r.masterNodeUuid,
    masterBrick: `${r.masterNode}:${r.masterBrick}`,
    status: r.status,
    checkpointTime: r.checkpointTime,
    checkpointCompleted: r.checkpointCompleted,
    checkpointCompletionTime: r.checkpointCompletionTime,
  }));
}

/** What moves while the active workers sync (pending counts, last_synced): equal between two polls, nothing moved. */
export function progressSignature(rows: readonly GeoRepBrickStatus[]): string {
  return JSON.stringify(
    rows.filter((r) => r.status === 'active').map((r) => [r.entry, r.data, r.meta, r.lastSynced?.getTime() ?? null]),
  );
}
