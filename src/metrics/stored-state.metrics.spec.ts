import { scheduleIntervalSeconds } from './stored-state.metrics';

describe('scheduleIntervalSeconds', () => {
  const monday = new Date('2026-03-02T10:00:00Z');

  it('is the gap between fire times of a regular schedule', () => {
    expect(scheduleIntervalSeconds('0 * * * *', 'UTC', monday)).toBe(3600);
    expect(scheduleIntervalSeconds('*/15 * * * *', 'UTC', monday)).toBe(900);
  });

  it('is the longest gap of an irregular one: a weekday schedule has its weekend', () => {
    expect(scheduleIntervalSeconds('0 2 * * 1-5', 'UTC', monday)).toBe(3 * 86_400);
  });

  it('reads the time zone: across the change to summer time a daily run is still at most a day apart', () => {
    expect(scheduleIntervalSeconds('30 2 * * *', 'Europe/Paris', new Date('2026-03-27T12:00:00Z'))).toBe(86_400);
  });

  it('is null for what is not a cron', () => {
    expect(scheduleIntervalSeconds('not a cron', 'UTC', monday)).toBeNull();
  });
});
