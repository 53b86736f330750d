// Scripts uploaded by the shell provisioner get Unix line endings unless the
// template says they are `binary` (Packer's UnixReader): every line ends with
// "\n" alone, a "\r" before it is dropped, and a last line without a line
// ending gets one. The conversion streams: only a partial line is held.

import { Transform, type TransformCallback } from "node:stream";

const LF = 0x0a;
const CR = 0x0d;

export class UnixLineEndings extends Transform {
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let start = 0;
    const out: Buffer[] = [];
    for (let nl = data.indexOf(LF, start); nl !== -1; nl = data.indexOf(LF, start)) {
      out.push(lineWithLF(data.subarray(start, nl)));
      start = nl + 1;
    }
    this.pending = Buffer.from(data.subarray(start));
    if (out.length > 0) this.push(Buffer.concat(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.pending.length > 0) this.push(lineWithLF(this.pending));
    this.pending = Buffer.alloc(0);
    done();
  }
}

/** A line's bytes, without a trailing carriage return, followed by "\n". */
function lineWithLF(line: Buffer): Buffer {
  const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  const out = Buffer.allocUnsafe(end + 1);
  line.copy(out, 0, 0, end);
  out[end] = LF;
  return out;
}
