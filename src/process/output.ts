// One output stream of a child: split into lines for a callback as it
// arrives, and kept in memory only up to a limit (the last bytes win, since
// the end of the output is what explains a failure).

import { StringDecoder } from "node:string_decoder";

/** A line longer than this is handed on in pieces rather than held back. */
const MAX_PENDING_LINE = 64 * 1024;

export class OutputCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  /** Whether output was dropped from the front to stay within the limit. */
  truncated = false;

  constructor(
    private readonly limitBytes: number,
    private readonly onLine?: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.keep(chunk);
    if (!this.onLine) return;
    this.pending += this.decoder.write(chunk);
    let nl = this.pending.indexOf("\n");
    while (nl !== -1) {
      this.emit(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf("\n");
    }
    if (this.pending.length > MAX_PENDING_LINE) {
      this.emit(this.pending);
      this.pending = "";
    }
  }

  /** Hands on the last line when the output did not end with a newline. */
  end(): void {
    if (!this.onLine) return;
    this.pending += this.decoder.end();
    if (this.pending !== "") this.emit(this.pending);
    this.pending = "";
  }

  /** The kept output; when the front was dropped, starting at the first whole line. */
  text(): string {
    const text = Buffer.concat(this.chunks, this.size).toString("utf8");
    if (!this.truncated) return text;
    const nl = text.indexOf("\n");
    return nl === -1 ? text : text.slice(nl + 1);
  }

  private emit(line: string): void {
    this.onLine!(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  private keep(chunk: Buffer): void {
    if (this.limitBytes <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limitBytes) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limitBytes;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }
}
