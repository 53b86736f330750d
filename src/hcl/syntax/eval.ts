import type { EvalContext, ValueResult } from "../structure.js";
import type { AnyExpr } from "./ast.js";

export function evaluate(_e: AnyExpr, _ctx?: EvalContext): ValueResult {
  throw new Error("not yet");
}
