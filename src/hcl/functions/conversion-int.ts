// Go-style extraction of machine integers from cty numbers (gocty.FromCtyValue
// into an int), shared by functions that take integer arguments.

import type { Value } from "../cty/value.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** The message gocty reports when a number does not fit a Go int. */
export const GO_INT_RANGE_MESSAGE = `value must be a whole number, between ${INT64_MIN} and ${INT64_MAX}`;

/**
 * The value of a known, non-null number as a 64-bit integer, or undefined if
 * it is fractional, infinite or out of the int64 range.
 */
export function goInt64(v: Value): bigint | undefined {
  const n = v.asBigNum();
  if (n.isInf() || !n.isInt()) return undefined;
  const b = n.toBigInt();
  if (b < INT64_MIN || b > INT64_MAX) return undefined;
  return b;
}
