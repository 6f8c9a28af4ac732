/**
 * Errors raised by the pure gluster module.
 *
 * GlusterArgumentError: a value we were asked to put on a command line failed validation. It is thrown
 * before any command string exists, and its message never contains the offending bytes raw.
 *
 * GlusterCommandError: gluster (or the shell) reported a failure, or its output could not be understood.
 */

export class GlusterArgumentError extends Error {
  readonly code = 'invalid_argument' as const;

  constructor(
    /** Which input was wrong, e.g. `masterVolume`, `slaveHost`, `option.sync-jobs`. */
    readonly field: string,
    /** What is wrong with it, without the field's name. */
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'GlusterArgumentError';
  }
}

/**
 * What kind of failure gluster reported, so callers can map it to a state conflict, a 404, etc.
 * Classified from gluster's English messages (GlusterFS 10.3 wording, see the fixtures).
 */
export type GlusterErrorKind =
  /** The geo-rep session does not exist (or, for `status --xml`, nothing matched: no XML, exit 2). */
  | 'no_session'
  | 'volume_not_found'
  | 'already_started'
  | 'already_paused'
  | 'not_paused'
  /** `delete` while the session runs. */
  | 'session_active'
  /** `volume stop` while a geo-rep session of the volume runs. */
  | 'georep_sessions_active'
  /** `create` without force when the slave volume has data (or the session already exists). */
  | 'slave_not_empty'
  /** `create` could not mount the slave volume (wrong host/volume, no SSH trust, slave down). */
  | 'slave_unreachable'
  | 'invalid_option'
  | 'config_set_failed'
  /** Output we could not parse (not XML where XML was expected, broken XML, missing elements). */
  | 'parse_error'
  | 'failed';

export class GlusterCommandError extends Error {
  constructor(
    readonly kind: GlusterErrorKind,
    /** gluster's own message (control characters removed, length capped); '' when it said nothing. */
    readonly glusterMessage: string,
    readonly details: {
      exitCode?: number | null;
      opRet?: number;
      opErrno?: number;
    } = {},
  ) {
    super(glusterMessage || defaultMessage(kind));
    this.name = 'GlusterCommandError';
  }

  get exitCode(): number | null | undefined {
    return this.details.exitCode;
  }

  get opRet(): number | undefined {
    return this.details.opRet;
  }

  get opErrno(): number | undefined {
    return this.details.opErrno;
  }
}

function defaultMessage(kind: GlusterErrorKind): string {
  switch (kind) {
    case 'no_session':
      return 'geo-replication session not found';
    case 'parse_error':
      return 'unexpected gluster output';
    default:
      return 'gluster command failed';
  }
}

const MAX_MESSAGE = 2000;

/** Removes control characters (keeps newlines and tabs) and caps the length of a gluster message. */
export function cleanGlusterMessage(text: string): string {
  const cleaned = text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
    .trim();
  return cleaned.length > MAX_MESSAGE ? `${cleaned.slice(0, MAX_MESSAGE)}…` : cleaned;
}

/**
 * A printable, bounded preview of a rejected value for error messages: characters outside a small
 * safe set are shown as \uXXXX escapes, so a message never carries shell metacharacters, newlines or
 * terminal escapes raw.
 */
export function describeValue(value: unknown): string {
  if (typeof value !== 'string') {
    return `(${value === null ? 'null' : typeof value})`;
  }
  if (value.length === 0) {
    return '(empty)';
  }
  const max = 40;
  let out = '';
  for (const ch of value.slice(0, max)) {
    out += /^[A-Za-z0-9._@:/ -]$/.test(ch) ? ch : `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  }
  return `"${out}${value.length > max ? '…' : ''}"`;
}

/** Maps a gluster failure message to a GlusterErrorKind. */
export function classifyGlusterMessage(message: string): GlusterErrorKind {
  const m = message.toLowerCase();
  if (/session between .* does not exist/.test(m) || m.includes('no active geo-replication sessions')) {
    return 'no_session';
  }
  if (/volume \S+ does not exist/.test(m)) return 'volume_not_found';
  if (m.includes('already started')) return 'already_started';
  if (m.includes('already paused')) return 'already_paused';
  if (m.includes('is not paused')) return 'not_paused';
  if (m.includes('is still active')) return 'session_active';
  if (m.includes('geo-replication sessions are active')) return 'georep_sessions_active';
  if (m.includes('is not empty')) return 'slave_not_empty';
  if (m.includes('unable to mount and fetch') || m.includes('unable to fetch') || m.includes('passwordless ssh')) {
    return 'slave_unreachable';
  }
  if (m.includes('invalid option')) return 'invalid_option';
  if (m.includes('config-set failed')) return 'config_set_failed';
  return 'failed';
}
