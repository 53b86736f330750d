// The cty type system and values: public entry point.

export * from "./convert.js";
export * from "./format.js";
export * from "./function.js";
export * from "./json.js";
export * from "./number.js";
export { goQuote } from "./quote.js";
export * from "./type.js";
export * from "./unify.js";
export * from "./value.js";
