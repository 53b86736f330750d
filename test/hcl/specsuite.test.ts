import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { convert } from "../../src/hcl/cty/convert.js";
import type { Value } from "../../src/hcl/cty/value.js";
import type { Diagnostic } from "../../src/hcl/diagnostic.js";
import { parseJSON } from "../../src/hcl/json/parser.js";
import type { Body } from "../../src/hcl/structure.js";
import { parseConfig } from "../../src/hcl/syntax/parser.js";
import { getTypeConstraint } from "../../src/hcl/typeexpr.js";
import { corpusFiles, corpusRoot } from "../support/corpus.js";
import { decode, readSpec } from "../support/hcldec.js";

// HCL's implementation-agnostic specification suite: each NAME.t names the
// expected result (and type) or diagnostics of decoding NAME.hcl / NAME.hcl.json
// with the hcldec spec NAME.hcldec.

const suite = `${corpusRoot}/hcl-specsuite/specsuite/tests`;

interface Expectation {
  result?: Value;
  resultType?: import("../../src/hcl/cty/type.js").Type;
  diagnostics?: { from: [number, number, number]; to: [number, number, number] }[];
}

function readExpectation(path: string): Expectation {
  const { file, diags } = parseConfig(readFileSync(path), path);
  assert.deepEqual(diags, [], `${path} must parse`);
  const { content } = file.body.content({
    attributes: [{ name: "result" }, { name: "result_type" }],
    blocks: [{ type: "diagnostics" }, { type: "traversals" }],
  });
  const exp: Expectation = {};
  if (content.attributes.result_type) {
    const t = getTypeConstraint(content.attributes.result_type.expr);
    assert.deepEqual(t.diags, []);
    exp.resultType = t.type;
  }
  if (content.attributes.result) {
    const r = content.attributes.result.expr.value();
    assert.deepEqual(r.diags, []);
    exp.result = r.value;
  }
  const diagBlock = content.blocks.find((b) => b.type === "diagnostics");
  if (diagBlock) {
    exp.diagnostics = [];
    const posOf = (body: Body): [number, number, number] => {
      const a = body.justAttributes().attributes;
      const n = (k: string) => a[k]!.expr.value().value.asNumber();
      return [n("line"), n("column"), n("byte")];
    };
    for (const e of diagBlock.body.content({ blocks: [{ type: "error" }] }).content.blocks) {
      const parts = e.body.content({ blocks: [{ type: "from" }, { type: "to" }] }).content.blocks;
      exp.diagnostics.push({
        from: posOf(parts.find((p) => p.type === "from")!.body),
        to: posOf(parts.find((p) => p.type === "to")!.body),
      });
    }
  }
  return exp;
}

const cases = corpusFiles((p) => p.endsWith(".t"), suite);

test("the spec suite has cases", () => assert.ok(cases.length >= 15));

for (const tfile of cases) {
  const base = tfile.slice(0, -2);
  const name = base.slice(suite.length + 1);
  const inputs = [`${base}.hcl`, `${base}.hcl.json`].filter(existsSync);
  for (const input of inputs) {
    test(`specsuite ${name} (${input.endsWith(".json") ? "json" : "native"})`, () => {
      const exp = readExpectation(tfile);
      const specParsed = parseConfig(readFileSync(`${base}.hcldec`), `${base}.hcldec`);
      assert.deepEqual(specParsed.diags, []);
      const { spec, variables, diags: specDiags } = readSpec(specParsed.file.body);
      assert.deepEqual(specDiags, []);
      assert.ok(spec);

      const src = readFileSync(input);
      const parsed = input.endsWith(".json") ? parseJSON(src, input) : parseConfig(src, input);
      const diags: Diagnostic[] = [...parsed.diags];
      let value: Value | undefined;
      if (!parsed.diags.some((d) => d.severity === "error")) {
        const r = decode(parsed.file.body, spec, { variables });
        diags.push(...r.diags);
        value = r.value;
      }
      const errors = diags.filter((d) => d.severity === "error");
      if (exp.diagnostics) {
        const got = errors.map((d) => ({
          from: [d.subject!.start.line, d.subject!.start.column, d.subject!.start.byte],
          to: [d.subject!.end.line, d.subject!.end.column, d.subject!.end.byte],
        }));
        assert.deepEqual(
          got,
          exp.diagnostics,
          `diagnostics: ${errors.map((d) => `${d.summary}: ${d.detail}`).join("; ")}`,
        );
      } else {
        assert.deepEqual(
          errors.map((d) => `${d.summary}: ${d.detail}`),
          [],
        );
      }
      if (exp.resultType && value) {
        assert.ok(
          value.type.equals(exp.resultType),
          `type ${value.type.toString()} != ${exp.resultType.toString()}`,
        );
      }
      if (exp.result && value) {
        const want = convert(exp.result, value.type);
        assert.ok(!("error" in want), `expected result converts to ${value.type.toString()}`);
        if (!("error" in want)) {
          assert.ok(
            want.value.rawEquals(value) || want.value.equals(value).asBool(),
            `result mismatch:\n got ${JSON.stringify(String(value))}\nwant ${String(want.value)}`,
          );
        }
      }
    });
  }
}
