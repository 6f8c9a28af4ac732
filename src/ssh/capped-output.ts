/** Collects a stream's bytes up to a limit; the rest is counted as dropped so the stream can still be drained. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limitBytes: number) {}

  push(chunk: Buffer): void {
    const room = this.limitBytes - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
    }
    this.dropped += chunk.length - Math.max(room, 0);
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** Decoded once at the end, so a multi-byte character split across chunks stays whole. */
  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}
