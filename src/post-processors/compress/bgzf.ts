// BGZF ("blocked gzip", the `.bgzf` format of the compress post-processor):
// a series of gzip members of at most 64 KiB each, every one carrying its
// own size in a "BC" extra field, closed by an empty end-of-file member. Any
// gzip reader reads it whole; the blocks are deflated on libuv's thread pool,
// several at a time, and written in order.

import { Transform, type TransformCallback } from "node:stream";
import { promisify } from "node:util";
import { crc32, deflateRaw } from "node:zlib";

const deflateRawAsync = promisify(deflateRaw);

/** Input bytes per block: what the format's reference writer uses, so a block never exceeds 64 KiB. */
const BLOCK_INPUT = 0xff00;
/** Blocks deflated at the same time. */
export const BGZF_PARALLEL = 4;

/** The empty block every BGZF file ends with. */
export const BGZF_EOF = Buffer.from(
  "1f8b08040000000000ff0600424302001b0003000000000000000000",
  "hex",
);

async function block(data: Buffer, level: number): Promise<Buffer> {
  let deflated = await deflateRawAsync(data, { level });
  // Incompressible data: store it, which always fits the 64 KiB limit.
  if (deflated.length + 26 > 0x10000) deflated = await deflateRawAsync(data, { level: 0 });
  const head = Buffer.from("1f8b08040000000000ff060042430200", "hex");
  const size = Buffer.alloc(2);
  size.writeUInt16LE(head.length + 2 + deflated.length + 8 - 1);
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(data), 0);
  tail.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, size, deflated, tail]);
}

export class BgzfWriter extends Transform {
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private inFlight: Promise<Buffer>[] = [];

  constructor(private readonly level: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingSize += chunk.length;
    this.drainFull().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    const rest = Buffer.concat(this.pending, this.pendingSize);
    this.pending = [];
    this.pendingSize = 0;
    if (rest.length > 0) this.start(rest);
    this.emitAll()
      .then(() => {
        this.push(BGZF_EOF);
        done();
      })
      .catch(done);
  }

  /** Starts a block for each full 64 KiB of input, waiting for the oldest when too many are running. */
  private async drainFull(): Promise<void> {
    if (this.pendingSize < BLOCK_INPUT) return;
    let all = Buffer.concat(this.pending, this.pendingSize);
    while (all.length >= BLOCK_INPUT) {
      this.start(all.subarray(0, BLOCK_INPUT));
      all = all.subarray(BLOCK_INPUT);
      if (this.inFlight.length >= BGZF_PARALLEL) this.push(await this.inFlight.shift()!);
    }
    this.pending = all.length > 0 ? [Buffer.from(all)] : [];
    this.pendingSize = all.length;
  }

  private start(data: Buffer): void {
    const p = block(data, this.level);
    // Awaited in order later; a failure must not count as unhandled meanwhile.
    p.catch(() => {});
    this.inFlight.push(p);
  }

  private async emitAll(): Promise<void> {
    while (this.inFlight.length > 0) this.push(await this.inFlight.shift()!);
  }
}
