import { EventCode } from '../events/event-codes';
import { ActionAbortedError, ActionFailedError } from '../jobs/action-failure';

/** The cancel of a run: the run, its job and the step it was in end `aborted` (event 11219, no 4164). */
export const runCancelled = () => new ActionAbortedError('The DR run was cancelled.', EventCode.DrRunAborted);
export const isCancel = (e: unknown) => e instanceof ActionFailedError && e.outcome === 'aborted';
