// The values a Go template computes with, modelled on the Go types Packer's
// templates see: string, int (bigint), float64 (number), bool, nil (null),
// slices (arrays) and map[string]interface{} (plain objects). `undefined` is
// Go's invalid reflect.Value ("<no value>", what a missing map key yields).
// DEFERRED stands for a value that is only known at build time.

import { BigNum, formatFloatG } from "../../../hcl/cty/number.js";
import { goQuote } from "../../../hcl/cty/quote.js";
import {
  type FormatVerb,
  formatGoFloat,
  formatGoInteger,
  goQuoteRune,
} from "../../../hcl/functions/gofmt.js";

/** A value that is only known when the build runs (e.g. `{{ .HTTPIP }}`, `{{ build "ID" }}`). */
export const DEFERRED: unique symbol = Symbol.for("kiln.legacy.deferred");
export type Deferred = typeof DEFERRED;

export type GoValue =
  | string
  | bigint
  | number
  | boolean
  | null
  | undefined
  | Deferred
  | GoValue[]
  | { [key: string]: GoValue };

export function isMap(v: unknown): v is { [key: string]: GoValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A Go type name for the value, as Go's error messages print it. */
export function goTypeName(v: GoValue): string {
  if (v === undefined) return "<invalid reflect.Value>";
  if (v === null) return "<nil>";
  if (v === DEFERRED) return "deferred";
  switch (typeof v) {
    case "string":
      return "string";
    case "bigint":
      return "int";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
  }
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** Go's truth for if/with/and/or/not. */
export function truth(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "string":
      return v.length > 0;
    case "bigint":
      return v !== 0n;
    case "number":
      return v !== 0;
    case "boolean":
      return v;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v === DEFERRED) return true;
  return Object.keys(v).length > 0;
}

/** fmt's %v. */
export function formatV(v: GoValue): string {
  if (v === undefined) return "<invalid reflect.Value>";
  if (v === null) return "<nil>";
  if (v === DEFERRED) return "<deferred>";
  switch (typeof v) {
    case "string":
      return v;
    case "bigint":
      return v.toString();
    case "number":
      return formatFloatG(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (Array.isArray(v)) return `[${v.map(formatV).join(" ")}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${formatV(v[k])}`).join(" ")}]`;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatV(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces, and a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return `${args.map(formatV).join(" ")}\n`;
}

// ---------------------------------------------------------------------------
// fmt.Sprintf

function padTo(s: string, v: FormatVerb, zeroOK = true): string {
  const len = [...s].length;
  if (v.width < 0 || len >= v.width) return s;
  const n = v.width - len;
  if (v.minus) return s + " ".repeat(n);
  if (v.zero && zeroOK) return "0".repeat(n) + s;
  return " ".repeat(n) + s;
}

function badVerb(verb: string, a: GoValue): string {
  if (a === null || a === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(a)}=${formatV(a)})`;
}

function fmtString(s: string, v: FormatVerb): string {
  switch (v.mode) {
    case "v":
      if (v.sharp) return padTo(goQuote(s), v);
      return padTo(v.prec >= 0 ? [...s].slice(0, v.prec).join("") : s, v);
    case "s":
      return padTo(v.prec >= 0 ? [...s].slice(0, v.prec).join("") : s, v);
    case "q":
      if (v.sharp && !s.includes("`")) return padTo(`\`${s}\``, v);
      return padTo(goQuote(v.prec >= 0 ? [...s].slice(0, v.prec).join("") : s), v);
    case "x":
    case "X": {
      let hex = Buffer.from(s, "utf8").toString("hex");
      if (v.mode === "X") hex = hex.toUpperCase();
      return padTo(hex, v);
    }
    default:
      return badVerb(v.mode, s);
  }
}

function fmtInt(n: bigint, v: FormatVerb): string {
  switch (v.mode) {
    case "v":
    case "d":
      return formatGoInteger(n, { ...v, mode: "d" });
    case "b":
    case "o":
    case "x":
    case "X":
      return formatGoInteger(n, v);
    case "O": {
      const s = formatGoInteger(n < 0n ? -n : n, { ...v, mode: "o", width: -1, sharp: false });
      return padTo(`${n < 0n ? "-" : ""}0o${s}`, v);
    }
    case "c":
      return padTo(String.fromCodePoint(Number(n)), v, false);
    case "q":
      return padTo(goQuoteRune(Number(n)), v, false);
    case "U": {
      const hex = (n < 0n ? -n : n).toString(16).toUpperCase().padStart(4, "0");
      return padTo(`U+${hex}`, v, false);
    }
    default:
      return badVerb(v.mode, n);
  }
}

function fmtFloat(f: number, v: FormatVerb): string {
  switch (v.mode) {
    case "v":
    case "g":
    case "G":
    case "e":
    case "E":
    case "f":
    case "F": {
      const mode = v.mode === "v" ? "g" : v.mode === "F" ? "f" : v.mode;
      if (!Number.isFinite(f)) {
        return padTo(Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf", v, false);
      }
      return formatGoFloat(BigNum.fromFloat(f), { ...v, mode });
    }
    default:
      return badVerb(v.mode, f);
  }
}

function fmtOne(a: GoValue, v: FormatVerb): string {
  if (v.mode === "T") return padTo(a === null || a === undefined ? "<nil>" : goTypeName(a), v);
  if (a === null || a === undefined) {
    return v.mode === "v" ? padTo("<nil>", v) : badVerb(v.mode, a);
  }
  switch (typeof a) {
    case "string":
      return fmtString(a, v);
    case "bigint":
      return fmtInt(a, v);
    case "number":
      return fmtFloat(a, v);
    case "boolean":
      return v.mode === "v" || v.mode === "t" ? padTo(a ? "true" : "false", v) : badVerb(v.mode, a);
  }
  if (Array.isArray(a)) return `[${a.map((e) => fmtOne(e, v)).join(" ")}]`;
  if (a === DEFERRED) return "<deferred>";
  if (v.mode !== "v") return badVerb(v.mode, a);
  const keys = Object.keys(a).sort();
  return `map[${keys.map((k) => `${k}:${fmtOne(a[k], v)}`).join(" ")}]`;
}

/** A subset of fmt.Sprintf: flags, width, precision ('*' too) and the common verbs. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const v: FormatVerb = {
      raw: "",
      offset: pct,
      argNum: 0,
      mode: "",
      zero: false,
      sharp: false,
      plus: false,
      minus: false,
      space: false,
      width: -1,
      prec: -1,
    };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "#") v.sharp = true;
      else if (c === "0") v.zero = true;
      else if (c === "+") v.plus = true;
      else if (c === "-") v.minus = true;
      else if (c === " ") v.space = true;
      else break;
    }
    const num = (): number => {
      if (format[i] === "*") {
        i++;
        const a = args[argi++];
        if (typeof a === "bigint") return Number(a);
        return -1;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return -1;
      i += m[0].length;
      return Number(m[0]);
    };
    v.width = num();
    if (v.width < -1) {
      v.minus = true;
      v.width = -v.width;
    }
    if (format[i] === ".") {
      i++;
      const p = num();
      v.prec = Math.max(p, 0);
    }
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const cp = format.codePointAt(i) as number;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    v.mode = verb;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtOne(args[argi++], v);
  }
  if (argi < args.length) {
    const extra = args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${goTypeName(a)}=${formatV(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
