import { EventCode } from '../events/event-codes';
import type { EventSeverity } from '../events/event.entity';

/** oVirt's fault reason for an action that ran and did not complete. */
export const OPERATION_FAILED = 'Operation Failed';

/** How a job ends when its action did not complete: `failed`, or `aborted` (cancelled on purpose). */
export type ActionFailureOutcome = 'failed' | 'aborted';

export interface ActionFailureOptions {
  /** `aborted`: the job and its open steps end `aborted` (oVirt's job status), not `failed`. Default `failed`. */
  outcome?: ActionFailureOutcome;
  /**
   * The handler already recorded the event that reports this failure (with its own code and severity):
   * the executor writes none, so one failure gives one event.
   */
  eventRecorded?: boolean;
  /** Severity of the executor's event: default `error` for a failure, `warning` for an abort. */
  severity?: EventSeverity;
}

/**
 * An action that ran and was refused or could not finish: becomes
 * `<action><status>failed</status><fault/></action>` with this HTTP status
 * (409 gluster said no, 502 host unreachable, 504 timed out).
 */
export class ActionFailedError extends Error {
  readonly outcome: ActionFailureOutcome;
  readonly eventRecorded: boolean;
  readonly severity: EventSeverity | undefined;

  constructor(
    readonly status: 409 | 500 | 502 | 504,
    readonly reason: string,
    readonly detail: string,
    readonly eventCode?: EventCode,
    options: ActionFailureOptions = {},
  ) {
    super(detail);
    this.name = 'ActionFailedError';
    this.outcome = options.outcome ?? 'failed';
    this.eventRecorded = options.eventRecorded ?? false;
    this.severity = options.severity;
  }

  /** 409: gluster or the service's own rules said no; the detail says why. */
  static refused(detail: string, eventCode?: EventCode, options?: ActionFailureOptions): ActionFailedError {
    return new ActionFailedError(409, OPERATION_FAILED, detail, eventCode, options);
  }

  /** 502: no host could be reached, or the connection dropped. */
  static unreachable(detail: string, eventCode?: EventCode, options?: ActionFailureOptions): ActionFailedError {
    return new ActionFailedError(502, OPERATION_FAILED, detail, eventCode, options);
  }

  /** 504: the remote command did not finish in time. */
  static timedOut(detail: string, eventCode?: EventCode, options?: ActionFailureOptions): ActionFailedError {
    return new ActionFailedError(504, OPERATION_FAILED, detail, eventCode, options);
  }

  /** 500: a failure the action did not expect (the service log has the cause). */
  static unexpected(detail: string, eventCode?: EventCode, options?: ActionFailureOptions): ActionFailedError {
    return new ActionFailedError(500, OPERATION_FAILED, detail, eventCode, options);
  }
}

/**
 * An action that was cancelled while it ran (e.g. a DR run's cancel): the job ends `aborted`, the
 * step it was in too; the action's reply is still `failed` (oVirt's action statuses have no aborted)
 * with the fault reason "Operation Aborted".
 */
export class ActionAbortedError extends ActionFailedError {
  constructor(detail: string, eventCode?: EventCode, options: Omit<ActionFailureOptions, 'outcome'> = {}) {
    super(409, 'Operation Aborted', detail, eventCode, { ...options, outcome: 'aborted' });
    this.name = 'ActionAbortedError';
  }
}
