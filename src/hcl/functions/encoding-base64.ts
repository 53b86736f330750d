// Go's base64.StdEncoding decoder (padding required, '\r' and '\n' ignored,
// errors reported as the byte offset of the corruption) and a Go-style gzip
// writer, for the encoding and crypto functions.

import { lazyModule } from "./lazy.js";

const zlib = lazyModule<typeof import("node:zlib")>("node:zlib");

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE_MAP = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE_MAP[ALPHABET.charCodeAt(i)] = i;

export type Base64Result = { bytes: Uint8Array } | { corruptAt: number };

/**
 * Decode standard base64 exactly as Go's base64.StdEncoding.DecodeString
 * does, including the offset it reports for malformed input.
 */
export function goBase64DecodeDetailed(s: string): Base64Result {
  const src = Buffer.from(s, "utf8");
  const out: number[] = [];
  let si = 0;
  const isNL = (b: number | undefined) => b === 0x0a || b === 0x0d;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let trailing = -1;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { bytes: Uint8Array.from(out) };
        return { corruptAt: si - j };
      }
      const c = src[si] as number;
      si++;
      const v = DECODE_MAP[c] as number;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (isNL(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d) return { corruptAt: si - 1 };
      // padding
      if (j === 0 || j === 1) return { corruptAt: si - 1 };
      if (j === 2) {
        while (si < src.length && isNL(src[si])) si++;
        if (si === src.length) return { corruptAt: src.length };
        if (src[si] !== 0x3d) return { corruptAt: si - 1 };
        si++;
      }
      while (si < src.length && isNL(src[si])) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    const b0 = (val >> 16) & 0xff;
    const b1 = (val >> 8) & 0xff;
    const b2 = val & 0xff;
    if (dlen === 4) out.push(b0, b1, b2);
    else if (dlen === 3) out.push(b0, b1);
    else if (dlen === 2) out.push(b0);
    if (trailing >= 0) return { corruptAt: trailing };
    if (dlen < 4) {
      // Anything after padding was newlines only; we are done.
      while (si < src.length && isNL(src[si])) si++;
    }
  }
  return { bytes: Uint8Array.from(out) };
}

/** Go's base64.StdEncoding.DecodeString, undefined on malformed input. */
export function goBase64Decode(s: string): Uint8Array | undefined {
  const r = goBase64DecodeDetailed(s);
  return "bytes" in r ? r.bytes : undefined;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), as gzip trailers use. */
export function crc32(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of data) crc = (crcTable[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Gzip data the way Go's gzip.Writer does when Flush() precedes Close():
 * a header with no name or time and OS byte 255, the deflate stream ending
 * in a sync-flush marker plus an empty final stored block, then CRC-32 and
 * length. (The compressed blocks themselves come from zlib and need not be
 * bit-identical to Go's compressor.)
 */
export function goGzip(data: Uint8Array): Uint8Array {
  const { deflateRawSync, constants } = zlib();
  const body = deflateRawSync(data, { level: 6, finishFlush: constants.Z_SYNC_FLUSH });
  const header = Uint8Array.of(0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff);
  const finalBlock = Uint8Array.of(0x01, 0x00, 0x00, 0xff, 0xff);
  const trailer = new Uint8Array(8);
  const dv = new DataView(trailer.buffer);
  dv.setUint32(0, crc32(data), true);
  dv.setUint32(4, data.length >>> 0, true);
  return Buffer.concat([header, body, finalBlock, trailer]);
}
