import { Parser } from 'xml2js';
import { BodyError, safeName, safeText } from './errors';
import type { Format } from './render';

/**
 * Request body text -> a neutral tree for decodeBody.
 *
 * XML tree: every element becomes a string (text-only element) or an object whose keys are its child
 * element names plus its `id`/`href`/`rel` attributes; an element that repeats becomes an array. All
 * objects have a null prototype. Nothing here knows a schema.
 */
export type BodyTree = string | BodyObject | BodyTree[];
export interface BodyObject {
  [name: string]: BodyTree;
}

export interface ParseLimits {
  /** Characters (default 1 MiB). The HTTP layer should refuse bigger bodies first, with 413. */
  readonly maxLength?: number;
  /** Element / object nesting, the root counting as 1 (default 32). */
  readonly maxDepth?: number;
  /** Elements, or JSON values, in the whole body (default 20000). */
  readonly maxNodes?: number;
}

const DEFAULTS = { maxLength: 1 << 20, maxDepth: 32, maxNodes: 20000 };
const MAX_ATTRIBUTES = 16;
const ATTRIBUTES = new Set(['id', 'href', 'rel']);

function limits(l: ParseLimits | undefined): Required<ParseLimits> {
  return { ...DEFAULTS, ...l };
}

function syntax(message: string): BodyError {
  return new BodyError(message, 'syntax');
}

function lineColumn(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/y;

/**
 * A linear pre-scan, before xml2js sees the text: refuses DOCTYPE/ENTITY and any other markup
 * declaration (no entity expansion is possible), entity references other than the five predefined ones
 * and character references, nesting deeper than the limit, too many elements or attributes, and
 * anything after the root element (xml2js stops at the end of the root and would ignore it).
 * Well-formedness itself is left to the parser.
 */
function prescan(text: string, l: Required<ParseLimits>): void {
  new Prescan(text, l).run();
}

/** The state of one prescan: where the '&' search stands, the open element depth and the counts. */
class Prescan {
  // The next '&' at or after the last place looked at, -1 when there is none: the ranges checked only move
  // forward, so the text is searched for '&' once in all (searching each range to the end was quadratic).
  private nextAmp: number;
  private depth = 0;
  private elements = 0;
  private rootClosed = false;

  constructor(
    private readonly text: string,
    private readonly limits: Required<ParseLimits>,
  ) {
    this.nextAmp = text.indexOf('&');
  }

  run(): void {
    const n = this.text.length;
    let i = 0;
    while (i < n) {
      const lt = this.text.indexOf('<', i);
      const end = lt === -1 ? n : lt;
      this.checkText(i, end);
      if (lt === -1) {
        break;
      }
      i = this.scanMarkup(lt);
    }
  }

  private fail(message: string, at: number): never {
    throw syntax(`${message} (${lineColumn(this.text, at)})`);
  }

  private outsideRootMessage(): string {
    return this.rootClosed ? 'content after the root element' : 'text before the root element';
  }

  /** Character data between two pieces of markup: only whitespace outside the root, only allowed entities. */
  private checkText(from: number, to: number): void {
    const between = this.text.slice(from, to);
    if (this.depth === 0 && /\S/.test(between)) {
      this.fail(this.outsideRootMessage(), from + between.search(/\S/));
    }
    this.checkEntities(from, to);
  }

  private checkEntities(from: number, to: number): void {
    const text = this.text;
    if (this.nextAmp !== -1 && this.nextAmp < from) this.nextAmp = text.indexOf('&', from);
    while (this.nextAmp !== -1 && this.nextAmp < to) {
      ENTITY.lastIndex = this.nextAmp;
      if (!ENTITY.test(text)) {
        this.fail(
          'only the predefined entities (&amp; &lt; &gt; &quot; &apos;) and character references are allowed',
          this.nextAmp,
        );
      }
      this.nextAmp = text.indexOf('&', this.nextAmp + 1);
    }
  }

  /** Checks the markup that starts with the '<' at `lt`; returns the index just after it. */
  private scanMarkup(lt: number): number {
    const text = this.text;
    if (text.startsWith('<!--', lt)) {
      return this.skipTo(lt, '<!--', '-->', 'comment');
    }
    if (text.startsWith('<![CDATA[', lt)) {
      if (this.depth === 0) this.fail(this.outsideRootMessage(), lt);
      return this.skipTo(lt, '<![CDATA[', ']]>', 'CDATA section');
    }
    if (text.startsWith('<!', lt)) {
      return this.refuseDeclaration(lt);
    }
    if (text.startsWith('<?', lt)) {
      return this.skipTo(lt, '<?', '?>', 'processing instruction');
    }
    if (text.startsWith('</', lt)) {
      return this.endTag(lt);
    }
    return this.startTag(lt);
  }

  private skipTo(lt: number, opener: string, terminator: string, what: string): number {
    const k = this.text.indexOf(terminator, lt + opener.length);
    return k === -1 ? this.fail(`unterminated ${what}`, lt) : k + terminator.length;
  }

  private refuseDeclaration(lt: number): never {
    const word = /^<!\s*([A-Za-z]*)/.exec(this.text.slice(lt, lt + 20))?.[1].toUpperCase();
    return this.fail(
      word === 'DOCTYPE' || word === 'ENTITY'
        ? `${word} declarations are not allowed`
        : 'markup declarations are not allowed',
      lt,
    );
  }

  private endTag(lt: number): number {
    const after = this.skipTo(lt, '</', '>', 'end tag');
    this.depth--;
    if (this.depth < 0) this.fail('unexpected end tag', lt);
    if (this.depth === 0) this.rootClosed = true;
    return after;
  }

  private startTag(lt: number): number {
    if (this.rootClosed) this.fail('content after the root element', lt);
    const close = this.startTagEnd(lt);
    if (++this.elements > this.limits.maxNodes) this.fail(`more than ${this.limits.maxNodes} elements`, lt);
    if (this.text[close - 1] !== '/') {
      if (++this.depth > this.limits.maxDepth)
        this.fail(`elements nested deeper than ${this.limits.maxDepth} levels`, lt);
    } else if (this.depth === 0) {
      this.rootClosed = true;
    }
    return close + 1;
  }

  /** The index of the '>' that ends the start tag at `lt`, counting its attributes on the way. */
  private startTagEnd(lt: number): number {
    const text = this.text;
    const n = text.length;
    let quote = '';
    let attributes = 0;
    let k = lt + 1;
    for (; k < n; k++) {
      const c = text[k];
      if (quote !== '') {
        if (c === quote) quote = '';
        else if (c === '&') this.checkEntities(k, k + 1);
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '=') {
        if (++attributes > MAX_ATTRIBUTES) this.fail(`more than ${MAX_ATTRIBUTES} attributes`, lt);
      } else if (c === '>' || c === '<') {
        break;
      }
    }
    if (k >= n || text[k] !== '>') this.fail('unterminated start tag', lt);
    return k;
  }
}

// xml2js result shape with attrkey '@', charkey '#' and every name prefixed with '~'. The prefix keeps
// element names such as __proto__ or constructor from ever meeting Object.prototype inside xml2js.
const PREFIX = '~';
type RawElement = string | { '@'?: Record<string, string>; '#'?: string; [child: string]: unknown };

function runXml2js(text: string): unknown {
  const parser = new Parser({
    strict: true,
    async: false,
    explicitRoot: true,
    explicitArray: true,
    explicitCharkey: true,
    attrkey: '@',
    charkey: '#',
    trim: false,
    normalize: false,
    normalizeTags: false,
    xmlns: false,
    tagNameProcessors: [(name: string) => PREFIX + name],
    attrNameProcessors: [(name: string) => PREFIX + name],
  });
  let result: unknown;
  let error: unknown;
  try {
    // With async: false the callback runs before parseString returns.
    parser.parseString(text, (err: Error | null, value: unknown) => {
      if (err) error ??= err;
      else result = value;
    });
  } catch (e) {
    error ??= e;
  }
  if (error !== undefined) {
    throw syntax(`malformed XML: ${describeParserError(error)}`);
  }
  return result;
}

/** sax's message without its "Char:" line, which can carry request bytes. */
function describeParserError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const first = safeText(message.split('\n')[0] ?? '', 60)
    .replace(/\.$/, '')
    .toLowerCase();
  const line = /Line: (\d+)/.exec(message);
  const column = /Column: (\d+)/.exec(message);
  const where = line && column ? ` (line ${Number(line[1]) + 1}, column ${column[1]})` : '';
  return (first === '' ? 'cannot be parsed' : first) + where;
}

function convert(raw: unknown, name: string): BodyTree {
  if (typeof raw === 'string') {
    return raw;
  }
  if (typeof raw !== 'object' || raw === null) {
    throw syntax(`malformed XML in <${name}>`);
  }
  const element = raw as Exclude<RawElement, string>;
  const out: BodyObject = Object.create(null) as BodyObject;
  let hasChildren = false;
  for (const [key, value] of Object.entries(element)) {
    if (key === '@') {
      for (const [prefixed, attrValue] of Object.entries(value as Record<string, string>)) {
        const attr = prefixed.slice(PREFIX.length);
        if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
          continue;
        }
        if (!ATTRIBUTES.has(attr)) {
          throw syntax(`<${name}>: unexpected attribute ${safeName(attr)} (only id and href are attributes)`);
        }
        out[attr] = attrValue;
      }
    } else if (key.startsWith(PREFIX)) {
      const child = key.slice(PREFIX.length);
      if (Object.hasOwn(out, child)) {
        throw syntax(`<${name}>: ${safeName(child)} is given both as an attribute and as an element`);
      }
      const items = value as unknown[];
      out[child] = items.length === 1 ? convert(items[0], child) : items.map((item) => convert(item, child));
      hasChildren = true;
    }
  }
  const text = element['#'];
  if (text !== undefined && /\S/.test(text)) {
    if (hasChildren) {
      throw syntax(`<${name}> mixes text and elements`);
    }
    if (Object.keys(out).length > 0) {
      throw syntax(`<${name}> has attributes and text; only id and href may be attributes`);
    }
    return text;
  }
  return out;
}

/**
 * Parses an XML request body whose root element must be `expectedRoot` (e.g. `cluster`, `action`).
 * Throws BodyError only.
 */
export function parseXmlBody(text: string, expectedRoot: string, parseLimits?: ParseLimits): BodyObject {
  const l = limits(parseLimits);
  if (text.length > l.maxLength) {
    throw syntax(`body larger than ${l.maxLength} characters`);
  }
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (!/\S/.test(body)) {
    throw syntax(`empty body: expected <${expectedRoot}>`);
  }
  prescan(body, l);
  const result = runXml2js(body);
  const rootKey = typeof result === 'object' && result !== null ? Object.keys(result)[0] : undefined;
  if (rootKey === undefined) {
    throw syntax(`malformed XML: expected <${expectedRoot}>`);
  }
  const root = rootKey.slice(PREFIX.length);
  if (root !== expectedRoot) {
    throw syntax(`expected root element <${expectedRoot}>, got <${safeText(root, 40)}>`);
  }
  const tree = convert((result as Record<string, unknown>)[rootKey], root);
  if (typeof tree === 'string') {
    if (/\S/.test(tree)) {
      throw syntax(`<${root}> must contain elements, not text`);
    }
    return Object.create(null) as BodyObject;
  }
  if (Array.isArray(tree)) {
    throw syntax(`malformed XML: expected one <${expectedRoot}>`);
  }
  return tree;
}

/** Checks an already parsed JSON body (e.g. by express.json): an object, within the depth and size limits. */
export function checkJsonBody(value: unknown, parseLimits?: ParseLimits): Record<string, unknown> {
  const l = limits(parseLimits);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw syntax(
      `the body must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  // Iterative: a hostile body must not be able to exhaust the call stack.
  const stack: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (++nodes > l.maxNodes) {
      throw syntax(`more than ${l.maxNodes} values`);
    }
    if (typeof v === 'object' && v !== null) {
      if (depth > l.maxDepth) {
        throw syntax(`objects nested deeper than ${l.maxDepth} levels`);
      }
      for (const child of Object.values(v)) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return value as Record<string, unknown>;
}

/** Parses a JSON request body; the top level must be an object. Throws BodyError only. */
export function parseJsonBody(text: string, parseLimits?: ParseLimits): Record<string, unknown> {
  const l = limits(parseLimits);
  if (text.length > l.maxLength) {
    throw syntax(`body larger than ${l.maxLength} characters`);
  }
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (!/\S/.test(body)) {
    throw syntax('empty body: expected a JSON object');
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw syntax(`malformed JSON${describeJsonError(e, body)}`);
  }
  return checkJsonBody(value, l);
}

/** V8's message, without the part that quotes the body ("…" is not valid JSON), with line/column. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const position = / at position (\d+)/.exec(message);
  const what = message
    .replace(/, ".*$/s, '')
    .replace(/ (in JSON )?at position \d+.*$/s, '')
    .replace(/ in JSON$/, '');
  const where = position ? ` (${lineColumn(text, Number(position[1]))})` : '';
  return what === '' ? where : `: ${safeText(what, 60).toLowerCase()}${where}`;
}

/** parseXmlBody or parseJsonBody by format. */
export function parseBody(
  text: string,
  format: Format,
  expectedRoot: string,
  parseLimits?: ParseLimits,
): BodyObject | Record<string, unknown> {
  return format === 'xml' ? parseXmlBody(text, expectedRoot, parseLimits) : parseJsonBody(text, parseLimits);
}
