// Table tests for the IP network functions, pinned against `packer console`
// 1.6.6 (including its handling of negative and out-of-range numbers).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgError, FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { ipnetFunctions } from "../../../src/hcl/functions/ipnet.js";

const S = (s: string): Value => Value.string(s);
const N = (s: string | number): Value => {
  const v = Value.numberFromString(String(s));
  if (v === undefined) throw new Error(`bad number ${s}`);
  return v;
};
const LS = (...ss: string[]): Value =>
  ss.length === 0 ? Value.listEmpty(Type.string) : Value.list(ss.map(S));

type Want = Value | string | { error: string; arg?: number };
type Case = [fn: string, args: Value[], want: Want];

function check([fn, args, want]: Case): void {
  const f = ipnetFunctions[fn];
  assert.ok(f, `no function ${fn}`);
  if (typeof want === "string" || want instanceof Value) {
    const got = f.call(args);
    const w = typeof want === "string" ? S(want) : want;
    assert.ok(got.rawEquals(w), `${fn}: got ${got}, want ${w}`);
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

const WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

const cases: Case[] = [
  // cidrhost
  ["cidrhost", [S("10.0.0.0/8"), N(16777215)], "10.255.255.255"],
  ["cidrhost", [S("10.0.0.0/8"), N(-1)], "10.255.255.255"],
  ["cidrhost", [S("10.0.0.0/8"), N(-16777216)], "10.0.0.0"],
  ["cidrhost", [S("10.1.2.3/8"), N(5)], "10.0.0.5"],
  ["cidrhost", [S("10.0.0.0/32"), N(0)], "10.0.0.0"],
  ["cidrhost", [S("192.168.1.0/24"), N(254)], "192.168.1.254"],
  ["cidrhost", [S("fd00::/64"), N(5)], "fd00::5"],
  ["cidrhost", [S("fd00:fd12:3456:7890::/56"), N(34)], "fd00:fd12:3456:7800::22"],
  ["cidrhost", [S("fd00::/64"), N(-1)], "fd00::ffff:ffff:ffff:ffff"],
  ["cidrhost", [S("::ffff:10.0.0.0/104"), N(5)], "0:5::ffff:a00:0"],
  [
    "cidrhost",
    [S("10.0.0.0/8"), N(16777216)],
    { error: "prefix of 8 does not accommodate a host numbered 16777216" },
  ],
  [
    "cidrhost",
    [S("10.0.0.0/8"), N(-16777217)],
    { error: "prefix of 8 does not accommodate a host numbered -1" },
  ],
  [
    "cidrhost",
    [S("10.0.0.0/8"), N("-9223372036854775808")],
    { error: "prefix of 8 does not accommodate a host numbered -9223372036837998592" },
  ],
  [
    "cidrhost",
    [S("10.0.0.0/8"), N("9223372036854775807")],
    { error: "prefix of 8 does not accommodate a host numbered 9223372036854775807" },
  ],
  ["cidrhost", [S("10.0.0.0/8"), N("9223372036854775808")], { error: WHOLE }],
  ["cidrhost", [S("fd00::/64"), N("18446744073709551615")], { error: WHOLE }],
  ["cidrhost", [S("10.0.0.0/8"), N(1.5)], { error: WHOLE }],
  [
    "cidrhost",
    [S("10.0.0.0/33"), N(0)],
    { error: "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33" },
  ],
  [
    "cidrhost",
    [S("10.0.0.0"), N(0)],
    { error: "invalid CIDR expression: invalid CIDR address: 10.0.0.0" },
  ],
  [
    "cidrhost",
    [S("010.0.0.0/8"), N(0)],
    { error: "invalid CIDR expression: invalid CIDR address: 010.0.0.0/8" },
  ],
  [
    "cidrhost",
    [S("fe80::1%eth0/64"), N(0)],
    { error: "invalid CIDR expression: invalid CIDR address: fe80::1%eth0/64" },
  ],
  // the number is checked before the prefix
  ["cidrhost", [S("bogus"), N(0.5)], { error: WHOLE }],
  // cidrnetmask
  ["cidrnetmask", [S("10.0.0.0/8")], "255.0.0.0"],
  ["cidrnetmask", [S("172.16.0.0/12")], "255.240.0.0"],
  ["cidrnetmask", [S("10.0.0.0/0")], "0.0.0.0"],
  ["cidrnetmask", [S("10.0.0.0/32")], "255.255.255.255"],
  ["cidrnetmask", [S("fd00::/64")], "ffff:ffff:ffff:ffff::"],
  ["cidrnetmask", [S("::/0")], "::"],
  ["cidrnetmask", [S("x")], { error: "invalid CIDR expression: invalid CIDR address: x" }],
  // cidrsubnet
  ["cidrsubnet", [S("10.0.0.0/8"), N(8), N(2)], "10.2.0.0/16"],
  ["cidrsubnet", [S("10.0.0.0/8"), N(8), N(255)], "10.255.0.0/16"],
  ["cidrsubnet", [S("172.16.0.0/12"), N(4), N(2)], "172.18.0.0/16"],
  ["cidrsubnet", [S("10.1.2.0/24"), N(4), N(15)], "10.1.2.240/28"],
  ["cidrsubnet", [S("10.0.0.0/8"), N(8), N(-1)], "0.1.0.0/16"],
  ["cidrsubnet", [S("10.0.0.0/8"), N(0), N(0)], "10.0.0.0/8"],
  ["cidrsubnet", [S("10.0.0.0/8"), N(-1), N(0)], "10.0.0.0/7"],
  ["cidrsubnet", [S("fd00::/32"), N(32), N(4294967295)], "fd00:0:ffff:ffff::/64"],
  ["cidrsubnet", [S("fd00::/32"), N(16), N(65535)], "fd00:0:ffff::/48"],
  ["cidrsubnet", [S("fd00::/56"), N(8), N(3)], "fd00:0:0:3::/64"],
  ["cidrsubnet", [S("fd00:fd12:3456:7890::/56"), N(16), N(162)], "fd00:fd12:3456:7800:a200::/72"],
  [
    "cidrsubnet",
    [S("10.0.0.0/8"), N(8), N(256)],
    { error: "prefix extension of 8 does not accommodate a subnet numbered 256" },
  ],
  [
    "cidrsubnet",
    [S("10.0.0.0/8"), N(25), N(0)],
    { error: "insufficient address space to extend prefix of 8 by 25" },
  ],
  [
    "cidrsubnet",
    [S("10.0.0.0/8"), N(33), N(0)],
    { error: "may not extend prefix by more than 32 bits" },
  ],
  [
    "cidrsubnet",
    [S("2001:db8::/32"), N(96), N(0)],
    { error: "may not extend prefix by more than 32 bits" },
  ],
  ["cidrsubnet", [S("10.0.0.0/8"), N(1.5), N(0)], { error: WHOLE }],
  [
    "cidrsubnet",
    [S("x/8"), N(1), N(0)],
    { error: "invalid CIDR expression: invalid CIDR address: x/8" },
  ],
  // cidrsubnets
  [
    "cidrsubnets",
    [S("10.0.0.0/8"), N(4), N(4), N(8), N(4)],
    LS("10.0.0.0/12", "10.16.0.0/12", "10.32.0.0/16", "10.48.0.0/12"),
  ],
  ["cidrsubnets", [S("10.0.0.0/8")], LS()],
  ["cidrsubnets", [S("10.0.0.0/8"), N(24), N(1)], LS("10.0.0.0/32", "10.128.0.0/9")],
  [
    "cidrsubnets",
    [S("fd00::/32"), N(16), N(16), N(32)],
    LS("fd00::/48", "fd00:0:1::/48", "fd00:0:2::/64"),
  ],
  [
    "cidrsubnets",
    [S("10.0.0.0/8"), N(0)],
    { error: "must extend prefix by at least one bit", arg: 1 },
  ],
  [
    "cidrsubnets",
    [S("10.0.0.0/8"), N(33)],
    { error: "may not extend prefix by more than 32 bits", arg: 1 },
  ],
  [
    "cidrsubnets",
    [S("10.0.0.0/8"), N(25)],
    { error: "would extend prefix to 33 bits, which is too long for an IPv4 address", arg: 1 },
  ],
  [
    "cidrsubnets",
    [S("fd00::/100"), N(30)],
    { error: "would extend prefix to 130 bits, which is too long for an IPv6 address", arg: 1 },
  ],
  [
    "cidrsubnets",
    [S("10.0.0.0/30"), N(1), N(1), N(1)],
    {
      error:
        "not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31",
      arg: 3,
    },
  ],
  ["cidrsubnets", [S("10.0.0.0/8"), N(1.5)], { error: WHOLE, arg: 1 }],
  ["cidrsubnets", [S("10.0.0.0/8"), N(8), N(1.5)], { error: WHOLE, arg: 2 }],
  // an earlier bad newbits is reported before a later non-integer
  [
    "cidrsubnets",
    [S("10.0.0.0/8"), N(0), N(1.5)],
    { error: "must extend prefix by at least one bit", arg: 1 },
  ],
  [
    "cidrsubnets",
    [S("nope"), N(1)],
    { error: "invalid CIDR expression: invalid CIDR address: nope", arg: 0 },
  ],
];

describe("ipnet functions", () => {
  for (const c of cases) {
    it(`${c[0]}(${c[1].map((a) => a.toString()).join(", ")})`, () => check(c));
  }
});

describe("IPv6 address parsing and formatting", () => {
  const net = (s: string) => ipnetFunctions.cidrsubnet?.call([S(s), N(0), N(0)]).asString();
  const table: [string, string | undefined][] = [
    ["::/0", "::/0"],
    ["::1/128", "::1/128"],
    ["1:2:3:4:5:6:7::/128", "1:2:3:4:5:6:7:0/128"],
    ["1:0:0:1:0:0:0:1/128", "1:0:0:1::1/128"],
    ["2001:db8::1.2.3.4/128", "2001:db8::102:304/128"],
    ["1:2:3:4:5:6:1.2.3.4/128", "1:2:3:4:5:6:102:304/128"],
    ["0:0:1::/128", "0:0:1::/128"],
    ["2001:DB8:0:0:8:800:200C:417A/128", "2001:db8::8:800:200c:417a/128"],
    ["1.2.3.4/08", "1.0.0.0/8"],
  ];
  for (const [input, want] of table) it(input, () => assert.equal(net(input), want));
  for (const input of [
    "1:2:3:4:5:6:7:8::/128",
    "::1:2:3:4:5:6:7:8/128",
    "1:2:3:4:5:6:7:1.2.3.4/128",
    ":1::/128",
    "1:::2/128",
    "12345::/16",
    "1.2.3.4/",
    "1.2.3/24",
    "1.2.3.256/24",
    "1.2.3.4/-1",
  ]) {
    it(`rejects ${input}`, () => assert.throws(() => net(input), /invalid CIDR address/));
  }
});
