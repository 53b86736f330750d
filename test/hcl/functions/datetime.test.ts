// Table tests for the date/time functions. formatdate and timeadd results and
// messages were pinned against `packer console` 1.6.6; legacy_isotime and
// legacy_strftime (absent from 1.6.6) follow current Packer, with their
// layout/directive engines checked on a fixed time.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { datetimeFunctions, legacyInitTime } from "../../../src/hcl/functions/datetime.js";
import {
  formatGoLayout,
  parseGoDuration,
  parseRFC3339,
  strftime,
} from "../../../src/hcl/functions/datetime-go.js";

const S = (s: string): Value => Value.string(s);

type Want = string | { error: string; arg?: number };
type Case = [fn: string, args: Value[], want: Want];

function check([fn, args, want]: Case): void {
  const f = datetimeFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (typeof want === "string") {
    const got = f.call(args);
    assert.equal(got.asString(), want, `${fn}(${args.join(", ")})`);
    return;
  }
  assert.throws(
    () => f.call(args),
    (e: unknown) => {
      assert.ok(e instanceof FunctionError, `${fn}: not a FunctionError: ${e}`);
      assert.equal(e.message, want.error);
      if (want.arg !== undefined) {
        assert.ok(e instanceof ArgError, `${fn}: expected an ArgError`);
        assert.equal(e.argIndex, want.arg);
      } else {
        assert.ok(!(e instanceof ArgError), `${fn}: unexpected ArgError`);
      }
      return true;
    },
  );
}

const T0 = "2021-02-01T13:05:09Z";
const bad = (msg: string) => ({ error: `not a valid RFC3339 timestamp: ${msg}`, arg: 1 });
const verb = (msg: string) => ({ error: msg, arg: 0 });

const formatdateCases: Case[] = [
  [
    "formatdate",
    [S("YYYY MMMM EEEE hh AA ZZZZZ"), S("2021-03-04T05:06:07+02:30")],
    "2021 March Thursday 05 AM +02:30",
  ],
  ["formatdate", [S("Z ZZZ ZZZZ ZZZZZ"), S("2021-02-01T00:00:00Z")], "Z UTC +0000 +00:00"],
  ["formatdate", [S("Z ZZZ ZZZZ ZZZZZ"), S("2021-02-01T00:00:00-00:00")], "Z UTC +0000 +00:00"],
  [
    "formatdate",
    [S("Z ZZZ ZZZZ ZZZZZ"), S("2021-02-01T00:00:00-05:30")],
    "-05:30 -0530 -0530 -05:30",
  ],
  ["formatdate", [S("H HH h hh AA aa"), S("2021-02-01T00:05:09Z")], "12 12 0 00 AM am"],
  [
    "formatdate",
    [S("H HH h hh AA aa m mm s ss"), S("2021-02-01T12:05:09Z")],
    "12 12 12 12 PM pm 5 05 9 09",
  ],
  ["formatdate", [S("H HH h hh AA aa"), S("2021-02-01T13:05:09Z")], "1 01 13 13 PM pm"],
  [
    "formatdate",
    [S("YY YYYY M MM MMM MMMM D DD EEE EEEE"), S("0009-02-01T13:05:09Z")],
    "09 0009 2 02 Feb February 1 01 Sun Sunday",
  ],
  ["formatdate", [S("DD''MM"), S(T0)], "01'02"],
  ["formatdate", [S("''"), S(T0)], "'"],
  ["formatdate", [S("h'h'mm"), S(T0)], "13h05"],
  ["formatdate", [S("'Today is' EEEE"), S(T0)], "Today is Monday"],
  // cty's scanner drops a quoted literal that closes at the very end.
  ["formatdate", [S("'a'''"), S(T0)], ""],
  ["formatdate", [S("YYYY 'x'"), S(T0)], "2021 "],
  ["formatdate", [S("-_.,:/ 123"), S(T0)], "-_.,:/ 123"],
  ["formatdate", [S(""), S(T0)], ""],
  ["formatdate", [S("YYYY"), S("2021-02-01T0:00:00Z")], "2021"],
  ["formatdate", [S("ss"), S("2021-02-01T00:00:07.123456789123Z")], "07"],
  ["formatdate", [S("YYYY"), S("2021-02-01T00:00:00,5Z")], "2021"],
  // format errors
  [
    "formatdate",
    [S("YYY"), S(T0)],
    verb('invalid date format verb "YYY": year must either be "YY" or "YYYY"'),
  ],
  ["formatdate", [S("x 'unterminated"), S(T0)], verb('invalid date format verb "x"')],
  ["formatdate", [S("Q"), S(T0)], verb('invalid date format verb "Q"')],
  [
    "formatdate",
    [S("ZZ"), S(T0)],
    verb('invalid date format verb "ZZ": timezone must be Z, ZZZZ, or ZZZZZ'),
  ],
  ["formatdate", [S("AAA"), S(T0)], verb('invalid date format verb "AAA": must be "AA"')],
  ["formatdate", [S("ab'"), S(T0)], verb('invalid date format verb "a": must be "aa"')],
  [
    "formatdate",
    [S("E"), S(T0)],
    verb('invalid date format verb "E": day of week must either be "EEE" or "EEEE"'),
  ],
  [
    "formatdate",
    [S("DDD"), S(T0)],
    verb('invalid date format verb "DDD": day of month must either be "D" or "DD"'),
  ],
  [
    "formatdate",
    [S("MMMMM"), S(T0)],
    verb('invalid date format verb "MMMMM": month must be "M", "MM", "MMM", or "MMMM"'),
  ],
  [
    "formatdate",
    [S("hhh"), S(T0)],
    verb('invalid date format verb "hhh": 24-hour must either be "h" or "hh"'),
  ],
  ["formatdate", [S("'"), S(T0)], verb("unterminated literal '")],
  ["formatdate", [S("'abc"), S(T0)], verb("unterminated literal '")],
  // timestamp errors
  [
    "formatdate",
    [S("YYYY"), S("2021-13-01T00:00:00Z")],
    bad('cannot use "-01T00:00:00Z" as month'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021-00-01T00:00:00Z")],
    bad('cannot use "-01T00:00:00Z" as month'),
  ],
  ["formatdate", [S("YYYY"), S("2021-02-30T00:00:00Z")], bad("day out of range")],
  ["formatdate", [S("YYYY"), S("2021-02-00T00:00:00Z")], bad("day out of range")],
  ["formatdate", [S("YYYY"), S("2021-02-01T25:00:00Z")], bad('cannot use ":00:00Z" as hour')],
  ["formatdate", [S("YYYY"), S("2021-02-01T23:60:00Z")], bad('cannot use ":00Z" as minute')],
  ["formatdate", [S("YYYY"), S("2021-02-01T23:00:60Z")], bad('cannot use "Z" as second')],
  ["formatdate", [S("YYYY"), S("2021-02-01T00:00:60.5Z")], bad('cannot use ".5Z" as second')],
  ["formatdate", [S("YYYY"), S("2021-02-01")], bad("missing required time introducer 'T'")],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01t00:00:00Z")],
    bad("missing required time introducer 'T'"),
  ],
  ["formatdate", [S("YYYY"), S("2021-02-01T")], bad("end of string before hour")],
  ["formatdate", [S("YYYY"), S("2021-02-01T00:00:00z")], bad('cannot use "z" as UTC offset')],
  ["formatdate", [S("YYYY"), S("2021-02-01T00:00:00")], bad("end of string before UTC offset")],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01T00:00:00+0100")],
    bad('cannot use "+0100" as UTC offset'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01T00:00:00+01-00")],
    bad('cannot use "+01-00" as UTC offset'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01T00:00:00+ab:00")],
    bad("end of string before UTC offset"),
  ],
  ["formatdate", [S("YYYY"), S("2021-02-01T00:00:00.Z")], bad('cannot use ".Z" as UTC offset')],
  ["formatdate", [S("YYYY"), S("21-02-01T00:00:00Z")], bad('cannot use "2-01T00:00:00Z" as year')],
  [
    "formatdate",
    [S("YYYY"), S("2021-2-01T00:00:00Z")],
    bad('cannot use "2-01T00:00:00Z" as month'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01T00:00:00Zjunk")],
    bad('cannot use "junk" as timestamp segment'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01T00:00:00+01:00junk")],
    bad('cannot use "junk" as timestamp segment'),
  ],
  ["formatdate", [S("YYYY"), S("")], bad("end of string before year")],
  ["formatdate", [S("YYYY"), S("abc")], bad('cannot use "abc" as year')],
  [
    "formatdate",
    [S("YYYY"), S("-021-01-01T00:00:00Z")],
    bad('cannot use "-021-01-01T00:00:00Z" as year'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021/02/01T00:00:00Z")],
    bad('found "/02/01T00:00:00Z" where "-" is expected'),
  ],
  [
    "formatdate",
    [S("YYYY"), S("2021-02-01T2x:00:00Z")],
    bad('found "x:00:00Z" where ":" is expected'),
  ],
  ["formatdate", [S("YYYY"), S("2021")], bad('end of string where "-" is expected')],
  ["formatdate", [S("YYYY"), S("2021-")], bad("end of string before month")],
  ["formatdate", [S("YYYY"), S("2021-02-01T00:0")], bad('cannot use "0" as minute')],
  // the timestamp is checked before the format
  ["formatdate", [S("Q"), S("nope")], bad('cannot use "nope" as year')],
];

const timeaddCases: Case[] = [
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("1h30m")], "2021-02-01T01:30:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00+05:30"), S("-1.5h")], "2021-01-31T22:30:00+05:30"],
  ["timeadd", [S("2021-02-01T00:00:00.5Z"), S("1us")], "2021-02-01T00:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("1\u00b5s")], "2021-02-01T00:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("1\u03bcs")], "2021-02-01T00:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("0")], "2021-02-01T00:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("-0")], "2021-02-01T00:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("+5m")], "2021-02-01T00:05:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S(".5h")], "2021-02-01T00:30:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("5.h")], "2021-02-01T05:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("2562047h")], "2313-05-13T23:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("1.0000000001s")], "2021-02-01T00:00:01Z"],
  ["timeadd", [S("2021-02-01T00:00:00-00:00"), S("1h")], "2021-02-01T01:00:00Z"],
  ["timeadd", [S("9999-12-31T23:00:00Z"), S("2h")], "10000-01-01T01:00:00Z"],
  ["timeadd", [S("2020-02-28T23:00:00Z"), S("24h")], "2020-02-29T23:00:00Z"],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("1")], { error: 'time: missing unit in duration "1"' }],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S("")], { error: 'time: invalid duration ""' }],
  [
    "timeadd",
    [S("2021-02-01T00:00:00Z"), S("1d")],
    { error: 'time: unknown unit "d" in duration "1d"' },
  ],
  [
    "timeadd",
    [S("2021-02-01T00:00:00Z"), S("9999999999h")],
    { error: 'time: invalid duration "9999999999h"' },
  ],
  [
    "timeadd",
    [S("2021-02-01T00:00:00Z"), S("1h-5m")],
    { error: 'time: unknown unit "h-" in duration "1h-5m"' },
  ],
  [
    "timeadd",
    [S("2021-02-01T00:00:00Z"), S("1h 5m")],
    { error: 'time: unknown unit "h " in duration "1h 5m"' },
  ],
  ["timeadd", [S("2021-02-01T00:00:00Z"), S(".")], { error: 'time: invalid duration "."' }],
  [
    "timeadd",
    [S("2021-02-01"), S("1h")],
    { error: "not a valid RFC3339 timestamp: missing required time introducer 'T'" },
  ],
];

describe("formatdate", () => {
  for (const c of formatdateCases)
    it(`${c[1].map((a) => a.asString()).join(" | ")}`, () => check(c));
  it("returns unknown for an unknown argument", () => {
    const got = datetimeFunctions.formatdate?.call([S("YYYY"), Value.unknown(Type.string)]);
    assert.ok(got && !got.isKnown() && got.type.equals(Type.string));
  });
});

describe("timeadd", () => {
  for (const c of timeaddCases) it(`${c[1].map((a) => a.asString()).join(" + ")}`, () => check(c));
});

describe("timestamp", () => {
  it("is the current UTC time in RFC 3339", () => {
    const before = Math.floor(Date.now() / 1000);
    const s = datetimeFunctions.timestamp?.call([]).asString() ?? "";
    const after = Math.ceil(Date.now() / 1000);
    assert.match(s, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const t = Date.parse(s) / 1000;
    assert.ok(t >= before - 1 && t <= after, `${s} not between ${before} and ${after}`);
  });
  it("takes no arguments", () => {
    check(["timestamp", [S("x")], { error: "wrong number of arguments (0 required; 1 given)" }]);
  });
});

describe("legacy_isotime / legacy_strftime", () => {
  const init = legacyInitTime();
  const d = new Date(init.sec * 1000);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const ymd = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
  const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;

  it("formats the fixed start time with Go layouts", () => {
    check(["legacy_isotime", [S("2006-01-02 15:04:05")], `${ymd} ${hms}`]);
    check(["legacy_isotime", [], `${ymd}T${hms}Z`]);
    check([
      "legacy_isotime",
      [S("20060102150405")],
      `${ymd.replaceAll("-", "")}${hms.replaceAll(":", "")}`,
    ]);
    check(["legacy_isotime", [S("2006-01-02T15:04:05Z07:00")], `${ymd}T${hms}Z`]);
    check(["legacy_isotime", [S("MST -0700")], "UTC +0000"]);
  });
  it("formats the fixed start time with strftime directives", () => {
    check(["legacy_strftime", [S("%Y-%m-%d %H:%M:%S")], `${ymd} ${hms}`]);
    check(["legacy_strftime", [], `${ymd}T${hms}Z`]);
    check(["legacy_strftime", [S("100%% %Z %z %q")], "100% UTC +0000 %q"]);
  });
  it("is stable across calls", () => {
    const a = datetimeFunctions.legacy_isotime?.call([S("2006-01-02T15:04:05.000000000")]);
    const b = datetimeFunctions.legacy_isotime?.call([S("2006-01-02T15:04:05.000000000")]);
    assert.ok(a && b && a.rawEquals(b));
  });
  it("rejects more than one format", () => {
    check([
      "legacy_isotime",
      [S("a"), S("b")],
      { error: 'too many values, 1 needed: [cty.StringVal("a") cty.StringVal("b")]' },
    ]);
    check([
      "legacy_strftime",
      [S("a"), S("b")],
      { error: 'too many values, 1 needed: [cty.StringVal("a") cty.StringVal("b")]' },
    ]);
  });
});

describe("Go layouts and strftime on a fixed time", () => {
  const t = parseRFC3339("2006-01-02T15:04:05.123456789Z");
  const layouts: [string, string][] = [
    ["Mon Jan _2 15:04:05 MST 2006", "Mon Jan  2 15:04:05 UTC 2006"],
    ["Monday January 2 3PM pm 06", "Monday January 2 3PM pm 06"],
    [".000 .999 ,9 .000000000", ".123 .123 ,1 .123456789"],
    ["Z07:00 -0700 -07:00 -07 Z0700", "Z +0000 +00:00 +00 Z"],
    ["__2 002 _2 01/02", "  2 002  2 01/02"],
    ["Jan2006 Janx", "Jan2006 Janx"],
    ["literal text", "literal text"],
  ];
  for (const [layout, want] of layouts) {
    it(`layout ${JSON.stringify(layout)}`, () => assert.equal(formatGoLayout(t, layout), want));
  }
  const t2 = parseRFC3339("2021-01-03T01:02:03+02:00");
  it("layout with an offset", () => {
    assert.equal(
      formatGoLayout(t2, "2006-01-02T15:04:05Z07:00 MST"),
      "2021-01-03T01:02:03+02:00 +0200",
    );
  });
  const directives: [string, string][] = [
    ["%Y-%m-%d %H:%M:%S", "2006-01-02 15:04:05"],
    ["%a %A %b %B %h", "Mon Monday Jan January Jan"],
    ["%I %p %P %l %k", "03 PM pm  3 15"],
    ["%j %U %W %V %G %g %u %w %C %y", "002 01 01 01 2006 06 1 1 20 06"],
    [
      "%c|%x|%X|%D|%F|%T|%R|%r",
      "Mon Jan  2 15:04:05 2006|01/02/06|15:04:05|01/02/06|2006-01-02|15:04:05|15:04|03:04:05 PM",
    ],
    ["%e %L %f %s", " 2 .123 123456 1136214245"],
    ["%Z %z %% %q %", "UTC +0000 % %q %"],
    ["%n%t", "\n\t"],
    ["no directives", "no directives"],
  ];
  for (const [f, want] of directives) {
    it(`strftime ${JSON.stringify(f)}`, () => assert.equal(strftime(f, t), want));
  }
  it("ISO weeks at year boundaries", () => {
    assert.equal(strftime("%G-W%V-%u", t2), "2020-W53-7");
    assert.equal(strftime("%G-W%V-%u", parseRFC3339("2024-12-30T00:00:00Z")), "2025-W01-1");
  });
});

describe("Go durations", () => {
  const cases: [string, bigint][] = [
    ["1h30m", 5400000000000n],
    ["-1.5s", -1500000000n],
    ["300ms", 300000000n],
    ["1h1m1s1ms1us1ns", 3661001001001n],
    ["2562047h47m16.854775807s", 9223372036854775807n],
  ];
  for (const [s, want] of cases) it(s, () => assert.equal(parseGoDuration(s), want));
  it("overflow", () => assert.throws(() => parseGoDuration("2562048h"), /invalid duration/));
});
