// Pure date/time helpers reproducing the behaviour of Go's `time` package as the
// HCL date functions expose it: RFC 3339 parsing (with cty's error wording),
// Go reference-time layouts, Go duration syntax, the `formatdate` mini-language
// and C-style strftime directives. Nothing here depends on the cty value model.

import { goQuote } from "../cty/quote.js";

/** A point in time with a fixed UTC offset, like a Go time.Time. */
export interface GoTime {
  /** Seconds since the Unix epoch (UTC), an integer. */
  sec: number;
  /** Nanoseconds within the second, 0..999999999. */
  nsec: number;
  /** Offset from UTC in seconds (east positive). */
  offset: number;
  /** Zone abbreviation ("UTC", or "" for a bare numeric offset). */
  zone: string;
}

/** A date/time problem in user input; `arg` is the offending argument index. */
export class DateTimeError extends Error {
  readonly arg: number | undefined;
  constructor(message: string, arg?: number) {
    super(message);
    this.name = "DateTimeError";
    this.arg = arg;
  }
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

// ---------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, valid far beyond JS Date's range)

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Days since 1970-01-01 of the given civil date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = floorDiv(yy, 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = floorDiv(153 * mp + 2, 5) + d - 1;
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day count since 1970-01-01. */
export function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = floorDiv(zz, 146097);
  const doe = zz - era * 146097;
  const yoe = floorDiv(
    doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096),
    365,
  );
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

/** Broken-down local fields of a time. */
export interface TimeFields {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  nsec: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1..366
}

export function timeFields(t: GoTime): TimeFields {
  const local = t.sec + t.offset;
  const days = floorDiv(local, 86400);
  const sod = local - days * 86400;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(sod / 3600),
    minute: Math.floor((sod % 3600) / 60),
    second: sod % 60,
    nsec: t.nsec,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** A GoTime for a JS Date, in UTC. */
export function goTimeFromDate(d: Date, extraNanos = 0): GoTime {
  const ms = d.getTime();
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1e6 + extraNanos, offset: 0, zone: "UTC" };
}

// ---------------------------------------------------------------------------
// RFC 3339 parsing with Go's leniency and cty's error messages

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined;
  if (!isDigitAt(s, 1)) {
    if (fixed) return undefined;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

const RFC3339_WHAT: Record<string, string> = {
  "2006": "year",
  "01": "month",
  "02": "day of month",
  "15": "hour",
  "04": "minute",
  "05": "second",
  "Z07:00": "UTC offset",
};

/** Turn a Go time.ParseError's parts into cty's friendlier message. */
function rfc3339Error(layoutElem: string, valueElem: string, message: string): DateTimeError {
  const p = "not a valid RFC3339 timestamp";
  if (layoutElem === "" && valueElem === "" && message !== "") {
    return new DateTimeError(`${p}${message}`);
  }
  if (layoutElem === "T") return new DateTimeError(`${p}: missing required time introducer 'T'`);
  if (layoutElem === ":" || layoutElem === "-") {
    if (valueElem === "") {
      return new DateTimeError(`${p}: end of string where ${goQuote(layoutElem)} is expected`);
    }
    return new DateTimeError(
      `${p}: found ${goQuote(valueElem)} where ${goQuote(layoutElem)} is expected`,
    );
  }
  const what = RFC3339_WHAT[layoutElem] ?? "timestamp segment";
  if (valueElem === "") return new DateTimeError(`${p}: end of string before ${what}`);
  return new DateTimeError(`${p}: cannot use ${goQuote(valueElem)} as ${what}`);
}

/**
 * Parse an RFC 3339 timestamp as Go's time.Parse(time.RFC3339, s) does (one or
 * two digit hours, optional fractional seconds with '.' or ','), reporting
 * failures with the messages cty's date functions use.
 */
export function parseRFC3339(value: string): GoTime {
  let v = value;
  const skip = (lit: string): void => {
    if (v.length === 0 || v[0] !== lit) throw rfc3339Error(lit, v, "");
    v = v.slice(1);
  };

  // 2006
  if (v.length < 4 || !isDigitAt(v, 0)) throw rfc3339Error("2006", v, "");
  const yp = v.slice(0, 4);
  v = v.slice(4);
  if (!/^[0-9]{4}$/.test(yp)) throw rfc3339Error("2006", v, "");
  const year = Number(yp);
  skip("-");
  // 01
  let r = getnum(v, true);
  if (r === undefined) throw rfc3339Error("01", v, "");
  const month = r[0];
  v = r[1];
  if (month <= 0 || month > 12) throw rfc3339Error("01", v, ": month out of range");
  skip("-");
  // 02
  r = getnum(v, true);
  if (r === undefined) throw rfc3339Error("02", v, "");
  const day = r[0];
  v = r[1];
  skip("T");
  // 15
  r = getnum(v, false);
  if (r === undefined) throw rfc3339Error("15", v, "");
  const hour = r[0];
  v = r[1];
  if (hour >= 24) throw rfc3339Error("15", v, ": hour out of range");
  skip(":");
  // 04
  r = getnum(v, true);
  if (r === undefined) throw rfc3339Error("04", v, "");
  const minute = r[0];
  v = r[1];
  if (minute >= 60) throw rfc3339Error("04", v, ": minute out of range");
  skip(":");
  // 05
  r = getnum(v, true);
  if (r === undefined) throw rfc3339Error("05", v, "");
  const second = r[0];
  v = r[1];
  if (second >= 60) throw rfc3339Error("05", v, ": second out of range");
  let nsec = 0;
  if (v.length >= 2 && (v[0] === "." || v[0] === ",") && isDigitAt(v, 1)) {
    let n = 2;
    while (n < v.length && isDigitAt(v, n)) n++;
    const digits = v.slice(1, Math.min(n, 10));
    nsec = Number(digits) * 10 ** (9 - digits.length);
    v = v.slice(n);
  }
  // Z07:00
  let offset = 0;
  let zone = "";
  if (v.length >= 1 && v[0] === "Z") {
    v = v.slice(1);
    zone = "UTC";
  } else {
    if (v.length < 6 || v[3] !== ":") throw rfc3339Error("Z07:00", v, "");
    const sign = v[0];
    const hh = getnum(v.slice(1, 3), true);
    const mm = getnum(v.slice(4, 6), true);
    v = v.slice(6);
    if (hh === undefined || mm === undefined || (sign !== "+" && sign !== "-")) {
      throw rfc3339Error("Z07:00", v, "");
    }
    if (hh[0] > 24) throw rfc3339Error("Z07:00", v, ": time zone offset hour out of range");
    if (mm[0] > 60) throw rfc3339Error("Z07:00", v, ": time zone offset minute out of range");
    offset = (hh[0] * 60 + mm[0]) * 60 * (sign === "-" ? -1 : 1);
    if (offset === 0) zone = "UTC";
  }
  if (v.length > 0) throw rfc3339Error("", v, `: extra text: ${goQuote(v)}`);
  if (day < 1 || day > daysIn(month, year)) throw rfc3339Error("", "", ": day out of range");

  const days = daysFromCivil(year, month, day);
  const sec = days * 86400 + hour * 3600 + minute * 60 + second - offset;
  return { sec, nsec, offset, zone };
}

// ---------------------------------------------------------------------------
// Go reference-time layouts (time.Time.Format)

function pad(n: number, width: number): string {
  if (n < 0) return `-${String(-n).padStart(width, "0")}`;
  return String(n).padStart(width, "0");
}

type Std =
  | { k: "longMonth" | "month" | "numMonth" | "zeroMonth" }
  | { k: "longWeekDay" | "weekDay" }
  | { k: "day" | "underDay" | "zeroDay" | "underYearDay" | "zeroYearDay" }
  | { k: "hour" | "hour12" | "zeroHour12" | "minute" | "zeroMinute" | "second" | "zeroSecond" }
  | { k: "longYear" | "year" | "PM" | "pm" | "TZ" }
  | { k: "numTZ"; iso: boolean; colon: boolean; seconds: boolean; short: boolean }
  | { k: "frac"; zeros: boolean; digits: number; sep: string };

function startsWithLower(s: string): boolean {
  if (s.length === 0) return false;
  const c = s.charCodeAt(0);
  return c >= 97 && c <= 122;
}

/** Go's nextStdChunk: split a layout at its first reference-time element. */
function nextStdChunk(layout: string): [string, Std | undefined, string] {
  const L = layout.length;
  for (let i = 0; i < L; i++) {
    const c = layout[i];
    const at = (s: string) => layout.startsWith(s, i);
    const ret = (std: Std, len: number): [string, Std, string] => [
      layout.slice(0, i),
      std,
      layout.slice(i + len),
    ];
    switch (c) {
      case "J":
        if (at("Jan")) {
          if (at("January")) return ret({ k: "longMonth" }, 7);
          if (!startsWithLower(layout.slice(i + 3))) return ret({ k: "month" }, 3);
        }
        break;
      case "M":
        if (at("Mon")) {
          if (at("Monday")) return ret({ k: "longWeekDay" }, 6);
          if (!startsWithLower(layout.slice(i + 3))) return ret({ k: "weekDay" }, 3);
        }
        if (at("MST")) return ret({ k: "TZ" }, 3);
        break;
      case "0": {
        const d = layout[i + 1];
        if (d !== undefined && d >= "1" && d <= "6") {
          const ks = ["zeroMonth", "zeroDay", "zeroHour12", "zeroMinute", "zeroSecond", "year"];
          return ret({ k: ks[Number(d) - 1] } as Std, 2);
        }
        if (at("002")) return ret({ k: "zeroYearDay" }, 3);
        break;
      }
      case "1":
        if (layout[i + 1] === "5") return ret({ k: "hour" }, 2);
        return ret({ k: "numMonth" }, 1);
      case "2":
        if (at("2006")) return ret({ k: "longYear" }, 4);
        return ret({ k: "day" }, 1);
      case "_":
        if (layout[i + 1] === "2") {
          if (layout.startsWith("2006", i + 1)) {
            return [layout.slice(0, i + 1), { k: "longYear" }, layout.slice(i + 5)];
          }
          return ret({ k: "underDay" }, 2);
        }
        if (at("__2")) return ret({ k: "underYearDay" }, 3);
        break;
      case "3":
        return ret({ k: "hour12" }, 1);
      case "4":
        return ret({ k: "minute" }, 1);
      case "5":
        return ret({ k: "second" }, 1);
      case "P":
        if (layout[i + 1] === "M") return ret({ k: "PM" }, 2);
        break;
      case "p":
        if (layout[i + 1] === "m") return ret({ k: "pm" }, 2);
        break;
      case "-":
      case "Z": {
        const iso = c === "Z";
        const tz = (colon: boolean, seconds: boolean, short: boolean, len: number) =>
          ret({ k: "numTZ", iso, colon, seconds, short }, len);
        if (at(`${c}070000`)) return tz(false, true, false, 7);
        if (at(`${c}07:00:00`)) return tz(true, true, false, 9);
        if (at(`${c}0700`)) return tz(false, false, false, 5);
        if (at(`${c}07:00`)) return tz(true, false, false, 6);
        if (at(`${c}07`)) return tz(false, false, true, 3);
        break;
      }
      case ".":
      case ",": {
        const d = layout[i + 1];
        if (d === "0" || d === "9") {
          let j = i + 1;
          while (j < L && layout[j] === d) j++;
          if (!isDigitAt(layout, j)) {
            return [
              layout.slice(0, i),
              { k: "frac", zeros: d === "0", digits: j - (i + 1), sep: c },
              layout.slice(j),
            ];
          }
        }
        break;
      }
    }
  }
  return [layout, undefined, ""];
}

function formatStd(std: Std, f: TimeFields, t: GoTime): string {
  switch (std.k) {
    case "year":
      return pad(Math.abs(f.year % 100), 2);
    case "longYear":
      return pad(f.year, 4);
    case "month":
      return (MONTHS[f.month - 1] as string).slice(0, 3);
    case "longMonth":
      return MONTHS[f.month - 1] as string;
    case "numMonth":
      return String(f.month);
    case "zeroMonth":
      return pad(f.month, 2);
    case "weekDay":
      return (WEEKDAYS[f.weekday] as string).slice(0, 3);
    case "longWeekDay":
      return WEEKDAYS[f.weekday] as string;
    case "day":
      return String(f.day);
    case "underDay":
      return f.day < 10 ? ` ${f.day}` : String(f.day);
    case "zeroDay":
      return pad(f.day, 2);
    case "underYearDay":
      return String(f.yday).padStart(3, " ");
    case "zeroYearDay":
      return pad(f.yday, 3);
    case "hour":
      return pad(f.hour, 2);
    case "hour12":
      return String(f.hour % 12 === 0 ? 12 : f.hour % 12);
    case "zeroHour12":
      return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
    case "minute":
      return String(f.minute);
    case "zeroMinute":
      return pad(f.minute, 2);
    case "second":
      return String(f.second);
    case "zeroSecond":
      return pad(f.second, 2);
    case "PM":
      return f.hour >= 12 ? "PM" : "AM";
    case "pm":
      return f.hour >= 12 ? "pm" : "am";
    case "TZ": {
      if (t.zone !== "") return t.zone;
      let z = Math.trunc(t.offset / 60);
      let s = "+";
      if (z < 0) {
        s = "-";
        z = -z;
      }
      return `${s}${pad(Math.floor(z / 60), 2)}${pad(z % 60, 2)}`;
    }
    case "numTZ": {
      if (std.iso && t.offset === 0) return "Z";
      let zone = Math.trunc(t.offset / 60);
      let abs = t.offset;
      let s = "+";
      if (zone < 0) {
        s = "-";
        zone = -zone;
        abs = -abs;
      }
      let out = s + pad(Math.floor(zone / 60), 2);
      if (!std.short) out += (std.colon ? ":" : "") + pad(zone % 60, 2);
      if (std.seconds) out += (std.colon ? ":" : "") + pad(abs % 60, 2);
      return out;
    }
    case "frac": {
      const digits = pad(f.nsec, 9).slice(0, std.digits);
      if (std.zeros) return std.sep + digits;
      const trimmed = digits.replace(/0+$/, "");
      return trimmed === "" ? "" : std.sep + trimmed;
    }
  }
}

/** Format a time with a Go reference-time layout, like time.Time.Format. */
export function formatGoLayout(t: GoTime, layout: string): string {
  const f = timeFields(t);
  let out = "";
  let rest = layout;
  while (rest !== "") {
    const [prefix, std, suffix] = nextStdChunk(rest);
    out += prefix;
    if (std === undefined) break;
    out += formatStd(std, f, t);
    rest = suffix;
  }
  return out;
}

export const RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00";

export function formatRFC3339(t: GoTime): string {
  return formatGoLayout(t, RFC3339_LAYOUT);
}

// ---------------------------------------------------------------------------
// Go durations (time.ParseDuration)

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "\u00b5s": 1000n, // micro sign
  "\u03bcs": 1000n, // Greek small letter mu
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};
const TWO63 = 1n << 63n;

/** Parse a Go duration string ("1h30m", "-1.5s", "300ms") into nanoseconds. */
export function parseGoDuration(orig: string): bigint {
  const invalid = () => new DateTimeError(`time: invalid duration ${goQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigitAt(s, 0))) throw invalid();
    // leading integer
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigitAt(s, i)) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v >= TWO63) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== "" && s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigitAt(s, j)) {
        if (!overflow) {
          const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
          if (y >= TWO63) overflow = true;
          else {
            f = y;
            scale *= 10;
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && !(s[u] === "." || isDigitAt(s, u))) u++;
    if (u === 0) throw new DateTimeError(`time: missing unit in duration ${goQuote(orig)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNIT_NANOS[unitName];
    if (unit === undefined) {
      throw new DateTimeError(
        `time: unknown unit ${goQuote(unitName)} in duration ${goQuote(orig)}`,
      );
    }
    if (v > TWO63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO63) throw invalid();
    }
    d += v;
    if (d > TWO63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO63 - 1n) throw invalid();
  return d;
}

/** t + d nanoseconds, keeping t's offset and zone. */
export function addDuration(t: GoTime, d: bigint): GoTime {
  const total = BigInt(t.sec) * 1000000000n + BigInt(t.nsec) + d;
  let sec = total / 1000000000n;
  let nsec = total - sec * 1000000000n;
  if (nsec < 0n) {
    nsec += 1000000000n;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec), offset: t.offset, zone: t.zone };
}

// ---------------------------------------------------------------------------
// formatdate (cty's FormatDate mini-language)

function isLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

/**
 * Tokenise a formatdate spec exactly as cty's bufio split function does,
 * including its quirk that a quoted literal whose closing quote is the very
 * last character of the spec ends scanning (the literal is dropped).
 */
function dateFormatTokens(spec: string): string[] {
  const toks: string[] = [];
  let pos = 0;
  outer: while (pos < spec.length) {
    const data = spec.slice(pos);
    const c = data[0] as string;
    if (c === "'") {
      if (data.length > 1 && data[1] === "'") {
        toks.push("''");
        pos += 2;
        continue;
      }
      for (let i = 1; i < data.length; i++) {
        if (data[i] === "'") {
          if (i + 1 === data.length) break outer; // needs more input: scanning stops
          if (data[i + 1] === "'") {
            i++;
            continue;
          }
          toks.push(data.slice(0, i + 1));
          pos += i + 1;
          continue outer;
        }
      }
      toks.push(data); // unterminated at end of input
      pos = spec.length;
    } else if (isLetter(c)) {
      let i = 1;
      while (i < data.length && data[i] === c) i++;
      toks.push(data.slice(0, i));
      pos += i;
    } else {
      let i = 1;
      while (i < data.length && data[i] !== "'" && !isLetter(data[i] as string)) i++;
      toks.push(data.slice(0, i));
      pos += i;
    }
  }
  return toks;
}

/** Format an already-parsed time with a formatdate spec; errors carry arg 0. */
export function formatDateSpec(spec: string, t: GoTime): string {
  const f = timeFields(t);
  const bad = (tok: string, why?: string) =>
    new DateTimeError(`invalid date format verb ${goQuote(tok)}${why ? `: ${why}` : ""}`, 0);
  let out = "";
  for (const tok of dateFormatTokens(spec)) {
    const c = tok[0] as string;
    const n = tok.length;
    if (c === "'") {
      if (tok[n - 1] !== "'" || n === 1) throw new DateTimeError("unterminated literal '", 0);
      if (n === 2) {
        out += "'";
      } else {
        const raw = tok.slice(1, n - 1);
        for (let i = 0; i < raw.length; i++) {
          out += raw[i];
          if (raw[i] === "'") i++;
        }
      }
      continue;
    }
    if (!isLetter(c)) {
      out += tok;
      continue;
    }
    switch (c) {
      case "Y":
        if (n === 2) out += pad(Math.abs(f.year % 100), 2);
        else if (n === 4) out += pad(f.year, 4);
        else throw bad(tok, 'year must either be "YY" or "YYYY"');
        break;
      case "M":
        if (n === 1) out += String(f.month);
        else if (n === 2) out += pad(f.month, 2);
        else if (n === 3) out += (MONTHS[f.month - 1] as string).slice(0, 3);
        else if (n === 4) out += MONTHS[f.month - 1];
        else throw bad(tok, 'month must be "M", "MM", "MMM", or "MMMM"');
        break;
      case "D":
        if (n === 1) out += String(f.day);
        else if (n === 2) out += pad(f.day, 2);
        else throw bad(tok, 'day of month must either be "D" or "DD"');
        break;
      case "E":
        if (n === 3) out += (WEEKDAYS[f.weekday] as string).slice(0, 3);
        else if (n === 4) out += WEEKDAYS[f.weekday];
        else throw bad(tok, 'day of week must either be "EEE" or "EEEE"');
        break;
      case "h":
        if (n === 1) out += String(f.hour);
        else if (n === 2) out += pad(f.hour, 2);
        else throw bad(tok, '24-hour must either be "h" or "hh"');
        break;
      case "H": {
        const h = f.hour % 12 === 0 ? 12 : f.hour % 12;
        if (n === 1) out += String(h);
        else if (n === 2) out += pad(h, 2);
        else throw bad(tok, '12-hour must either be "H" or "HH"');
        break;
      }
      case "A":
      case "a":
        if (n !== 2) throw bad(tok, `must be "${c}${c}"`);
        out += f.hour < 12 ? (c === "A" ? "AM" : "am") : c === "A" ? "PM" : "pm";
        break;
      case "m":
        if (n === 1) out += String(f.minute);
        else if (n === 2) out += pad(f.minute, 2);
        else throw bad(tok, 'minute must either be "m" or "mm"');
        break;
      case "s":
        if (n === 1) out += String(f.second);
        else if (n === 2) out += pad(f.second, 2);
        else throw bad(tok, 'second must either be "s" or "ss"');
        break;
      case "Z":
        if (n === 1) out += formatGoLayout(t, "Z07:00");
        else if (n === 3) {
          const z = formatGoLayout(t, "-0700");
          out += z === "+0000" ? "UTC" : z;
        } else if (n === 4) out += formatGoLayout(t, "-0700");
        else if (n === 5) out += formatGoLayout(t, "-07:00");
        else throw bad(tok, "timezone must be Z, ZZZZ, or ZZZZZ");
        break;
      default:
        throw bad(tok);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// strftime

/** Week of the year (00..53) with weeks starting on `firstDay` (0 Sunday, 1 Monday). */
function weekNumber(f: TimeFields, firstDay: number): number {
  const wd = (f.weekday - firstDay + 7) % 7;
  return Math.floor((f.yday - 1 - wd + 7) / 7);
}

/** ISO 8601 week-based year and week number. */
function isoWeek(f: TimeFields): [number, number] {
  const wdMon = (f.weekday + 6) % 7; // Monday = 0
  const thursdayDays = daysFromCivil(f.year, f.month, f.day) - wdMon + 3;
  const th = civilFromDays(thursdayDays);
  const week = Math.floor((thursdayDays - daysFromCivil(th.year, 1, 1)) / 7) + 1;
  return [th.year, week];
}

/**
 * Format a time with C strftime directives, following the go-strftime package
 * Packer uses (unknown directives are copied through verbatim, a trailing lone
 * '%' is kept) plus the common C/POSIX directives it lacks.
 */
export function strftime(format: string, t: GoTime): string {
  const f = timeFields(t);
  const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  let out = "";
  let i = 0;
  while (i < format.length) {
    const ni = format.indexOf("%", i);
    if (ni < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, ni);
    if (ni + 1 >= format.length) {
      out += "%";
      break;
    }
    const c = format[ni + 1] as string;
    i = ni + 2;
    switch (c) {
      case "%":
        out += "%";
        break;
      case "a":
        out += (WEEKDAYS[f.weekday] as string).slice(0, 3);
        break;
      case "A":
        out += WEEKDAYS[f.weekday];
        break;
      case "b":
      case "h":
        out += (MONTHS[f.month - 1] as string).slice(0, 3);
        break;
      case "B":
        out += MONTHS[f.month - 1];
        break;
      case "c":
        out += formatGoLayout(t, "Mon Jan _2 15:04:05 2006");
        break;
      case "C":
        out += pad(Math.floor(f.year / 100), 2);
        break;
      case "d":
        out += pad(f.day, 2);
        break;
      case "D":
      case "x":
        out += `${pad(f.month, 2)}/${pad(f.day, 2)}/${pad(Math.abs(f.year % 100), 2)}`;
        break;
      case "e":
        out += String(f.day).padStart(2, " ");
        break;
      case "f":
        out += pad(Math.floor(f.nsec / 1000), 6);
        break;
      case "F":
        out += `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
        break;
      case "G":
        out += pad(isoWeek(f)[0], 4);
        break;
      case "g":
        out += pad(Math.abs(isoWeek(f)[0] % 100), 2);
        break;
      case "H":
        out += pad(f.hour, 2);
        break;
      case "I":
        out += pad(h12, 2);
        break;
      case "j":
        out += pad(f.yday, 3);
        break;
      case "k":
        out += String(f.hour).padStart(2, " ");
        break;
      case "l":
        out += String(h12).padStart(2, " ");
        break;
      case "L":
        out += `.${pad(Math.floor(f.nsec / 1e6), 3)}`;
        break;
      case "m":
        out += pad(f.month, 2);
        break;
      case "M":
        out += pad(f.minute, 2);
        break;
      case "n":
        out += "\n";
        break;
      case "p":
        out += f.hour >= 12 ? "PM" : "AM";
        break;
      case "P":
        out += f.hour >= 12 ? "pm" : "am";
        break;
      case "r":
        out += `${pad(h12, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)} ${f.hour >= 12 ? "PM" : "AM"}`;
        break;
      case "R":
        out += `${pad(f.hour, 2)}:${pad(f.minute, 2)}`;
        break;
      case "s":
        out += String(t.sec);
        break;
      case "S":
        out += pad(f.second, 2);
        break;
      case "t":
        out += "\t";
        break;
      case "T":
      case "X":
        out += `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;
        break;
      case "u":
        out += String(f.weekday === 0 ? 7 : f.weekday);
        break;
      case "U":
        out += pad(weekNumber(f, 0), 2);
        break;
      case "V":
        out += pad(isoWeek(f)[1], 2);
        break;
      case "w":
        out += String(f.weekday);
        break;
      case "W":
        out += pad(weekNumber(f, 1), 2);
        break;
      case "y":
        out += pad(Math.abs(f.year % 100), 2);
        break;
      case "Y":
        out += pad(f.year, 4);
        break;
      case "z":
        out += formatGoLayout(t, "-0700");
        break;
      case "Z":
        out += formatGoLayout(t, "MST");
        break;
      default:
        out += `%${c}`;
    }
  }
  return out;
}
