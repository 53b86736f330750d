import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";

// The literal values the parser builds.

export function litString(s: string): Value {
  return Value.string(s);
}

/** A number literal at cty's 512-bit precision; undefined if the text is not a number. */
export function litNumber(text: string): Value | undefined {
  return Value.numberFromString(text);
}

export function litBool(b: boolean): Value {
  return b ? Value.true : Value.false;
}

const NULL_DYNAMIC = Value.null(Type.dynamic);

/** The `null` keyword: a null of the dynamic pseudo-type. */
export function litNull(): Value {
  return NULL_DYNAMIC;
}

/** cty.DynamicVal: the placeholder for anything unknown (and for parse errors). */
export function litDynamic(): Value {
  return Value.dynamic;
}

export function litUnknownNumber(): Value {
  return Value.unknown(Type.number);
}
