import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { test } from "node:test";
import { parseConfig } from "../../src/hcl/syntax/parser.js";
import { formatSource } from "../../src/hcl/write/format.js";
import { corpusRoot } from "../support/corpus.js";
import { legacyTemplatePaths, upgradedTemplate } from "./corpus-templates.js";

// Every legacy JSON template of the corpus goes through hcl2_upgrade: it is
// converted unless Packer cannot read it either, the result parses as HCL2
// without errors and is already in canonical format, and the exit status
// is 1 exactly when a builder type is one Packer 1.9.4 does not know (the
// test-only builders of Packer's own test suite).

/** Templates Packer's parser rejects, with the start of the reason. */
const UNREADABLE: Record<string, string> = {
  "packer-1.9.4/command/test-fixtures/validate-invalid/broken.json":
    "Original error: 1 error(s) decoding:\n\n* 'Provisioners': source data must be an array or slice, got string",
};

/** Builder types of the corpus that exist only in Packer's test harness. */
const NOT_PACKER_BUILDERS = new Set([
  "dummy",
  "foo",
  "lock",
  "non-existing",
  "parallel-test",
  "potatoes",
  "something",
  "test",
  "{{upper `tubes`}}",
]);

const templates = legacyTemplatePaths();

test("the corpus has the legacy templates this test expects", () => {
  assert.ok(templates.length >= 60, `only ${templates.length} templates found`);
  for (const f of Object.keys(UNREADABLE)) {
    assert.ok(templates.includes(`${corpusRoot}/${f}`), f);
  }
});

for (const path of templates) {
  const name = relative(corpusRoot, path);
  test(`upgrade ${name}`, () => {
    for (const withAnnotations of [false, true]) {
      const r = upgradedTemplate(path, { withAnnotations });
      const errors = r.diags.filter((d) => d.severity === "error").map((d) => d.summary);
      if (UNREADABLE[name] !== undefined) {
        assert.equal(r.converted, false);
        assert.match(errors[0]!, /^Failed to parse file as legacy JSON template: /);
        assert.ok(errors[0]!.includes(UNREADABLE[name]!), errors[0]);
        assert.deepEqual(errors.slice(1), ["Failed to get config from JSON"]);
        continue;
      }
      assert.ok(r.converted, errors.join("\n"));
      const doc = JSON.parse(readFileSync(path, "utf8")) as { builders?: { type?: string }[] };
      const unknown = (doc.builders ?? [])
        .map((b) => b.type ?? "")
        .filter((t) => NOT_PACKER_BUILDERS.has(t))
        .sort();
      if (unknown.length === 0) assert.deepEqual(errors, []);
      else {
        assert.equal(errors.length, 1, errors.join("\n"));
        assert.match(
          errors[0]!,
          /^Ignoring following sources\.Parse error: unknown builder type\(s\): \[/,
        );
        const listed = errors[0]!.slice(errors[0]!.indexOf("[") + 1, errors[0]!.lastIndexOf("]"));
        assert.equal(listed.split(" ").length, unknown.join(" ").split(" ").length);
      }
      const out = `${name}.pkr.hcl`;
      const parsed = parseConfig(r.text, out);
      assert.deepEqual(
        parsed.diags.filter((d) => d.severity === "error"),
        [],
        r.text,
      );
      assert.equal(formatSource(r.text, out).output, r.text);
      assert.ok(!r.diags.some((d) => d.extra?.code === "upgrade-syntax"));
    }
  });
}
