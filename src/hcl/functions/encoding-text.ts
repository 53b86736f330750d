// Character encodings by IANA name or alias, for textencodebase64 and
// textdecodebase64. Decoding replaces undefined sequences with U+FFFD (the
// caller treats that as an error, as Packer does); encoding returns
// undefined when a character has no representation.

import { IBM_CODEPAGES } from "./encoding-codepages.js";

export interface TextCodec {
  /** The IANA (preferred MIME) name reported in messages. */
  name: string;
  encode(s: string): Uint8Array | undefined;
  decode(b: Uint8Array): string;
}

/** IANA names and aliases per encoding; the first entry is the reported name. */
const ALIASES: [string, string[]][] = [
  ["UTF-8", ["csUTF8"]],
  [
    "US-ASCII",
    [
      "iso-ir-6",
      "ANSI_X3.4-1968",
      "ANSI_X3.4-1986",
      "ISO_646.irv:1991",
      "ISO646-US",
      "us",
      "IBM367",
      "cp367",
      "csASCII",
    ],
  ],
  [
    "ISO-8859-1",
    [
      "ISO_8859-1:1987",
      "iso-ir-100",
      "ISO_8859-1",
      "latin1",
      "l1",
      "IBM819",
      "CP819",
      "csISOLatin1",
    ],
  ],
  ["ISO-8859-2", ["ISO_8859-2:1987", "iso-ir-101", "ISO_8859-2", "latin2", "l2", "csISOLatin2"]],
  ["ISO-8859-3", ["ISO_8859-3:1988", "iso-ir-109", "ISO_8859-3", "latin3", "l3", "csISOLatin3"]],
  ["ISO-8859-4", ["ISO_8859-4:1988", "iso-ir-110", "ISO_8859-4", "latin4", "l4", "csISOLatin4"]],
  ["ISO-8859-5", ["ISO_8859-5:1988", "iso-ir-144", "ISO_8859-5", "cyrillic", "csISOLatinCyrillic"]],
  [
    "ISO-8859-6",
    [
      "ISO_8859-6:1987",
      "iso-ir-127",
      "ISO_8859-6",
      "ECMA-114",
      "ASMO-708",
      "arabic",
      "csISOLatinArabic",
    ],
  ],
  [
    "ISO-8859-7",
    [
      "ISO_8859-7:1987",
      "iso-ir-126",
      "ISO_8859-7",
      "ELOT_928",
      "ECMA-118",
      "greek",
      "greek8",
      "csISOLatinGreek",
    ],
  ],
  ["ISO-8859-8", ["ISO_8859-8:1988", "iso-ir-138", "ISO_8859-8", "hebrew", "csISOLatinHebrew"]],
  ["ISO-8859-9", ["ISO_8859-9:1989", "iso-ir-148", "ISO_8859-9", "latin5", "l5", "csISOLatin5"]],
  ["ISO-8859-10", ["iso-ir-157", "l6", "ISO_8859-10:1992", "csISOLatin6", "latin6"]],
  ["ISO-8859-13", ["csISO885913"]],
  [
    "ISO-8859-14",
    ["iso-ir-199", "ISO_8859-14:1998", "ISO_8859-14", "latin8", "iso-celtic", "l8", "csISO885914"],
  ],
  ["ISO-8859-15", ["ISO_8859-15", "Latin-9", "csISO885915"]],
  [
    "ISO-8859-16",
    ["iso-ir-226", "ISO_8859-16:2001", "ISO_8859-16", "latin10", "l10", "csISO885916"],
  ],
  ["KOI8-R", ["csKOI8R"]],
  ["KOI8-U", ["csKOI8U"]],
  ["IBM437", ["cp437", "437", "csPC8CodePage437"]],
  ["IBM850", ["cp850", "850", "csPC850Multilingual"]],
  ["IBM852", ["cp852", "852", "csPCp852"]],
  ["IBM855", ["cp855", "855", "csIBM855"]],
  ["IBM00858", ["CCSID00858", "CP00858", "PC-Multilingual-850+euro", "csIBM00858"]],
  ["IBM860", ["cp860", "860", "csIBM860"]],
  ["IBM862", ["cp862", "862", "csPC862LatinHebrew"]],
  ["IBM863", ["cp863", "863", "csIBM863"]],
  ["IBM865", ["cp865", "865", "csIBM865"]],
  ["IBM866", ["cp866", "866", "csIBM866"]],
  ["macintosh", ["mac", "csMacintosh"]],
  ["windows-874", ["cswindows874"]],
  ["windows-1250", ["cswindows1250"]],
  ["windows-1251", ["cswindows1251"]],
  ["windows-1252", ["cswindows1252"]],
  ["windows-1253", ["cswindows1253"]],
  ["windows-1254", ["cswindows1254"]],
  ["windows-1255", ["cswindows1255"]],
  ["windows-1256", ["cswindows1256"]],
  ["windows-1257", ["cswindows1257"]],
  ["windows-1258", ["cswindows1258"]],
  ["Shift_JIS", ["MS_Kanji", "csShiftJIS"]],
  ["EUC-JP", ["Extended_UNIX_Code_Packed_Format_for_Japanese", "csEUCPkdFmtJapanese"]],
  ["ISO-2022-JP", ["csISO2022JP"]],
  ["EUC-KR", ["csEUCKR"]],
  ["GBK", ["CP936", "MS936", "windows-936", "csGBK"]],
  ["GB18030", ["csGB18030"]],
  ["Big5", ["csBig5"]],
  ["UTF-16BE", ["csUTF16BE"]],
  ["UTF-16LE", ["csUTF16LE"]],
  ["UTF-16", ["csUTF16"]],
  ["UTF-32", ["csUTF32"]],
  ["UTF-32BE", ["csUTF32BE"]],
  ["UTF-32LE", ["csUTF32LE"]],
];

let byAlias: Map<string, string> | undefined;

/** Lower-cased names and aliases to canonical names, built on the first lookup. */
function aliasIndex(): Map<string, string> {
  if (byAlias !== undefined) return byAlias;
  byAlias = new Map<string, string>();
  for (const [name, aliases] of ALIASES) {
    byAlias.set(name.toLowerCase(), name);
    for (const a of aliases) byAlias.set(a.toLowerCase(), name);
  }
  return byAlias;
}

/** WHATWG labels for encodings Node's TextDecoder implements faithfully. */
const WHATWG: Record<string, string> = {
  "ISO-8859-2": "iso-8859-2",
  "ISO-8859-3": "iso-8859-3",
  "ISO-8859-4": "iso-8859-4",
  "ISO-8859-5": "iso-8859-5",
  "ISO-8859-6": "iso-8859-6",
  "ISO-8859-7": "iso-8859-7",
  "ISO-8859-8": "iso-8859-8",
  "ISO-8859-10": "iso-8859-10",
  "ISO-8859-13": "iso-8859-13",
  "ISO-8859-14": "iso-8859-14",
  "ISO-8859-15": "iso-8859-15",
  "ISO-8859-16": "iso-8859-16",
  "KOI8-R": "koi8-r",
  "KOI8-U": "koi8-u",
  IBM866: "ibm866",
  macintosh: "macintosh",
  "windows-874": "windows-874",
  "windows-1250": "windows-1250",
  "windows-1251": "windows-1251",
  "windows-1253": "windows-1253",
  "windows-1254": "windows-1254",
  "windows-1255": "windows-1255",
  "windows-1256": "windows-1256",
  "windows-1257": "windows-1257",
  "windows-1258": "windows-1258",
};

const MULTIBYTE: Record<string, string> = {
  Shift_JIS: "shift_jis",
  "EUC-JP": "euc-jp",
  "ISO-2022-JP": "iso-2022-jp",
  "EUC-KR": "euc-kr",
  GBK: "gbk",
  GB18030: "gb18030",
  Big5: "big5",
};

/** A single-byte codec from a table of 256 characters ("\ufffd" = undefined). */
function singleByte(name: string, table: string[]): TextCodec {
  const reverse = new Map<string, number>();
  for (let i = 0; i < 256; i++) {
    const ch = table[i] as string;
    if (ch !== "\ufffd" && !reverse.has(ch)) reverse.set(ch, i);
  }
  return {
    name,
    encode(s) {
      const out: number[] = [];
      for (const ch of s) {
        const b = reverse.get(ch);
        if (b === undefined) return undefined;
        out.push(b);
      }
      return Uint8Array.from(out);
    },
    decode(b) {
      let out = "";
      for (const x of b) out += table[x];
      return out;
    },
  };
}

function tableFromDecoder(label: string): string[] {
  const dec = new TextDecoder(label);
  const table: string[] = [];
  for (let i = 0; i < 256; i++) table.push(dec.decode(Uint8Array.of(i)));
  return table;
}

function latin1Table(): string[] {
  return Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
}

function multiByte(name: string, label: string): TextCodec {
  let reverse: Map<string, Uint8Array> | undefined;
  const build = (): Map<string, Uint8Array> => {
    const m = new Map<string, Uint8Array>();
    const dec = new TextDecoder(label, { fatal: true });
    const tryBytes = (bytes: Uint8Array) => {
      let s: string;
      try {
        s = dec.decode(bytes);
      } catch {
        return;
      }
      if (s.length === 0 || s.includes("\ufffd")) return;
      if ([...s].length !== 1) return;
      if (!m.has(s)) m.set(s, bytes);
    };
    for (let i = 0; i < 0x80; i++) tryBytes(Uint8Array.of(i));
    if (label !== "iso-2022-jp") {
      for (let i = 0x80; i < 0x100; i++) tryBytes(Uint8Array.of(i));
      for (let lead = 0x81; lead <= 0xfe; lead++) {
        for (let trail = 0x40; trail <= 0xfe; trail++) tryBytes(Uint8Array.of(lead, trail));
      }
    }
    return m;
  };
  return {
    name,
    encode(s) {
      if (label === "iso-2022-jp") {
        // Only the ASCII subset is supported for this stateful encoding.
        const out: number[] = [];
        for (const ch of s) {
          const c = ch.codePointAt(0) as number;
          if (c >= 0x80 || c === 0x1b || c === 0x0e || c === 0x0f) return undefined;
          out.push(c);
        }
        return Uint8Array.from(out);
      }
      reverse ??= build();
      const parts: number[] = [];
      for (const ch of s) {
        const b = reverse.get(ch);
        if (b === undefined) return undefined;
        parts.push(...b);
      }
      return Uint8Array.from(parts);
    },
    decode(b) {
      return new TextDecoder(label).decode(b);
    },
  };
}

function utf16(name: string, endian: "le" | "be" | "bom"): TextCodec {
  return {
    name,
    encode(s) {
      const le = endian === "le";
      const units: number[] = [];
      for (let i = 0; i < s.length; i++) units.push(s.charCodeAt(i));
      const out = new Uint8Array((units.length + (endian === "bom" ? 1 : 0)) * 2);
      let o = 0;
      if (endian === "bom") {
        out[o++] = 0xfe;
        out[o++] = 0xff;
      }
      for (const u of units) {
        if (le) {
          out[o++] = u & 0xff;
          out[o++] = u >> 8;
        } else {
          out[o++] = u >> 8;
          out[o++] = u & 0xff;
        }
      }
      return out;
    },
    decode(b) {
      let label = endian === "le" ? "utf-16le" : "utf-16be";
      let data = b;
      if (endian === "bom" && b.length >= 2) {
        if (b[0] === 0xff && b[1] === 0xfe) {
          label = "utf-16le";
          data = b.subarray(2);
        } else if (b[0] === 0xfe && b[1] === 0xff) {
          data = b.subarray(2);
        }
      }
      return new TextDecoder(label, { ignoreBOM: true }).decode(data);
    },
  };
}

function utf32(name: string, endian: "le" | "be" | "bom"): TextCodec {
  return {
    name,
    encode(s) {
      const cps = [...s].map((c) => c.codePointAt(0) as number);
      const withBom = endian === "bom";
      const out = new Uint8Array((cps.length + (withBom ? 1 : 0)) * 4);
      const dv = new DataView(out.buffer);
      let o = 0;
      if (withBom) {
        dv.setUint32(0, 0xfeff, false);
        o = 4;
      }
      for (const c of cps) {
        dv.setUint32(o, c, endian === "le");
        o += 4;
      }
      return out;
    },
    decode(b) {
      let le = endian === "le";
      let start = 0;
      if (endian === "bom" && b.length >= 4) {
        const dv0 = new DataView(b.buffer, b.byteOffset, 4);
        if (dv0.getUint32(0, false) === 0xfeff) start = 4;
        else if (dv0.getUint32(0, true) === 0xfeff) {
          le = true;
          start = 4;
        }
      }
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      let out = "";
      let i = start;
      for (; i + 4 <= b.length; i += 4) {
        const c = dv.getUint32(i, le);
        out += c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? "\ufffd" : String.fromCodePoint(c);
      }
      if (i < b.length) out += "\ufffd";
      return out;
    },
  };
}

const cache = new Map<string, TextCodec>();

function makeCodec(name: string): TextCodec {
  switch (name) {
    case "UTF-8":
      return {
        name,
        encode: (s) => Uint8Array.from(Buffer.from(s, "utf8")),
        decode: (b) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(b),
      };
    case "US-ASCII":
      return singleByte(
        name,
        Array.from({ length: 256 }, (_, i) => (i < 0x80 ? String.fromCharCode(i) : "\ufffd")),
      );
    case "ISO-8859-1":
      return singleByte(name, latin1Table());
    case "windows-1252": {
      // Node 20's TextDecoder treats windows-1252 as ISO-8859-1, so the
      // 0x80-0x9F row (WHATWG/x/text mapping) is spelled out here.
      const t = latin1Table();
      const row =
        "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
        "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";
      for (let i = 0; i < 32; i++) t[0x80 + i] = row[i] as string;
      return singleByte(name, t);
    }
    case "ISO-8859-9": {
      const t = latin1Table();
      const patch: Record<number, string> = {
        208: "\u011e",
        221: "\u0130",
        222: "\u015e",
        240: "\u011f",
        253: "\u0131",
        254: "\u015f",
      };
      for (const [k, v] of Object.entries(patch)) t[Number(k)] = v;
      return singleByte(name, t);
    }
    case "UTF-16BE":
      return utf16(name, "be");
    case "UTF-16LE":
      return utf16(name, "le");
    case "UTF-16":
      return utf16(name, "bom");
    case "UTF-32BE":
      return utf32(name, "be");
    case "UTF-32LE":
      return utf32(name, "le");
    case "UTF-32":
      return utf32(name, "bom");
  }
  const ibm = IBM_CODEPAGES[name];
  if (ibm !== undefined) {
    const t = latin1Table().slice(0, 128);
    return singleByte(name, [...t, ...Array.from(ibm)]);
  }
  const w = WHATWG[name];
  if (w !== undefined) return singleByte(name, tableFromDecoder(w));
  const mb = MULTIBYTE[name] as string;
  return multiByte(name, mb);
}

/** The codec for an IANA encoding name or alias (case-insensitive), if supported. */
export function lookupEncoding(nameOrAlias: string): TextCodec | undefined {
  const name = aliasIndex().get(nameOrAlias.toLowerCase());
  if (name === undefined) return undefined;
  let c = cache.get(name);
  if (c === undefined) {
    c = makeCodec(name);
    cache.set(name, c);
  }
  return c;
}
