import type { HealAction } from '../config/config';
import { defineAction, NoParams } from '../jobs/action-definition';
import type { SessionVerb } from './session-rules';

/** The session actions; their handlers live in session-worker/. */

export interface SessionControlParams {
  verb: Exclude<SessionVerb, 'delete'>;
  force: boolean;
}
export const SessionControl = defineAction<SessionControlParams>('session.control');

export const SessionCheckpoint = defineAction<NoParams>('session.checkpoint');

export interface SessionDeleteParams {
  reset_sync_time: boolean;
}
export const SessionDelete = defineAction<SessionDeleteParams>('session.delete');

export interface SessionConfigSetParams {
  name: string;
  value: string;
}
export const SessionConfigSet = defineAction<SessionConfigSetParams>('session.config-set');

export interface SessionConfigResetParams {
  name: string;
}
export const SessionConfigReset = defineAction<SessionConfigResetParams>('session.config-reset');

export interface SessionVerifyParams {
  /** Seconds to wait for the probe on the slave (the handler's default without it). */
  timeout?: number;
}
export const SessionVerify = defineAction<SessionVerifyParams>('session.verify');

export interface SessionHealParams {
  /** The heal action when it was submitted (the configured one without it). */
  action?: HealAction;
}
export const SessionHeal = defineAction<SessionHealParams>('session.heal');

export interface SessionFailoverParams {
  /** Unplanned: only the slave side, whatever the master's state (the master cluster may be gone). */
  force: boolean;
  /** Seconds a planned failover waits for the slave to catch up with its checkpoint. */
  timeout: number;
}
export const SessionFailover = defineAction<SessionFailoverParams>('session.failover');

export type FailbackPhase = 'sync' | 'complete';

export interface SessionFailbackParams {
  /** sync: only start the reverse session (slave → master); complete: also catch the master up and switch back. */
  phase: FailbackPhase;
  /** Seconds phase complete waits for the reverse session's checkpoint. */
  timeout: number;
  /** Phase complete: switch back although the reverse session counted entries it could not sync (absent: false). */
  acceptSyncFailures?: boolean;
}
export const SessionFailback = defineAction<SessionFailbackParams>('session.failback');
