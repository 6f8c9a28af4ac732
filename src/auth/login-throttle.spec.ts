import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  let now = 1_000_000;
  const clock = () => now;
  const make = () => new LoginThrottle({ maxPerUser: 3, maxPerAddress: 5, windowMs: 60_000 }, clock);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('refuses a user name after its failures, case-insensitively, until the window ends', () => {
    const t = make();
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterSeconds('Bob@internal', `10.0.0.${i}`)).toBe(0);
      t.recordFailure('bob@INTERNAL', `10.0.0.${i}`);
    }
    now += 10_000;
    expect(t.retryAfterSeconds('bob@internal', '10.0.0.9')).toBe(50);
    now += 50_000;
    expect(t.retryAfterSeconds('bob@internal', '10.0.0.9')).toBe(0);
  });

  it('refuses an address after its failures, whatever the name', () => {
    const t = make();
    for (let i = 0; i < 5; i++) t.recordFailure(`u${i}@internal`, '10.0.0.1');
    expect(t.retryAfterSeconds('someone@internal', '10.0.0.1')).toBe(60);
    expect(t.retryAfterSeconds('someone@internal', '10.0.0.2')).toBe(0);
  });

  it('forgets a name\'s failures after a success', () => {
    const t = make();
    t.recordFailure('a@b', '1');
    t.recordFailure('a@b', '1');
    t.recordSuccess('a@b');
    t.recordFailure('a@b', '1');
    t.recordFailure('a@b', '1');
    expect(t.retryAfterSeconds('a@b', '1')).toBe(0);
  });
});
