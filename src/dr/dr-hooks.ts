import type { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import type { GeoRepBrickStatus } from '../gluster';
import type { StorageDomainEntity } from '../storage-domains/storage-domain.entity';
import type { ActionContext, StepHandle } from '../jobs/action-executor';
import type { DrRunEntity } from './dr-run.entity';
import type { DrScheduleEntity } from './dr-schedule.entity';

/**
 * Hook points of a DR run: a module that provides one of these tokens plugs it in (the run injects
 * them as optional).
 */

/** What a hook of a run works on, and the run's way to record a step (on its job and its row). */
export interface DrRunHookSubject {
  ctx: ActionContext;
  run: DrRunEntity;
  schedule: DrScheduleEntity;
  domain: StorageDomainEntity;
  session: GeoRepSessionEntity;
  step<T>(description: string, work: (h: StepHandle) => Promise<T>): Promise<T>;
}

/** VM quiesce through an oVirt engine: snapshot the domain's VMs before the checkpoint, remove what that made after. */
export interface DrQuiescer {
  /** Before the checkpoint; throws ActionFailedError to fail the run (what it made is still released). */
  quiesce(subject: DrRunHookSubject): Promise<void>;
  /**
   * Once the session is put back, whatever the outcome, and before a run that resumes after a crash
   * quiesces again: removes what the run's record says it made. Throws when something is left behind.
   */
  release(subject: DrRunHookSubject): Promise<void>;
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
