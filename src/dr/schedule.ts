import { CronExpressionParser } from 'cron-parser';

/**
 * DR schedules (pure): a 5-field cron (`30 2 * * *`) or oVirt's own form, as the engine prints it
 * (StorageSyncSchedule.toString): `DAILY at 02:30`, `WEEKLY on MON,FRI at 02:30` (days, hour, minute).
 * Quartz syntax (the engine's 7-field crons, a seconds field, `?`, `L`, `W`, `#`) is refused with a
 * message that says what to write instead.
 */

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

export const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

export interface ParsedSchedule {
  /** How it was written. */
  readonly form: 'cron' | 'daily' | 'weekly';
  /** Canonical text: the cron with single spaces, or `DAILY at HH:MM` / `WEEKLY on MON,FRI at HH:MM` (days in week order). */
  readonly text: string;
  /** The 5-field cron the scheduler runs. */
  readonly cron: string;
}

const EXAMPLES = 'a 5-field cron such as "30 2 * * *", or "DAILY at 02:30", or "WEEKLY on MON,FRI at 02:30"';
const OVIRT_FORM = /^(DAILY|WEEKLY)(?:\s+on\s+([A-Za-z]{3}(?:\s*,\s*[A-Za-z]{3})*))?\s+at\s+(\d{1,2}):(\d{2})$/i;

/** Parses and validates a schedule; throws ScheduleError with a message fit for a fault. */
export function parseSchedule(raw: string): ParsedSchedule {
  const input = raw.trim().replace(/\s+/g, ' ');
  if (input === '') throw new ScheduleError(`the schedule is empty; write ${EXAMPLES}`);
  if (input.length > 200) throw new ScheduleError('the schedule is longer than 200 characters');
  if (/^(daily|weekly)\b/i.test(input)) return parseOvirtForm(input);
  return parseCron(input);
}

function parseOvirtForm(input: string): ParsedSchedule {
  const m = OVIRT_FORM.exec(input);
  if (!m)
    throw new ScheduleError(`"${input}" is not oVirt's form; write "DAILY at HH:MM" or "WEEKLY on MON,WED at HH:MM"`);
  const frequency = m[1].toUpperCase() as 'DAILY' | 'WEEKLY';
  const hour = Number(m[3]);
  const minute = Number(m[4]);
  if (hour > 23) throw new ScheduleError(`the hour must be between 0 and 23 (got ${hour})`);
  if (minute > 59) throw new ScheduleError(`the minute must be between 0 and 59 (got ${minute})`);
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  if (frequency === 'DAILY') {
    if (m[2] !== undefined) throw new ScheduleError('a DAILY schedule takes no days; use WEEKLY on <days> at HH:MM');
    return { form: 'daily', text: `DAILY at ${time}`, cron: `${minute} ${hour} * * *` };
  }
  if (m[2] === undefined)
    throw new ScheduleError('a WEEKLY schedule needs its days, e.g. "WEEKLY on MON,FRI at 02:30"');
  const days = new Set<WeekDay>();
  for (const d of m[2].split(',').map((s) => s.trim().toUpperCase())) {
    if (!(WEEK_DAYS as readonly string[]).includes(d))
      throw new ScheduleError(`"${d}" is not a day; use ${WEEK_DAYS.join(', ')}`);
    days.add(d as WeekDay);
  }
  const ordered = WEEK_DAYS.filter((d) => days.has(d));
  const numbers = ordered.map((d) => WEEK_DAYS.indexOf(d)).join(',');
  return {
    form: 'weekly',
    text: `WEEKLY on ${ordered.join(',')} at ${time}`,
    cron: `${minute} ${hour} * * ${numbers}`,
  };
}

function parseCron(input: string): ParsedSchedule {
  const fields = input.split(' ');
  const quartz = quartzReason(fields);
  if (quartz) throw new ScheduleError(`Quartz cron syntax is not supported (${quartz}); write ${EXAMPLES}`);
  if (fields.length !== 5)
    throw new ScheduleError(
      `a cron has 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}; write ${EXAMPLES}`,
    );
  if (fields.some((f) => !/^[A-Za-z0-9*,/-]+$/.test(f)))
    throw new ScheduleError(`"${input}" has characters a cron field cannot hold; write ${EXAMPLES}`);
  try {
    CronExpressionParser.parse(input, { tz: 'UTC', strict: false });
  } catch (e) {
    throw new ScheduleError(`"${input}" is not a valid cron: ${(e as Error).message}`);
  }
  return { form: 'cron', text: input, cron: input };
}

/** Why this looks like a Quartz expression, or null. */
export function quartzReason(fields: readonly string[]): string | null {
  if (fields.length === 6 || fields.length === 7)
    return `${fields.length} fields: Quartz has a seconds field${fields.length === 7 ? ' and a year field' : ''}`;
  const text = fields.join(' ');
  if (text.includes('?')) return '"?" means "no value" only in Quartz';
  if (text.includes('#')) return '"#" (n-th weekday of the month)';
  if (fields.length === 5) {
    if (/[LW]/i.test(fields[2])) return '"L" or "W" in the day of month';
    if (/L/i.test(fields[4])) return '"L" in the day of week';
  }
  return null;
}

/** Throws ScheduleError when the time zone is not an IANA name the runtime knows. */
export function checkTimeZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new ScheduleError(`"${tz}" is not a time zone; use an IANA name such as UTC or Europe/Paris`);
  }
}

/** The first fire time strictly after `after`, in the schedule's time zone. */
export function nextRun(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: after, strict: false }).next().toDate();
}

/** The last fire time at or before `at` (for the missed-run policy), or null when there is none. */
export function previousRun(cron: string, timeZone: string, at: Date): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(at.getTime() + 1), strict: false })
      .prev()
      .toDate();
  } catch {
    return null;
  }
}

export type MissedRunPolicy = 'run_once' | 'skip';

/**
 * At start-up: whether a fire time passed while no worker ran. `expected` is the next run the
 * schedule recorded; a fire is missed when it lies before now by more than `graceMs` (a tick that the
 * scheduler is about to deliver is not missed).
 */
export function missedRun(expected: Date | null, now: Date, policy: MissedRunPolicy, graceMs: number): boolean {
  return policy === 'run_once' && expected !== null && expected.getTime() + graceMs < now.getTime();
}
