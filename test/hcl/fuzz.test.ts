import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseJSON } from "../../src/hcl/json/parser.js";
import type { Body, EvalContext } from "../../src/hcl/structure.js";
import { parseConfig } from "../../src/hcl/syntax/parser.js";
import { corpusFiles, isHclJson, isNativeHcl } from "../support/corpus.js";

// Feeds thousands of random mutations of corpus files to the parsers and the
// evaluator: only values and diagnostics may come out, never an exception.

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  '"',
  "${",
  "%{",
  "~}",
  "<<EOT\n",
  "\nEOT\n",
  "<<-X\n",
  "=",
  ":",
  ",",
  "...",
  ".*",
  "[*]",
  "?",
  "!",
  "&&",
  "||",
  "==",
  "\\",
  "\\u",
  "\\U0001F",
  "#",
  "//",
  "/*",
  "*/",
  "\n",
  "\t",
  "for x in y :",
  "if",
  "endif",
  "%{ else }",
  "%{ endfor }",
  "null",
  "-",
  "1e",
  "0x",
  "\u00e9",
  "\ud83d\ude00",
  "\u0000",
  "\xff",
  "var.",
  "[0]",
  ".0",
  "f(",
  "a.b.c",
  "\r\n",
];

function mutate(src: string, r: () => number): string {
  let s = src;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) {
      const snip = SNIPPETS[Math.floor(r() * SNIPPETS.length)]!;
      s = s.slice(0, pos) + snip + s.slice(pos);
    } else if (op < 0.7) {
      const len = Math.floor(r() * 20);
      s = s.slice(0, pos) + s.slice(pos + len);
    } else if (op < 0.85) {
      const from = Math.floor(r() * s.length);
      const len = Math.floor(r() * 40);
      s = s.slice(0, pos) + s.slice(from, from + len) + s.slice(pos);
    } else {
      s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(pos + 1);
    }
  }
  return s;
}

/** Evaluates every attribute reachable in a body, recursing into blocks generically. */
function evaluateAll(body: Body, ctx: EvalContext, depth = 0): void {
  if (depth > 8) return;
  const { attributes } = body.justAttributes();
  for (const attr of Object.values(attributes)) {
    attr.expr.value(ctx);
    attr.expr.variables();
  }
}

const ctx: EvalContext = { variables: {}, functions: {} };

test("random mutations of corpus files produce only diagnostics", () => {
  const files = corpusFiles((p) => isNativeHcl(p) || isHclJson(p));
  assert.ok(files.length > 100, `expected many corpus files, got ${files.length}`);
  const r = rng(20261122);
  const ITERATIONS = 4000;
  let withErrors = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const file = files[Math.floor(r() * files.length)]!;
    const src = mutate(readFileSync(file, "utf8"), r);
    try {
      const res = isHclJson(file) ? parseJSON(src, file) : parseConfig(src, file);
      if (res.diags.some((d) => d.severity === "error")) withErrors++;
      evaluateAll(res.file.body, ctx);
    } catch (err) {
      assert.fail(
        `${file} mutation #${i} threw: ${(err as Error).stack}\n--- input ---\n${src.slice(0, 2000)}`,
      );
    }
  }
  // The mutations must actually exercise the error paths.
  assert.ok(withErrors > ITERATIONS / 10, `only ${withErrors} mutations produced errors`);
});
