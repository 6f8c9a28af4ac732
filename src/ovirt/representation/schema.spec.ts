import { HostSchema } from './sample.fixture';
import {
  actionSchema,
  bool,
  CreateInputOf,
  enumOf,
  int,
  list,
  obj,
  ref,
  resource,
  str,
  UpdateInputOf,
  ViewOf,
} from './schema';

describe('schema DSL', () => {
  it('orders fields like oVirt: name, description, comment, then the rest as declared', () => {
    const S = resource('thing', 'things', {
      size: int(),
      comment: str(),
      description: str(),
      name: str(),
      other: bool(),
    });
    expect(S.order).toEqual(['name', 'description', 'comment', 'size', 'other']);
    expect(HostSchema.order.slice(0, 4)).toEqual(['name', 'description', 'address', 'cluster']);
  });

  it('records the flags', () => {
    expect(str()).toMatchObject({ optional: false, readOnly: false, writeOnly: false });
    expect(str({ optional: true, writeOnly: true })).toMatchObject({
      optional: true,
      readOnly: false,
      writeOnly: true,
    });
    expect(int({ readOnly: true })).toMatchObject({ kind: 'int', readOnly: true, min: -2147483648, max: 2147483647 });
    expect(list('x', str()).maxItems).toBe(1000);
  });

  it.each([
    ['a field named id', () => obj('o', { id: str() })],
    ['a field named link', () => resource('r', 'rs', { link: str() })],
    ['a field named actions', () => obj('o', { actions: str() })],
    ['a camelCase field', () => obj('o', { fooBar: str() })],
    ['a __proto__ field', () => obj('o', JSON.parse('{"__proto__": {"kind": "string"}}'))],
    ['an upper-case enum value', () => enumOf(['UP'])],
    ['an empty enum', () => enumOf([])],
    ['a stateful pattern', () => str({ pattern: /x/g })],
    ['a case-insensitive pattern', () => str({ pattern: /x/i })],
    ['an inverted range', () => int({ min: 5, max: 1 })],
    ['a range beyond int32', () => int({ max: 2 ** 31 })],
    ['readOnly and writeOnly at once', () => str({ readOnly: true, writeOnly: true })],
    ['an action parameter named status', () => actionSchema({ status: str() })],
    ['an upper-case action name', () => resource('r', 'rs', {}, { actions: ['Start'] })],
    ['a bad type name', () => ref('Cluster')],
  ])('refuses %s', (_label, make) => {
    expect(make).toThrow();
  });

  it('derives view and input types from the schema', () => {
    // These lines are checked by tsc (npm run typecheck), not at run time.
    const view: ViewOf<typeof HostSchema> = {
      name: 'n',
      address: 'a',
      cluster: { id: '1' },
      status: 'up',
      ssh: { port: 22, user: 'u' },
      created: new Date(),
    };
    // @ts-expect-error status must be one of the enum values
    const badStatus: ViewOf<typeof HostSchema> = { ...view, status: 'sideways' };
    // @ts-expect-error writeOnly fields are not part of a view
    const withSecret: ViewOf<typeof HostSchema> = { ...view, root_password: 'x' };
    // @ts-expect-error non-optional fields are required in a view
    const missing: ViewOf<typeof HostSchema> = { name: 'n' };

    const create: CreateInputOf<typeof HostSchema> = {
      name: 'n',
      address: 'a',
      cluster: { name: 'c' },
      ssh: { port: 1, user: 'u' },
    };
    // @ts-expect-error readOnly fields are not part of an input
    const createStatus: CreateInputOf<typeof HostSchema> = { ...create, status: 'up' };
    const update: UpdateInputOf<typeof HostSchema> = { description: null, ssh: { port: 2 } };
    // @ts-expect-error only optional fields can be cleared
    const clearName: UpdateInputOf<typeof HostSchema> = { name: null };
    expect([view, badStatus, withSecret, missing, create, createStatus, update, clearName]).toHaveLength(8);
  });
});
