import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';
import { validateVolumeName } from './validators';

/**
 * The replication canary's remote commands (issue 10): fixed shell scripts that take every value as a
 * positional argument, so nothing a caller passes is ever parsed by the shell. Each mounts the volume
 * privately (a fresh directory under /tmp, unmounted and removed on exit) through the host's own
 * glusterd, works in one hidden directory, and needs root on the host.
 */
export const CANARY_DIR = '.georep-canary';

/**
 * Mounts the volume named by $1 at $d, privately: unmounted and removed when the script exits.
 * `asGeoReplication` mounts as gsyncd does (client pid -1), which a slave volume's `features.read-only`
 * lets write: only for removing what a DR run put there.
 */
export function privateMountScript(prefix: string, asGeoReplication = false): string {
  const mount = asGeoReplication
    ? 'glusterfs --volfile-server=localhost --volfile-id="$1" --client-pid=-1 --log-level=ERROR -l /var/log/glusterfs/georep-api-mount.log "$d" && mountpoint -q "$d" || exit 91'
    : 'mount -t glusterfs -o log-level=ERROR "localhost:/$1" "$d" || exit 91';
  return [
    'set -u',
    `d=$(mktemp -d /tmp/${prefix}.XXXXXX) || exit 90`,
    'trap \'umount "$d" 2>/dev/null; rmdir "$d" 2>/dev/null\' EXIT',
    mount,
  ].join('\n');
}

const MOUNT = [privateMountScript('georep-canary'), `p="$d/${CANARY_DIR}/$2"`].join('\n');

const WRITE = [
  MOUNT,
  `mkdir -p "$d/${CANARY_DIR}" || exit 92`,
  'printf %s "$3" > "$p" || exit 93',
  'echo WRITTEN',
].join('\n');

/** Waits up to $4 seconds for the probe to hold exactly $3; prints MATCH, or NOMATCH with what it saw last. */
const CHECK = [
  MOUNT,
  'end=$(( $(date +%s) + $4 ))',
  'while :; do',
  '  if [ -f "$p" ]; then',
  '    if [ "$(cat "$p")" = "$3" ]; then echo MATCH; exit 0; fi',
  '    seen="present $(wc -c < "$p")"',
  '  else',
  '    seen=missing',
  '  fi',
  '  [ "$(date +%s)" -ge "$end" ] && break',
  '  sleep 1',
  'done',
  'echo "NOMATCH $seen"',
].join('\n');

const REMOVE = [MOUNT, 'rm -f "$p"', 'echo REMOVED'].join('\n');

/** schedule_georep.py's "touch the root": a change so the workers roll a changelog past a checkpoint. */
const TOUCH_ROOT = [MOUNT, 'touch "$d" || exit 94', 'echo TOUCHED'].join('\n');

const PROBE_NAME = /^[a-z0-9-]{8,64}$/;
const PROBE_CONTENT = /^[0-9a-f]{16,256}$/;

function args(volume: string, probe: string): [string, string] {
  const v = validateVolumeName(volume, 'volume');
  if (!PROBE_NAME.test(probe)) throw new GlusterArgumentError('probe', 'must be 8-64 of a-z, 0-9 and -');
  return [v, probe];
}

function content(value: string): string {
  if (!PROBE_CONTENT.test(value)) throw new GlusterArgumentError('content', 'must be 16-256 lower-case hex digits');
  return value;
}

/** Writes the probe with its content into the (master) volume. */
export function canaryWriteCommand(volume: string, probe: string, value: string): GlusterCommand {
  return plainCommand(['sh', '-c', WRITE, 'georep-canary', ...args(volume, probe), content(value)]);
}

/** On a slave host: waits up to `timeoutSeconds` for the probe with that content in the (slave) volume. */
export function canaryCheckCommand(
  volume: string,
  probe: string,
  value: string,
  timeoutSeconds: number,
): GlusterCommand {
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds > 3600)
    throw new GlusterArgumentError('timeout', 'must be 0-3600 seconds');
  return plainCommand([
    'sh',
    '-c',
    CHECK,
    'georep-canary',
    ...args(volume, probe),
    content(value),
    String(timeoutSeconds),
  ]);
}

/** Removes the probe from the (master) volume; geo-replication removes it from the slave. */
export function canaryRemoveCommand(volume: string, probe: string): GlusterCommand {
  return plainCommand(['sh', '-c', REMOVE, 'georep-canary', ...args(volume, probe)]);
}

/** Touches the root of the (master) volume, so an idle volume's workers see a change after a checkpoint. */
export function touchVolumeRootCommand(volume: string): GlusterCommand {
  return plainCommand(['sh', '-c', TOUCH_ROOT, 'georep-touch', validateVolumeName(volume, 'volume'), 'probe-unused']);
}

export type CanaryCheck = { outcome: 'match' } | { outcome: 'missing' } | { outcome: 'present'; size: number };

/** Reads what the check printed: MATCH, NOMATCH missing, or NOMATCH present <bytes>. */
export function parseCanaryCheck(stdout: string): CanaryCheck {
  const line = stdout.trim().split('\n').pop() ?? '';
  if (line === 'MATCH') return { outcome: 'match' };
  if (line === 'NOMATCH missing') return { outcome: 'missing' };
  const m = /^NOMATCH present\s+(\d+)$/.exec(line);
  if (m) return { outcome: 'present', size: Number(m[1]) };
  throw new GlusterArgumentError(
    'canary',
    `unexpected output of the canary check: ${JSON.stringify(line.slice(0, 200))}`,
  );
}
