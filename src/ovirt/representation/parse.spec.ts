import { BodyError } from './errors';
import { checkJsonBody, parseBody, parseJsonBody, parseXmlBody } from './parse';

function bodyError(fn: () => unknown): BodyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BodyError) return e;
    throw new Error(`expected a BodyError, got ${String(e)}`);
  }
  throw new Error('expected a BodyError, nothing was thrown');
}

describe('parseXmlBody', () => {
  it('builds a neutral tree: text, id/href attributes, repeated elements as lists', () => {
    const tree = parseXmlBody(
      `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<host id="1" href="/h/1" xmlns="urn:x">
  <name>gluster1</name>
  <description><![CDATA[a <b> & c]]></description>
  <cluster id="456"/>
  <ssh><port> 22 </port></ssh>
  <options><option><name>a</name></option><option><name>b</name></option></options>
  <empty/>
  <spaces>  </spaces>
</host>`,
      'host',
    );
    expect(tree).toEqual({
      id: '1',
      href: '/h/1',
      name: 'gluster1',
      description: 'a <b> & c',
      cluster: { id: '456' },
      ssh: { port: ' 22 ' },
      options: { option: [{ name: 'a' }, { name: 'b' }] },
      empty: '',
      spaces: '  ',
    });
    expect(Object.getPrototypeOf(tree)).toBeNull();
  });

  it('accepts <action/>, a byte order mark and the predefined entities', () => {
    expect(parseXmlBody('<action/>', 'action')).toEqual({});
    expect(parseXmlBody('\ufeff<action>\n</action>', 'action')).toEqual({});
    expect(parseXmlBody('<a><v>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</v></a>', 'a')).toEqual({ v: '<&>"\'AB' });
  });

  it('keeps names that collide with Object.prototype as plain data', () => {
    const tree = parseXmlBody(
      '<a><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor></a>',
      'a',
    );
    expect(Object.keys(tree)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseJsonBody', () => {
  it('returns the object', () => {
    expect(parseJsonBody('{"name": "x", "ssh": {"port": 22}}')).toEqual({ name: 'x', ssh: { port: 22 } });
  });

  it('accepts an already parsed body through checkJsonBody', () => {
    expect(checkJsonBody({ a: [1, { b: 2 }] })).toEqual({ a: [1, { b: 2 }] });
  });

  it('dispatches by format', () => {
    expect(parseBody('<x><a>1</a></x>', 'xml', 'x')).toEqual({ a: '1' });
    expect(parseBody('{"a":1}', 'json', 'x')).toEqual({ a: 1 });
  });
});

const deep = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<host><name>&lol3;</name></host>`;

// [label, format, body, expected message fragment]
const hostile: [string, 'xml' | 'json', string, RegExp][] = [
  ['DOCTYPE', 'xml', '<!DOCTYPE host><host/>', /DOCTYPE declarations are not allowed/],
  ['doctype in lower case', 'xml', '<!doctype host><host/>', /DOCTYPE declarations are not allowed/],
  [
    'external entity (XXE)',
    'xml',
    '<!DOCTYPE h [<!ENTITY x SYSTEM "file:///etc/passwd">]><host><name>&x;</name></host>',
    /DOCTYPE/,
  ],
  ['billion laughs', 'xml', billionLaughs, /DOCTYPE declarations are not allowed \(line 2, column 1\)/],
  ['bare ENTITY declaration', 'xml', '<host><!ENTITY x "y"></host>', /ENTITY declarations are not allowed/],
  ['other markup declaration', 'xml', '<host><!ELEMENT host ANY></host>', /markup declarations are not allowed/],
  ['undeclared entity reference', 'xml', '<host><name>&x;</name></host>', /only the predefined entities/],
  [
    'entity named like a prototype member',
    'xml',
    '<host><name>&constructor;</name></host>',
    /only the predefined entities/,
  ],
  ['entity reference in an attribute', 'xml', '<host id="&x;"/>', /only the predefined entities/],
  ['bare ampersand', 'xml', '<host><name>a & b</name></host>', /only the predefined entities/],
  ['control character reference', 'xml', '<host><name>&#1;</name></host>', /malformed XML: invalid character entity/],
  ['unclosed tag', 'xml', '<host><name>x</name>', /malformed XML: unclosed root tag/],
  [
    'mismatched tags',
    'xml',
    '<host><name>x</nam></host>',
    /malformed XML: unexpected close tag \(line 1, column 19\)|malformed XML/,
  ],
  ['unterminated start tag', 'xml', '<host><name', /unterminated start tag \(line 1, column 7\)/],
  ['unterminated comment', 'xml', '<host><!-- x </host>', /unterminated comment/],
  ['unquoted attribute', 'xml', '<host id=1/>', /malformed XML/],
  ['wrong root', 'xml', '<cluster><name>x</name></cluster>', /expected root element <host>, got <cluster>/],
  ['namespaced root', 'xml', '<ns:host xmlns:ns="urn:x"/>', /expected root element <host>, got <ns:host>/],
  ['two roots', 'xml', '<host/><host/>', /content after the root element/],
  ['text after the root', 'xml', '<host></host>junk', /content after the root element \(line 1, column 14\)/],
  ['text before the root', 'xml', 'junk<host/>', /text before the root element/],
  ['text in the root', 'xml', '<host>just text</host>', /<host> must contain elements, not text/],
  ['mixed content', 'xml', '<host>text<name>x</name></host>', /<host> mixes text and elements/],
  ['unknown attribute', 'xml', '<host><name lang="en">x</name></host>', /<name>: unexpected attribute lang/],
  ['attribute and text', 'xml', '<host><name id="1">x</name></host>', /<name> has attributes and text/],
  [
    'attribute and element of the same name',
    'xml',
    '<host id="1"><id>2</id></host>',
    /id is given both as an attribute and as an element/,
  ],
  [
    'huge attribute count',
    'xml',
    `<host ${Array.from({ length: 5000 }, (_, i) => `a${i}="x"`).join(' ')}/>`,
    /more than 16 attributes/,
  ],
  ['deep nesting', 'xml', deep(33), /nested deeper than 32 levels/],
  ['very deep nesting', 'xml', deep(100000), /nested deeper than 32 levels/],
  ['too many elements', 'xml', `<host>${'<x/>'.repeat(20001)}</host>`, /more than 20000 elements/],
  ['too long', 'xml', `<host><name>${'x'.repeat(1 << 20)}</name></host>`, /body larger than/],
  ['empty XML', 'xml', '   ', /empty body: expected <host>/],
  ['not XML at all', 'xml', '{"name": "x"}', /text before the root element/],
  ['JSON syntax error', 'json', '{"name": }', /^malformed JSON: unexpected token '}'$/],
  [
    'JSON syntax error with a position',
    'json',
    '{"a": 1,\n}',
    /^malformed JSON: expected double-quoted property name \(line 2, column 1\)$/,
  ],
  ['JSON cut short', 'json', '{"a": ', /^malformed JSON: unexpected end of json input$/],
  ['JSON that quotes the input in its error', 'json', 'secret-token-abc', /^malformed JSON/],
  ['JSON array at top level', 'json', '[{"name": "x"}]', /the body must be a JSON object, not an array/],
  ['JSON null', 'json', 'null', /not null/],
  ['JSON string', 'json', '"x"', /not string/],
  ['JSON number', 'json', '42', /not number/],
  ['empty JSON', 'json', '', /empty body/],
  ['deep JSON', 'json', '{"a":'.repeat(40) + '1' + '}'.repeat(40), /nested deeper than 32 levels/],
  [
    'very deep JSON',
    'json',
    '{"a":'.repeat(100000) + '1' + '}'.repeat(100000),
    /malformed JSON|nested deeper than 32 levels/,
  ],
  [
    'very deep JSON array',
    'json',
    '{"a":' + '['.repeat(50000) + ']'.repeat(50000) + '}',
    /malformed JSON|nested deeper than 32 levels/,
  ],
];

describe('hostile and malformed bodies', () => {
  it.each(hostile)('%s gives a BodyError', (_label, format, body, message) => {
    const error = bodyError(() => parseBody(body, format, 'host'));
    expect(error.kind).toBe('syntax');
    expect(error.status).toBe(400);
    expect(error.reason).toBe('Malformed request body');
    expect(error.detail).toMatch(message);
    expect(error.detail).not.toMatch(/\n|\/work\/|node_modules|at .*\.js/);
    expect(error.detail.length).toBeLessThan(200);
  });

  it('never echoes the bytes of a bad body', () => {
    const error = bodyError(() => parseJsonBody('{"password": "hunter2" oops}'));
    expect(error.detail).not.toContain('hunter2');
    const xml = bodyError(() => parseXmlBody('<host></hunter2-\u0007></host>', 'host'));
    expect(xml.detail).not.toContain('\u0007');
  });

  it('finds DOCTYPE before the parser does, even after comments and PIs', () => {
    expect(
      bodyError(() =>
        parseXmlBody('<?xml version="1.0"?><!-- x --><!DOCTYPE a SYSTEM "http://x/y.dtd"><host/>', 'host'),
      ).detail,
    ).toMatch(/^DOCTYPE declarations are not allowed/);
  });

  it('allows what looks like markup inside CDATA and comments', () => {
    expect(
      parseXmlBody('<host><!-- <!DOCTYPE & --><name><![CDATA[<!DOCTYPE x> & &x;]]></name></host>', 'host'),
    ).toEqual({
      name: '<!DOCTYPE x> & &x;',
    });
  });

  it('lets the caller set the limits', () => {
    expect(bodyError(() => parseXmlBody(deep(4), 'a', { maxDepth: 3 })).detail).toMatch(/deeper than 3/);
    expect(bodyError(() => parseJsonBody('{"a":"bbbb"}', { maxLength: 5 })).detail).toMatch(/larger than 5/);
  });
});

describe('the XML pre-scan does linear work', () => {
  /** Characters String.prototype.indexOf looks at while `run` runs (the pre-scan's searches for '<', '&' and terminators). */
  function charactersSearched(run: () => void): number {
    const original = String.prototype.indexOf;
    let searched = 0;
    const spy = jest.spyOn(String.prototype, 'indexOf').mockImplementation(function (
      this: string,
      needle: string,
      from?: number,
    ) {
      const found = original.call(this, needle, from);
      const start = Math.max(0, Math.min(from ?? 0, this.length));
      searched += (found === -1 ? this.length : found) - start;
      return found;
    });
    try {
      run();
    } finally {
      spy.mockRestore();
    }
    return searched;
  }

  const comments = (count: number): string => '<!---->'.repeat(count);

  it.each([
    ['comments inside the root', (n: number) => `<action>${comments(n)}</action>`],
    ['comments before the root', (n: number) => `${comments(n)}<action/>`],
    ['comments around empty elements', (n: number) => `<action>${'<!----><x/>'.repeat(n)}</action>`],
    ['comments and one entity at the very end', (n: number) => `<action>${comments(n)}<v>&amp;</v></action>`],
  ])('%s: a few searches over each character, not one per comment', (_label, body) => {
    const text = body(10_000);
    const searched = charactersSearched(() => parseXmlBody(text, 'action'));
    // Searching each text run for '&' up to the end of the body looked at about 350 million characters here.
    expect(searched).toBeLessThan(4 * text.length);
  });

  it('still checks every entity reference between, inside and after comments', () => {
    const bad = `<action>${comments(20_000)}<v>&amp;&bogus;</v></action>`;
    expect(bodyError(() => parseXmlBody(bad, 'action')).detail).toMatch(
      /^only the predefined entities .*\(line 1, column 140017\)$/,
    );
    expect(parseXmlBody(`<action><!-- & --><v>a&amp;b</v><!-- &x; --><w id="&lt;"/></action>`, 'action')).toEqual({
      v: 'a&b',
      w: { id: '<' },
    });
    expect(bodyError(() => parseXmlBody('<action><!-- & --><w id="&x;"/></action>', 'action')).detail).toMatch(
      /only the predefined entities/,
    );
    expect(bodyError(() => parseXmlBody('<action><w a="&amp;"/>&x;</action>', 'action')).detail).toMatch(
      /^only the predefined entities .*\(line 1, column 23\)$/,
    );
  });

  it('does not take the opener of a comment or instruction for its end', () => {
    expect(bodyError(() => parseXmlBody('<action><!--></action>', 'action')).detail).toMatch(/^unterminated comment/);
    expect(bodyError(() => parseXmlBody('<action><!---></action>', 'action')).detail).toMatch(/^unterminated comment/);
    expect(bodyError(() => parseXmlBody('<?><action/>', 'action')).detail).toMatch(
      /^unterminated processing instruction|malformed XML/,
    );
    expect(parseXmlBody('<action><!----><!-- - --><!-->--></action>', 'action')).toEqual({});
  });
});
