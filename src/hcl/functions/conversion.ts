// Type conversion functions: tobool, tolist, tomap, tonumber, toset, tostring
// (cty's MakeToFunc: explicit conversions with their own error wording).

import { convert, getConversion, mismatchMessage } from "../cty/convert.js";
import { ArgError, FunctionImpl } from "../cty/function.js";
import { goQuote } from "../cty/quote.js";
import { Type } from "../cty/type.js";
import type { Value } from "../cty/value.js";

/**
 * cty's FriendlyNameForConstraint: like the friendly name, but the dynamic
 * pseudo-type reads "any type", or "any single type" as a collection element.
 */
export function constraintName(t: Type): string {
  switch (t.kind) {
    case "dynamic":
      return "any type";
    case "list":
    case "set":
    case "map": {
      const et = t.elementType();
      const elem = et.isDynamic() ? "any single type" : constraintName(et);
      return `${t.kind} of ${elem}`;
    }
    default:
      return t.friendlyName();
  }
}

function makeToFunc(want: Type): FunctionImpl {
  return new FunctionImpl({
    description: `Converts the given value to ${constraintName(want)}, or raises an error if that conversion is impossible.`,
    params: [{ name: "v", type: Type.dynamic, allowNull: true, allowDynamicType: true }],
    type: (args) => {
      const got = (args[0] as Value).type;
      if (got.equals(want)) return want;
      if (getConversion(got, want, true) === undefined) {
        if (got.isTuple() && want.isTuple()) {
          throw new ArgError(
            0,
            `incompatible tuple type for conversion: ${mismatchMessage(got, want)}`,
          );
        }
        if (got.isObject() && want.isObject()) {
          throw new ArgError(
            0,
            `incompatible object type for conversion: ${mismatchMessage(got, want)}`,
          );
        }
        throw new ArgError(0, `cannot convert ${got.friendlyName()} to ${constraintName(want)}`);
      }
      return want;
    },
    impl: (args, retType) => {
      const v = args[0] as Value;
      const r = convert(v, retType);
      if ("value" in r) return r.value;
      const got = v.type;
      const what = v.isNull() ? "string" : got.isString() ? goQuote(v.asString()) : "";
      if (got.isString() && want.isBool()) {
        throw new ArgError(
          0,
          `cannot convert ${what} to bool; only the strings "true" or "false" are allowed`,
        );
      }
      if (got.isString() && want.isNumber()) {
        throw new ArgError(
          0,
          `cannot convert ${what} to number; given string must be a decimal representation of a number`,
        );
      }
      throw new ArgError(0, `cannot convert ${got.friendlyName()} to ${constraintName(want)}`);
    },
  });
}

export const conversionFunctions: Record<string, FunctionImpl> = {
  tobool: makeToFunc(Type.bool),
  tolist: makeToFunc(Type.list(Type.dynamic)),
  tomap: makeToFunc(Type.map(Type.dynamic)),
  tonumber: makeToFunc(Type.number),
  toset: makeToFunc(Type.set(Type.dynamic)),
  tostring: makeToFunc(Type.string),
};
