import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { test } from "node:test";
import type { EvalContext, Body as HclBody } from "../../../src/hcl/structure.js";
import type { Body } from "../../../src/hcl/syntax/ast.js";
import { parseConfig } from "../../../src/hcl/syntax/parser.js";
import { corpusFiles, corpusRoot, isNativeHcl } from "../../support/corpus.js";
import { showRange } from "./show.js";

// Every native-syntax file of the shared corpus parses without errors, except
// the ones that exist to fail, which must fail with a located diagnostic.

/** Packer fixtures that are malformed on purpose (at the syntax level), with the expected error. */
const PACKER_EXPECTED_FAILURES: Record<string, { summary: string; line: number }> = {
  "packer-1.9.4/hcl2template/testdata/init/duplicate_required_plugins/packer.pkr.hcl": {
    summary: "Attribute redefined",
    line: 8,
  },
};

/** The error ranges a spec-suite .t file expects ("from-to" as line:col:byte). */
function expectedSpecErrors(tFile: string): string[] | undefined {
  if (!existsSync(tFile)) return undefined;
  const r = parseConfig(readFileSync(tFile), tFile);
  assert.deepEqual(r.diags, [], `${tFile} parses`);
  const out: string[] = [];
  const body = r.file.body as Body;
  for (const diagsBlock of body.blocks.filter((b) => b.type === "diagnostics")) {
    for (const e of diagsBlock.body.blocks.filter((b) => b.type === "error")) {
      const pos = (name: string) => {
        const blk = e.body.blocks.find((b) => b.type === name)!;
        const num = (k: string) => blk.body.attributes.get(k)!.expr.value().value.asNumber();
        return `${num("line")}:${num("column")}:${num("byte")}`;
      };
      out.push(`${pos("from")}-${pos("to")}`);
    }
  }
  return out;
}

/** Evaluates every attribute in a body and its nested blocks; must never throw. */
function evaluateAll(b: HclBody, ctx: EvalContext): number {
  const body = b as Body;
  let n = 0;
  for (const a of body.attributes.values()) {
    a.expr.value(ctx);
    a.expr.variables();
    n++;
  }
  for (const blk of body.blocks) n += evaluateAll(blk.body, ctx);
  return n;
}

test("every native-syntax corpus file parses as expected", () => {
  const files = corpusFiles(isNativeHcl);
  assert.ok(files.length > 200, `expected the whole corpus, got ${files.length} files`);
  const seenFailures = new Set<string>();
  let attrs = 0;
  const ctx: EvalContext = { variables: {}, functions: {} };
  for (const f of files) {
    const rel = relative(corpusRoot, f);
    const r = parseConfig(readFileSync(f), f);
    const errors = r.diags.filter((d) => d.severity === "error");
    attrs += evaluateAll(r.file.body, ctx);

    if (rel.startsWith("hcl-specsuite/")) {
      const expected = expectedSpecErrors(f.replace(/\.hcl$/, ".t")) ?? [];
      for (const d of errors) {
        const got = `${d.subject!.start.line}:${d.subject!.start.column}:${d.subject!.start.byte}-${d.subject!.end.line}:${d.subject!.end.column}:${d.subject!.end.byte}`;
        assert.ok(expected.includes(got), `${rel}: unexpected ${d.summary} at ${got}`);
      }
      if (errors.length > 0) {
        // A file that fails to parse must produce exactly the expected errors.
        assert.equal(errors.length, expected.length, `${rel}: error count`);
      }
      continue;
    }

    const want = PACKER_EXPECTED_FAILURES[rel];
    if (want !== undefined) {
      seenFailures.add(rel);
      assert.ok(errors.length > 0, `${rel} must fail to parse`);
      const d = errors[0]!;
      assert.equal(d.summary, want.summary, rel);
      assert.equal(d.subject?.filename, f, `${rel}: the diagnostic names the file`);
      assert.equal(d.subject?.start.line, want.line, `${rel}: the diagnostic names the line`);
      continue;
    }
    assert.deepEqual(
      errors.map((d) => `${d.summary} @${showRange(d.subject)}: ${d.detail}`),
      [],
      `${rel} must parse without errors`,
    );
  }
  assert.deepEqual([...seenFailures].sort(), Object.keys(PACKER_EXPECTED_FAILURES).sort());
  assert.ok(attrs > 1000, `evaluated ${attrs} attributes`);
});

test("spec-suite files that must fail to parse do fail", () => {
  const specFiles = corpusFiles(isNativeHcl, `${corpusRoot}/hcl-specsuite`);
  let failing = 0;
  for (const f of specFiles) {
    const expected = expectedSpecErrors(f.replace(/\.hcl$/, ".t"));
    const r = parseConfig(readFileSync(f), f);
    if (r.diags.length > 0) {
      failing++;
      assert.ok(expected && expected.length > 0, f);
    }
  }
  // structure/blocks/single_oneline_invalid, single_unclosed, attributes/singleline_bad
  assert.equal(failing, 3);
});

test("parsing the whole corpus is fast", () => {
  const files = corpusFiles(isNativeHcl);
  const bufs = files.map((f) => readFileSync(f));
  // Warm up once, then time a pass (generous bound: shared CI machines are noisy).
  for (let i = 0; i < bufs.length; i++) parseConfig(bufs[i]!, files[i]!);
  const t0 = performance.now();
  for (let i = 0; i < bufs.length; i++) parseConfig(bufs[i]!, files[i]!);
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `parsing the corpus took ${ms.toFixed(0)} ms`);
});
