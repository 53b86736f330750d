import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { upgradeLegacyTemplateFile } from "../../src/template/upgrade/index.js";
import { kiln } from "../support/cli.js";
import { upgradeFixtures } from "./corpus-templates.js";

// `kiln hcl2_upgrade` as a user runs it: where the file goes, what is
// printed, the exit status, and the errors Packer reports.

function workdir(): string {
  return mkdtempSync(join(tmpdir(), "kiln-upgrade-"));
}

function withTemplate(fixture: string): string {
  const dir = workdir();
  copyFileSync(join(upgradeFixtures, fixture, "input.json"), join(dir, "template.json"));
  return dir;
}

test("writes TEMPLATE.pkr.hcl next to the template and says so", () => {
  const dir = withTemplate("escaping");
  const r = kiln(["hcl2_upgrade", "template.json"], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "Successfully created template.json.pkr.hcl. Exit 0\n");
  assert.equal(r.stderr, "");
  assert.equal(
    readFileSync(join(dir, "template.json.pkr.hcl"), "utf8"),
    readFileSync(join(upgradeFixtures, "escaping", "expected.pkr.hcl"), "utf8"),
  );
});

test("-output-file chooses the file, creating its folder; an existing file is overwritten", () => {
  const dir = withTemplate("minimal");
  const out = join(dir, "a", "b", "main.pkr.hcl");
  const first = kiln(["hcl2_upgrade", "-output-file", out, "template.json"], { cwd: dir });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, `Successfully created ${out}. Exit 0\n`);
  writeFileSync(out, "old contents\n");
  const r = kiln(["hcl2_upgrade", `-output-file=${out}`, "-with-annotations", "template.json"], {
    cwd: dir,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    readFileSync(out, "utf8"),
    upgradeLegacyTemplateFile(join(dir, "template.json"), { withAnnotations: true }).text,
  );
  assert.match(readFileSync(out, "utf8"), /^# Written by 'kiln hcl2_upgrade'/);
  assert.equal(existsSync(join(dir, "template.json.pkr.hcl")), false);
});

test("problems Packer reports and ignores go to stderr; an unknown builder makes it exit 1", () => {
  const dir = withTemplate("unknown_builder");
  const r = kiln(["hcl2_upgrade", "template.json"], { cwd: dir });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "Successfully created template.json.pkr.hcl. Exit 1\n");
  assert.equal(
    r.stderr,
    "Ignoring following initialization error: 1 error occurred:\n\t* required variable not set: aws_region\n\n\n" +
      "Ignoring following sources.Parse error: unknown builder type(s): [potatoes]\n\n",
  );
  assert.ok(readFileSync(join(dir, "template.json.pkr.hcl"), "utf8").includes('source "potatoes"'));
  // A value for the required variable silences the first report.
  const withVar = kiln(["hcl2_upgrade", "-var", "aws_region=eu-west-1", "template.json"], {
    cwd: dir,
  });
  assert.equal(
    withVar.stderr,
    "Ignoring following sources.Parse error: unknown builder type(s): [potatoes]\n\n",
  );
});

test("a template that is not JSON (an HCL2 file) is refused with Packer's message", () => {
  const dir = workdir();
  writeFileSync(join(dir, "main.pkr.hcl"), 'source "null" "x" {\n  communicator = "none"\n}\n');
  const r = kiln(["hcl2_upgrade", "main.pkr.hcl"], { cwd: dir });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "Failed to parse file as legacy JSON template: if you are using an HCL template, check your file extensions; they should be either *.pkr.hcl or *.pkr.json; see the docs for more details: https://www.packer.io/docs/templates/hcl_templates. \n" +
      "Original error: Error parsing JSON: invalid character 's' looking for beginning of value\n" +
      "At line 1, column 1 (offset 1):\n" +
      "    1: s\n" +
      "      ^\n\n" +
      "Failed to get config from JSON\n",
  );
  // As with Packer, the output file was created before the template was read.
  assert.equal(readFileSync(join(dir, "main.pkr.hcl.pkr.hcl"), "utf8"), "");
});

test("a JSON syntax error shows the line before and the offending line", () => {
  const dir = workdir();
  writeFileSync(join(dir, "t.json"), '{\n  "builders": [\n    {"type": "null",}\n  ]\n}\n');
  const r = kiln(["hcl2_upgrade", "t.json"], { cwd: dir });
  assert.equal(r.status, 1);
  assert.ok(
    r.stderr.includes(
      "Original error: Error parsing JSON: invalid character '}' looking for beginning of object key string\n" +
        "At line 3, column 22 (offset 39):\n" +
        '    2:   "builders": [\n' +
        '    3:     {"type": "null",}\n' +
        `${" ".repeat(27)}^\n`,
    ),
    r.stderr,
  );
});

test("a missing template", () => {
  const dir = workdir();
  const r = kiln(["hcl2_upgrade", "nope.json"], { cwd: dir });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /\nOriginal error: open nope\.json: no such file or directory\nFailed to get config from JSON\n$/,
  );
});

test("a -var-file that cannot be read stops the upgrade", () => {
  const dir = withTemplate("minimal");
  writeFileSync(join(dir, "vars.json"), '{"aws_region": 1}');
  const r = kiln(["hcl2_upgrade", "-var-file=vars.json", "template.json"], { cwd: dir });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    "Error reading variables in 'vars.json': json: cannot unmarshal number into Go value of type string\nFailed to get config from JSON\n",
  );
});

test("usage: no template prints the help and exits 1; -var needs key=value", () => {
  const none = kiln(["hcl2_upgrade"]);
  assert.equal(none.status, 1);
  assert.match(none.stdout, /^Usage: kiln hcl2_upgrade \[options\] TEMPLATE\n/);
  const bad = kiln(["hcl2_upgrade", "-var", "novalue", "t.json"]);
  assert.equal(bad.status, 1);
  assert.match(
    bad.stderr,
    /^invalid value "novalue" for flag -var: No '=' value in arg: novalue\n/,
  );
  const help = kiln(["hcl2_upgrade", "-h"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /-with-annotations/);
  assert.match(
    kiln(["--help"]).stderr,
    /hcl2_upgrade\s+transform a JSON template into an HCL2 configuration/,
  );
});

test("- reads the template from standard input", () => {
  const dir = workdir();
  const r = kiln(["hcl2_upgrade", "-output-file=out.pkr.hcl", "-"], {
    cwd: dir,
    input: '{"builders": [{"type": "null", "communicator": "none"}]}',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    readFileSync(join(dir, "out.pkr.hcl"), "utf8"),
    '\nsource "null" "autogenerated_1" {\n  communicator = "none"\n}\n\nbuild {\n  sources = ["source.null.autogenerated_1"]\n\n}\n',
  );
});
