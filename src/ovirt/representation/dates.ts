/** ISO 8601 dates the oVirt way: always with a numeric offset (`+00:00`, never `Z`). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for a time zone that Intl does not know. Call it when reading configuration. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** Offset of `timeZone` from UTC at instant `ms`, in minutes. */
export function offsetMinutes(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') {
    return 0;
  }
  const name = formatter(timeZone)
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName')?.value;
  // "GMT", "GMT+02:00", "GMT-09:30"; seconds (pre-1900 local mean time) are dropped.
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name ?? '');
  if (!m || m[1] === undefined) {
    return 0;
  }
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** `2026-11-22T04:30:00.123+00:00` (UTC) or with the offset of `timeZone` at that instant. */
export function formatDate(ms: number, timeZone = 'UTC'): string {
  const offset = offsetMinutes(ms, timeZone);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, -1);
  const abs = Math.abs(offset);
  const sign = offset < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/** Epoch ms of an ISO 8601 date-time that carries `Z` or an offset; undefined when it is not one. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) {
    return undefined;
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offH = m[10] === undefined ? 0 : Number(m[10]);
  const offM = m[11] === undefined ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offH > 23 || offM > 59) {
    return undefined;
  }
  if (day < 1 || day > utc(year, month, 0).getUTCDate()) {
    return undefined;
  }
  const offset = (offH * 60 + offM) * (m[9] === '-' ? -1 : 1);
  return utc(year, month - 1, day, hour, minute, second, millis).getTime() - offset * 60_000;
}

/** Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not. */
function utc(year: number, month: number, day: number, ...time: number[]): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(time[0] ?? 0, time[1] ?? 0, time[2] ?? 0, time[3] ?? 0);
  return d;
}

/** The largest distance from the epoch a JavaScript Date can hold. */
export const MAX_EPOCH_MS = 8.64e15;
