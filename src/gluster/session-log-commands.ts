import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';
import { validateAbsolutePath } from './validators';

/**
 * Reading the tail of a gsyncd log file (issue 19, session logs). The file's path comes from the
 * session's config as gluster reported it (`log-file`, `secondary-log-file`); the command reads it
 * only when its real path (links resolved) is a regular file under gluster's log directory, so a
 * changed config or a planted link cannot make the service read another file.
 */

/** gluster's log directory: the only place a session's log is read from. */
export const GLUSTER_LOG_DIR = '/var/log/glusterfs';
export const DEFAULT_LOG_LINES = 100;
export const MAX_LOG_LINES = 1000;
/** At most this much of a file is sent back, whatever `lines` asks for. */
export const MAX_LOG_BYTES = 64 * 1024;

/**
 * Positional: $1 the configured path, $2 lines + 1 (one more than asked: it tells whether older
 * lines exist), $3 the byte cap. Prints one status line first: `ok <real path>`, `missing`,
 * `outside <real path>` or `notfile`, then (ok only) the tail.
 */
const LOG_TAIL = [
  'p=$(realpath -e -- "$1" 2>/dev/null) || { echo missing; exit 0; }',
  `case "$p" in ${GLUSTER_LOG_DIR}/*) ;; *) printf 'outside %s\\n' "$p"; exit 0 ;; esac`,
  '[ -f "$p" ] || { echo notfile; exit 0; }',
  'printf \'ok %s\\n\' "$p"',
  'tail -n "$2" -- "$p" | tail -c "$3"',
].join('\n');

/** `lines` as a client gives it (a query parameter): 1-MAX_LOG_LINES, DEFAULT_LOG_LINES when absent. */
export function validateLogLines(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LOG_LINES;
  const n = /^\d{1,4}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= 1 && n <= MAX_LOG_LINES)) {
    throw new GlusterArgumentError('lines', `must be a whole number from 1 to ${MAX_LOG_LINES}`);
  }
  return n;
}

export function logTailCommand(configuredPath: string, lines: number, maxBytes = MAX_LOG_BYTES): GlusterCommand {
  const file = validateAbsolutePath(configuredPath, 'log-file');
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_LINES) {
    throw new GlusterArgumentError('lines', `must be 1-${MAX_LOG_LINES}`);
  }
  return plainCommand(['sh', '-c', LOG_TAIL, 'georep-log-tail', file, String(lines + 1), String(maxBytes)]);
}

export type LogTail =
  { readonly file: string; readonly lines: string[]; readonly truncated: boolean } | { readonly error: string };

/**
 * The answer of logTailCommand. `truncated`: older lines exist than those returned (more lines than
 * asked, or the byte cap cut into them; a line the cap cut is dropped, never shown in part).
 */
export function parseLogTail(stdout: string, lines: number, maxBytes = MAX_LOG_BYTES): LogTail {
  const newline = stdout.indexOf('\n');
  const status = newline < 0 ? stdout : stdout.slice(0, newline);
  if (status === 'missing') return { error: 'the log file does not exist (yet) on this host' };
  if (status === 'notfile') return { error: 'the log path is not a regular file' };
  if (status.startsWith('outside ')) {
    return { error: `the log path resolves outside ${GLUSTER_LOG_DIR}/ (${status.slice(8)}): not read` };
  }
  if (!status.startsWith('ok /')) return { error: `unexpected answer: ${status.slice(0, 200)}` };
  const body = stdout.slice(newline + 1);
  const all = body === '' ? [] : body.replace(/\n$/, '').split('\n');
  const cutByBytes = Buffer.byteLength(body, 'utf8') >= maxBytes && all.length > 0;
  const whole = cutByBytes ? all.slice(1) : all;
  const kept = whole.slice(-lines);
  return { file: status.slice(3), lines: kept, truncated: cutByBytes || whole.length > kept.length };
}
