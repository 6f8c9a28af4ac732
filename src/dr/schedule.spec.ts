import { checkTimeZone, missedRun, nextRun, parseSchedule, previousRun, ScheduleError } from './schedule';

describe('parseSchedule', () => {
  it.each([
    ['30 2 * * *', '30 2 * * *'],
    ['  */15   *  * * 1-5 ', '*/15 * * * 1-5'],
    ['0 3 1 JAN,JUL MON', '0 3 1 JAN,JUL MON'],
  ])('accepts the 5-field cron %j', (input, cron) => {
    expect(parseSchedule(input)).toEqual({ form: 'cron', text: cron, cron });
  });

  it('reads oVirt DAILY and WEEKLY forms, days in week order', () => {
    expect(parseSchedule('DAILY at 2:30')).toEqual({ form: 'daily', text: 'DAILY at 02:30', cron: '30 2 * * *' });
    expect(parseSchedule('weekly on fri, MON at 23:05')).toEqual({
      form: 'weekly',
      text: 'WEEKLY on MON,FRI at 23:05',
      cron: '5 23 * * 1,5',
    });
    expect(parseSchedule('WEEKLY on SUN,SAT at 00:00').cron).toBe('0 0 * * 0,6');
  });

  it.each([
    ['0 30 2 * * ?', /Quartz.*seconds field/],
    ['0 30 2 * * ? *', /Quartz.*year field/],
    ['30 2 ? * MON', /Quartz.*"\?"/],
    ['30 2 L * *', /Quartz.*day of month/],
    ['30 2 15W * *', /Quartz.*day of month/],
    ['30 2 * * 5L', /Quartz.*day of week/],
    ['30 2 * * 1#2', /Quartz.*n-th weekday/],
  ])('refuses Quartz syntax %j with a clear message', (input, message) => {
    expect(() => parseSchedule(input)).toThrow(message);
    expect(() => parseSchedule(input)).toThrow(/5-field cron such as "30 2 \* \* \*"/);
  });

  it.each([
    ['', /empty/],
    ['30 2 * *', /5 fields.*got 4/],
    ['61 2 * * *', /not a valid cron/],
    ['30 2 * * 8', /not a valid cron/],
    ['30 2 * * $(reboot)', /characters/],
    ['DAILY at 24:00', /hour must be between 0 and 23/],
    ['DAILY at 10:60', /minute must be between 0 and 59/],
    ['WEEKLY at 10:00', /needs its days/],
    ['WEEKLY on MON,FUN at 10:00', /"FUN" is not a day/],
    ['DAILY on MON at 10:00', /takes no days/],
    ['DAILY 10:00', /not oVirt's form/],
  ])('refuses %j', (input, message) => {
    expect(() => parseSchedule(input)).toThrow(ScheduleError);
    expect(() => parseSchedule(input)).toThrow(message);
  });
});

describe('next and previous runs', () => {
  it('follows the time zone, across a daylight-saving change', () => {
    // Paris switches to summer time on 2026-03-29: 02:30 local is 00:30 UTC afterwards, 01:30 UTC before.
    expect(nextRun('30 2 * * *', 'Europe/Paris', new Date('2026-03-27T12:00:00Z')).toISOString()).toBe(
      '2026-03-28T01:30:00.000Z',
    );
    expect(nextRun('30 2 * * *', 'Europe/Paris', new Date('2026-03-30T12:00:00Z')).toISOString()).toBe(
      '2026-03-31T00:30:00.000Z',
    );
    expect(nextRun('30 2 * * *', 'UTC', new Date('2026-03-30T12:00:00Z')).toISOString()).toBe(
      '2026-03-31T02:30:00.000Z',
    );
  });

  it('is strictly after the given time', () => {
    expect(nextRun('* * * * *', 'UTC', new Date('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2026-01-01T00:01:00.000Z',
    );
  });

  it('finds the last fire at or before a time', () => {
    expect(previousRun('0 * * * *', 'UTC', new Date('2026-01-01T05:30:00Z'))?.toISOString()).toBe(
      '2026-01-01T05:00:00.000Z',
    );
  });

  it('checks time zones', () => {
    expect(checkTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/not a time zone/);
  });
});

describe('missedRun', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it('runs once when the recorded next run passed beyond the grace', () => {
    expect(missedRun(new Date('2026-01-01T11:00:00Z'), now, 'run_once', 60_000)).toBe(true);
    expect(missedRun(new Date('2026-01-01T11:59:30Z'), now, 'run_once', 60_000)).toBe(false);
    expect(missedRun(new Date('2026-01-01T13:00:00Z'), now, 'run_once', 60_000)).toBe(false);
    expect(missedRun(new Date('2026-01-01T11:00:00Z'), now, 'skip', 60_000)).toBe(false);
    expect(missedRun(null, now, 'run_once', 60_000)).toBe(false);
  });
});
