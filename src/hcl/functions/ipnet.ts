// IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets.

import { ArgError, FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import { GO_INT_RANGE_MESSAGE, goInt64 } from "./conversion-int.js";
import {
  CidrArgError,
  CidrError,
  cidrHost,
  cidrSubnet,
  cidrSubnets,
  type IPNet,
  ipNetString,
  ipString,
  parseCIDR,
} from "./ipnet-cidr.js";

function parsePrefix(s: string, argError: boolean): IPNet {
  try {
    return parseCIDR(s);
  } catch (e) {
    if (!(e instanceof CidrError)) throw e;
    const msg = `invalid CIDR expression: ${e.message}`;
    throw argError ? new ArgError(0, msg) : new FunctionError(msg);
  }
}

function intArg(v: Value): bigint {
  const n = goInt64(v);
  if (n === undefined) throw new FunctionError(GO_INT_RANGE_MESSAGE);
  return n;
}

function cidrCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CidrError) throw new FunctionError(e.message);
    throw e;
  }
}

const cidrhost = new FunctionImpl({
  description: "Calculates a full host IP address within a given IP network address prefix.",
  params: [
    { name: "prefix", type: Type.string },
    { name: "hostnum", type: Type.number },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const hostnum = intArg(args[1] as Value);
    const net = parsePrefix((args[0] as Value).asString(), false);
    return Value.string(ipString(cidrCall(() => cidrHost(net, hostnum))));
  },
});

const cidrnetmask = new FunctionImpl({
  description: "Converts an IPv4 address prefix given in CIDR notation into a subnet mask address.",
  params: [{ name: "prefix", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const net = parsePrefix((args[0] as Value).asString(), false);
    return Value.string(ipString(net.mask as Uint8Array));
  },
});

const cidrsubnet = new FunctionImpl({
  description: "Calculates a subnet address within a given IP network address prefix.",
  params: [
    { name: "prefix", type: Type.string },
    { name: "newbits", type: Type.number },
    { name: "netnum", type: Type.number },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const newbits = intArg(args[1] as Value);
    const netnum = intArg(args[2] as Value);
    const net = parsePrefix((args[0] as Value).asString(), false);
    if (newbits > 32n) throw new FunctionError("may not extend prefix by more than 32 bits");
    return Value.string(ipNetString(cidrCall(() => cidrSubnet(net, Number(newbits), netnum))));
  },
});

const cidrsubnets = new FunctionImpl({
  description: "Calculates a sequence of consecutive IP address ranges within a CIDR prefix.",
  params: [{ name: "prefix", type: Type.string }],
  varParam: { name: "newbits", type: Type.number },
  type: staticReturnType(Type.list(Type.string)),
  impl: (args) => {
    const net = parsePrefix((args[0] as Value).asString(), true);
    // Arguments are validated one at a time, so an earlier newbits problem is
    // reported before a later non-integer argument.
    const bits: number[] = [];
    let badInt = -1;
    for (let i = 1; i < args.length; i++) {
      const n = goInt64(args[i] as Value);
      if (n === undefined) {
        badInt = i;
        break;
      }
      // Values beyond ±2^31 fail the range checks either way.
      bits.push(Number(n));
    }
    let subnets: IPNet[];
    try {
      subnets = cidrSubnets(net, bits);
    } catch (e) {
      if (e instanceof CidrArgError) throw new ArgError(e.index + 1, e.message);
      throw e;
    }
    if (badInt >= 0) throw new ArgError(badInt, GO_INT_RANGE_MESSAGE);
    if (subnets.length === 0) return Value.listEmpty(Type.string);
    return Value.list(subnets.map((s) => Value.string(ipNetString(s))));
  },
});

export const ipnetFunctions: Record<string, FunctionImpl> = {
  cidrhost,
  cidrnetmask,
  cidrsubnet,
  cidrsubnets,
};
