import { Parser } from 'xml2js';
import { GlusterCommandError, GlusterErrorKind, classifyGlusterMessage, cleanGlusterMessage } from './errors';

/**
 * Gluster's `--xml` output: a small element tree built with xml2js, and the `<cliOutput>` envelope
 * rules (opRet decides, not the exit code).
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Text directly inside the element (not of its children), untrimmed; '' when none. */
  readonly text: string;
  readonly children: readonly XmlElement[];
}

interface RawNode {
  '#name'?: string;
  _?: string;
  $?: Record<string, string>;
  $$?: RawNode[];
}

const PARSER_OPTIONS = {
  explicitChildren: true,
  preserveChildrenOrder: true,
  explicitCharkey: true,
  charsAsChildren: false,
  includeWhiteChars: false,
  trim: false,
  normalize: false,
  strict: true,
  async: false,
} as const;

function toElement(node: RawNode, name: string): XmlElement {
  return {
    name,
    attributes: node.$ ?? {},
    text: node._ ?? '',
    children: (node.$$ ?? []).map((c) => toElement(c, c['#name'] ?? '')),
  };
}

/**
 * Parses an XML document synchronously (xml2js runs synchronously when `async` is false).
 * A DOCTYPE or ENTITY declaration is refused up front: gluster never emits one. Anything after the
 * root element is ignored (xml2js stops there).
 */
export function parseXmlDocument(xml: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new GlusterCommandError('parse_error', 'XML with a DOCTYPE or ENTITY declaration is not accepted');
  }
  let result: unknown;
  let error: unknown;
  let done = false;
  try {
    new Parser(PARSER_OPTIONS).parseString(xml, (err: Error | null, res: unknown) => {
      error = err;
      result = res;
      done = true;
    });
  } catch (e) {
    error = e;
    done = true;
  }
  if (!done) {
    throw new GlusterCommandError('parse_error', 'XML parser did not finish synchronously');
  }
  if (error) {
    throw new GlusterCommandError(
      'parse_error',
      `malformed XML: ${cleanGlusterMessage(String((error as Error).message ?? error)).split('\n')[0]}`,
    );
  }
  if (result === null || typeof result !== 'object') {
    throw new GlusterCommandError('parse_error', 'empty XML document');
  }
  const [rootName, root] = Object.entries(result as Record<string, RawNode>)[0];
  return toElement(root, rootName);
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of the first child called `name` (the first of `names` that exists), or undefined. */
export function childText(el: XmlElement | undefined, ...names: string[]): string | undefined {
  for (const n of names) {
    const c = child(el, n);
    if (c) return c.text.trim();
  }
  return undefined;
}

export function requireChild(el: XmlElement, name: string): XmlElement {
  const c = child(el, name);
  if (!c) {
    throw new GlusterCommandError('parse_error', `missing <${name}> in <${el.name}>`);
  }
  return c;
}

/** An integer from element text, or null for '', 'N/A' and anything not a plain integer. */
export function intOrNull(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  return /^-?[0-9]+$/.test(t) ? Number(t) : null;
}

export interface CliEnvelope {
  readonly opRet: number;
  readonly opErrno: number;
  /**
   * gluster's message. With opRet 0 it is informational and often noise (`primary not found` on global
   * status, `geo-replication is not set up` on stop of a stopped session, `delete successful`).
   */
  readonly opErrstr: string;
  /** The `<cliOutput>` element. */
  readonly root: XmlElement;
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr?: string;
  readonly exitCode: number | null;
}

/** Marker gluster prints on stdout for every failed plain-mode geo-rep command. */
export const GEOREP_FAILED_LINE = 'geo-replication command failed';

/** The message of a non-XML failure: stderr if any, else stdout without gluster's generic marker line. */
export function plainFailureMessage(stdout: string, stderr = ''): string {
  const err = cleanGlusterMessage(stderr);
  if (err) return err;
  const lines = cleanGlusterMessage(stdout)
    .split('\n')
    .filter((l) => l.trim() !== GEOREP_FAILED_LINE);
  return lines.join('\n').trim() || cleanGlusterMessage(stdout);
}

export interface ParseCliOptions {
  /**
   * Kind to report for gluster's bare "nothing to show" answer: no XML, exit code 2, only
   * `geo-replication command failed` on stdout and nothing on stderr. Anything else without XML
   * (glusterd down, ...) keeps its classified kind, so it can never pass for "no session".
   */
  readonly bareFailureKind?: GlusterErrorKind;
}

/**
 * Reads a `--xml` command's result. Throws GlusterCommandError when:
 * - the output holds `<cliOutput>` with opRet != 0 (gluster exits 0 with opRet -1 or 2 for most
 *   failures), kind classified from opErrstr;
 * - there is no XML and the exit code is non-zero (e.g. `status --xml` of an unknown session: exit 2,
 *   only `geo-replication command failed` on stdout);
 * - the output is not the expected XML (parse_error).
 */
export function parseCliXml(out: CommandOutput, options: ParseCliOptions = {}): CliEnvelope {
  const { stdout, stderr = '', exitCode } = out;
  if (!stdout.includes('<cliOutput')) {
    if (exitCode !== 0) {
      const msg = plainFailureMessage(stdout, stderr);
      const bare = exitCode === 2 && stdout.trim() === GEOREP_FAILED_LINE && stderr.trim() === '';
      const kind = bare && options.bareFailureKind ? options.bareFailureKind : classifyGlusterMessage(msg);
      throw new GlusterCommandError(kind, msg, { exitCode });
    }
    throw new GlusterCommandError('parse_error', 'expected gluster XML output, got none', { exitCode });
  }
  const root = parseXmlDocument(stdout);
  if (root.name !== 'cliOutput') {
    throw new GlusterCommandError('parse_error', `unexpected XML root <${root.name}>`, { exitCode });
  }
  const opRet = intOrNull(childText(root, 'opRet'));
  if (opRet === null) {
    throw new GlusterCommandError('parse_error', 'missing or invalid <opRet>', { exitCode });
  }
  const opErrno = intOrNull(childText(root, 'opErrno')) ?? 0;
  const opErrstr = cleanGlusterMessage(child(root, 'opErrstr')?.text ?? '');
  if (opRet !== 0) {
    const msg = opErrstr || plainFailureMessage('', stderr);
    throw new GlusterCommandError(classifyGlusterMessage(msg), msg, { exitCode, opRet, opErrno });
  }
  return { opRet, opErrno, opErrstr, root };
}

/**
 * Reads a plain (non-XML) command's result: returns stdout trimmed, or throws GlusterCommandError
 * when the exit code is non-zero (message from stderr, else stdout).
 */
export function parsePlainOutput(out: CommandOutput): string {
  const { stdout, stderr = '', exitCode } = out;
  if (exitCode !== 0) {
    const msg = plainFailureMessage(stdout, stderr);
    throw new GlusterCommandError(classifyGlusterMessage(msg), msg, { exitCode });
  }
  return stdout.trim();
}
