import { GlusterArgumentError } from './errors';

/**
 * Quotes one argument for a POSIX shell: the whole argument goes inside single quotes, and each
 * single quote inside it becomes '\'' (close, escaped quote, reopen). Inside single quotes a POSIX
 * shell interprets nothing, so `$(...)`, backticks, `;`, newlines and globs stay literal.
 *
 * Validation is the first line of defence (callers never get here with a hostile value); quoting is
 * the second. NUL cannot be carried by a command line at all, so it is refused.
 */
export function shellQuote(arg: string): string {
  if (typeof arg !== 'string') {
    throw new GlusterArgumentError('argument', 'must be a string');
  }
  if (arg.includes('\0')) {
    throw new GlusterArgumentError('argument', 'must not contain a NUL byte');
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into one shell command line, every word quoted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
