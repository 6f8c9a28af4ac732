import { EventCode } from '../events/event-codes';
import type { ActionCall } from '../ovirt/routes';
import { defineJob, JobDefinition } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';
import type { ActionContext, ActionOutcome } from './action-executor';

/** An action: a job on the actions queue whose handler gets an ActionContext with params `P`. */
export type ActionDefinition<P extends object> = JobDefinition<ActionContext<P>, ActionOutcome>;

/** The params of an action that takes none. */
export type NoParams = Record<string, never>;

export function defineAction<P extends object>(name: string): ActionDefinition<P> {
  return defineJob<ActionContext<P>, ActionOutcome>(name, QueueName.Actions);
}

/** What the API knows about an action before it queues it. */
export interface ActionRequest<P extends object = object> {
  action: ActionDefinition<P>;
  /** The locked thing: one running action per target. */
  targetType: string;
  targetId: string;
  description: string;
  /** Stored on the job row as JSON: the handler reads them back as `ctx.params`. */
  params: NoInfer<P>;
  /** exclusive: refused (409) while anything else is queued or running on the target; queue: waits behind it, up to the limit (429). */
  conflict: 'exclusive' | 'queue';
  /** Only actions whose every step is idempotent may be retried with backoff. */
  retries?: number;
  /** Refs recorded on the events the job writes. */
  eventRefs?: { clusterId?: string | null; hostId?: string | null };
  /** Event codes for success and failure (oVirt's where it has them). */
  events: { success: EventCode; failure: EventCode };
  /** Long work (verify, DR sync) answers 202 unless the client asks to wait. */
  asyncByDefault?: boolean;
}

/** Who asked, and how (read from the request by @ActionInputParam). */
export type ActionCaller = ActionCall;
