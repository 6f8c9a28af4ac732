import { ConfigError, loadConfig } from '../config/config';
import { dueForVerify, MAX_SWEEP_PERIOD_MS, sweepPeriodMs, VerifyCandidate } from './periodic-verify.job';

const NOW = Date.parse('2026-12-01T02:00:00Z');
const HOUR = 3_600_000;
const idle: VerifyCandidate = {
  status: 'active',
  slaveHostId: 'h2',
  lastVerified: null,
  lastVerifyJobAt: null,
  busy: false,
};
const ago = (ms: number) => new Date(NOW - ms);

describe('sweepPeriodMs', () => {
  it('is off for 0, the interval when short, at most a minute otherwise', () => {
    expect(sweepPeriodMs(0)).toBe(0);
    expect(sweepPeriodMs(5_000)).toBe(5_000);
    expect(sweepPeriodMs(HOUR)).toBe(MAX_SWEEP_PERIOD_MS);
  });
});

describe('dueForVerify', () => {
  it('never when the interval is 0', () => {
    expect(dueForVerify(idle, NOW, 0)).toBe(false);
  });

  it('an active, idle session never verified is due', () => {
    expect(dueForVerify(idle, NOW, HOUR)).toBe(true);
  });

  it('is due once the last verification or verify job is at least the interval old', () => {
    expect(dueForVerify({ ...idle, lastVerified: ago(HOUR - 1) }, NOW, HOUR)).toBe(false);
    expect(dueForVerify({ ...idle, lastVerified: ago(HOUR) }, NOW, HOUR)).toBe(true);
    // a verify job that failed before recording anything still counts: no retry on every sweep
    expect(dueForVerify({ ...idle, lastVerified: ago(5 * HOUR), lastVerifyJobAt: ago(60_000) }, NOW, HOUR)).toBe(false);
    expect(dueForVerify({ ...idle, lastVerified: ago(60_000), lastVerifyJobAt: ago(5 * HOUR) }, NOW, HOUR)).toBe(false);
    expect(dueForVerify({ ...idle, lastVerified: ago(2 * HOUR), lastVerifyJobAt: ago(2 * HOUR) }, NOW, HOUR)).toBe(
      true,
    );
  });

  it('skips sessions that are not active, are busy, or have no registered slave host', () => {
    for (const status of [
      'created',
      'stopped',
      'paused',
      'faulty',
      'partial_faulty',
      'initializing',
      'passive',
      'unknown',
    ]) {
      expect(dueForVerify({ ...idle, status }, NOW, HOUR)).toBe(false);
    }
    expect(dueForVerify({ ...idle, busy: true }, NOW, HOUR)).toBe(false);
    expect(dueForVerify({ ...idle, slaveHostId: null }, NOW, HOUR)).toBe(false);
  });
});

describe('GEOREP_VERIFY_INTERVAL_SECONDS', () => {
  it('is off by default, in seconds otherwise, and refused when not a whole number', () => {
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x' }).verifyIntervalMs).toBe(0);
    expect(loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_VERIFY_INTERVAL_SECONDS: '900' }).verifyIntervalMs).toBe(
      900_000,
    );
    expect(() => loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_VERIFY_INTERVAL_SECONDS: '1h' })).toThrow(ConfigError);
    expect(() => loadConfig({ GEOREP_DATA_DIR: '/tmp/x', GEOREP_VERIFY_INTERVAL_SECONDS: '-5' })).toThrow(
      'GEOREP_VERIFY_INTERVAL_SECONDS: must be a whole number between 0 and 31536000 (got "-5")',
    );
  });
});
