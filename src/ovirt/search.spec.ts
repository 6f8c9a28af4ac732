import { OvirtFault } from './faults';
import { likePattern, matchesSearchValue, orderedValues, parseSearch, SearchSpec } from './search';

const spec: SearchSpec = {
  fields: {
    name: { column: 'h.name' },
    address: { column: 'h.address' },
    status: { column: 'h.status', values: ['up', 'unknown', 'non_responsive'] },
  },
  defaultSort: 'name',
};

function fault(text: string): string {
  try {
    parseSearch(text, spec);
  } catch (e) {
    expect(e).toBeInstanceOf(OvirtFault);
    expect((e as OvirtFault).status).toBe(400);
    return (e as OvirtFault).detail;
  }
  throw new Error(`no fault for ${text}`);
}

const events: SearchSpec = {
  fields: {
    severity: { column: 'e.severity', values: ['normal', 'warning', 'error', 'alert'], ordered: true },
    code: { column: 'e.code', type: 'number' },
    time: { column: 'e.time', type: 'date' },
    origin: { column: 'e.origin' },
  },
  defaultSort: 'time',
  defaultDescending: true,
};

describe('parseSearch comparisons', () => {
  it('compares numbers, dates and ordered enums; dates become epoch ms', () => {
    expect(parseSearch('severity>=warning and code<11000 and time>2026-11-30T01:00:00+01:00', events)).toEqual({
      conditions: [
        { field: 'severity', negate: false, value: 'warning', comparison: '>=' },
        { field: 'code', negate: false, value: '11000', comparison: '<' },
        { field: 'time', negate: false, value: String(Date.UTC(2026, 10, 30)), comparison: '>' },
      ],
      sort: { field: 'time', descending: true },
    });
    expect(parseSearch('code=4596', events).conditions).toEqual([{ field: 'code', negate: false, value: '4596' }]);
    expect(parseSearch('sortby code', events).sort).toEqual({ field: 'code', descending: false });
  });

  it('refuses comparisons of text, wildcards in comparisons, and values of the wrong type', () => {
    const detail = (text: string) => {
      try {
        parseSearch(text, events);
      } catch (e) {
        return (e as OvirtFault).detail;
      }
      throw new Error(`no fault for ${text}`);
    };
    expect(detail('origin>a')).toBe('search: origin can only be compared with = or !=');
    expect(detail('severity>warn*')).toBe('search: a wildcard cannot be compared with >');
    expect(detail('code=12a')).toBe('search: code must be a whole number (got "12a")');
    expect(detail('time>yesterday')).toMatch(/^search: time must be an ISO 8601 date and time/);
    expect(detail('time>2026-11-30')).toMatch(/^search: time must be an ISO 8601 date and time/);
  });

  it('keeps numbers within the range of their column: integer unless the field says otherwise', () => {
    expect(() => parseSearch('code=2147483648', events)).toThrow(
      'code must be between -2147483648 and 2147483647 (got 2147483648)',
    );
    expect(() => parseSearch('code>-2147483649', events)).toThrow(
      'code must be between -2147483648 and 2147483647 (got -2147483649)',
    );
    expect(parseSearch('code=2147483647', events).conditions[0].value).toBe('2147483647');
    const wide: SearchSpec = {
      fields: { index: { column: 'e.id', type: 'number', range: [0, Number.MAX_SAFE_INTEGER] } },
      defaultSort: 'index',
    };
    expect(parseSearch('index>999999999999999', wide).conditions[0].value).toBe('999999999999999');
    expect(() => parseSearch('index>-1', wide)).toThrow('index must be between 0 and 9007199254740991 (got -1)');
  });

  it('lists the ordered values a comparison keeps', () => {
    const order = ['normal', 'warning', 'error', 'alert'];
    expect(orderedValues(order, '>=', 'warning')).toEqual(['warning', 'error', 'alert']);
    expect(orderedValues(order, '>', 'warning')).toEqual(['error', 'alert']);
    expect(orderedValues(order, '<', 'error')).toEqual(['normal', 'warning']);
    expect(orderedValues(order, '<=', 'normal')).toEqual(['normal']);
  });
});

describe('parseSearch', () => {
  it('defaults to no conditions, sorted by the default field', () => {
    expect(parseSearch(undefined, spec)).toEqual({ conditions: [], sort: { field: 'name', descending: false } });
    expect(parseSearch('   ', spec)).toEqual({ conditions: [], sort: { field: 'name', descending: false } });
  });

  it('reads clauses joined by and, wildcards, negation, quotes and sortby', () => {
    expect(parseSearch('name=gluster* and status!=up sortby address desc', spec)).toEqual({
      conditions: [
        { field: 'name', negate: false, value: 'gluster*' },
        { field: 'status', negate: true, value: 'up' },
      ],
      sort: { field: 'address', descending: true },
    });
    expect(parseSearch('name = "a b\\"c" AND Status=UP', spec).conditions).toEqual([
      { field: 'name', negate: false, value: 'a b"c' },
      { field: 'status', negate: false, value: 'up' },
    ]);
    expect(parseSearch('sortby status', spec)).toEqual({
      conditions: [],
      sort: { field: 'status', descending: false },
    });
    expect(parseSearch('status=non*', spec).conditions[0].value).toBe('non*');
  });

  it('refuses what it does not support, saying why', () => {
    expect(fault('colour=red')).toBe('search: cannot search by "colour" (possible: name, address, status)');
    expect(fault('name=a or name=b')).toBe('search: only "and" can join conditions');
    expect(fault('name=a name=b')).toBe('search: expected "and" or "sortby" at position 8');
    expect(fault('name')).toBe('search: expected an operator (=, !=, <, <=, >, >=) after name');
    expect(fault('name=')).toBe('search: expected a value for name at the end');
    expect(fault('status=sideways')).toBe('search: status must be one of up, unknown, non_responsive (got "sideways")');
    expect(fault('sortby name desc and name=a')).toMatch(/^search: sortby must come last/);
    expect(fault('sortby colour')).toMatch(/^search: cannot search by "colour"/);
    expect(fault('page 2')).toBe('search: "page" is not supported; use max');
    expect(fault('name="unterminated')).toMatch(/^search: unexpected/);
    expect(fault('name="a\u0001b"')).toBe('search: the value for name contains control characters');
    expect(fault('x'.repeat(1001))).toBe('search: longer than 1000 characters');
    expect(fault(Array.from({ length: 21 }, () => 'name=a').join(' and '))).toBe('search: more than 20 conditions');
  });
});

describe('likePattern', () => {
  it('turns * into % and keeps %, _ and \\ literal', () => {
    expect(likePattern('gl*ster_1%\\')).toBe('gl%ster\\_1\\%\\\\');
  });
});

describe('matchesSearchValue', () => {
  it.each([
    ['gluster*', 'gluster1', true],
    ['gluster*', 'gluster', true],
    ['gluster*', 'glust', false],
    ['*vol', 'mastervol', true],
    ['*vol', 'mastervol2', false],
    ['m*r*l', 'mastervol', true],
    ['m*r*l', 'mastrvo', false],
    ['*', '', true],
    ['**', 'x', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['ab*ba', 'aba', false],
    ['*aab*', 'xaaab', true],
    ['*abab*c', 'abaabc', false],
    ['*abab*c', 'abababc', true],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['.*', 'anything', false],
    ['a.c', 'abc', false],
    ['[ab]', 'a', false],
    ['x+', 'xx', false],
    ['%_', '%_', true],
    ['%_', 'ab', false],
  ])('%s against %s: %s', (value, text, expected) => {
    expect(matchesSearchValue(value, text)).toBe(expected);
  });

  it('ignores case when asked to', () => {
    expect(matchesSearchValue('Gl*R', 'glUSTer')).toBe(false);
    expect(matchesSearchValue('Gl*R', 'glUSTer', false)).toBe(true);
    expect(matchesSearchValue('MASTER', 'master', false)).toBe(true);
  });

  // A backtracking matcher (a RegExp of .* pieces) takes years on these; the test then never finishes.
  it('answers stars followed by a character that is not there without backtracking', () => {
    const name = 'a'.repeat(100_000);
    expect(matchesSearchValue(`${'*'.repeat(30)}#`, name)).toBe(false);
    expect(matchesSearchValue(`${'*a'.repeat(400)}#`, name)).toBe(false);
    expect(matchesSearchValue(`${'*a'.repeat(400)}*`, name)).toBe(true);
    expect(matchesSearchValue(`${'a*'.repeat(400)}b*a`, name)).toBe(false);
    expect(matchesSearchValue(`*${'a'.repeat(499)}b*`, name)).toBe(false);
    expect(matchesSearchValue(`${'*'.repeat(11)}#`, 'x'.repeat(30), false)).toBe(false);
  });
});
