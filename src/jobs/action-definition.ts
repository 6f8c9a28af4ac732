import { EventCode } from '../events/event-codes';
import type { ActionCall } from '../ovirt/routes';
import { JobName } from '../queue/queue-names';

/** What the API knows about an action before it queues it. */
export interface ActionRequest {
  name: JobName;
  /** The locked thing: one running action per target. */
  targetType: string;
  targetId: string;
  description: string;
  params?: Record<string, unknown>;
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
