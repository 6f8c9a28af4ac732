import { OvirtFault } from './faults';
import { booleanParam, followParam, LARGEST_MAX, MAX_MAX, maxParam, parseOvirtBoolean, singleParam } from './query';

function detailOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(OvirtFault);
    return (e as OvirtFault).detail;
  }
  throw new Error('no fault');
}

describe('query parameters', () => {
  it('reads oVirt boolean spellings in any case', () => {
    for (const t of ['t', 'true', 'Y', 'yes', '1', ' TRUE ']) expect(parseOvirtBoolean(t)).toBe(true);
    for (const f of ['f', 'False', 'n', 'NO', '0']) expect(parseOvirtBoolean(f)).toBe(false);
    for (const bad of ['', 'maybe', '2', 'on']) expect(parseOvirtBoolean(bad)).toBeUndefined();
    expect(booleanParam({ force: 'yes' }, 'force', false)).toBe(true);
    expect(booleanParam({}, 'force', false)).toBe(false);
    expect(booleanParam({ force: '' }, 'force', false)).toBe(true);
    expect(detailOf(() => booleanParam({ force: 'maybe' }, 'force', false))).toBe(
      'force: must be true or false (t, true, y, yes, 1 / f, false, n, no, 0), got "maybe"',
    );
  });

  it('takes max up to LARGEST_MAX (what the OpenAPI document says), counting more than MAX_MAX as MAX_MAX', () => {
    expect(maxParam({ max: String(LARGEST_MAX) })).toBe(MAX_MAX);
    expect(maxParam({ max: String(MAX_MAX + 1) })).toBe(MAX_MAX);
    expect(maxParam({ max: '-1' })).toBeUndefined();
    expect(detailOf(() => maxParam({ max: String(LARGEST_MAX + 1) }))).toContain('max: must be a whole number');
    expect(detailOf(() => maxParam({ max: '-2' }))).toContain('max: must be a whole number');
  });

  it('refuses a parameter given twice or as an object', () => {
    expect(detailOf(() => singleParam({ max: ['1', '2'] }, 'max'))).toBe('max: must be given once, as a plain value');
    expect(detailOf(() => singleParam({ max: { a: '1' } }, 'max'))).toBe('max: must be given once, as a plain value');
  });

  it('reads max: -1 or nothing for all, capped', () => {
    expect(maxParam({})).toBeUndefined();
    expect(maxParam({ max: '-1' })).toBeUndefined();
    expect(maxParam({ max: '0' })).toBe(0);
    expect(maxParam({ max: '25' })).toBe(25);
    expect(maxParam({ max: '999999999' })).toBe(100_000);
    for (const bad of ['abc', '-2', '1.5', '1e3', '']) {
      expect(detailOf(() => maxParam({ max: bad }))).toMatch(/^max: must be a whole number, -1 for all/);
    }
  });

  it('reads follow as distinct direct link names', () => {
    expect(followParam({})).toEqual([]);
    expect(followParam({ follow: 'cluster, cluster,hosts' })).toEqual(['cluster', 'hosts']);
    expect(detailOf(() => followParam({ follow: 'cluster.hosts' }))).toBe(
      'follow: only direct links can be followed (got "cluster.hosts")',
    );
    expect(detailOf(() => followParam({ follow: 'a;b' }))).toBe(
      'follow: must be a comma-separated list of link names (got "a;b")',
    );
  });
});
