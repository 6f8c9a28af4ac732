import { LoginAttempt, LoginBusy, LoginRefused, LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  let now = 1_000_000;
  const clock = () => now;
  const make = () => new LoginThrottle({ maxPerUser: 3, maxPerAddress: 5, windowMs: 60_000 }, clock);

  beforeEach(() => {
    now = 1_000_000;
  });

  function admitted(t: LoginThrottle, name: string, address: string): LoginAttempt {
    const a = t.admit(name, address);
    if (!(a instanceof LoginAttempt)) throw new Error(`not admitted: ${a.constructor.name}`);
    return a;
  }

  it('refuses a user name from an address after its failures, case-insensitively, until the window ends', () => {
    const t = make();
    for (let i = 0; i < 3; i++) admitted(t, i % 2 ? 'Bob@internal' : 'bob@INTERNAL', '10.0.0.1').failed();
    now += 10_000;
    expect(t.admit('bob@internal', '10.0.0.1')).toEqual(new LoginRefused(50));
    expect(t.retryAfterSeconds('bob@internal', '10.0.0.1')).toBe(50);
    now += 50_000;
    expect(t.retryAfterSeconds('bob@internal', '10.0.0.1')).toBe(0);
    expect(t.admit('bob@internal', '10.0.0.1')).toBeInstanceOf(LoginAttempt);
  });

  it("does not let one address's failures for a name refuse that name from another address", () => {
    const t = make();
    for (let i = 0; i < 3; i++) admitted(t, 'admin@internal', '10.0.0.1').failed();
    expect(t.admit('admin@internal', '10.0.0.1')).toBeInstanceOf(LoginRefused);
    expect(t.retryAfterSeconds('admin@internal', '10.0.0.2')).toBe(0);
    expect(t.admit('admin@internal', '10.0.0.2')).toBeInstanceOf(LoginAttempt);
  });

  it('refuses an address after its failures, whatever the name', () => {
    const t = make();
    for (let i = 0; i < 5; i++) admitted(t, `u${i}@internal`, '10.0.0.1').failed();
    expect(t.admit('someone@internal', '10.0.0.1')).toEqual(new LoginRefused(60));
    expect(t.admit('someone@internal', '10.0.0.2')).toBeInstanceOf(LoginAttempt);
  });

  it('counts an admitted attempt before it settles: of 30 at once exactly the limit are admitted', () => {
    const t = make();
    const results = Array.from({ length: 30 }, () => t.admit('bob@internal', '10.0.0.1'));
    const attempts = results.filter((r): r is LoginAttempt => r instanceof LoginAttempt);
    expect(attempts).toHaveLength(3);
    expect(results.filter((r) => r instanceof LoginBusy)).toHaveLength(27);
    for (const a of attempts) a.failed();
    expect(t.admit('bob@internal', '10.0.0.1')).toBeInstanceOf(LoginRefused);
  });

  it('wakes those waiting when a pending attempt settles; a success frees the name at once', async () => {
    const t = make();
    const first = [
      admitted(t, 'bob@internal', '1'),
      admitted(t, 'bob@internal', '1'),
      admitted(t, 'bob@internal', '1'),
    ];
    const busy = t.admit('bob@internal', '1');
    expect(busy).toBeInstanceOf(LoginBusy);
    let woken = false;
    void (busy as LoginBusy).settled.then(() => (woken = true));
    first[0].failed();
    first[1].failed();
    await Promise.resolve();
    expect(woken).toBe(true);
    // 2 failures and 1 pending still fill the limit of 3.
    expect(t.admit('bob@internal', '1')).toBeInstanceOf(LoginBusy);
    first[2].succeeded();
    expect(t.retryAfterSeconds('bob@internal', '1')).toBe(0);
    expect(t.admit('bob@internal', '1')).toBeInstanceOf(LoginAttempt);
  });

  it('counts pending attempts against the address limit too, and releases an abandoned attempt without counting it', () => {
    const t = make();
    const pending = Array.from({ length: 5 }, (_, i) => admitted(t, `u${i}@internal`, '10.0.0.1'));
    expect(t.admit('u9@internal', '10.0.0.1')).toBeInstanceOf(LoginBusy);
    for (const a of pending) a.abandoned();
    for (const a of pending) a.failed();
    expect(t.admit('u9@internal', '10.0.0.1')).toBeInstanceOf(LoginAttempt);
  });

  it('settles an attempt once: a second settlement changes nothing', () => {
    const t = make();
    const a = admitted(t, 'a@b', '1');
    a.failed();
    a.failed();
    a.abandoned();
    admitted(t, 'a@b', '1').failed();
    expect(t.admit('a@b', '1')).toBeInstanceOf(LoginAttempt);
  });

  it("forgets a name's failures from an address after a success there, not the address's", () => {
    const t = make();
    admitted(t, 'a@b', '1').failed();
    admitted(t, 'a@b', '1').failed();
    t.recordSuccess('a@b', '1');
    admitted(t, 'a@b', '1').failed();
    admitted(t, 'a@b', '1').failed();
    expect(t.retryAfterSeconds('a@b', '1')).toBe(0);
    admitted(t, 'c@d', '1').failed();
    expect(t.admit('e@f', '1')).toBeInstanceOf(LoginRefused);
  });
});
