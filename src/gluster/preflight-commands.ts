import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';
import { validateHost, validatePort, validateUserName } from './validators';

/**
 * The preflight's remote commands (issue 10): read-only, fixed scripts that take every value as a
 * positional argument (validated, then single-quoted by shellJoin), so nothing a caller or a stored
 * row holds is ever parsed by the shell. They need no root except to read the geo-rep key.
 */

/** The key gsyncd's monitor on a master host uses to reach the slave (written by `gsec_create`). */
export const GEOREP_SECRET_PEM = '/var/lib/glusterd/geo-replication/secret.pem';

/** The first line of `gluster --version` and of `rsync --version`, each on its own tagged line (empty when missing). */
const FACTS = [
  'printf \'gluster=%s\\n\' "$(gluster --version 2>/dev/null | head -n 1)"',
  'printf \'rsync=%s\\n\' "$(rsync --version 2>/dev/null | head -n 1)"',
].join('\n');

export function hostFactsCommand(): GlusterCommand {
  return plainCommand(['sh', '-c', FACTS, 'georep-preflight']);
}

/** The host's clock in nanoseconds since the epoch (GNU date; others print a literal N after the seconds). */
export function clockCommand(): GlusterCommand {
  return plainCommand(['date', '+%s%N']);
}

/**
 * On a master host: can gsyncd's key log in to the slave host as the session's user on the session's
 * port? ssh with only that key (IdentitiesOnly, so root's own keys cannot make it pass), no prompts
 * (BatchMode), a short connect timeout, the whole attempt under `timeout`, and no known_hosts written.
 * The slave runs its forced command (gsyncd) for the key, so the exit code says little: success is
 * ssh's own "Authenticated to" line (LogLevel VERBOSE). Prints `nokey`, or `rc=N`, `auth=yes|no` and
 * the last line ssh printed otherwise.
 * Positional: $1 user, $2 slave host, $3 port, $4 connect timeout (s), $5 overall timeout (s).
 */
const SSH_PROBE = [
  `k=${GEOREP_SECRET_PEM}`,
  '[ -r "$k" ] || { echo nokey; exit 0; }',
  'err=$(timeout "$5" ssh -n -T -i "$k" -o IdentitiesOnly=yes -o BatchMode=yes -o PasswordAuthentication=no -o ConnectTimeout="$4" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=VERBOSE -p "$3" -l "$1" -- "$2" true 2>&1 >/dev/null)',
  'rc=$?',
  'echo "rc=$rc"',
  'case "$err" in *"Authenticated to "*) echo auth=yes ;; *) echo auth=no ;; esac',
  'printf \'%s\\n\' "$err" | grep -v "^[[:space:]]*$" | tail -n 1 | sed "s/^/msg=/"',
].join('\n');

export function sshProbeCommand(
  user: string,
  slaveHost: string,
  port: number,
  connectTimeoutSeconds: number,
  timeoutSeconds: number,
): GlusterCommand {
  for (const [name, value] of [
    ['connectTimeout', connectTimeoutSeconds],
    ['timeout', timeoutSeconds],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 600)
      throw new GlusterArgumentError(name, 'must be 1-600 seconds');
  }
  return plainCommand([
    'sh',
    '-c',
    SSH_PROBE,
    'georep-preflight',
    validateUserName(user, 'user'),
    validateHost(slaveHost, 'slaveHost'),
    String(validatePort(port, 'port')),
    String(connectTimeoutSeconds),
    String(timeoutSeconds),
  ]);
}
