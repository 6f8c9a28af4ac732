import { BodyError, BodyIssue, describeValue, REQUIRED, safeName } from './errors';
import { MAX_EPOCH_MS, parseIsoDate } from './dates';
import { parseBody, ParseLimits } from './parse';
import type { Format } from './render';
import type {
  BooleanField,
  CreateInput,
  DateField,
  EnumField,
  Fields,
  IntegerField,
  ListItem,
  RootSchema,
  StringField,
  UpdateInput,
} from './schema';

/**
 * Validates and coerces a parsed body (parseXmlBody / parseJsonBody) against a schema.
 *
 * Decisions:
 *  - Unknown fields are rejected, by name; a schema's `ignored` names are accepted with any value and dropped.
 *  - id, href, link and actions of a resource, and every readOnly field, are IGNORED in every mode, not
 *    rejected: oVirt clients send back whole objects they got from a GET, and oVirt ignores them too.
 *  - JSON accepts native numbers/booleans and also their string forms ("22", "true"), because oVirt's
 *    own JSON sends strings. XML booleans: true/false in any case, and 1/0. Enums: any case.
 *  - Dates: ISO 8601 with Z or an offset, in both formats; JSON also takes epoch milliseconds.
 *  - JSON null: in update mode it clears an optional field (the result holds null); otherwise it counts
 *    as absent. JSON cannot show a repeated key, so the last one wins there; in XML a repeated single
 *    field is an error.
 *  - create and action modes require the non-optional writable fields; update mode requires nothing
 *    and nested objects are partial. Lists are always replaced whole, so their items are complete.
 */
export type DecodeMode = 'create' | 'update' | 'action';

export interface DecodeOptions<M extends DecodeMode = DecodeMode> {
  readonly mode: M;
  readonly format: Format;
}

const RESOURCE_KEYS = new Set(['id', 'href', 'link', 'actions']);
// Every resource a body can refer to has a UUID id (as in oVirt). Anything else is refused here, once for all
// references, before it reaches a uuid column, where PostgreSQL would answer an error instead of "not found".
export const REF_ID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** The longest name a reference may give. */
export const REF_NAME_MAX = 255;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

interface Context {
  readonly format: Format;
  readonly issues: BodyIssue[];
}

/** Returned for a value that did not decode; the issue is already recorded. */
const INVALID = Symbol('invalid');
type Result<T> = T | typeof INVALID;

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function fail(ctx: Context, path: string, message: string): typeof INVALID {
  ctx.issues.push({ path, message });
  return INVALID;
}

function got(value: unknown, secret: boolean): string {
  return secret ? '' : ` (got ${describeValue(value)})`;
}

export function decodeBody<S extends RootSchema>(
  schema: S,
  tree: unknown,
  options: DecodeOptions<'create' | 'action'>,
): CreateInput<S['fields']>;
export function decodeBody<S extends RootSchema>(
  schema: S,
  tree: unknown,
  options: DecodeOptions<'update'>,
): UpdateInput<S['fields']>;
export function decodeBody<S extends RootSchema>(
  schema: S,
  tree: unknown,
  options: DecodeOptions,
): CreateInput<S['fields']> | UpdateInput<S['fields']>;
/** Throws one BodyError listing every problem found. */
export function decodeBody(schema: RootSchema, tree: unknown, options: DecodeOptions): Rec {
  const ctx: Context = { format: options.format, issues: [] };
  const out = decodeObject(schema, tree, '', options.mode === 'update', ctx);
  if (out === INVALID || ctx.issues.length > 0) {
    throw new BodyError(ctx.issues.length > 0 ? ctx.issues : [{ path: '', message: 'invalid body' }]);
  }
  return out;
}

function decodeObject(schema: RootSchema, tree: unknown, path: string, partial: boolean, ctx: Context): Result<Rec> {
  // An empty XML element (<ssh/>, <action/>) is an object without fields.
  const value = ctx.format === 'xml' && typeof tree === 'string' && !/\S/.test(tree) ? {} : tree;
  if (!isRecord(value)) {
    return fail(ctx, path, `must be an object${got(value, false)}`);
  }
  const fields: Fields = schema.fields;
  const out: Rec = {};
  for (const key of Object.keys(value)) {
    if ((schema.kind === 'resource' && RESOURCE_KEYS.has(key)) || schema.ignored?.includes(key)) {
      continue;
    }
    const keyPath = child(path, safeName(key));
    if (!Object.hasOwn(fields, key)) {
      fail(ctx, keyPath, 'unknown field');
      continue;
    }
    const field = fields[key];
    const v = value[key];
    if (field.readOnly) {
      continue;
    }
    if (v === null) {
      if (partial && field.optional) {
        out[key] = null;
      } else if (partial) {
        fail(ctx, keyPath, 'cannot be null');
      }
      continue;
    }
    if (ctx.format === 'xml' && Array.isArray(v)) {
      fail(ctx, keyPath, 'must appear only once');
      continue;
    }
    const decoded = decodeValue(field, v, keyPath, partial, ctx);
    if (decoded !== INVALID) {
      out[key] = decoded;
    }
  }
  if (!partial) {
    for (const name of schema.order) {
      const field = fields[name];
      if (!field.optional && !field.readOnly && (!Object.hasOwn(value, name) || value[name] === null)) {
        fail(ctx, child(path, name), REQUIRED);
      }
    }
  }
  return out;
}

function decodeValue(field: ListItem, value: unknown, path: string, partial: boolean, ctx: Context): Result<unknown> {
  switch (field.kind) {
    case 'string':
      return decodeString(field, value, path, ctx);
    case 'int':
    case 'long':
      return decodeInteger(field, value, path, ctx);
    case 'bool':
      return decodeBool(field, value, path, ctx);
    case 'date':
      return decodeDate(field, value, path, ctx);
    case 'enum':
      return decodeEnum(field, value, path, ctx);
    case 'ref':
      return decodeRef(value, path, ctx);
    case 'object':
      return decodeObject(field, value, path, partial, ctx);
    case 'resource':
      return decodeObject(field, value, path, false, ctx);
    case 'list':
      return decodeList(field.itemName, field.item, field.maxItems, value, path, ctx);
  }
}

function decodeString(field: StringField, value: unknown, path: string, ctx: Context): Result<string> {
  const secret = field.writeOnly;
  if (typeof value !== 'string') {
    return fail(
      ctx,
      path,
      ctx.format === 'xml' ? 'must be text, not nested elements' : `must be a string${got(value, secret)}`,
    );
  }
  if (CONTROL.test(value)) {
    return fail(ctx, path, 'must not contain control characters');
  }
  const length = Array.from(value).length;
  if (field.maxLength !== undefined && length > field.maxLength) {
    return fail(ctx, path, `must be at most ${field.maxLength} characters long`);
  }
  if (field.minLength !== undefined && length < field.minLength) {
    return fail(ctx, path, `must be at least ${field.minLength} characters long`);
  }
  if (field.values && !field.values.includes(value)) {
    return fail(ctx, path, `must be one of: ${field.values.join(', ')}${got(value, secret)}`);
  }
  if (field.pattern && !field.pattern.test(value)) {
    return fail(
      ctx,
      path,
      `must be ${field.patternDescription ?? `in the format ${field.pattern.source}`}${got(value, secret)}`,
    );
  }
  return value;
}

function decodeInteger(field: IntegerField, value: unknown, path: string, ctx: Context): Result<number> {
  const n = toInteger(value);
  if (n === undefined || n < field.min || n > field.max) {
    return fail(ctx, path, `must be an integer between ${field.min} and ${field.max}${got(value, field.writeOnly)}`);
  }
  return n;
}

/** JSON booleans, and in both formats true/false in any case or 1/0 as text. */
function decodeBool(field: BooleanField, value: unknown, path: string, ctx: Context): Result<boolean> {
  if (typeof value === 'boolean' && ctx.format !== 'xml') {
    return value;
  }
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return fail(ctx, path, `must be true or false${got(value, field.writeOnly)}`);
}

function decodeDate(field: DateField, value: unknown, path: string, ctx: Context): Result<Date> {
  const xml = ctx.format === 'xml';
  let ms: number | undefined;
  if (typeof value === 'number' && !xml) ms = value;
  else if (typeof value === 'string')
    ms = /^\s*-?\d+\s*$/.test(value) && !xml ? Number(value) : parseIsoDate(value.trim());
  if (ms === undefined || !Number.isInteger(ms) || Math.abs(ms) > MAX_EPOCH_MS) {
    const forms = xml ? 'an ISO 8601 date-time with offset' : 'epoch milliseconds or an ISO 8601 date-time with offset';
    return fail(ctx, path, `must be ${forms}, e.g. 2026-11-22T04:30:00.000+00:00${got(value, field.writeOnly)}`);
  }
  return new Date(ms);
}

function decodeEnum(field: EnumField, value: unknown, path: string, ctx: Context): Result<string> {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === undefined || !(field.values as readonly string[]).includes(text)) {
    return fail(ctx, path, `must be one of: ${field.values.join(', ')}${got(value, field.writeOnly)}`);
  }
  return text;
}

/** Integers from numbers, or from decimal strings (XML, and oVirt-style JSON). Safe integers only. */
function toInteger(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*[+-]?\d{1,16}\s*$/.test(value)
        ? Number(value)
        : NaN;
  // `+ 0` turns -0 into 0.
  return Number.isSafeInteger(n) ? n + 0 : undefined;
}

function decodeRef(value: unknown, path: string, ctx: Context): Result<{ id?: string; name?: string }> {
  if (!isRecord(value)) {
    return fail(ctx, path, 'must be a reference with an id or a name');
  }
  const out: { id?: string; name?: string } = {};
  let ok = true;
  for (const key of Object.keys(value)) {
    const v = value[key];
    const keyPath = child(path, safeName(key));
    if (key === 'href' || v === null) {
      continue;
    }
    if (key !== 'id' && key !== 'name') {
      fail(ctx, keyPath, 'unknown field (a reference takes id or name)');
      ok = false;
    } else if (ctx.format === 'xml' && Array.isArray(v)) {
      fail(ctx, keyPath, 'must appear only once');
      ok = false;
    } else if (typeof v !== 'string') {
      fail(ctx, keyPath, `must be a string${got(v, false)}`);
      ok = false;
    } else if (key === 'id') {
      if (!REF_ID.test(v.trim())) {
        fail(ctx, keyPath, `is not a valid id${got(v, false)}`);
        ok = false;
      } else {
        out.id = v.trim().toLowerCase();
      }
    } else if (v === '' || v.length > REF_NAME_MAX || CONTROL.test(v)) {
      fail(ctx, keyPath, `must be 1 to ${REF_NAME_MAX} characters without control characters`);
      ok = false;
    } else {
      out.name = v;
    }
  }
  if (!ok) {
    return INVALID;
  }
  if (out.id === undefined && out.name === undefined) {
    return fail(ctx, path, 'must be a reference with an id or a name');
  }
  return out;
}

function decodeList(
  itemName: string,
  item: ListItem,
  maxItems: number,
  value: unknown,
  path: string,
  ctx: Context,
): Result<unknown[]> {
  const xml = ctx.format === 'xml';
  const wrapper = xml && typeof value === 'string' && !/\S/.test(value) ? {} : value;
  const shape = `must be a list: ${xml ? `<${itemName}> elements` : `{"${itemName}": [...]}`}`;
  if (!isRecord(wrapper)) {
    return fail(ctx, path, shape);
  }
  let ok = true;
  for (const key of Object.keys(wrapper)) {
    if (key !== itemName) {
      fail(ctx, child(path, safeName(key)), `unknown field (the list holds <${itemName}> items)`);
      ok = false;
    }
  }
  const raw = Object.hasOwn(wrapper, itemName) ? wrapper[itemName] : [];
  let items: unknown[];
  if (Array.isArray(raw)) {
    items = raw;
  } else if (xml) {
    items = [raw];
  } else {
    return fail(ctx, child(path, itemName), shape);
  }
  if (items.length > maxItems) {
    return fail(ctx, path, `must have at most ${maxItems} items`);
  }
  const out: unknown[] = [];
  items.forEach((v, i) => {
    const itemPath = `${child(path, itemName)}[${i}]`;
    const decoded = v === null ? fail(ctx, itemPath, 'cannot be null') : decodeValue(item, v, itemPath, false, ctx);
    if (decoded === INVALID) ok = false;
    else out.push(decoded);
  });
  return ok ? out : INVALID;
}

export interface ReadOptions<M extends DecodeMode = DecodeMode> extends DecodeOptions<M> {
  readonly limits?: ParseLimits;
}

export function readBody<S extends RootSchema>(
  schema: S,
  text: string,
  options: ReadOptions<'create' | 'action'>,
): CreateInput<S['fields']>;
export function readBody<S extends RootSchema>(
  schema: S,
  text: string,
  options: ReadOptions<'update'>,
): UpdateInput<S['fields']>;
export function readBody<S extends RootSchema>(
  schema: S,
  text: string,
  options: ReadOptions,
): CreateInput<S['fields']> | UpdateInput<S['fields']>;
/** parseBody (the XML root must be the schema's type, e.g. <action>) then decodeBody. Throws BodyError only. */
export function readBody(schema: RootSchema, text: string, options: ReadOptions): unknown {
  return decodeBody(schema, parseBody(text, options.format, schema.type, options.limits), options);
}
