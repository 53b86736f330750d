import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fmtPaths, isHclFmtFile } from "../../../src/hcl/write/fmt-files.js";
import { corpusRoot } from "../../support/corpus.js";

const FMT_FIXTURES = join(corpusRoot, "packer-1.9.4/command/test-fixtures/fmt");

const UNFORMATTED =
  'ami_filter_name ="amzn2-ami-hvm-*-x86_64-gp2"\nami_filter_owners =[ "137112412989" ]\n\n';
const FORMATTED =
  'ami_filter_name   = "amzn2-ami-hvm-*-x86_64-gp2"\nami_filter_owners = ["137112412989"]\n\n';

const tmpRoot = mkdtempSync(join(tmpdir(), "kiln-fmt-"));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let counter = 0;

/** A fresh directory holding the given files (relative path -> content). */
function tree(files: Record<string, string>): string {
  const dir = join(tmpRoot, `t${counter++}`);
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const read = (p: string) => readFileSync(p, "utf8");

describe("fmtPaths: file selection", () => {
  it("only .pkr.hcl and .pkrvars.hcl files count", () => {
    assert.equal(isHclFmtFile("a.pkr.hcl"), true);
    assert.equal(isHclFmtFile("a.auto.pkrvars.hcl"), true);
    assert.equal(isHclFmtFile("a.hcl"), false);
    assert.equal(isHclFmtFile("a.pkr.json"), false);
  });

  it("-check on Packer's fmt fixtures directory: exit 3, names printed, nothing written", () => {
    const before = read(join(FMT_FIXTURES, "unformatted.pkr.hcl"));
    const r = fmtPaths([FMT_FIXTURES], { check: true });
    assert.equal(r.exitCode, 3);
    assert.deepEqual(r.diags, []);
    assert.equal(
      r.stdout,
      ["unformatted.auto.pkrvars.hcl", "unformatted.pkr.hcl", "unformatted.pkrvars.hcl"]
        .map((n) => `${join(FMT_FIXTURES, n)}\n`)
        .join(""),
    );
    assert.equal(read(join(FMT_FIXTURES, "unformatted.pkr.hcl")), before);
    assert.ok(r.files.every((f) => !f.written));
    assert.deepEqual(
      r.files.map((f) => f.changed),
      [false, true, true, true],
    );
  });

  it("-check on a formatted file: exit 0, no output", () => {
    const r = fmtPaths([join(FMT_FIXTURES, "formatted.pkr.hcl")], { check: true });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "");
    assert.equal(r.bytesModified, 0);
  });

  it("-check on an unformatted variables file: exit 3", () => {
    const r = fmtPaths([join(FMT_FIXTURES, "unformatted.pkrvars.hcl")], { check: true });
    assert.equal(r.exitCode, 3);
    assert.equal(r.files[0]!.formatted.toString(), FORMATTED);
  });

  it("writes changed files, ignores other extensions, prints the changed paths", () => {
    const dir = tree({
      "b.pkr.hcl": "a=1\n",
      "a.pkrvars.hcl": UNFORMATTED,
      "c.pkr.hcl": "ok = 1\n",
      "other.hcl": "a=1\n",
      "x.pkr.json": '{"a":1}',
    });
    const r = fmtPaths([dir]);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, `${join(dir, "a.pkrvars.hcl")}\n${join(dir, "b.pkr.hcl")}\n`);
    assert.equal(read(join(dir, "a.pkrvars.hcl")), FORMATTED);
    assert.equal(read(join(dir, "b.pkr.hcl")), "a = 1\n");
    assert.equal(read(join(dir, "other.hcl")), "a=1\n");
    assert.equal(r.bytesModified, FORMATTED.length + "a = 1\n".length);
    // A second run has nothing to do.
    const again = fmtPaths([dir], { check: true });
    assert.equal(again.exitCode, 0);
    assert.equal(again.stdout, "");
  });

  it("a file named explicitly is formatted whatever its extension", () => {
    const dir = tree({ "t.hcl": "a=1\n" });
    const r = fmtPaths([join(dir, "t.hcl")]);
    assert.equal(r.exitCode, 0);
    assert.equal(read(join(dir, "t.hcl")), "a = 1\n");
  });

  it("-recursive descends into subdirectories; without it only the top level", () => {
    const files = {
      "x.pkrvars.hcl": UNFORMATTED,
      "foo/bar/baz/x.pkrvars.hcl": UNFORMATTED,
      "foo/bar/baz/woo/x.pkrvars.hcl": UNFORMATTED,
    };
    const flat = tree(files);
    fmtPaths([flat]);
    assert.equal(read(join(flat, "x.pkrvars.hcl")), FORMATTED);
    assert.equal(read(join(flat, "foo/bar/baz/x.pkrvars.hcl")), UNFORMATTED);
    assert.equal(read(join(flat, "foo/bar/baz/woo/x.pkrvars.hcl")), UNFORMATTED);

    const deep = tree(files);
    const r = fmtPaths([deep], { recursive: true });
    assert.equal(r.exitCode, 0);
    for (const rel of Object.keys(files)) assert.equal(read(join(deep, rel)), FORMATTED, rel);
    // Directory entries in name order: "foo" sorts before "x.pkrvars.hcl".
    assert.deepEqual(
      r.files.map((f) => f.path),
      [
        join(deep, "foo/bar/baz/woo/x.pkrvars.hcl"),
        join(deep, "foo/bar/baz/x.pkrvars.hcl"),
        join(deep, "x.pkrvars.hcl"),
      ],
    );
  });

  it("paths are joined the way Go's filepath.Join cleans them", () => {
    const dir = tree({ "a.pkr.hcl": "a=1\n" });
    const r = fmtPaths([`${dir}/./`], { check: true });
    assert.equal(r.stdout, `${join(dir, "a.pkr.hcl")}\n`);
  });
});

describe("fmtPaths: -diff and -write=false", () => {
  it("prints the name then a diff -u with old/ and new/ labels, and writes nothing", () => {
    const dir = tree({ "z.pkr.hcl": "b=1\n" });
    const p = join(dir, "z.pkr.hcl");
    const r = fmtPaths([dir], { diff: true, write: false });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, `${p}\n--- old/${p}\n+++ new/${p}\n@@ -1 +1 @@\n-b=1\n+b = 1\n`);
    assert.equal(r.files[0]!.diff, `--- old/${p}\n+++ new/${p}\n@@ -1 +1 @@\n-b=1\n+b = 1\n`);
    assert.equal(read(p), "b=1\n");
  });

  it("-diff with writing rewrites the file too", () => {
    const dir = tree({ "z.pkr.hcl": "b=1\n" });
    const r = fmtPaths([join(dir, "z.pkr.hcl")], { diff: true });
    assert.ok(r.stdout.includes("@@ -1 +1 @@"));
    assert.equal(read(join(dir, "z.pkr.hcl")), "b = 1\n");
  });

  it("-check with -diff shows the diff and exits 3", () => {
    const dir = tree({ "z.pkr.hcl": "b=1\n" });
    const r = fmtPaths([dir], { check: true, diff: true, write: true });
    assert.equal(r.exitCode, 3);
    assert.ok(r.stdout.includes("+b = 1\n"));
    assert.equal(read(join(dir, "z.pkr.hcl")), "b=1\n");
  });
});

describe("fmtPaths: standard input", () => {
  const stdin = (s: string) => () => Buffer.from(s);

  it("formatted input is echoed", () => {
    const r = fmtPaths(["-"], { readStdin: stdin("a = 1\n") });
    assert.equal(r.stdout, "a = 1\n");
    assert.equal(r.exitCode, 0);
  });

  it("unformatted input is printed formatted (no name, no diff)", () => {
    const r = fmtPaths(["-"], { readStdin: stdin("a=1\n"), diff: true });
    assert.equal(r.stdout, "a = 1\n");
    assert.equal(r.exitCode, 0);
  });

  it("-check prints nothing for unformatted input and exits 3", () => {
    const r = fmtPaths(["-"], { readStdin: stdin("a=1\n"), check: true });
    assert.equal(r.stdout, "");
    assert.equal(r.exitCode, 3);
  });

  it("-write=false prints nothing for unformatted input", () => {
    const r = fmtPaths(["-"], { readStdin: stdin("a=1\n"), write: false });
    assert.equal(r.stdout, "");
    assert.equal(r.exitCode, 0);
  });
});

describe("fmtPaths: errors", () => {
  it("a file with syntax errors is reported and left alone; others are still formatted", () => {
    const dir = tree({ "a.pkr.hcl": "a = {\n", "b.pkr.hcl": "b=1\n" });
    const r = fmtPaths([dir]);
    assert.equal(r.exitCode, 1);
    assert.equal(read(join(dir, "a.pkr.hcl")), "a = {\n");
    assert.equal(read(join(dir, "b.pkr.hcl")), "b = 1\n");
    assert.equal(r.stdout, `${join(dir, "b.pkr.hcl")}\n`);
    assert.equal(r.diags.length, 1);
    const d = r.diags[0]!;
    assert.equal(d.summary, `encountered an error while formatting ${join(dir, "a.pkr.hcl")}`);
    assert.match(
      d.detail!,
      /^1 error occurred:\n\t\* .*a\.pkr\.hcl:\d+,\d+-(\d+,)?\d+: .+; .*\n\n$/,
    );
  });

  it("a missing file", () => {
    const r = fmtPaths(["no-such-file.pkr.hcl"]);
    assert.equal(r.exitCode, 1);
    assert.equal(r.diags[0]!.summary, "encountered an error while formatting no-such-file.pkr.hcl");
    assert.equal(
      r.diags[0]!.detail,
      "failed to open no-such-file.pkr.hcl: open no-such-file.pkr.hcl: no such file or directory",
    );
  });

  it("an empty path", () => {
    const r = fmtPaths([""]);
    assert.equal(r.exitCode, 1);
    assert.equal(r.diags[0]!.summary, "path is empty, cannot format");
  });

  it("errors win over -check's exit status", () => {
    const dir = tree({ "a.pkr.hcl": "a = {\n", "b.pkr.hcl": "b=1\n" });
    assert.equal(fmtPaths([dir], { check: true }).exitCode, 1);
  });
});
