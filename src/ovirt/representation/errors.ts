/** One problem found in a request body; `path` is like `ssh.port` or `options.option[2].name` ('' = the body). */
export interface BodyIssue {
  readonly path: string;
  readonly message: string;
}

/** `syntax`: the body could not be read at all; `validation`: it was read but does not fit the schema. */
export type BodyErrorKind = 'syntax' | 'validation';

export interface FaultView {
  readonly reason: string;
  readonly detail?: string;
}

const MAX_ISSUES_IN_DETAIL = 10;
export const REQUIRED = 'required';

/**
 * The only error the parsing and decoding functions throw. Its message (= `detail`) is one line, safe to
 * show to the client: values are truncated and control characters escaped.
 */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  readonly issues: readonly BodyIssue[];
  readonly kind: BodyErrorKind;
  /** HTTP status to answer with. */
  readonly status = 400;

  constructor(issues: readonly BodyIssue[] | string, kind: BodyErrorKind = 'validation') {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    const clean = list.map((i) => ({ path: oneLine(i.path), message: oneLine(i.message) }));
    super(formatIssues(clean));
    this.issues = clean;
    this.kind = kind;
  }

  get detail(): string {
    return this.message;
  }

  /** oVirt-style reason: "Incomplete parameters" when only required fields are missing. */
  get reason(): string {
    if (this.kind === 'syntax') {
      return 'Malformed request body';
    }
    return this.issues.length > 0 && this.issues.every((i) => i.message === REQUIRED)
      ? 'Incomplete parameters'
      : 'Invalid request body';
  }

  toFault(): Required<FaultView> {
    return { reason: this.reason, detail: this.detail };
  }
}

/** A view that does not fit its schema: a programming error, answer 500 without details. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}

function formatIssues(issues: readonly BodyIssue[]): string {
  const shown = issues
    .slice(0, MAX_ISSUES_IN_DETAIL)
    .map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`));
  const more = issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

// C0/C1 controls, and format characters that can reorder or hide text (bidi overrides, zero widths).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** At most `max` code points of `s`, with control and bidi characters shown as \uXXXX. */
export function safeText(s: string, max = 100): string {
  const points = Array.from(s.length > max * 2 ? s.slice(0, max * 2 + 1) : s);
  const cut = points.length > max ? points.slice(0, max).join('') + '…' : points.join('');
  return cut.replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How a bad value is echoed in a message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return `"${safeText(value)}"`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return safeText(String(value));
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  return typeof value === 'object' ? 'an object' : 'nothing';
}

/** A key from the request, for use in a path. */
export function safeName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(name) ? name : `"${safeText(name, 40)}"`;
}
