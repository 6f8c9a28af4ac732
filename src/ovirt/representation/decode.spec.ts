import { decodeBody, DecodeMode, readBody } from './decode';
import { BodyError } from './errors';
import { parseBody } from './parse';
import { HostSchema, StartAction } from './sample.fixture';
import { date, enumOf, list, obj, ref, resource, str } from './schema';

const Notify = obj('action', {
  level: enumOf(['normal', 'warning']),
  hosts: list('host', ref('host'), { optional: true }),
  at: date({ optional: true }),
});

function read(text: string, format: 'xml' | 'json', mode: DecodeMode = 'create'): Record<string, unknown> {
  return decodeBody(HostSchema, parseBody(text, format, 'host'), { mode, format });
}

function bodyError(fn: () => unknown): BodyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BodyError) return e;
    throw new Error(`expected a BodyError, got ${String(e)}`);
  }
  throw new Error('expected a BodyError, nothing was thrown');
}

const XML_HOST = (inner: string): string =>
  `<host><name>h1</name><address>192.0.2.1</address><cluster id="c1000000-0000-4000-8000-000000000001"/><ssh><port>22</port><user>root</user></ssh>${inner}</host>`;
const JSON_HOST = (extra: Record<string, unknown>): string =>
  JSON.stringify({
    name: 'h1',
    address: '192.0.2.1',
    cluster: { id: 'c1000000-0000-4000-8000-000000000001' },
    ssh: { port: 22, user: 'root' },
    ...extra,
  });

describe('decodeBody: coercion', () => {
  it('decodes a full XML create body into typed values', () => {
    const input = decodeBody(
      HostSchema,
      parseBody(
        `<host>
          <name>gluster1</name>
          <description>first</description>
          <address>192.0.2.10</address>
          <cluster id="45600000-0000-4000-8000-000000000456" href="/ovirt-engine/api/clusters/45600000-0000-4000-8000-000000000456"/>
          <ssh><port> 2222 </port><user>root</user></ssh>
          <root_password>s3cret</root_password>
          <options><option><name>a</name><value>1</value></option></options>
          <gluster_service>TRUE</gluster_service>
          <last_seen>2026-11-22T05:30:00.5+01:00</last_seen>
          <size>1099511627776</size>
        </host>`,
        'xml',
        'host',
      ),
      { mode: 'create', format: 'xml' },
    );
    // The static type follows the schema: ssh.port is a number, last_seen a Date.
    const port: number = input.ssh.port;
    const seen: Date | undefined = input.last_seen;
    expect(port).toBe(2222);
    expect(seen?.toISOString()).toBe('2026-11-22T04:30:00.500Z');
    expect(input).toEqual({
      name: 'gluster1',
      description: 'first',
      address: '192.0.2.10',
      cluster: { id: '45600000-0000-4000-8000-000000000456' },
      ssh: { port: 2222, user: 'root' },
      root_password: 's3cret',
      options: [{ name: 'a', value: '1' }],
      gluster_service: true,
      last_seen: new Date('2026-11-22T04:30:00.500Z'),
      size: 1099511627776,
    });
  });

  it.each([
    ['true', true],
    ['False', false],
    [' TRUE ', true],
    ['1', true],
    ['0', false],
  ])('reads the XML boolean %j', (text, value) => {
    expect(read(XML_HOST(`<gluster_service>${text}</gluster_service>`), 'xml').gluster_service).toBe(value);
  });

  it('takes native JSON types, and the string forms oVirt clients send', () => {
    const native = read(JSON_HOST({ gluster_service: true, size: 5, last_seen: 1795321800123 }), 'json');
    const strings = read(
      JSON_HOST({ ssh: { port: '22', user: 'root' }, gluster_service: 'true', size: '5', last_seen: '1795321800123' }),
      'json',
    );
    expect(strings).toEqual(native);
    expect(native.last_seen).toEqual(new Date(1795321800123));
    expect(read(JSON_HOST({ last_seen: '2026-11-22T04:30:00Z' }), 'json').last_seen).toEqual(
      new Date('2026-11-22T04:30:00Z'),
    );
  });

  it('matches enums case-insensitively and returns them lower case', () => {
    const S = resource('s', 'ss', { mode: list('mode', str({ values: ['A', 'b'] }), { optional: true }) });
    expect(decodeBody(S, { mode: { mode: ['A', 'b'] } }, { mode: 'create', format: 'json' })).toEqual({
      mode: ['A', 'b'],
    });
    expect(decodeBody(Notify, { level: ' NORMAL ' }, { mode: 'action', format: 'json' })).toEqual({ level: 'normal' });
    expect(bodyError(() => decodeBody(Notify, { level: 'loud' }, { mode: 'action', format: 'json' })).detail).toBe(
      'level: must be one of: normal, warning (got "loud")',
    );
  });

  it('reads lists of references', () => {
    const tree = parseBody(
      '<action><level>warning</level><hosts><host id="a0000000-0000-4000-8000-00000000000a"/><host><name>b</name></host></hosts></action>',
      'xml',
      'action',
    );
    expect(decodeBody(Notify, tree, { mode: 'action', format: 'xml' })).toEqual({
      level: 'warning',
      hosts: [{ id: 'a0000000-0000-4000-8000-00000000000a' }, { name: 'b' }],
    });
  });

  it('accepts references by id or by name, and ignores their href', () => {
    expect(
      read(
        XML_HOST('').replace(
          '<cluster id="c1000000-0000-4000-8000-000000000001"/>',
          '<cluster><name>Default</name></cluster>',
        ),
        'xml',
      ).cluster,
    ).toEqual({ name: 'Default' });
    expect(
      read(JSON_HOST({ cluster: { id: 'c2000000-0000-4000-8000-000000000002', href: '/x' } }), 'json').cluster,
    ).toEqual({ id: 'c2000000-0000-4000-8000-000000000002' });
    expect(
      read(
        XML_HOST('').replace(
          '<cluster id="c1000000-0000-4000-8000-000000000001"/>',
          '<cluster><id>c3000000-0000-4000-8000-000000000003</id></cluster>',
        ),
        'xml',
      ).cluster,
    ).toEqual({ id: 'c3000000-0000-4000-8000-000000000003' });
    expect(read(JSON_HOST({ cluster: { id: ' C1000000-0000-4000-8000-00000000000A ' } }), 'json').cluster).toEqual({
      id: 'c1000000-0000-4000-8000-00000000000a',
    });
  });

  it('reads lists with one item, many items or none', () => {
    expect(read(XML_HOST('<options><option><name>a</name><value>1</value></option></options>'), 'xml').options).toEqual(
      [{ name: 'a', value: '1' }],
    );
    expect(read(XML_HOST('<options/>'), 'xml').options).toEqual([]);
    expect(read(JSON_HOST({ options: { option: [] } }), 'json').options).toEqual([]);
    expect(read(JSON_HOST({ options: {} }), 'json').options).toEqual([]);
  });

  it('accepts an empty string for an optional text field', () => {
    expect(read(XML_HOST('<description/>'), 'xml').description).toBe('');
  });
});

describe('decodeBody: modes', () => {
  it('create: lists every missing required field, nested ones too', () => {
    const error = bodyError(() => read('<host><ssh><port>22</port></ssh></host>', 'xml'));
    expect(error.detail).toBe('ssh.user: required; name: required; address: required; cluster: required');
    expect(error.reason).toBe('Incomplete parameters');
    expect(error.issues).toContainEqual({ path: 'ssh.user', message: 'required' });
  });

  it('update: nothing is required, nested objects are partial, null clears an optional field', () => {
    expect(read('<host><ssh><port>2022</port></ssh></host>', 'xml', 'update')).toEqual({ ssh: { port: 2022 } });
    expect(read('{"description": null, "gluster_service": null}', 'json', 'update')).toEqual({
      description: null,
      gluster_service: null,
    });
    expect(bodyError(() => read('{"name": null}', 'json', 'update')).detail).toBe('name: cannot be null');
  });

  it('create: null counts as absent', () => {
    expect(read(JSON_HOST({ description: null }), 'json')).not.toHaveProperty('description');
    expect(bodyError(() => read(JSON_HOST({ name: null }), 'json')).detail).toBe('name: required');
  });

  it('ignores id, href, link, actions and read-only fields, so a GET result can be sent back', () => {
    const echoed = `<host id="123" href="/ovirt-engine/api/hosts/123">
      <actions><link rel="start" href="/ovirt-engine/api/hosts/123/start"/></actions>
      <name>renamed</name>
      <status>up</status>
      <ssh><port>22</port><user>root</user><fingerprint>SHA256:abc</fingerprint></ssh>
      <created>not even a date</created>
      <link rel="bricks" href="/ovirt-engine/api/hosts/123/bricks"/>
      <link rel="statistics" href="/ovirt-engine/api/hosts/123/statistics"/>
    </host>`;
    expect(read(echoed, 'xml', 'update')).toEqual({ name: 'renamed', ssh: { port: 22, user: 'root' } });
  });

  it('action: reads parameters, ignores the envelope, rejects unknown parameters', () => {
    const read = (text: string): Record<string, unknown> =>
      decodeBody(StartAction, parseBody(text, 'xml', 'action'), { mode: 'action', format: 'xml' });
    expect(read('<action/>')).toEqual({});
    expect(read('<action><force>true</force><async>false</async><status>complete</status></action>')).toEqual({
      force: true,
      async: false,
    });
    expect(bodyError(() => read('<action><forse>true</forse></action>')).detail).toBe('forse: unknown field');
    const typed = decodeBody(StartAction, { force: true }, { mode: 'action', format: 'json' });
    const force: boolean | undefined = typed.force;
    expect(force).toBe(true);
  });
});

describe('readBody', () => {
  it('parses with the schema type as the XML root, then decodes', () => {
    expect(readBody(StartAction, '<action><force>1</force></action>', { mode: 'action', format: 'xml' })).toEqual({
      force: true,
    });
    expect(readBody(HostSchema, '\ufeff' + JSON_HOST({}), { mode: 'create', format: 'json' })).toMatchObject({
      name: 'h1',
    });
    expect(bodyError(() => readBody(StartAction, '<host/>', { mode: 'action', format: 'xml' })).detail).toBe(
      'expected root element <action>, got <host>',
    );
    expect(
      bodyError(() => readBody(StartAction, '<action/>', { mode: 'action', format: 'xml', limits: { maxLength: 3 } }))
        .detail,
    ).toBe('body larger than 3 characters');
  });
});

describe('decodeBody: messages', () => {
  it('collects every problem in one line', () => {
    const error = bodyError(() =>
      read(XML_HOST('<bogus/>').replace('<port>22</port>', '<port>abc</port>').replace('<name>h1</name>', ''), 'xml'),
    );
    expect(error.detail).toBe(
      'ssh.port: must be an integer between 1 and 65535 (got "abc"); bogus: unknown field; name: required',
    );
    expect(error.reason).toBe('Invalid request body');
  });

  it('never echoes a secret, more than 100 characters, or control characters', () => {
    const secret = bodyError(() => read(JSON_HOST({ root_password: 42 }), 'json'));
    expect(secret.detail).toBe('root_password: must be a string');
    const long = bodyError(() => read(JSON_HOST({ gluster_service: 'y'.repeat(5000) }), 'json'));
    expect(long.detail).toBe(`gluster_service: must be true or false (got "${'y'.repeat(100)}…")`);
    const control = bodyError(() => read(JSON_HOST({ address: 'a\u0000b\u202ec\r\nd' }), 'json'));
    expect(control.detail).toBe('address: must not contain control characters');
    const pattern = bodyError(() => read(JSON_HOST({ address: 'a b\u202e' }), 'json'));
    expect(pattern.detail).toBe('address: must be a host name or an IP address (got "a b\\u202e")');
    const key = bodyError(() => read(JSON_HOST({ ['x\u0007'.repeat(50)]: 1 }), 'json'));
    expect(key.detail).toMatch(/^"(x\\u0007){20}…": unknown field$/);
  });

  it('shows at most ten problems', () => {
    const fields = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, 1]));
    expect(bodyError(() => read(JSON_HOST(fields), 'json')).detail).toMatch(/f9: unknown field; and 5 more$/);
  });
});

// Full pipeline (parse + decode, create mode): [label, format, body, expected detail]
const rejected: [string, 'xml' | 'json', string, RegExp][] = [
  ['unknown field', 'xml', XML_HOST('<colour>red</colour>'), /^colour: unknown field$/],
  [
    'unknown nested field',
    'json',
    JSON_HOST({ ssh: { port: 22, user: 'root', key: 'x' } }),
    /^ssh\.key: unknown field$/,
  ],
  [
    'unknown field in a list item',
    'xml',
    XML_HOST('<options><option><name>a</name><value>1</value><x/></option></options>'),
    /^options\.option\[0\]\.x: unknown field$/,
  ],
  [
    'wrong element in a list',
    'xml',
    XML_HOST('<options><opt/></options>'),
    /^options\.opt: unknown field \(the list holds <option> items\)$/,
  ],
  [
    'JSON list as a bare array',
    'json',
    JSON_HOST({ options: [{ name: 'a', value: '1' }] }),
    /^options: must be a list: \{"option": \[\.\.\.\]\}$/,
  ],
  [
    'JSON list item not an array',
    'json',
    JSON_HOST({ options: { option: { name: 'a', value: '1' } } }),
    /^options\.option: must be a list/,
  ],
  [
    'too many list items',
    'json',
    JSON_HOST({ options: { option: Array(6).fill({ name: 'a', value: 'b' }) } }),
    /^options: must have at most 5 items$/,
  ],
  ['null list item', 'json', JSON_HOST({ options: { option: [null] } }), /^options\.option\[0\]: cannot be null$/],
  ['number for a string (JSON)', 'json', JSON_HOST({ name: 42 }), /^name: must be a string \(got 42\)$/],
  ['object for a string (JSON)', 'json', JSON_HOST({ name: { a: 1 } }), /^name: must be a string \(got an object\)$/],
  [
    'elements for a string (XML)',
    'xml',
    XML_HOST('').replace('<name>h1</name>', '<name><first>h</first></name>'),
    /^name: must be text, not nested elements$/,
  ],
  [
    'text for an object',
    'xml',
    XML_HOST('').replace(/<ssh>.*<\/ssh>/, '<ssh>22</ssh>'),
    /^ssh: must be an object \(got "22"\)$/,
  ],
  ['array for an object (JSON)', 'json', JSON_HOST({ ssh: [22] }), /^ssh: must be an object \(got a list\)$/],
  [
    'string for an integer',
    'xml',
    XML_HOST('').replace('<port>22</port>', '<port>twenty</port>'),
    /^ssh\.port: must be an integer between 1 and 65535 \(got "twenty"\)$/,
  ],
  [
    'fraction for an integer',
    'json',
    JSON_HOST({ ssh: { port: 22.5, user: 'root' } }),
    /^ssh\.port: must be an integer between 1 and 65535 \(got 22\.5\)$/,
  ],
  [
    'out of range',
    'xml',
    XML_HOST('').replace('<port>22</port>', '<port>70000</port>'),
    /^ssh\.port: must be an integer between 1 and 65535 \(got "70000"\)$/,
  ],
  ['negative out of range', 'json', JSON_HOST({ ssh: { port: -1, user: 'root' } }), /between 1 and 65535 \(got -1\)$/],
  [
    'long beyond safe integers',
    'json',
    JSON_HOST({ size: '9007199254740993' }),
    /^size: must be an integer between -9007199254740991 and 9007199254740991/,
  ],
  ['hex number', 'xml', XML_HOST('<size>0x10</size>'), /^size: must be an integer/],
  [
    'bad boolean',
    'xml',
    XML_HOST('<gluster_service>yes</gluster_service>'),
    /^gluster_service: must be true or false \(got "yes"\)$/,
  ],
  [
    'number for a boolean (JSON)',
    'json',
    JSON_HOST({ gluster_service: 2 }),
    /^gluster_service: must be true or false \(got 2\)$/,
  ],
  [
    'date without offset',
    'xml',
    XML_HOST('<last_seen>2026-11-22T04:30:00</last_seen>'),
    /^last_seen: must be an ISO 8601 date-time with offset/,
  ],
  [
    'impossible date',
    'xml',
    XML_HOST('<last_seen>2026-02-30T04:30:00Z</last_seen>'),
    /^last_seen: must be an ISO 8601 date-time/,
  ],
  [
    'epoch date in XML',
    'xml',
    XML_HOST('<last_seen>1795321800123</last_seen>'),
    /^last_seen: must be an ISO 8601 date-time/,
  ],
  ['too long', 'json', JSON_HOST({ name: 'n'.repeat(51) }), /^name: must be at most 50 characters long$/],
  [
    'pattern',
    'xml',
    XML_HOST('').replace('<name>h1</name>', '<name>h 1; rm -rf /</name>'),
    /^name: must be letters, digits, dots, dashes or underscores \(got "h 1; rm -rf \/"\)$/,
  ],
  [
    'control characters',
    'xml',
    XML_HOST('<description>a\u0001b</description>'),
    /^description: must not contain control characters$/,
  ],
  [
    'control characters (JSON escape)',
    'json',
    JSON_HOST({ description: 'a\u001bb' }),
    /^description: must not contain control characters$/,
  ],
  [
    'duplicate single field',
    'xml',
    XML_HOST('').replace('<name>h1</name>', '<name>a</name><name>b</name>'),
    /^name: must appear only once$/,
  ],
  [
    'duplicate nested field',
    'xml',
    XML_HOST('').replace('<port>22</port>', '<port>1</port><port>2</port>'),
    /^ssh\.port: must appear only once$/,
  ],
  ['duplicate list wrapper', 'xml', XML_HOST('<options/><options/>'), /^options: must appear only once$/],
  [
    'reference without id or name',
    'xml',
    XML_HOST('').replace('<cluster id="c1000000-0000-4000-8000-000000000001"/>', '<cluster/>'),
    /^cluster: must be a reference with an id or a name$/,
  ],
  [
    'reference with a bad id',
    'json',
    JSON_HOST({ cluster: { id: '../../etc' } }),
    /^cluster\.id: is not a valid id \(got "\.\.\/\.\.\/etc"\)$/,
  ],
  [
    'reference with a number for an id',
    'json',
    JSON_HOST({ cluster: { id: '3' } }),
    /^cluster\.id: is not a valid id \(got "3"\)$/,
  ],
  [
    'reference with a number for an id, XML',
    'xml',
    XML_HOST('').replace(/<cluster id="[^"]*"\/>/, '<cluster id="3"/>'),
    /^cluster\.id: is not a valid id \(got "3"\)$/,
  ],
  [
    'reference with an id that is almost a UUID',
    'json',
    JSON_HOST({ cluster: { id: 'c1000000-0000-4000-8000-00000000000g' } }),
    /^cluster\.id: is not a valid id/,
  ],
  [
    'reference with a UUID and more',
    'json',
    JSON_HOST({ cluster: { id: 'c1000000-0000-4000-8000-000000000001;x' } }),
    /^cluster\.id: is not a valid id/,
  ],
  [
    'reference with other fields',
    'json',
    JSON_HOST({ cluster: { id: 'c1000000-0000-4000-8000-000000000001', version: 4 } }),
    /^cluster\.version: unknown field \(a reference takes id or name\)$/,
  ],
  ['reference as a string', 'json', JSON_HOST({ cluster: 'c1' }), /^cluster: must be a reference/],
  ['__proto__ key', 'json', '{"__proto__": {"polluted": true}, "name": "h"}', /^__proto__: unknown field/],
  [
    'nested __proto__ key',
    'json',
    JSON_HOST({}).replace('"ssh":{', '"ssh":{"__proto__":{"polluted":true},'),
    /^ssh\.__proto__: unknown field$/,
  ],
  [
    'constructor key',
    'json',
    JSON_HOST({ constructor: { prototype: { polluted: true } } }),
    /^constructor: unknown field$/,
  ],
  ['toString key', 'json', JSON_HOST({ toString: 'x' }), /^toString: unknown field$/],
  [
    '__proto__ element',
    'xml',
    XML_HOST('<__proto__><polluted>true</polluted></__proto__>'),
    /^__proto__: unknown field$/,
  ],
  [
    'constructor element in a list',
    'xml',
    XML_HOST('<options><constructor/></options>'),
    /^options\.constructor: unknown field/,
  ],
  ['hasOwnProperty element', 'xml', XML_HOST('<hasOwnProperty>1</hasOwnProperty>'), /^hasOwnProperty: unknown field$/],
];

describe('rejected bodies', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it.each(rejected)('%s gives a BodyError', (_label, format, body, message) => {
    const error = bodyError(() => read(body, format));
    expect(error.kind).toBe('validation');
    expect(error.detail).toMatch(message);
    expect(Array.from(error.detail).some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('returns plain objects without inherited surprises', () => {
    const input = read(JSON_HOST({}), 'json');
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(Object.keys(input)).toEqual(['name', 'address', 'cluster', 'ssh']);
  });

  it('rejects bodies that are not objects, whatever the caller passes', () => {
    for (const tree of [null, [], 'x', 42, undefined]) {
      expect(bodyError(() => decodeBody(HostSchema, tree, { mode: 'update', format: 'json' })).detail).toMatch(
        /^must be an object/,
      );
    }
  });
});
