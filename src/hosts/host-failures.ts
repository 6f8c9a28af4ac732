import { GlusterCommandError } from '../gluster';
import { ActionFailedError } from '../jobs/action-failure';
import { SshCommandTimeoutError, SshConnectError, SshConnectionLostError } from '../ssh';
import { NoReachableHostError } from './host-shell';

/** How a failure's detail names the place a command ran and what gluster's refusal was about. */
export interface FailureWording {
  /** e.g. "the master cluster", "cluster site1". */
  cluster: string;
  /** Put before gluster's own message: "gluster", "gluster refused to report the cluster's state". */
  glusterSays: string;
}

const SESSION_WORDING: FailureWording = { cluster: 'the master cluster', glusterSays: 'gluster' };

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The one translation of what running a command on hosts can throw into the failure an action
 * answers: 502 no host reachable or the connection dropped, 504 the command timed out, 409 gluster
 * refused (its message in the detail). Anything else is returned unchanged (the executor makes it a 500).
 */
export function asActionFailure(e: unknown, wording: FailureWording = SESSION_WORDING): unknown {
  if (e instanceof ActionFailedError) return e;
  if (e instanceof NoReachableHostError) {
    if (e.unreachable.length > 0)
      return ActionFailedError.unreachable(`No host of ${wording.cluster} could be reached: ${e.attemptSummary}`);
    return ActionFailedError.unreachable(
      e.skipped > 0
        ? `${capitalized(wording.cluster)} has no host to use: ${e.message}.`
        : `${capitalized(wording.cluster)} has no hosts.`,
    );
  }
  if (e instanceof SshCommandTimeoutError) return ActionFailedError.timedOut(e.message);
  if (e instanceof SshConnectError || e instanceof SshConnectionLostError)
    return ActionFailedError.unreachable(e.message);
  if (e instanceof GlusterCommandError) return ActionFailedError.refused(`${wording.glusterSays}: ${e.message}`);
  return e;
}
