import * as crypto from 'node:crypto';

/**
 * OpenSSH ignores SSH "signal" requests for root sessions ("session signalling requires privilege
 * separation"), and closing the channel leaves a non-pty command running. So every command first
 * announces its shell's PID on stderr; sshd makes that shell a session leader, so the PID is also the
 * process group to kill when the command times out. A per-command nonce keeps output from startup
 * files (or the command) from passing for the announcement.
 */
const MARKER = 'georep-ssh-pid';
/** Lines a login shell's startup files print before the announcement are passed through; past this much we stop looking. */
const MAX_SCAN_BYTES = 8192;
const EMPTY = Buffer.alloc(0);

export interface AnnouncedCommand {
  command: string;
  nonce: string;
}

export function announcingPid(command: string): AnnouncedCommand {
  const nonce = crypto.randomBytes(6).toString('hex');
  return { command: `echo "${MARKER}:${nonce}:$$" >&2; ${command}`, nonce };
}

/** The command that kills the announced process group. */
export function killProcessGroupCommand(processGroup: number): string {
  if (!Number.isInteger(processGroup) || processGroup <= 1)
    throw new RangeError('not a process group that may be killed');
  return `kill -s KILL -- -${processGroup}`;
}

/** Takes the announcement out of a command's stderr and hands back everything else unchanged. */
export class PidAnnouncementReader {
  private pending: Buffer = EMPTY;
  private scanned = 0;
  private searching = true;
  private readonly line: RegExp;
  processGroup: number | undefined;

  constructor(nonce: string) {
    this.line = new RegExp(`^${MARKER}:${nonce}:(\\d{1,10})$`);
  }

  /** Returns the bytes of `chunk` (and any held back before) that belong to the command's own stderr. */
  take(chunk: Buffer): Buffer {
    if (!this.searching) return chunk;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const passed: Buffer[] = [];
    for (;;) {
      const newline = this.pending.indexOf(0x0a);
      if (newline === -1) break;
      const line = this.pending.subarray(0, newline);
      const found = this.line.exec(line.toString('latin1'));
      this.scanned += newline + 1;
      if (found && Number(found[1]) > 1) {
        this.processGroup = Number(found[1]);
        this.searching = false;
        passed.push(this.pending.subarray(newline + 1));
        this.pending = EMPTY;
        return Buffer.concat(passed);
      }
      passed.push(this.pending.subarray(0, newline + 1));
      this.pending = this.pending.subarray(newline + 1);
    }
    if (this.scanned + this.pending.length > MAX_SCAN_BYTES) {
      this.searching = false;
      passed.push(this.pending);
      this.pending = EMPTY;
    }
    return Buffer.concat(passed);
  }

  /** At the end of the stream: whatever was held back waiting for a newline. */
  flush(): Buffer {
    const rest = this.pending;
    this.pending = EMPTY;
    this.searching = false;
    return rest;
  }
}
