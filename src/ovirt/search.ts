import { OvirtFault } from './faults';
import { safeText } from './representation';
import { parseIsoDate } from './representation/dates';

/**
 * oVirt's `search` query parameter, the part this service supports:
 *
 *   name=gluster*  and  status=up  sortby name desc
 *
 * Clauses `field=value` or `field!=value` joined by `and`; `*` in a value matches any characters; values
 * with spaces go in double quotes; an optional `sortby <field> [asc|desc]` at the end. Number and date
 * fields, and enums with an order (severity), also take `<`, `<=`, `>` and `>=`:
 *
 *   severity>=warning and time>2026-11-30T00:00:00Z and code=4596
 *
 * Field names are those of the resource's SearchSpec; everything else is refused with a 400 that says why.
 */
export interface SearchField {
  /** Column (with its alias) in the list query; never taken from the request. */
  readonly column: string;
  /** An enum: values are matched lower case and, without a wildcard, must be one of these. */
  readonly values?: readonly string[];
  /** An enum whose values (in `values`) are in increasing order, so it can be compared. */
  readonly ordered?: boolean;
  /** Text by default (with wildcards); number and date values are compared, never matched as text. */
  readonly type?: 'text' | 'number' | 'date';
  /** A number field's column holds this range (default: PostgreSQL's integer); a value outside it is a 400, not a database error. */
  readonly range?: readonly [min: number, max: number];
}

const INTEGER_RANGE = [-(2 ** 31), 2 ** 31 - 1] as const;

export interface SearchSpec {
  readonly fields: Readonly<Record<string, SearchField>>;
  /** The order of a list without `sortby`. */
  readonly defaultSort: string;
  /** The list without `sortby` comes newest (largest) first. */
  readonly defaultDescending?: boolean;
}

export type Comparison = '<' | '<=' | '>' | '>=';

export interface SearchCondition {
  readonly field: string;
  readonly negate: boolean;
  /** As given, `*` meaning any characters (text); a number, or an ISO date as epoch ms text (date). */
  readonly value: string;
  /** Set for `<`, `<=`, `>`, `>=` (then negate is false). */
  readonly comparison?: Comparison;
}

export interface SortKey {
  readonly field: string;
  readonly descending: boolean;
}

export interface SearchQuery {
  readonly conditions: readonly SearchCondition[];
  readonly sort: SortKey;
}

export const MAX_SEARCH_LENGTH = 1000;
const MAX_CONDITIONS = 20;

type Token = { kind: 'word' | 'quoted' | 'op'; text: string; at: number };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function problem(detail: string): OvirtFault {
  return OvirtFault.invalidParameter('search', detail);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|(!=|<=|>=|=|<|>)|([^\s="!<>]+))/y;
  let index = 0;
  const trailingSpace = /\s*$/y;
  while (index < text.length) {
    trailingSpace.lastIndex = index;
    if (trailingSpace.test(text)) break;
    pattern.lastIndex = index;
    const m = pattern.exec(text);
    if (!m) {
      const at = index + (text.slice(index).search(/\S/) || 0);
      throw problem(`unexpected ${JSON.stringify(safeText(text.slice(at, at + 10), 10))} at position ${at + 1}`);
    }
    const at = m.index + m[0].length - m[0].trimStart().length;
    if (m[1] !== undefined) tokens.push({ kind: 'quoted', text: m[1].replace(/\\(.)/g, '$1'), at });
    else if (m[2] !== undefined) tokens.push({ kind: 'op', text: m[2], at });
    else tokens.push({ kind: 'word', text: m[3], at });
    index = pattern.lastIndex;
  }
  return tokens;
}

function isKeyword(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toLowerCase() === word;
}

function fieldOf(token: Token | undefined, spec: SearchSpec, what: string): string {
  if (token?.kind !== 'word') {
    throw problem(`expected ${what}${token ? ` at position ${token.at + 1}` : ' at the end'}`);
  }
  const name = token.text.toLowerCase();
  if (!Object.hasOwn(spec.fields, name)) {
    throw problem(`cannot search by "${safeText(token.text, 40)}" (possible: ${Object.keys(spec.fields).join(', ')})`);
  }
  return name;
}

function valueOf(token: Token | undefined, field: string, spec: SearchSpec): string {
  if (token === undefined || token.kind === 'op') {
    throw problem(`expected a value for ${field}${token ? ` at position ${token.at + 1}` : ' at the end'}`);
  }
  if (CONTROL.test(token.text)) {
    throw problem(`the value for ${field} contains control characters`);
  }
  const type = spec.fields[field].type;
  if (type === 'number') {
    if (!/^-?\d{1,15}$/.test(token.text))
      throw problem(`${field} must be a whole number (got "${safeText(token.text, 40)}")`);
    const [min, max] = spec.fields[field].range ?? INTEGER_RANGE;
    if (Number(token.text) < min || Number(token.text) > max)
      throw problem(`${field} must be between ${min} and ${max} (got ${token.text})`);
    return token.text;
  }
  if (type === 'date') {
    const ms = parseIsoDate(token.text);
    if (ms === undefined)
      throw problem(
        `${field} must be an ISO 8601 date and time with Z or an offset, e.g. 2026-11-30T12:00:00Z (got "${safeText(token.text, 40)}")`,
      );
    return String(ms);
  }
  const values = spec.fields[field].values;
  if (values === undefined) {
    return token.text;
  }
  const value = token.text.toLowerCase();
  if (!value.includes('*') && !values.includes(value)) {
    throw problem(`${field} must be one of ${values.join(', ')} (got "${safeText(token.text, 40)}")`);
  }
  return value;
}

/** `sortby <field> [asc|desc]` starting at tokens[i]; nothing may follow it. */
function sortClause(tokens: readonly Token[], i: number, spec: SearchSpec): SortKey {
  const field = fieldOf(tokens[i + 1], spec, 'a field name after sortby');
  let next = i + 2;
  let descending = false;
  if (isKeyword(tokens[next], 'asc') || isKeyword(tokens[next], 'desc')) {
    descending = tokens[next].text.toLowerCase() === 'desc';
    next++;
  }
  if (next < tokens.length) {
    throw problem(
      `sortby must come last (unexpected "${safeText(tokens[next].text, 20)}" at position ${tokens[next].at + 1})`,
    );
  }
  return { field, descending };
}

/** `field op value`: the three tokens starting at tokens[i]. */
function condition(tokens: readonly Token[], i: number, spec: SearchSpec): SearchCondition {
  const field = fieldOf(tokens[i], spec, 'a condition such as name=value');
  const op = tokens[i + 1];
  if (op?.kind !== 'op') {
    throw problem(`expected an operator (=, !=, <, <=, >, >=) after ${field}${op ? ` at position ${op.at + 1}` : ''}`);
  }
  const value = valueOf(tokens[i + 2], field, spec);
  if (op.text === '=' || op.text === '!=') {
    return { field, negate: op.text === '!=', value };
  }
  const { type, ordered } = spec.fields[field];
  if (type !== 'number' && type !== 'date' && !ordered) throw problem(`${field} can only be compared with = or !=`);
  if (value.includes('*')) throw problem(`a wildcard cannot be compared with ${op.text}`);
  return { field, negate: false, value, comparison: op.text as Comparison };
}

export function parseSearch(text: string | undefined, spec: SearchSpec): SearchQuery {
  const defaultSort: SortKey = { field: spec.defaultSort, descending: spec.defaultDescending ?? false };
  if (text === undefined || text.trim() === '') {
    return { conditions: [], sort: defaultSort };
  }
  if (text.length > MAX_SEARCH_LENGTH) {
    throw problem(`longer than ${MAX_SEARCH_LENGTH} characters`);
  }
  const tokens = tokenize(text);
  const conditions: SearchCondition[] = [];
  let sort = defaultSort;
  let i = 0;
  while (i < tokens.length) {
    if (isKeyword(tokens[i], 'sortby')) {
      sort = sortClause(tokens, i, spec);
      break;
    }
    if (conditions.length > 0) {
      const joiner = tokens[i];
      if (isKeyword(joiner, 'or')) throw problem('only "and" can join conditions');
      if (!isKeyword(joiner, 'and')) throw problem(`expected "and" or "sortby" at position ${joiner.at + 1}`);
      i++;
    }
    if (isKeyword(tokens[i], 'page')) throw problem('"page" is not supported; use max');
    conditions.push(condition(tokens, i, spec));
    if (conditions.length > MAX_CONDITIONS) throw problem(`more than ${MAX_CONDITIONS} conditions`);
    i += 3;
  }
  return { conditions, sort };
}

/**
 * Where `needle` first occurs in `text[from, to)`, or -1 (Knuth-Morris-Pratt): the work is the length of
 * the needle plus the characters looked at, which never go back.
 */
function indexWithin(text: string, needle: string, from: number, to: number): number {
  const fallback = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = fallback[k - 1];
    if (needle[i] === needle[k]) k++;
    fallback[i] = k;
  }
  for (let i = from, k = 0; i < to; i++) {
    while (k > 0 && text[i] !== needle[k]) k = fallback[k - 1];
    if (text[i] === needle[k]) k++;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}

/**
 * Whether `text` matches a search value (`*` matches any characters): what likePattern asks of the
 * database, for lists filtered in memory. Never a RegExp: the pieces between the stars are found
 * leftmost first, one after the other, so the work is linear in the lengths of the value and the text.
 */
export function matchesSearchValue(value: string, text: string, caseSensitive = true): boolean {
  const pattern = caseSensitive ? value : value.toLowerCase();
  const subject = caseSensitive ? text : text.toLowerCase();
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === subject;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > subject.length || !subject.startsWith(first) || !subject.endsWith(last))
    return false;
  let at = first.length;
  const end = subject.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue;
    const found = indexWithin(subject, piece, at, end);
    if (found === -1) return false;
    at = found + piece.length;
  }
  return true;
}

/** A LIKE pattern (escape character `\`) for a search value: `*` matches anything, `%` and `_` are literal. */
export function likePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}

/** The values of an ordered enum that satisfy `value <op> bound`. */
export function orderedValues(values: readonly string[], comparison: Comparison, bound: string): string[] {
  const at = values.indexOf(bound);
  return values.filter((_, i) =>
    comparison === '<' ? i < at : comparison === '<=' ? i <= at : comparison === '>' ? i > at : i >= at,
  );
}
