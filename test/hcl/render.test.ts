import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Value } from "../../src/hcl/cty/value.js";
import { standardFunctions } from "../../src/hcl/functions/index.js";
import { parseJSON } from "../../src/hcl/json/parser.js";
import { renderDiagnostics } from "../../src/hcl/render.js";
import { parseConfig } from "../../src/hcl/syntax/parser.js";

// Golden files pin how diagnostics are rendered: summary, "on FILE line N:", the
// source line with the offending range marked, then the detail.
// Set KILN_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.

const goldenDir = join(import.meta.dirname, "golden");

function check(name: string, got: string) {
  const path = join(goldenDir, `${name}.txt`);
  if (process.env.KILN_UPDATE_GOLDEN) writeFileSync(path, got);
  assert.equal(got, readFileSync(path, "utf8"));
}

function renderParse(filename: string, src: string): string {
  const buf = Buffer.from(src);
  const r = filename.endsWith(".json") ? parseJSON(buf, filename) : parseConfig(buf, filename);
  return renderDiagnostics(r.diags, { source: (f) => (f === filename ? buf : undefined) });
}

function renderEval(filename: string, src: string): string {
  const buf = Buffer.from(src);
  const r = parseConfig(buf, filename);
  assert.deepEqual(r.diags, []);
  const ctx = {
    variables: { var: Value.object({ region: Value.string("eu-west-1"), count: Value.number(2) }) },
    functions: standardFunctions("."),
  };
  const diags = Object.values(r.file.body.justAttributes().attributes).flatMap(
    (a) => a.expr.value(ctx).diags,
  );
  return renderDiagnostics(diags, { source: (f) => (f === filename ? buf : undefined) });
}

test("syntax errors: several in one file, each with its line marked", () => {
  check(
    "syntax-errors",
    renderParse(
      "bad.pkr.hcl",
      'source "docker" "x" {\n  image = "debian" "extra"\n}\n\nbuild {\n  name = [1, 2\n}\n',
    ),
  );
});

test("an unclosed block", () => {
  check("unclosed-block", renderParse("unclosed.pkr.hcl", 'variable "x" {\n  default = 1\n'));
});

test("evaluation errors: unknown variable attribute, bad operand, function failure", () => {
  check(
    "eval-errors",
    renderEval(
      "eval.pkr.hcl",
      'a = var.regoin\nb = var.count + "x"\nc = upper(1, 2)\nd = cidrsubnet("10.0.0.0/8", 30, 1)\ne = nope(1)\n',
    ),
  );
});

test("JSON syntax errors", () => {
  check("json-errors", renderParse("t.pkr.json", '{\n  "variable": {\n    "x": [1, ]\n  }\n}\n'));
});

test("multi-byte characters before the range keep the marker aligned", () => {
  check("unicode-marker", renderEval("u.pkr.hcl", 'a = "héllo ${var.nope}"\n'));
});
