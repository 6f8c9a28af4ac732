import { CredentialCache } from './credential-cache';
import { decodeBasic } from './auth.service';

describe('CredentialCache', () => {
  let now = 0;
  const clock = () => now;

  it('remembers a verified name and password for the given time, bound to the stored hash', () => {
    const c = new CredentialCache(1000, clock);
    c.remember('$hash1', 'Admin@internal', 'pw');
    expect(c.has('$hash1', 'admin@internal', 'pw')).toBe(true);
    expect(c.has('$hash1', 'admin@internal', 'other')).toBe(false);
    expect(c.has('$hash2', 'admin@internal', 'pw')).toBe(false);
    now += 1000;
    expect(c.has('$hash1', 'admin@internal', 'pw')).toBe(false);
  });

  it('remembers nothing when its time is 0', () => {
    const c = new CredentialCache(0, clock);
    c.remember('$h', 'a@b', 'pw');
    expect(c.has('$h', 'a@b', 'pw')).toBe(false);
  });
});

describe('decodeBasic', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  it('splits at the first colon (a password may have more)', () => {
    expect(decodeBasic(b64('admin@internal:a:b:c'))).toEqual({ name: 'admin@internal', password: 'a:b:c' });
  });
  it.each(['', 'not base64!', b64('nocolon'), b64(':password')])('refuses %j', (v) => {
    expect(decodeBasic(v)).toBeUndefined();
  });
});

describe('CredentialCache.knows', () => {
  it('tells, before the stored hash is known, whether a name and password were verified lately', () => {
    let now = 0;
    const c = new CredentialCache(1000, () => now);
    c.remember('$hash1', 'Admin@internal', 'pw');
    expect(c.knows('admin@internal', 'pw')).toBe(true);
    expect(c.knows('admin@internal', 'other')).toBe(false);
    expect(c.knows('other@internal', 'pw')).toBe(false);
    now += 1000;
    expect(c.knows('admin@internal', 'pw')).toBe(false);
  });
});
