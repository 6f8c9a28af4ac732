import { GlusterArgumentError, describeValue } from './errors';

/**
 * Strict validators for every value that can reach a gluster command line. Each returns the value
 * (unchanged) or throws GlusterArgumentError. They accept `unknown` because input arrives from HTTP
 * bodies and the database.
 */

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new GlusterArgumentError(field, `must be a string, got ${describeValue(value)}`);
  }
  if (value.length === 0) {
    throw new GlusterArgumentError(field, 'must not be empty');
  }
  return value;
}

/**
 * Words gluster refuses as volume names (cli-cmd-parser.c cli_validate_volname); `all` also has a
 * meaning of its own in `volume status all`.
 */
const RESERVED_VOLUME_NAMES = new Set([
  'volume',
  'type',
  'subvolumes',
  'option',
  'end-volume',
  'all',
  'volume_not_in_ring',
  'description',
  'force',
  'snap-max-hard-limit',
  'snap-max-soft-limit',
  'auto-delete',
  'activate-on-create',
]);

export const MAX_VOLUME_NAME_LENGTH = 64;

/**
 * Gluster volume name. Gluster itself allows letters, digits, `_` and `-` (no dots), not starting with
 * `-`, plus a reserved-word list; we add a 64-character cap.
 */
export function validateVolumeName(value: unknown, field = 'volume'): string {
  const s = requireString(value, field);
  if (s.length > MAX_VOLUME_NAME_LENGTH) {
    throw new GlusterArgumentError(field, `must be at most ${MAX_VOLUME_NAME_LENGTH} characters`);
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(s)) {
    throw new GlusterArgumentError(
      field,
      `${describeValue(s)} is not a valid gluster volume name (letters, digits, '_' and '-' only, not starting with '-')`,
    );
  }
  if (RESERVED_VOLUME_NAMES.has(s)) {
    throw new GlusterArgumentError(field, `"${s}" is a reserved word and cannot name a volume`);
  }
  return s;
}

/** Dotted-quad IPv4 without leading zeros (which some tools read as octal). */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 in text form (RFC 4291 section 2.2), optional trailing dotted IPv4; no zone id. */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) {
    return false;
  }
  const halves = s.split('::');
  if (halves.length > 2) {
    return false;
  }
  const groupsOf = (part: string): string[] | null => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || tail === null) {
    return false;
  }
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    const last = i === all.length - 1;
    if (last && g.includes('.')) {
      if (!isIPv4(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters max. */
export function isHostName(s: string): boolean {
  if (s.length > 253) {
    return false;
  }
  const labels = s.split('.');
  if (!labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) {
    return false;
  }
  // "999.1.1.1" is syntactically a host name but is certainly a mistyped address.
  if (labels.every((l) => /^[0-9]+$/.test(l))) {
    return false;
  }
  return true;
}

/** A host: RFC 1123 name, IPv4 or IPv6 address. */
export function validateHost(value: unknown, field = 'host'): string {
  const s = requireString(value, field);
  if (isHostName(s) || isIPv4(s) || isIPv6(s)) {
    return s;
  }
  throw new GlusterArgumentError(field, `${describeValue(s)} is not a valid host name, IPv4 or IPv6 address`);
}

const UNIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Unix user name (the geo-rep slave user, e.g. `geoaccount`). */
export function validateUserName(value: unknown, field = 'user'): string {
  const s = requireString(value, field);
  if (!UNIX_NAME.test(s)) {
    throw new GlusterArgumentError(
      field,
      `${describeValue(s)} is not a valid user name (lower-case letters, digits, '_' and '-', starting with a letter or '_', 32 characters max)`,
    );
  }
  return s;
}

/** Unix group name (the mount-broker log group). */
export function validateGroupName(value: unknown, field = 'group'): string {
  const s = requireString(value, field);
  if (!UNIX_NAME.test(s)) {
    throw new GlusterArgumentError(
      field,
      `${describeValue(s)} is not a valid group name (lower-case letters, digits, '_' and '-', starting with a letter or '_', 32 characters max)`,
    );
  }
  return s;
}

export const MAX_PATH_LENGTH = 1024;

/**
 * Absolute path made only of `[A-Za-z0-9._-]` segments: no `.`/`..` segments, no empty segments
 * (`//`), no trailing slash, not `/` itself.
 */
export function validateAbsolutePath(value: unknown, field = 'path'): string {
  const s = requireString(value, field);
  if (s.length > MAX_PATH_LENGTH) {
    throw new GlusterArgumentError(field, `must be at most ${MAX_PATH_LENGTH} characters`);
  }
  const problem = absolutePathProblem(s);
  if (problem) {
    throw new GlusterArgumentError(field, `${describeValue(s)} ${problem}`);
  }
  return s;
}

function absolutePathProblem(s: string): string | null {
  if (!s.startsWith('/')) return 'must be an absolute path';
  if (s === '/') return 'must not be the root directory';
  const segments = s.slice(1).split('/');
  for (const seg of segments) {
    if (seg === '') return 'must not contain empty path segments or end with /';
    if (seg === '.' || seg === '..') return "must not contain '.' or '..' segments";
    if (!/^[A-Za-z0-9._-]+$/.test(seg)) return "may only contain letters, digits, '.', '_', '-' and '/'";
  }
  return null;
}

/** A brick directory on a server. */
export function validateBrickPath(value: unknown, field = 'brickPath'): string {
  return validateAbsolutePath(value, field);
}

/** A TCP port 1-65535, as a number or a string of digits. */
export function validatePort(value: unknown, field = 'port'): number {
  const n = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new GlusterArgumentError(
      field,
      `${describeValue(typeof value === 'string' ? value : String(value))} is not a port number (1-65535)`,
    );
  }
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

export function validateUuid(value: unknown, field = 'uuid'): string {
  const s = requireString(value, field);
  if (!isUuid(s)) {
    throw new GlusterArgumentError(field, `${describeValue(s)} is not a UUID`);
  }
  return s.toLowerCase();
}
