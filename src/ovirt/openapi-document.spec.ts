import { searchExample } from './openapi-document';
import { parseSearch, SearchSpec } from './search';

describe('searchExample', () => {
  const specs: Record<string, SearchSpec> = {
    'a text field': {
      fields: { index: { column: 'id', type: 'number' }, name: { column: 'name' } },
      defaultSort: 'index',
    },
    'an enum only': { fields: { status: { column: 'status', values: ['up', 'down'] } }, defaultSort: 'status' },
    'a number only': { fields: { index: { column: 'id', type: 'number' } }, defaultSort: 'index' },
    'a date only': { fields: { time: { column: 'time', type: 'date' } }, defaultSort: 'time' },
  };

  it('is a search the list takes, whatever its fields', () => {
    expect(Object.fromEntries(Object.entries(specs).map(([what, spec]) => [what, searchExample(spec)]))).toEqual({
      'a text field': 'name=a* sortby index desc',
      'an enum only': 'status=up sortby status desc',
      'a number only': 'index>=0 sortby index desc',
      'a date only': 'sortby time desc',
    });
    for (const spec of Object.values(specs)) expect(() => parseSearch(searchExample(spec), spec)).not.toThrow();
  });

  it('never puts a wildcard on a number (the events example did)', () => {
    const events: SearchSpec = {
      fields: { index: { column: 'e.id', type: 'number' }, description: { column: 'e.description' } },
      defaultSort: 'index',
      defaultDescending: true,
    };
    expect(searchExample(events)).toBe('description=a* sortby index desc');
    expect(() => parseSearch('index=a* sortby index desc', events)).toThrow();
  });
});
