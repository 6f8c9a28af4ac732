import { EventCode } from '../events/event-codes';

/**
 * An action that ran and was refused or could not finish: becomes
 * `<action><status>failed</status><fault/></action>` with this HTTP status
 * (409 gluster said no, 502 host unreachable, 504 timed out).
 */
export class ActionFailedError extends Error {
  constructor(
    readonly status: 409 | 500 | 502 | 504,
    readonly reason: string,
    readonly detail: string,
    readonly eventCode?: EventCode,
  ) {
    super(detail);
    this.name = 'ActionFailedError';
  }
}
