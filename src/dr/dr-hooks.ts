import type { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import type { GeoRepBrickStatus } from '../gluster';
import type { StorageDomainEntity } from '../storage-domains/storage-domain.entity';

/**
 * Hook points of a DR run, with no implementation yet: a module that provides one of these tokens
 * plugs it in (the run injects them as optional).
 */

/** VM quiesce through an oVirt engine (a later issue): snapshot the domain's VMs before the checkpoint, remove the snapshots after. */
export interface DrQuiescer {
  /** Returns what `release` needs (e.g. the temporary snapshot ids); throws ActionFailedError to fail the run. */
  quiesce(domain: StorageDomainEntity, runId: string): Promise<unknown>;
  /** Called once the run has ended, successful or not, with what quiesce returned. */
  release(domain: StorageDomainEntity, runId: string, token: unknown): Promise<void>;
}
export const DR_QUIESCER = Symbol('DR_QUIESCER');

/**
 * Stall healing (another issue, with the trust mechanism): called when no pending counter nor
 * last_synced of any Active worker moved for `polls` polls. The place to touch the master volume root
 * (schedule_georep.py's "hack") and to restart a stalled worker.
 */
export interface DrStallHealer {
  nothingMoves(session: GeoRepSessionEntity, rows: readonly GeoRepBrickStatus[], polls: number): Promise<void>;
}
export const DR_STALL_HEALER = Symbol('DR_STALL_HEALER');
