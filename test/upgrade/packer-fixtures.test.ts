import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { upgradeLegacyTemplateFile } from "../../src/template/upgrade/index.js";
import { upgradeFixtures } from "./corpus-templates.js";

// Packer's own hcl2_upgrade tests (command/hcl2_upgrade_test.go, v1.9.4):
// each folder has input.json and the expected.pkr.hcl Packer writes for it.
// kiln must write the same bytes, except where the table says why not.

interface Fixture {
  folder: string;
  /** Run with -with-annotations (Packer's test does for these). */
  annotations: boolean;
  /** Packer's exit status. */
  exitCode: 0 | 1;
  /** Why kiln's file differs from Packer's, if it does. */
  difference?: string;
}

const OWN_WORDS =
  "The annotation comments (-with-annotations) are written in kiln's own words; " +
  "they are compared by position only. Everything else is byte for byte.";

const fixtures: Fixture[] = [
  { folder: "ami_test", annotations: false, exitCode: 0 },
  { folder: "aws-access-config", annotations: false, exitCode: 0 },
  { folder: "azure_shg", annotations: false, exitCode: 0 },
  { folder: "bundled-plugin-used", annotations: false, exitCode: 0 },
  { folder: "complete", annotations: true, exitCode: 0, difference: OWN_WORDS },
  { folder: "complete-variables-with-template-engine", annotations: false, exitCode: 0 },
  { folder: "error-cleanup-provisioner", annotations: true, exitCode: 0, difference: OWN_WORDS },
  { folder: "escaping", annotations: false, exitCode: 0 },
  { folder: "minimal", annotations: true, exitCode: 0, difference: OWN_WORDS },
  { folder: "placeholders", annotations: false, exitCode: 0 },
  { folder: "source-name", annotations: true, exitCode: 0, difference: OWN_WORDS },
  { folder: "undeclared-variables", annotations: false, exitCode: 0 },
  // "potatoes" is no builder Packer knows: the file is written, the exit status is 1.
  { folder: "unknown_builder", annotations: false, exitCode: 1 },
  { folder: "varfile-with-no-variables-block", annotations: false, exitCode: 0 },
  { folder: "variables-only", annotations: false, exitCode: 0 },
  { folder: "variables-with-variables", annotations: false, exitCode: 0 },
  { folder: "vsphere_linux_options_and_network_interface", annotations: false, exitCode: 0 },
  { folder: "without-annotations", annotations: false, exitCode: 0 },
];

/** Comments Packer writes whatever the flags: error reports and notes, not annotations. */
const MESSAGE_COMMENT =
  /^\s*# (\d+ errors? occurred upgrading|unhandled |there is no way|Please manually|Visit |could not parse template|The "legacy_)/;
const isAnnotation = (line: string) => /^\s*#/.test(line) && !MESSAGE_COMMENT.test(line);

function withoutAnnotations(text: string): string {
  return text
    .split("\n")
    .filter((l) => !isAnnotation(l))
    .join("\n");
}

/** For each run of annotation lines, the line that follows it: where annotations are placed. */
function annotationPlaces(text: string): string[] {
  const lines = text.split("\n");
  return lines.filter((l, i) => !isAnnotation(l) && i > 0 && isAnnotation(lines[i - 1]!));
}

test("the table covers every fixture folder of Packer's hcl2_upgrade tests", () => {
  const folders = readdirSync(upgradeFixtures).sort();
  assert.deepEqual(
    fixtures.map((f) => f.folder),
    folders,
  );
});

for (const f of fixtures) {
  test(`Packer's hcl2_upgrade fixture ${f.folder}`, () => {
    const dir = join(upgradeFixtures, f.folder);
    const expected = readFileSync(join(dir, "expected.pkr.hcl"), "utf8");
    const r = upgradeLegacyTemplateFile(join(dir, "input.json"), {
      withAnnotations: f.annotations,
    });
    assert.ok(r.converted);
    const status = r.diags.some((d) => d.severity === "error") ? 1 : 0;
    assert.equal(status, f.exitCode);
    if (f.difference === undefined) {
      assert.equal(r.text, expected);
      return;
    }
    assert.notEqual(r.text, expected, "no longer differs: remove the difference from the table");
    assert.equal(withoutAnnotations(r.text), withoutAnnotations(expected));
    assert.deepEqual(annotationPlaces(r.text), annotationPlaces(expected));
    // Without -with-annotations, the file is the annotated one minus its annotations
    // (and the blank lines that set them off at the top).
    const plain = upgradeLegacyTemplateFile(join(dir, "input.json")).text;
    assert.equal(withoutAnnotations(r.text).replace(/^\n+/, ""), plain.replace(/^\n+/, ""));
  });
}

test("the unknown builder is reported as Packer reports it", () => {
  const r = upgradeLegacyTemplateFile(join(upgradeFixtures, "unknown_builder/input.json"));
  assert.deepEqual(
    r.diags.map((d) => [d.severity, d.summary]),
    [
      [
        "warning",
        "Ignoring following initialization error: 1 error occurred:\n\t* required variable not set: aws_region\n\n",
      ],
      ["error", "Ignoring following sources.Parse error: unknown builder type(s): [potatoes]\n"],
    ],
  );
});
