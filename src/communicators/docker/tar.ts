// The tar streams the Docker engine's archive API takes and gives
// (PUT/GET /containers/{id}/archive): a writer that streams entries without
// holding a file in memory, and a reader that hands each entry's content on
// as it arrives. POSIX ustar, with PAX records for what ustar cannot hold
// (long names, big files); the reader also takes GNU long names.

import type { Readable } from "node:stream";

const BLOCK = 512;
const ZEROS = Buffer.alloc(BLOCK * 2);
/** The largest size an 11-digit octal field holds. */
const MAX_OCTAL_SIZE = 0o77777777777;

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TarHeader {
  /** The path inside the archive, `/`-separated, without a trailing slash. */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** The target of a symlink or hard link. */
  linkname: string;
}

export interface TarEntryInput {
  name: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  uid?: number;
  gid?: number;
  /** Bytes of content; files only, and the body must yield exactly this many. */
  size?: number;
  mtime?: number;
  linkname?: string;
  /** The content of a file. */
  body?: AsyncIterable<Buffer> | Iterable<Buffer> | Readable;
}

/**
 * The archive of `entries`, block by block: headers, content as it is read
 * (so a file of any size streams through), and the end-of-archive marker.
 */
export async function* writeTar(entries: AsyncIterable<TarEntryInput> | Iterable<TarEntryInput>) {
  for await (const entry of entries) {
    yield* headerBlocks(entry);
    if (entry.type !== "file") continue;
    const size = entry.size ?? 0;
    let written = 0;
    if (entry.body) {
      for await (const chunk of entry.body as AsyncIterable<Buffer> | Iterable<Buffer>) {
        written += chunk.length;
        if (written > size) {
          throw new Error(
            `${entry.name} grew while it was being archived (expected ${size} bytes)`,
          );
        }
        yield chunk;
      }
    }
    if (written !== size) {
      throw new Error(
        `${entry.name} changed while it was being archived (expected ${size} bytes, read ${written})`,
      );
    }
    const pad = padding(size);
    if (pad > 0) yield ZEROS.subarray(0, pad);
  }
  yield ZEROS;
}

function headerBlocks(entry: TarEntryInput): Buffer[] {
  const name = entry.type === "directory" ? `${entry.name.replace(/\/+$/, "")}/` : entry.name;
  const linkname = entry.linkname ?? "";
  const size = entry.type === "file" ? (entry.size ?? 0) : 0;
  const pax: Record<string, string> = {};
  const split = splitName(name);
  if (split === undefined) pax.path = name;
  if (Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
  if (size > MAX_OCTAL_SIZE) pax.size = String(size);

  const blocks: Buffer[] = [];
  if (Object.keys(pax).length > 0) {
    const body = paxRecords(pax);
    blocks.push(
      header({
        name: "PaxHeaders/" + basename(name).slice(0, 80),
        typeflag: "x",
        mode: 0o644,
        size: body.length,
        mtime: entry.mtime,
      }),
      body,
    );
    const pad = padding(body.length);
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(
    header({
      name: split?.name ?? Buffer.from(name).subarray(0, 100).toString(),
      prefix: split?.prefix ?? "",
      typeflag: entry.type === "file" ? "0" : entry.type === "directory" ? "5" : "2",
      mode: entry.mode,
      uid: entry.uid,
      gid: entry.gid,
      size: size > MAX_OCTAL_SIZE ? 0 : size,
      mtime: entry.mtime,
      linkname: pax.linkpath === undefined ? linkname : "",
    }),
  );
  return blocks;
}

interface RawHeader {
  name: string;
  prefix?: string;
  typeflag: string;
  mode: number;
  uid?: number;
  gid?: number;
  size: number;
  mtime?: number;
  linkname?: string;
}

function header(h: RawHeader): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, "utf8");
  octal(b, 100, 8, h.mode & 0o7777);
  octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, Math.floor(h.mtime ?? Date.now() / 1000));
  b.write(h.typeflag, 156, 1, "latin1");
  b.write(h.linkname ?? "", 157, 100, "utf8");
  b.write("ustar\u000000", 257, 8, "latin1");
  b.write(h.prefix ?? "", 345, 155, "utf8");
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "latin1");
  return b;
}

function octal(b: Buffer, offset: number, length: number, value: number): void {
  b.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length, "latin1");
}

/** A name split into ustar's prefix and name fields, or undefined when it does not fit. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", name };
  // The prefix ends at a slash; the name field keeps the rest (a directory's trailing slash too).
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/") continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(rest) > 100 || rest === "") return undefined;
    if (Buffer.byteLength(prefix) <= 155) return { prefix, name: rest };
  }
  return undefined;
}

function paxRecords(records: Record<string, string>): Buffer {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(records)) {
    // Each record is "LEN KEY=VALUE\n", LEN counting its own digits.
    const rest = ` ${key}=${value}\n`;
    const restBytes = Buffer.byteLength(rest);
    let len = restBytes + 1;
    while (String(len).length + restBytes !== len) len = String(len).length + restBytes;
    parts.push(`${len}${rest}`);
  }
  return Buffer.from(parts.join(""), "utf8");
}

function padding(size: number): number {
  const rem = size % BLOCK;
  return rem === 0 ? 0 : BLOCK - rem;
}

function basename(name: string): string {
  const trimmed = name.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** One entry of an archive being read: its header and, for files, its content. */
export interface TarEntry {
  header: TarHeader;
  /** The content, in chunks as they arrive; read it before asking for the next entry (or it is skipped). */
  body(): AsyncGenerator<Buffer>;
}

/** The entries of a tar stream, in order; each entry's content streams through. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const input = new ByteSource(source);
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await input.readOrEnd(BLOCK);
    if (block === undefined || isZero(block)) return;
    if (!checksumOk(block)) throw new Error("not a tar archive (bad header checksum)");
    const typeflag = String.fromCharCode(block[156]!);
    const size = parseNumber(block, 124, 12);
    if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
      const data = await input.read(size);
      await input.skip(padding(size));
      if (typeflag === "x") pax = { ...pax, ...parsePax(data) };
      else if (typeflag === "g") globalPax = { ...globalPax, ...parsePax(data) };
      else if (typeflag === "L") longName = cString(data);
      else longLink = cString(data);
      continue;
    }
    const extra = { ...globalPax, ...pax };
    const magic = block.toString("latin1", 257, 262);
    const prefix = magic === "ustar" ? cString(block.subarray(345, 500)) : "";
    let name = cString(block.subarray(0, 100));
    if (prefix !== "") name = `${prefix}/${name}`;
    name = extra.path ?? longName ?? name;
    const entrySize = extra.size !== undefined ? Number(extra.size) : size;
    const header: TarHeader = {
      name: name.replace(/\/+$/, ""),
      type: entryType(typeflag, name),
      mode: parseNumber(block, 100, 8),
      uid: extra.uid !== undefined ? Number(extra.uid) : parseNumber(block, 108, 8),
      gid: extra.gid !== undefined ? Number(extra.gid) : parseNumber(block, 116, 8),
      size: entrySize,
      mtime:
        extra.mtime !== undefined ? Math.floor(Number(extra.mtime)) : parseNumber(block, 136, 12),
      linkname: extra.linkpath ?? longLink ?? cString(block.subarray(157, 257)),
    };
    pax = {};
    longName = undefined;
    longLink = undefined;
    // Links and directories carry no content whatever their size field says.
    const contentSize = header.type === "file" || header.type === "other" ? entrySize : 0;
    let remaining = contentSize;
    const body = async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of input.stream(remaining)) {
        remaining -= chunk.length;
        yield chunk;
      }
    };
    yield { header, body };
    // Whatever the consumer did not read is skipped.
    await input.skip(remaining);
    await input.skip(padding(contentSize));
  }
}

function entryType(typeflag: string, name: string): TarEntryType {
  switch (typeflag) {
    case "0":
    case "\u0000":
    case "7":
      return name.endsWith("/") ? "directory" : "file";
    case "5":
      return "directory";
    case "2":
      return "symlink";
    case "1":
      return "hardlink";
    default:
      return "other";
  }
}

function isZero(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumber(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

/** A numeric field: octal text, or GNU's base-256 when the high bit is set. */
function parseNumber(b: Buffer, offset: number, length: number): number {
  const field = b.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString("latin1").replace(/\0.*$/s, "").trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul === -1 ? b.length : nul).toString("utf8");
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = Number.parseInt(data.toString("latin1", pos, space), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.toString("utf8", space + 1, pos + len - 1);
    const eq = record.indexOf("=");
    if (eq !== -1) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Exact reads from a stream of chunks, without copying more than needed. */
class ByteSource {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes; an error when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    const out = await this.readOrEnd(n);
    if (out === undefined) throw new Error("unexpected end of the tar stream");
    return out;
  }

  /** Exactly `n` bytes, or undefined when the stream ends cleanly before them. */
  async readOrEnd(n: number): Promise<Buffer | undefined> {
    while (this.pending.length < n) {
      const chunk = await this.next();
      if (chunk === undefined) {
        if (this.pending.length === 0) return undefined;
        throw new Error("unexpected end of the tar stream");
      }
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    }
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** The next `n` bytes as they arrive. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    while (n > 0) {
      if (this.pending.length === 0) {
        const chunk = await this.next();
        if (chunk === undefined) throw new Error("unexpected end of the tar stream");
        this.pending = chunk;
      }
      const take = Math.min(n, this.pending.length);
      const out = this.pending.subarray(0, take);
      this.pending = this.pending.subarray(take);
      n -= take;
      yield out;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n)) {
      // discarded
    }
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    const r = await this.iterator.next();
    if (r.done) {
      this.ended = true;
      return undefined;
    }
    return typeof r.value === "string" ? Buffer.from(r.value) : r.value;
  }
}
