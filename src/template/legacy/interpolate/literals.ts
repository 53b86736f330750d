// Go literal syntax as text/template accepts it inside actions: quoted and raw
// strings (strconv.Unquote), character constants (strconv.UnquoteChar) and
// numbers (strconv.ParseUint/ParseInt/ParseFloat with base prefixes and
// underscores), with Go's error texts.

export class LiteralError extends Error {}

const SYNTAX = "invalid syntax";

function hexVal(c: string): number {
  const n = Number.parseInt(c, 16);
  return Number.isNaN(n) || !/^[0-9a-fA-F]$/.test(c) ? -1 : n;
}

/** Append a code point to a byte list as UTF-8. */
function pushRune(bytes: number[], cp: number): void {
  const b = Buffer.from(String.fromCodePoint(cp), "utf8");
  for (const x of b) bytes.push(x);
}

/**
 * Decode one escape or character at s[i] inside a literal quoted with `quote`.
 * Returns the new index; pushes the bytes the character stands for.
 * Mirrors strconv.UnquoteChar.
 */
function unquoteChar(s: string, i: number, quote: string, out: number[]): number {
  const c = s[i] as string;
  if (c === quote && (quote === "'" || quote === '"')) throw new LiteralError(SYNTAX);
  if (c !== "\\") {
    const cp = s.codePointAt(i) as number;
    pushRune(out, cp);
    return i + (cp > 0xffff ? 2 : 1);
  }
  const e = s[i + 1];
  if (e === undefined) throw new LiteralError(SYNTAX);
  i += 2;
  switch (e) {
    case "a":
      out.push(7);
      return i;
    case "b":
      out.push(8);
      return i;
    case "f":
      out.push(12);
      return i;
    case "n":
      out.push(10);
      return i;
    case "r":
      out.push(13);
      return i;
    case "t":
      out.push(9);
      return i;
    case "v":
      out.push(11);
      return i;
    case "x":
    case "u":
    case "U": {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      if (i + n > s.length) throw new LiteralError(SYNTAX);
      let v = 0;
      for (let j = 0; j < n; j++) {
        const h = hexVal(s[i + j] as string);
        if (h < 0) throw new LiteralError(SYNTAX);
        v = v * 16 + h;
      }
      i += n;
      if (e === "x") {
        out.push(v); // a single byte
        return i;
      }
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new LiteralError(SYNTAX);
      pushRune(out, v);
      return i;
    }
    case "0":
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7": {
      let v = e.charCodeAt(0) - 48;
      if (i + 2 > s.length) throw new LiteralError(SYNTAX);
      for (let j = 0; j < 2; j++) {
        const d = (s[i + j] as string).charCodeAt(0) - 48;
        if (d < 0 || d > 7) throw new LiteralError(SYNTAX);
        v = v * 8 + d;
      }
      i += 2;
      if (v > 255) throw new LiteralError(SYNTAX);
      out.push(v);
      return i;
    }
    case "\\":
      out.push(0x5c);
      return i;
    case "'":
    case '"':
      if (e !== quote) throw new LiteralError(SYNTAX);
      out.push(e.charCodeAt(0));
      return i;
    default:
      throw new LiteralError(SYNTAX);
  }
}

/** strconv.Unquote for "..." and `...` literals. */
export function unquoteString(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new LiteralError(SYNTAX);
  const body = lit.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) throw new LiteralError(SYNTAX);
    return body.replaceAll("\r", "");
  }
  if (q !== '"') throw new LiteralError(SYNTAX);
  if (body.includes("\n")) throw new LiteralError(SYNTAX);
  if (!body.includes("\\") && !body.includes('"')) return body;
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) i = unquoteChar(body, i, '"', bytes);
  return Buffer.from(bytes).toString("utf8");
}

/** The rune value of a character constant like 'a' or '\n'. */
export function unquoteCharConstant(lit: string): number {
  const body = lit.slice(1);
  if (body === "" || body[0] === "'") throw new LiteralError(SYNTAX);
  const bytes: number[] = [];
  let i: number;
  const c = body[0];
  if (c === "\\" && body[1] === "x") {
    i = unquoteChar(body, 0, "'", bytes);
    if (body.slice(i) !== "'") throw new LiteralError(`malformed character constant: ${lit}`);
    return bytes[0] as number;
  }
  if (c === "\\" && body[1] !== undefined && body[1] >= "0" && body[1] <= "7") {
    i = unquoteChar(body, 0, "'", bytes);
    if (body.slice(i) !== "'") throw new LiteralError(`malformed character constant: ${lit}`);
    return bytes[0] as number;
  }
  i = unquoteChar(body, 0, "'", bytes);
  if (body.slice(i) !== "'") throw new LiteralError(`malformed character constant: ${lit}`);
  return Buffer.from(bytes).toString("utf8").codePointAt(0) as number;
}

// ---------------------------------------------------------------------------
// Numbers

/** Go's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && /[bBoOxX]/.test(s[1] as string)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/** strconv.ParseUint(s, 0, 64); undefined when not a valid unsigned integer. */
export function parseGoUint(s: string): bigint | undefined {
  if (s === "" || s[0] === "-" || s[0] === "+") return undefined;
  let base = 10;
  let body = s;
  let prefixed = false;
  if (s[0] === "0") {
    if (s.length >= 3 && /[xX]/.test(s[1] as string)) {
      base = 16;
      body = s.slice(2);
      prefixed = true;
    } else if (s.length >= 3 && /[oO]/.test(s[1] as string)) {
      base = 8;
      body = s.slice(2);
      prefixed = true;
    } else if (s.length >= 3 && /[bB]/.test(s[1] as string)) {
      base = 2;
      body = s.slice(2);
      prefixed = true;
    } else if (s.length > 1) {
      base = 8;
      body = s.slice(1);
      prefixed = true;
    }
  }
  let underscores = false;
  let v = 0n;
  let digits = 0;
  for (const c of body) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = Number.parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    v = v * BigInt(base) + BigInt(d);
    digits++;
    if (v > U64_MAX) return undefined;
  }
  if (digits === 0 && !(prefixed && base === 8 && body === "")) return undefined;
  if (underscores && !underscoreOK(s)) return undefined;
  return v;
}

/** strconv.ParseInt(s, 0, 64). */
export function parseGoInt(s: string): bigint | undefined {
  let neg = false;
  let body = s;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    body = s.slice(1);
  }
  const u = parseGoUint(body);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  if (v > I64_MAX || v < I64_MIN) return undefined;
  return v;
}

/** strconv.ParseFloat(s, 64) for decimal and hexadecimal floats. */
export function parseGoFloat(s: string): number | undefined {
  if (s.includes("_")) {
    if (!underscoreOK(s)) return undefined;
    s = s.replaceAll("_", "");
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const f = Number(s);
    if (!Number.isFinite(f)) return undefined; // out of range
    return f;
  }
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (m) {
    const intPart = m[2] ?? "";
    const frac = m[3] ?? "";
    if (intPart === "" && frac === "") return undefined;
    let mant = 0;
    for (const c of intPart + frac) mant = mant * 16 + Number.parseInt(c, 16);
    const f = mant * 2 ** (Number(m[4]) - 4 * frac.length);
    if (!Number.isFinite(f)) return undefined;
    return m[1] === "-" ? -f : f;
  }
  return undefined;
}
