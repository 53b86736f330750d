// A streaming tar writer for the compress post-processor, in the GNU format
// Packer writes (Google Cloud's image import reads only that one): each file
// under its base name, with its permission bits, owner ids and names, and a
// zero modification time; a name over 100 bytes gets a GNU long-name entry,
// a size or id too large for octal digits the GNU base-256 form. Contents
// are read as they are written out, never held whole in memory.

import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { fsErrorText } from "../manifest/shared.js";

const BLOCK = 512;

interface HeaderFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  typeflag: string;
  uname: string;
  gname: string;
}

/** A numeric field: octal digits and a NUL, or GNU base-256 when it doesn't fit. */
function writeNumber(buf: Buffer, offset: number, width: number, value: number): void {
  const octal = value.toString(8);
  if (value >= 0 && octal.length <= width - 1) {
    buf.write(`${octal.padStart(width - 1, "0")}\0`, offset, "ascii");
    return;
  }
  // Base-256: the first byte's top bit set, the value big-endian in the rest.
  let v = BigInt(value);
  for (let i = width - 1; i >= 1; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[offset] = 0x80;
}

function header(f: HeaderFields): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(f.name, 0, 100, "utf8");
  writeNumber(h, 100, 8, f.mode);
  writeNumber(h, 108, 8, f.uid);
  writeNumber(h, 116, 8, f.gid);
  writeNumber(h, 124, 12, f.size);
  writeNumber(h, 136, 12, 0); // modification time
  h.write(f.typeflag, 156, 1, "ascii");
  h.write("ustar  \0", 257, 8, "ascii"); // the GNU magic and version
  h.write(f.uname, 265, 32, "utf8");
  h.write(f.gname, 297, 32, "utf8");
  writeNumber(h, 329, 8, 0); // device major
  writeNumber(h, 337, 8, 0); // device minor
  // The checksum is the sum of the header's bytes with its own field as spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The header blocks for one entry: a GNU long-name entry first when the name needs it. */
export function entryHeader(f: HeaderFields): Buffer[] {
  const name = Buffer.from(f.name, "utf8");
  if (name.length <= 100) return [header(f)];
  const longName = Buffer.concat([name, Buffer.from([0])]);
  const long = header({
    name: "././@LongLink",
    mode: 0,
    uid: 0,
    gid: 0,
    size: longName.length,
    typeflag: "L",
    uname: "",
    gname: "",
  });
  const truncated = name.subarray(0, 100).toString("utf8");
  return [long, longName, padding(longName.length), header({ ...f, name: truncated })];
}

/** User and group names by id, read from /etc/passwd and /etc/group (as Go's os/user without cgo). */
class IdNames {
  private users?: Map<number, string>;
  private groups?: Map<number, string>;
  user(id: number): string {
    this.users ??= readIdFile("/etc/passwd");
    return this.users.get(id) ?? "";
  }
  group(id: number): string {
    this.groups ??= readIdFile("/etc/group");
    return this.groups.get(id) ?? "";
  }
}

function readIdFile(path: string): Map<number, string> {
  const names = new Map<number, string>();
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return names;
  }
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (name && id !== undefined && /^\d+$/.test(id) && !names.has(Number(id))) {
      names.set(Number(id), name);
    }
  }
  return names;
}

/**
 * The tar stream of `files`, chunk by chunk. Errors are worded as Packer's
 * ("Unable to read file x: ...", "Failed to copy x data to archive: ...").
 */
export async function* tarStream(
  files: readonly string[],
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const ids = new IdNames();
  for (const path of files) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, "r");
    } catch (err) {
      throw new Error(`Unable to read file ${path}: ${fsErrorText(err)}`);
    }
    try {
      const st = await handle.stat().catch((err: unknown) => {
        throw new Error(`Unable to get fileinfo for ${path}: ${fsErrorText(err)}`);
      });
      const isDir = st.isDirectory();
      yield* entryHeader({
        name: isDir ? `${basename(path)}/` : basename(path),
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        size: isDir ? 0 : st.size,
        typeflag: isDir ? "5" : "0",
        uname: ids.user(st.uid),
        gname: ids.group(st.gid),
      });
      let written = 0;
      try {
        // A stream given an already aborted signal fails a second time, uncaught.
        signal?.throwIfAborted();
        const stream = handle.createReadStream({ autoClose: false, signal, start: 0 });
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          const room = st.size - written;
          if (chunk.length > room) throw new Error("archive/tar: write too long");
          written += chunk.length;
          yield chunk;
        }
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new Error(`Failed to copy ${path} data to archive: ${fsErrorText(err)}`);
      }
      if (written < st.size) {
        throw new Error(
          `Failed to copy ${path} data to archive: archive/tar: missed writing ${st.size - written} bytes`,
        );
      }
      yield padding(written);
    } finally {
      await handle.close();
    }
  }
  yield Buffer.alloc(2 * BLOCK);
}
