/**
 * Splits a byte stream into lines without ever holding more than one partial line of at most
 * `maxLineBytes` plus the chunk being read. `push` reports overflow as soon as the partial
 * line passes the limit, so the caller can drop the connection before buffering more.
 */
export class LineBuffer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLineBytes: number) {}

  /**
   * Adds a chunk; false (and the chunk is not kept) when the line being read would be longer
   * than the limit.
   */
  push(chunk: Buffer): boolean {
    const nl = chunk.lastIndexOf(10);
    const partial = nl < 0 ? this.partialLength() + chunk.length : chunk.length - nl - 1;
    if (partial > this.maxLineBytes) return false;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  /**
   * The next complete line (without its newline), or null when none is buffered. A line that
   * arrived whole in one chunk can be longer than the limit: callers check `length`.
   */
  next(): Buffer | null {
    const nl = this.buf.indexOf(10);
    if (nl < 0) return null;
    const line = this.buf.subarray(0, nl);
    this.buf = this.buf.subarray(nl + 1);
    return line;
  }

  /** True when a complete line is buffered. */
  hasLine(): boolean {
    return this.buf.indexOf(10) >= 0;
  }

  /** Bytes held, complete lines included. */
  get size(): number {
    return this.buf.length;
  }

  private partialLength(): number {
    const nl = this.buf.lastIndexOf(10);
    return nl < 0 ? this.buf.length : this.buf.length - nl - 1;
  }
}
