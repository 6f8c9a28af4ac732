import type { Request } from 'express';
import { OvirtFault } from './faults';
import { safeText } from './representation';
import { parseSearch, SearchQuery, SearchSpec } from './search';

/** oVirt's spellings of booleans in query parameters and headers (ParametersHelper). */
const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', '0']);

export function parseOvirtBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

export type QueryParams = Request['query'];

/** One value of a query parameter; a parameter given twice (or as `a[b]=`) is a 400. */
export function singleParam(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw OvirtFault.invalidParameter(name, 'must be given once, as a plain value');
  }
  return value;
}

export function booleanParam(query: QueryParams, name: string, fallback: boolean): boolean {
  const text = singleParam(query, name);
  if (text === undefined || text === '') return text === '' ? true : fallback;
  const value = parseOvirtBoolean(text);
  if (value === undefined) {
    throw OvirtFault.invalidParameter(
      name,
      `must be true or false (t, true, y, yes, 1 / f, false, n, no, 0), got "${safeText(text, 40)}"`,
    );
  }
  return value;
}

/** `All-Content: true` header or `all_content=true` query parameter. */
export function allContentRequested(req: Request): boolean {
  const header = req.header('all-content');
  if (header !== undefined) {
    const value = parseOvirtBoolean(header);
    if (value === undefined) throw OvirtFault.invalidParameter('All-Content', 'must be true or false');
    return value;
  }
  return booleanParam(req.query, 'all_content', false);
}

export const MAX_MAX = 100_000;
/** The largest `max` accepted (nine digits, as maxParam's pattern reads it); above MAX_MAX it counts as MAX_MAX. */
export const LARGEST_MAX = 999_999_999;

/** `max=N`: at most N items; `-1` (oVirt's default) or no parameter: all. */
export function maxParam(query: QueryParams): number | undefined {
  const text = singleParam(query, 'max');
  if (text === undefined) return undefined;
  if (!/^\s*-?\d{1,9}\s*$/.test(text) || Number(text) < -1) {
    throw OvirtFault.invalidParameter('max', `must be a whole number, -1 for all (got "${safeText(text, 40)}")`);
  }
  const n = Number(text);
  return n === -1 ? undefined : Math.min(n, MAX_MAX);
}

/** What a list GET asks for: filter and order (search), how many (max), and whether matching ignores case. */
export interface ListQuery {
  readonly search: SearchQuery;
  readonly max?: number;
  readonly caseSensitive: boolean;
}

export function parseListQuery(query: QueryParams, spec: SearchSpec): ListQuery {
  return {
    search: parseSearch(singleParam(query, 'search'), spec),
    max: maxParam(query),
    caseSensitive: booleanParam(query, 'case_sensitive', true),
  };
}

/** `follow=cluster,hosts`: names of the links to inline. Dotted paths (`cluster.x`) are not supported. */
export function followParam(query: QueryParams): string[] {
  const text = singleParam(query, 'follow');
  if (text === undefined || text.trim() === '') return [];
  const names = text.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) {
      const why = name.includes('.')
        ? 'only direct links can be followed'
        : 'must be a comma-separated list of link names';
      throw OvirtFault.invalidParameter('follow', `${why} (got "${safeText(name, 40)}")`);
    }
  }
  return [...new Set(names)];
}
