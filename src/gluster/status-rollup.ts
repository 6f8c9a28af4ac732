import type { GeoRepWorkerStatus } from './georep-status-parser';

/**
 * Session status from per-brick worker statuses (DESIGN.md section 6).
 *
 * Bricks are grouped, in the master volume's brick order, into subvolumes (replica sets) of
 * `replicaCount` bricks. A subvolume with an Active worker is healthy.
 *  1. every subvolume healthy                                   → active
 *  2. an unhealthy subvolume has a Faulty worker: some healthy  → partial_faulty
 *                                                 none healthy  → faulty
 *  3. every worker has the same status                          → that status
 *     (created, stopped, paused, passive, initializing, unknown)
 *  4. mixed, no Faulty in an unhealthy subvolume:
 *     - all workers are created / initializing / active / passive, at least one created or
 *       initializing → initializing (gluster goes Created → Initializing... → Active/Passive)
 *     - anything else (e.g. a subvolume whose only brick is missing from the status output, a
 *       subvolume of Passive workers only, Stopped next to Active) → unknown
 * A brick missing from the status output counts as an `unknown` worker, so it only spoils the result
 * when no other brick of its subvolume is Active. Bad input (no bricks, replicaCount larger than the
 * brick count, or brick count not a multiple of it) → unknown.
 */

export type GeoRepSessionRollupStatus =
  'initializing' | 'created' | 'active' | 'passive' | 'paused' | 'stopped' | 'partial_faulty' | 'faulty' | 'unknown';

export interface RollupBrick {
  /** glusterd UUID of the brick's host (volume info `hostUuid`). */
  readonly hostUuid: string | null;
  readonly path: string;
}

export interface RollupRow {
  readonly masterNodeUuid: string | null;
  readonly masterBrick: string;
  readonly status: GeoRepWorkerStatus;
}

export interface RollupBrickResult<B extends RollupBrick = RollupBrick> {
  readonly brick: B;
  readonly status: GeoRepWorkerStatus;
  /** False when the status output had no row for this brick. */
  readonly reported: boolean;
}

export interface RollupSubvolume<B extends RollupBrick = RollupBrick> {
  readonly bricks: readonly RollupBrickResult<B>[];
  readonly healthy: boolean;
}

export interface SessionRollup<B extends RollupBrick = RollupBrick> {
  readonly status: GeoRepSessionRollupStatus;
  readonly subvolumes: readonly RollupSubvolume<B>[];
  readonly healthySubvolumes: number;
  /** Bricks of the volume with no status row. */
  readonly missingBricks: readonly B[];
  /** Status rows that match no brick of the volume (stale rows, or bricks of another volume). */
  readonly unmatchedRows: readonly RollupRow[];
}

function normPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function matches(brick: RollupBrick, row: RollupRow): boolean {
  if (normPath(brick.path) !== normPath(row.masterBrick)) return false;
  if (brick.hostUuid === null || row.masterNodeUuid === null) return true;
  return brick.hostUuid.toLowerCase() === row.masterNodeUuid.toLowerCase();
}

const STARTING: ReadonlySet<GeoRepWorkerStatus> = new Set(['created', 'initializing', 'active', 'passive']);

export function rollUpSessionStatus<B extends RollupBrick>(input: {
  readonly bricks: readonly B[];
  readonly replicaCount: number;
  readonly rows: readonly RollupRow[];
}): SessionRollup<B> {
  const { bricks, rows } = input;
  const size = Number.isInteger(input.replicaCount) && input.replicaCount >= 1 ? input.replicaCount : 1;

  const used = new Set<RollupRow>();
  const results: RollupBrickResult<B>[] = bricks.map((brick) => {
    const row = rows.find((r) => !used.has(r) && matches(brick, r));
    if (row) used.add(row);
    return { brick, status: row ? row.status : 'unknown', reported: row !== undefined };
  });
  const missingBricks = results.filter((r) => !r.reported).map((r) => r.brick);
  const unmatchedRows = rows.filter((r) => !used.has(r));

  const subvolumes: RollupSubvolume<B>[] = [];
  for (let i = 0; i < results.length; i += size) {
    const group = results.slice(i, i + size);
    subvolumes.push({ bricks: group, healthy: group.some((b) => b.status === 'active') });
  }
  const healthySubvolumes = subvolumes.filter((s) => s.healthy).length;
  const base = { subvolumes, healthySubvolumes, missingBricks, unmatchedRows };

  if (bricks.length === 0 || size > bricks.length || bricks.length % size !== 0) {
    return { status: 'unknown', ...base };
  }
  if (healthySubvolumes === subvolumes.length) {
    return { status: 'active', ...base };
  }
  const unhealthyHasFaulty = subvolumes.some((s) => !s.healthy && s.bricks.some((b) => b.status === 'faulty'));
  if (unhealthyHasFaulty) {
    return { status: healthySubvolumes > 0 ? 'partial_faulty' : 'faulty', ...base };
  }
  const statuses = new Set(results.map((r) => r.status));
  if (statuses.size === 1) {
    return { status: results[0].status, ...base };
  }
  if ([...statuses].every((s) => STARTING.has(s)) && (statuses.has('initializing') || statuses.has('created'))) {
    return { status: 'initializing', ...base };
  }
  return { status: 'unknown', ...base };
}

export interface CheckpointRow {
  readonly masterNodeUuid: string | null;
  readonly masterBrick: string;
  readonly status: GeoRepWorkerStatus;
  readonly checkpointTime: Date | null;
  readonly checkpointCompleted: boolean | null;
  readonly checkpointCompletionTime: Date | null;
}

export interface CheckpointProgress {
  /** True when every Active worker completed this checkpoint (or a later one) and none is Faulty. */
  readonly complete: boolean;
  readonly activeWorkers: number;
  readonly completedWorkers: number;
  /** Active rows still working on it (or reporting an older checkpoint). */
  readonly pending: readonly CheckpointRow[];
  readonly faulty: readonly CheckpointRow[];
  /** Why not complete: no checkpoint set, nobody Active, a Faulty worker, or pending rows. */
  readonly reason: 'complete' | 'no_checkpoint' | 'no_active_workers' | 'faulty_workers' | 'pending';
}

/**
 * Whether the checkpoint set at `checkpointEpoch` (unix seconds, read back with `config checkpoint`)
 * is complete. A row counts only when it reports completion of a checkpoint at or after that time:
 * a row still showing an older checkpoint's `Yes` is pending, not done (oVirt reads the previous
 * checkpoint's flag). Compares with gluster's own checkpoint time, never with the service's clock.
 */
export function checkpointProgress(checkpointEpoch: number | null, rows: readonly CheckpointRow[]): CheckpointProgress {
  const active = rows.filter((r) => r.status === 'active');
  const faulty = rows.filter((r) => r.status === 'faulty');
  const epochMs = checkpointEpoch !== null && checkpointEpoch > 0 ? checkpointEpoch * 1000 : null;
  const done = (r: CheckpointRow): boolean =>
    epochMs !== null &&
    r.checkpointCompleted === true &&
    r.checkpointTime !== null &&
    r.checkpointTime.getTime() >= epochMs;
  const pending = active.filter((r) => !done(r));
  const base = { activeWorkers: active.length, completedWorkers: active.length - pending.length, pending, faulty };
  if (epochMs === null) return { complete: false, reason: 'no_checkpoint', ...base };
  if (active.length === 0) return { complete: false, reason: 'no_active_workers', ...base };
  if (faulty.length > 0) return { complete: false, reason: 'faulty_workers', ...base };
  if (pending.length > 0) return { complete: false, reason: 'pending', ...base };
  return { complete: true, reason: 'complete', ...base };
}
