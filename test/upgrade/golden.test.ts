import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseConfig } from "../../src/hcl/syntax/parser.js";
import { formatSource } from "../../src/hcl/write/format.js";
import { upgradeLegacyTemplateFile } from "../../src/template/upgrade/index.js";

// Hand-written JSON templates (golden/NAME.json) and the HCL2 file
// hcl2_upgrade writes for them (golden/NAME.pkr.hcl; with -with-annotations
// golden/NAME.annotated.pkr.hcl). Between them they use every construct the
// upgrade knows: variables, locals, sensitive values, every kind of
// configuration value, every template function, the three post-processor
// forms, provisioner options, amazon data sources and undeclared variables.
// Set KILN_UPDATE_GOLDEN=1 to rewrite the expected files after an intended change.

const goldenDir = join(import.meta.dirname, "golden");
const inputs = readdirSync(goldenDir)
  .filter((f) => f.endsWith(".json"))
  .sort();

function check(file: string, got: string) {
  const path = join(goldenDir, file);
  if (process.env.KILN_UPDATE_GOLDEN) writeFileSync(path, got);
  assert.equal(got, readFileSync(path, "utf8"));
}

for (const input of inputs) {
  const name = input.slice(0, -".json".length);
  for (const withAnnotations of [false, true]) {
    const out = withAnnotations ? `${name}.annotated.pkr.hcl` : `${name}.pkr.hcl`;
    test(`golden ${out}`, () => {
      const r = upgradeLegacyTemplateFile(join(goldenDir, input), { withAnnotations });
      assert.ok(r.converted);
      assert.deepEqual(
        r.diags.filter((d) => d.severity === "error"),
        [],
      );
      check(out, r.text);
      const parsed = parseConfig(r.text, out);
      assert.deepEqual(
        parsed.diags.filter((d) => d.severity === "error"),
        [],
      );
      assert.equal(formatSource(r.text, out).output, r.text);
    });
  }
}

test("the golden inputs are all there", () => {
  assert.deepEqual(inputs, [
    "amazon.json",
    "build.json",
    "functions.json",
    "undeclared-with-functions.json",
    "undeclared.json",
    "values.json",
  ]);
});

test("what the golden templates report besides the file", () => {
  const diags = (f: string) =>
    upgradeLegacyTemplateFile(join(goldenDir, f)).diags.map((d) => `${d.severity}: ${d.summary}`);
  assert.deepEqual(diags("values.json"), [
    "warning: Ignoring following initialization error: 1 error occurred:\n\t* required variable not set: required_one\n\n",
  ]);
  assert.deepEqual(diags("build.json"), []);
  assert.deepEqual(diags("undeclared.json"), []);
});
