// A streaming zip writer for the compress post-processor, writing what
// Packer (Go's archive/zip) writes: each file under the path it was given
// (with `/` separators), deflated, with no timestamp, its CRC and sizes in a
// data descriptor after the data so nothing is read twice; Zip64 records
// when an entry, an offset or the entry count outgrows the 32-bit fields.

import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { crc32, createDeflateRaw } from "node:zlib";
import { fsErrorText } from "../manifest/shared.js";

const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const VERSION_20 = 20;
const VERSION_45 = 45;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_DEFLATE = 8;

interface Entry {
  name: Buffer;
  flags: number;
  crc: number;
  compressed: number;
  uncompressed: number;
  offset: number;
}

function isZip64(e: Entry): boolean {
  return e.compressed >= U32_MAX || e.uncompressed >= U32_MAX;
}

function localHeader(name: Buffer, flags: number): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(VERSION_20, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt16LE(METHOD_DEFLATE, 8);
  // Time, date, CRC and sizes stay zero: the sizes follow in the data descriptor.
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

function dataDescriptor(e: Entry): Buffer {
  if (isZip64(e)) {
    const d = Buffer.alloc(24);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(e.crc, 4);
    d.writeBigUInt64LE(BigInt(e.compressed), 8);
    d.writeBigUInt64LE(BigInt(e.uncompressed), 16);
    return d;
  }
  const d = Buffer.alloc(16);
  d.writeUInt32LE(0x08074b50, 0);
  d.writeUInt32LE(e.crc, 4);
  d.writeUInt32LE(e.compressed, 8);
  d.writeUInt32LE(e.uncompressed, 12);
  return d;
}

function centralHeader(e: Entry): Buffer {
  const zip64 = isZip64(e) || e.offset >= U32_MAX;
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(VERSION_20, 4); // made by: version 2.0, MS-DOS attributes
  h.writeUInt16LE(zip64 ? VERSION_45 : VERSION_20, 6);
  h.writeUInt16LE(e.flags, 8);
  h.writeUInt16LE(METHOD_DEFLATE, 10);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(zip64 ? U32_MAX : e.compressed, 20);
  h.writeUInt32LE(zip64 ? U32_MAX : e.uncompressed, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(zip64 ? 28 : 0, 30);
  h.writeUInt32LE(zip64 ? U32_MAX : e.offset, 42);
  if (!zip64) return Buffer.concat([h, e.name]);
  const extra = Buffer.alloc(28);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(24, 2);
  extra.writeBigUInt64LE(BigInt(e.uncompressed), 4);
  extra.writeBigUInt64LE(BigInt(e.compressed), 12);
  extra.writeBigUInt64LE(BigInt(e.offset), 20);
  return Buffer.concat([h, e.name, extra]);
}

function endRecords(count: number, dirOffset: number, dirSize: number): Buffer {
  const parts: Buffer[] = [];
  if (count >= U16_MAX || dirOffset >= U32_MAX || dirSize >= U32_MAX) {
    const end64 = Buffer.alloc(56);
    end64.writeUInt32LE(0x06064b50, 0);
    end64.writeBigUInt64LE(44n, 4); // the record's size after this field
    end64.writeUInt16LE(VERSION_45, 12);
    end64.writeUInt16LE(VERSION_45, 14);
    end64.writeBigUInt64LE(BigInt(count), 24);
    end64.writeBigUInt64LE(BigInt(count), 32);
    end64.writeBigUInt64LE(BigInt(dirSize), 40);
    end64.writeBigUInt64LE(BigInt(dirOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(dirOffset + dirSize), 8);
    locator.writeUInt32LE(1, 16); // number of disks
    parts.push(end64, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, U16_MAX), 8);
  end.writeUInt16LE(Math.min(count, U16_MAX), 10);
  end.writeUInt32LE(Math.min(dirSize, U32_MAX), 12);
  end.writeUInt32LE(Math.min(dirOffset, U32_MAX), 16);
  parts.push(end);
  return Buffer.concat(parts);
}

/**
 * The zip stream of `files`, chunk by chunk, deflated at `level`. Errors are
 * worded as Packer's ("Unable to read file x: ...", "Failed to copy x data to archive: ...").
 */
export async function* zipStream(
  files: readonly string[],
  level: number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const entries: Entry[] = [];
  let offset = 0;
  for (const file of files) {
    const path = file.replaceAll("\\", "/");
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, "r");
    } catch (err) {
      throw new Error(`Unable to read file ${path}: ${fsErrorText(err)}`);
    }
    try {
      const name = Buffer.from(path, "utf8");
      const flags = FLAG_DATA_DESCRIPTOR | (/[^\x00-\x7f]/.test(path) ? FLAG_UTF8 : 0);
      const entry: Entry = { name, flags, crc: 0, compressed: 0, uncompressed: 0, offset };
      const head = localHeader(name, flags);
      offset += head.length;
      yield head;

      // A stream given an already aborted signal fails a second time, uncaught.
      signal?.throwIfAborted();
      const deflate = createDeflateRaw({ level });
      const source = handle.createReadStream({ autoClose: false, signal });
      source.on("data", (chunk: Buffer | string) => {
        if (typeof chunk === "string") chunk = Buffer.from(chunk);
        entry.crc = crc32(chunk, entry.crc);
        entry.uncompressed += chunk.length;
      });
      const feeding = pipeline(source, deflate);
      feeding.catch(() => {});
      try {
        for await (const chunk of deflate as AsyncIterable<Buffer>) {
          entry.compressed += chunk.length;
          yield chunk;
        }
        await feeding;
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new Error(`Failed to copy ${path} data to archive: ${fsErrorText(err)}`);
      }
      offset += entry.compressed;
      const descriptor = dataDescriptor(entry);
      offset += descriptor.length;
      yield descriptor;
      entries.push(entry);
    } finally {
      await handle.close();
    }
  }
  const dirOffset = offset;
  let dirSize = 0;
  for (const e of entries) {
    const h = centralHeader(e);
    dirSize += h.length;
    yield h;
  }
  yield endRecords(entries.length, dirOffset, dirSize);
}
