// HCL native syntax: scanner, parser, AST and evaluator.

export * from "./ast.js";
export { type ExpressionCallable, getAttr, index, traverseAbs, traverseRel } from "./eval.js";
export {
  checkInvalidTokens,
  formatRangeGo,
  isValidIdentifier,
  parseConfig,
  parseExpression,
  parseStringLiteralToken,
  parseTemplate,
  parseTraversalAbs,
} from "./parser.js";
export { decodeSource, PosTracker, type ScanMode, scan } from "./scanner.js";
export { type Token, TokenType } from "./token.js";
