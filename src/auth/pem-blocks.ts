export interface PemBlock {
  /** What follows `-----BEGIN ` on its first line: `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`, ... */
  readonly label: string;
  /** The block from its BEGIN line to its END line, lines joined with `\n`. */
  readonly text: string;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----$/;
const END = /^-----END ([A-Z0-9 ]{1,64})-----$/;
/** Any BEGIN line naming a private key, however the file is laid out (an unterminated block included). */
const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,64}PRIVATE KEY-----/;

/**
 * The complete blocks of a PEM file, in order. Text outside blocks (openssl's "Bag Attributes",
 * "subject=" lines, comments) and blocks that are not closed by their own END line are left out.
 */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open: { label: string; lines: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const begin = BEGIN.exec(line);
    if (begin) {
      open = { label: begin[1], lines: [line] };
      continue;
    }
    if (open === undefined) continue;
    open.lines.push(line);
    const end = END.exec(line);
    if (end) {
      if (end[1] === open.label) blocks.push({ label: open.label, text: open.lines.join('\n') });
      open = undefined;
    }
  }
  return blocks;
}

/** Only the `CERTIFICATE` blocks, one after the other, each ending with a newline; '' when there is none. */
export function certificateBlocks(text: string): string {
  return pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => `${b.text}\n`)
    .join('');
}

/** True when the text holds anything that begins like a private key (PKCS#8, RSA, EC, encrypted, OpenSSH). */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_BEGIN.test(text);
}
