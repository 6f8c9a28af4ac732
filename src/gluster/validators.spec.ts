import { execFileSync } from 'child_process';
import {
  GlusterArgumentError,
  describeValue,
  isIPv4,
  isIPv6,
  shellJoin,
  shellQuote,
  validateAbsolutePath,
  validateBrickPath,
  validateGroupName,
  validateHost,
  validatePort,
  validateUserName,
  validateUuid,
  validateVolumeName,
} from './index';

/** Values that must never reach a command line. */
const HOSTILE = [
  'x;touch pwned',
  '$(id)',
  '`id`',
  'a\nb',
  'a\rb',
  '--option',
  '-x',
  "it's",
  'a"b',
  'a b',
  '',
  'a|b',
  'a&b',
  'a>b',
  '../etc',
  'a\0b',
  'a\\b',
  '*',
  'é',
  '\u202e',
];

/** Apart from \uXXXX escapes, a message holds printable ASCII without shell metacharacters. */
function expectSafeMessage(message: string): void {
  const unescaped = message.replace(/\\u[0-9a-f]{4}/g, '').replace(/…/g, '');
  expect(unescaped).toMatch(/^[\x20-\x7e]*$/);
  expect(unescaped).not.toMatch(/[;$`|&<>*]/);
}

function argError(fn: () => unknown): GlusterArgumentError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GlusterArgumentError);
    return e as GlusterArgumentError;
  }
  throw new Error('expected a GlusterArgumentError');
}

describe('shellQuote', () => {
  it.each([
    ['mastervol', `'mastervol'`],
    ['', `''`],
    ["it's", `'it'\\''s'`],
    ["''", `''\\'''\\'''`],
    ['$(id) `id` ; \n', `'$(id) \`id\` ; \n'`],
  ])('quotes %j as %s', (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });

  it('refuses NUL, which no command line can carry', () => {
    expect(argError(() => shellQuote('a\0b')).field).toBe('argument');
  });

  it('round-trips hostile strings through a real POSIX shell unchanged', () => {
    const values = ["it's", '$(touch /tmp/never)', '`id`', 'a;b', 'new\nline', '  spaced  ', '*', '!x', '\\'];
    const script = `printf '%s\\0' ${values.map(shellQuote).join(' ')}`;
    const out = execFileSync('/bin/sh', ['-c', script]).toString('utf8');
    expect(out.split('\0').slice(0, -1)).toEqual(values);
  });

  it('shellJoin quotes every word', () => {
    expect(shellJoin(['gluster', 'volume', 'info', 'a b'])).toBe(`'gluster' 'volume' 'info' 'a b'`);
  });
});

describe('describeValue (messages never echo dangerous bytes raw)', () => {
  it.each([
    ['x;touch pwned', '"x\\u003btouch pwned"'],
    ['a\nb', '"a\\u000ab"'],
    ['$(id)', '"\\u0024\\u0028id\\u0029"'],
    ['', '(empty)'],
  ])('%j → %s', (input, expected) => {
    expect(describeValue(input)).toBe(expected);
  });

  it('caps long values', () => {
    expect(describeValue('a'.repeat(100))).toBe(`"${'a'.repeat(40)}…"`);
  });

  it('names the type of non-strings', () => {
    expect(describeValue(5)).toBe('(number)');
    expect(describeValue(null)).toBe('(null)');
  });
});

describe('validateVolumeName', () => {
  it.each(['mastervol', 'slave_vol-2', 'A', '_x', '9lives', 'gluster_shared_storage', 'v'.repeat(64)])(
    'accepts %j',
    (v) => {
      expect(validateVolumeName(v)).toBe(v);
    },
  );

  it.each([
    ...HOSTILE,
    'vol.1', // gluster does not allow dots
    '-vol',
    'v'.repeat(65),
    'all',
    'volume',
    'force',
    'a/b',
  ])('rejects %j', (v) => {
    const err = argError(() => validateVolumeName(v, 'masterVolume'));
    expect(err.field).toBe('masterVolume');
    expectSafeMessage(err.message);
  });

  it('rejects non-strings', () => {
    expect(argError(() => validateVolumeName(undefined)).message).toContain('must be a string');
    expect(argError(() => validateVolumeName(42)).message).toContain('must be a string');
  });
});

describe('validateHost', () => {
  it.each([
    'vm',
    'gluster-1.example.com',
    'a.b.c',
    '10.200.0.2',
    '192.0.2.2',
    '::1',
    'fe80::1',
    '2001:db8::8a2e:370:7334',
    '::ffff:192.0.2.1',
  ])('accepts %j', (h) => {
    expect(validateHost(h)).toBe(h);
  });

  it.each([
    ...HOSTILE,
    '-host',
    'host-',
    'a..b',
    '.a',
    'a.',
    '999.1.1.1',
    '1.2.3',
    '01.2.3.4',
    'a'.repeat(64),
    'fe80::1%eth0',
    '1::2::3',
    'user@host',
    'host:22',
    '_x',
  ])('rejects %j', (h) => {
    const err = argError(() => validateHost(h, 'slaveHost'));
    expect(err.field).toBe('slaveHost');
    expectSafeMessage(err.message);
  });

  it('IPv4/IPv6 helpers', () => {
    expect(isIPv4('255.255.255.255')).toBe(true);
    expect(isIPv4('256.1.1.1')).toBe(false);
    expect(isIPv6('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIPv6('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isIPv6('1:2:3:4:5:6:7::')).toBe(true);
    expect(isIPv6('::')).toBe(true);
    expect(isIPv6('12345::')).toBe(false);
  });
});

describe('user and group names', () => {
  it.each(['root', 'geoaccount', '_svc', 'geo-user_1', 'a'.repeat(32)])('accepts %j', (u) => {
    expect(validateUserName(u)).toBe(u);
    expect(validateGroupName(u)).toBe(u);
  });

  it.each([...HOSTILE, 'Root', '1user', '-user', 'a'.repeat(33), 'user@host', 'us.er'])('rejects %j', (u) => {
    const err = argError(() => validateUserName(u));
    expect(err.field).toBe('user');
    expectSafeMessage(err.message);
    expect(argError(() => validateGroupName(u)).field).toBe('group');
  });
});

describe('paths', () => {
  it.each(['/srv/gluster-lab/bricks/master1', '/var/mountbroker-root', '/a', '/data/brick_1/.hidden'])(
    'accepts %j',
    (p) => {
      expect(validateBrickPath(p)).toBe(p);
      expect(validateAbsolutePath(p)).toBe(p);
    },
  );

  it.each([
    ...HOSTILE,
    '/',
    'relative/path',
    '/a/../etc',
    '/a/./b',
    '/a//b',
    '/a/',
    '/a b',
    `/${'a'.repeat(1100)}`,
    '/a;b',
    '/$(id)',
  ])('rejects %j', (p) => {
    const err = argError(() => validateBrickPath(p));
    expect(err.field).toBe('brickPath');
    expectSafeMessage(err.message);
  });
});

describe('ports and uuids', () => {
  it('ports', () => {
    expect(validatePort(22)).toBe(22);
    expect(validatePort('2222')).toBe(2222);
    for (const bad of [0, 65536, -1, 1.5, '22x', '', 'x;y', NaN]) {
      expect(argError(() => validatePort(bad)).field).toBe('port');
    }
  });

  it('uuids', () => {
    expect(validateUuid('3FA05CEB-2622-4264-839E-BD1054BFE2C7')).toBe('3fa05ceb-2622-4264-839e-bd1054bfe2c7');
    expect(argError(() => validateUuid('3fa05ceb')).field).toBe('uuid');
  });
});
