import { FaultView, RenderError } from './errors';
import { formatDate, parseIsoDate, MAX_EPOCH_MS } from './dates';
import {
  ActionSchema,
  EnumField,
  FaultSchema,
  LinkView,
  ListField,
  ListItem,
  ResourceSchema,
  RootSchema,
  StringField,
  ViewOf,
} from './schema';

export type Format = 'xml' | 'json';

export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  xml: 'application/xml',
  json: 'application/json',
};

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

export interface RenderOptions {
  /** IANA time zone whose offset XML dates carry (default UTC, printed `+00:00`). */
  readonly timeZone?: string;
  /** Indented output, 4 spaces for XML and 2 for JSON like oVirt (default true). */
  readonly pretty?: boolean;
}

// A format-neutral tree: built once from schema + view, then written as XML or JSON.
interface Scalar {
  readonly t: 'scalar';
  readonly text: string;
  readonly json: string | number | boolean | bigint;
}
interface Element {
  readonly t: 'element';
  /** XML attributes; in JSON the first members. */
  readonly attrs: readonly (readonly [string, string])[];
  readonly members: readonly Member[];
}
/** `<options><option/>…</options>` / `{"option": […]}` */
interface Wrapped {
  readonly t: 'wrapped';
  readonly itemName: string;
  readonly items: readonly Node[];
}
/** Repeated elements of the member's name (`<link/><link/>`) / a JSON array. */
interface Repeated {
  readonly t: 'repeated';
  readonly items: readonly Node[];
}
type Node = Scalar | Element | Wrapped | Repeated;
interface Member {
  readonly name: string;
  readonly node: Node;
}

interface Context {
  readonly timeZone: string;
}

type Rec = Readonly<Record<string, unknown>>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(view: Rec, key: string, path: string): string | undefined {
  const v = view[key];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'string') {
    throw new RenderError(`${path}.${key}: expected a string`);
  }
  return v;
}

function link(rel: string, href: string): Element {
  return {
    t: 'element',
    attrs: [
      ['rel', rel],
      ['href', href],
    ],
    members: [],
  };
}

function buildObject(schema: RootSchema, view: unknown, path: string, ctx: Context): Element {
  if (!isRecord(view)) {
    throw new RenderError(`${path}: expected an object`);
  }
  const attrs: [string, string][] = [];
  const members: Member[] = [];
  let href: string | undefined;
  if (schema.kind === 'resource') {
    const id = optionalString(view, 'id', path);
    href = optionalString(view, 'href', path);
    if (id !== undefined) attrs.push(['id', id]);
    if (href !== undefined) attrs.push(['href', href]);
    const actions = actionNames(schema, view, path);
    if (href !== undefined && actions.length > 0) {
      const base = href;
      const links = actions.map((a) => link(a, `${base}/${a}`));
      members.push({
        name: 'actions',
        node: { t: 'element', attrs: [], members: [{ name: 'link', node: { t: 'repeated', items: links } }] },
      });
    }
  }
  for (const name of schema.order) {
    const field = schema.fields[name];
    const value = view[name];
    if (field.writeOnly || value === undefined || value === null) {
      continue;
    }
    members.push({ name, node: buildValue(field, value, `${path}.${name}`, ctx) });
  }
  if (schema.kind === 'resource') {
    const links = linkViews(schema, view, href, path);
    if (links.length > 0) {
      members.push({ name: 'link', node: { t: 'repeated', items: links.map((l) => link(l.rel, l.href)) } });
    }
  }
  return { t: 'element', attrs, members };
}

function actionNames(schema: ResourceSchema, view: Rec, path: string): readonly string[] {
  const given = view.actions;
  if (given === undefined || given === null) {
    return schema.actions;
  }
  if (!Array.isArray(given) || !given.every((a) => typeof a === 'string' && schema.actions.includes(a))) {
    throw new RenderError(`${path}.actions: expected a list of the actions of ${schema.type}`);
  }
  // Schema order, whatever order the view used.
  return schema.actions.filter((a) => given.includes(a));
}

function linkViews(schema: ResourceSchema, view: Rec, href: string | undefined, path: string): readonly LinkView[] {
  const given = view.link;
  if (given === undefined || given === null) {
    return href === undefined ? [] : schema.links.map((rel) => ({ rel, href: `${href}/${rel}` }));
  }
  if (
    !Array.isArray(given) ||
    !given.every((l) => isRecord(l) && typeof l.rel === 'string' && typeof l.href === 'string')
  ) {
    throw new RenderError(`${path}.link: expected a list of {rel, href}`);
  }
  return given as readonly LinkView[];
}

function scalar(text: string, json: Scalar['json'] = text): Scalar {
  return { t: 'scalar', text, json };
}

function buildValue(field: ListItem, value: unknown, path: string, ctx: Context): Node {
  switch (field.kind) {
    case 'string':
      return stringValue(field, value, path);
    case 'int':
      return intValue(value, path);
    case 'long':
      return longValue(value, path);
    case 'bool':
      return boolValue(value, path);
    case 'date': {
      const ms = epochMs(value, path);
      return scalar(formatDate(ms, ctx.timeZone), ms);
    }
    case 'enum':
      return enumValue(field, value, path);
    case 'ref':
      return refValue(value, path, ctx);
    case 'object':
    case 'resource':
      return buildObject(field, value, path, ctx);
    case 'list':
      return listValue(field, value, path, ctx);
  }
}

function stringValue(field: StringField, value: unknown, path: string): Scalar {
  if (typeof value !== 'string' || (field.values && !field.values.includes(value))) {
    throw new RenderError(`${path}: expected ${field.values ? `one of ${field.values.join(', ')}` : 'a string'}`);
  }
  return scalar(value);
}

function intValue(value: unknown, path: string): Scalar {
  if (!Number.isSafeInteger(value)) {
    throw new RenderError(`${path}: expected an integer`);
  }
  return scalar(String(value), value as number);
}

function boolValue(value: unknown, path: string): Scalar {
  if (typeof value !== 'boolean') {
    throw new RenderError(`${path}: expected a boolean`);
  }
  return scalar(String(value), value);
}

/** oVirt enums are lower case on the wire; the view may use any case. */
function enumValue(field: EnumField, value: unknown, path: string): Scalar {
  const v = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (v === undefined || !(field.values as readonly string[]).includes(v)) {
    throw new RenderError(`${path}: expected one of ${field.values.join(', ')}`);
  }
  return scalar(v);
}

/** `{id, href}`, or the whole referenced resource when the view carries it as `followed`. */
function refValue(value: unknown, path: string, ctx: Context): Element {
  if (!isRecord(value) || typeof value.id !== 'string') {
    throw new RenderError(`${path}: expected a reference {id, href}`);
  }
  const href = optionalString(value, 'href', path);
  const followed = value.followed;
  if (followed !== undefined && followed !== null) {
    if (
      !isRecord(followed) ||
      !isRecord(followed.schema) ||
      followed.schema.kind !== 'resource' ||
      !isRecord(followed.view)
    ) {
      throw new RenderError(`${path}.followed: expected {schema, view} of a resource`);
    }
    return buildObject(
      followed.schema as unknown as ResourceSchema,
      { ...followed.view, id: value.id, href },
      path,
      ctx,
    );
  }
  return {
    t: 'element',
    attrs:
      href === undefined
        ? [['id', value.id]]
        : [
            ['id', value.id],
            ['href', href],
          ],
    members: [],
  };
}

function listValue(field: ListField, value: unknown, path: string, ctx: Context): Wrapped {
  if (!Array.isArray(value)) {
    throw new RenderError(`${path}: expected a list`);
  }
  return {
    t: 'wrapped',
    itemName: field.itemName,
    items: value.map((item: unknown, i) => {
      if (item === undefined || item === null) {
        throw new RenderError(`${path}[${i}]: missing item`);
      }
      return buildValue(field.item, item, `${path}[${i}]`, ctx);
    }),
  };
}

function longValue(value: unknown, path: string): Scalar {
  let big: bigint;
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return scalar(String(value), value);
  } else if (typeof value === 'bigint') {
    big = value;
  } else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) {
    big = BigInt(value);
  } else {
    throw new RenderError(`${path}: expected a 64-bit integer`);
  }
  if (big > 9223372036854775807n || big < -9223372036854775808n) {
    throw new RenderError(`${path}: expected a 64-bit integer`);
  }
  const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
  return scalar(big.toString(), safe ? Number(big) : big);
}

function epochMs(value: unknown, path: string): number {
  let ms: number | undefined;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseIsoDate(value);
  if (ms === undefined || !Number.isInteger(ms) || Math.abs(ms) > MAX_EPOCH_MS) {
    throw new RenderError(`${path}: expected a valid date`);
  }
  return ms;
}

// ---- XML -----------------------------------------------------------------------------------

// Characters XML 1.0 cannot carry at all, even escaped: they become U+FFFD.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  '\n': '&#10;',
  '\t': '&#9;',
};

export function escapeXmlText(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]);
}

export function escapeXmlAttribute(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESCAPES[c]);
}

function writeXml(name: string, node: Node, depth: number, pretty: boolean, out: string[]): void {
  const indent = pretty ? '    '.repeat(depth) : '';
  const nl = pretty ? '\n' : '';
  if (node.t === 'scalar') {
    out.push(`${indent}<${name}>${escapeXmlText(node.text)}</${name}>${nl}`);
    return;
  }
  let open = `${indent}<${name}`;
  const children: [string, Node][] = [];
  if (node.t === 'element') {
    open += node.attrs.map(([k, v]) => ` ${k}="${escapeXmlAttribute(v)}"`).join('');
    for (const m of node.members) {
      if (m.node.t === 'repeated') m.node.items.forEach((item) => children.push([m.name, item]));
      else children.push([m.name, m.node]);
    }
  } else {
    node.items.forEach((item) => children.push([node.t === 'wrapped' ? node.itemName : name, item]));
  }
  if (children.length === 0) {
    out.push(`${open}/>${nl}`);
    return;
  }
  out.push(`${open}>${nl}`);
  children.forEach(([n, child]) => writeXml(n, child, depth + 1, pretty, out));
  out.push(`${indent}</${name}>${nl}`);
}

function xmlDocument(rootName: string, root: Node, pretty: boolean): string {
  const out = [XML_DECLARATION, pretty ? '\n' : ''];
  writeXml(rootName, root, 0, pretty, out);
  return out.join('');
}

// ---- JSON ----------------------------------------------------------------------------------

// Written by hand (same layout as JSON.stringify(v, null, 2)) so that longs beyond 2^53 stay exact.
function writeJson(node: Node, depth: number, pretty: boolean): string {
  switch (node.t) {
    case 'scalar':
      return typeof node.json === 'string' ? JSON.stringify(node.json) : String(node.json);
    case 'element':
      return jsonObject(
        [
          ...node.attrs.map(([k, v]): [string, string] => [k, JSON.stringify(v)]),
          ...node.members.map((m): [string, string] => [m.name, writeJson(m.node, depth + 1, pretty)]),
        ],
        depth,
        pretty,
      );
    case 'wrapped':
      return jsonObject(
        [[node.itemName, writeJson({ t: 'repeated', items: node.items }, depth + 1, pretty)]],
        depth,
        pretty,
      );
    case 'repeated':
      return jsonBlock(
        '[',
        ']',
        node.items.map((item) => writeJson(item, depth + 1, pretty)),
        depth,
        pretty,
      );
  }
}

function jsonObject(entries: readonly [string, string][], depth: number, pretty: boolean): string {
  return jsonBlock(
    '{',
    '}',
    entries.map(([k, v]) => `${JSON.stringify(k)}:${pretty ? ' ' : ''}${v}`),
    depth,
    pretty,
  );
}

function jsonBlock(open: string, close: string, parts: readonly string[], depth: number, pretty: boolean): string {
  if (parts.length === 0) {
    return open + close;
  }
  if (!pretty) {
    return open + parts.join(',') + close;
  }
  const inner = '  '.repeat(depth + 1);
  return `${open}\n${inner}${parts.join(`,\n${inner}`)}\n${'  '.repeat(depth)}${close}`;
}

// ---- public API ------------------------------------------------------------------------------

function context(options: RenderOptions | undefined): Context {
  return { timeZone: options?.timeZone ?? 'UTC' };
}

function write(rootName: string, node: Node, format: Format, options: RenderOptions | undefined): string {
  const pretty = options?.pretty ?? true;
  // Pretty output ends with a newline (friendlier in a terminal), compact output does not.
  return format === 'xml' ? xmlDocument(rootName, node, pretty) : writeJson(node, 0, pretty) + (pretty ? '\n' : '');
}

/**
 * One resource or object (action, fault, api root). Only the schema's fields are read from `view`, so an
 * entity with extra (even secret) properties can be passed as is. null/undefined fields are left out.
 * Throws RenderError when a value does not fit its field.
 */
export function render<S extends RootSchema>(
  schema: S,
  view: ViewOf<S>,
  format: Format,
  options?: RenderOptions,
): string {
  return renderRoot(schema, view, format, options);
}

function renderRoot(schema: RootSchema, view: unknown, format: Format, options: RenderOptions | undefined): string {
  return write(schema.type, buildObject(schema, view, schema.type, context(options)), format, options);
}

export function renderXml<S extends RootSchema>(schema: S, view: ViewOf<S>, options?: RenderOptions): string {
  return render(schema, view, 'xml', options);
}

export function renderJson<S extends RootSchema>(schema: S, view: ViewOf<S>, options?: RenderOptions): string {
  return render(schema, view, 'json', options);
}

/** `<clusters><cluster>…</cluster></clusters>` or `{"cluster": […]}` (the key is there when empty too). */
export function renderCollection<S extends ResourceSchema>(
  schema: S,
  views: readonly ViewOf<S>[],
  format: Format,
  options?: RenderOptions,
): string {
  const ctx = context(options);
  const items = views.map((v, i) => buildObject(schema, v, `${schema.plural}[${i}]`, ctx));
  const root: Element = { t: 'element', attrs: [], members: [{ name: schema.type, node: { t: 'repeated', items } }] };
  return write(schema.plural, root, format, options);
}

export function renderFault(fault: FaultView, format: Format, options?: RenderOptions): string {
  return render(FaultSchema, fault, format, options);
}

/** The `<action>` envelope: status, fault, job, then the echoed parameters. */
export function renderAction<S extends ActionSchema>(
  schema: S,
  view: ViewOf<S>,
  format: Format,
  options?: RenderOptions,
): string {
  return renderRoot(schema, view, format, options);
}
