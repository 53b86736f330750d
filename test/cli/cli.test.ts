import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { kiln, kilnBin } from "../support/cli.js";

// The command line as a user meets it: exit codes, usage, and the commands of the language engine.

test("no command prints usage and exits 127, as packer does", () => {
  const r = kiln([]);
  assert.equal(r.status, 127);
  assert.match(r.stderr, /^Usage: kiln \[--version\] \[--help\] <command>/);
  assert.match(r.stderr, /fmt\s+Rewrites HCL2 config files/);
});

test("an unknown command prints usage and exits 127", () => {
  const r = kiln(["frobnicate"]);
  assert.equal(r.status, 127);
  assert.match(r.stderr, /Available commands are:/);
});

test("version and -v", () => {
  assert.match(
    kiln(["version"]).stdout,
    /^kiln v\d+\.\d+\.\d+ \(compatible with Packer v1\.9\.4\)\n$/,
  );
  assert.match(kiln(["-v"]).stdout, /^\d+\.\d+\.\d+\n$/);
});

test("an unknown flag names the flag, prints the command's usage and exits 1", () => {
  const r = kiln(["fmt", "-bogus", "x"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /flag provided but not defined: -bogus/);
  assert.match(r.stderr, /Usage: kiln fmt/);
});

test("--help for a command exits 0 with its usage", () => {
  const r = kiln(["fmt", "--help"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: kiln fmt \[options\] \[TEMPLATE\]/);
});

test("fmt -check exits 3 on an unformatted file and leaves it alone; fmt rewrites it", () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-fmt-"));
  const f = join(dir, "a.pkr.hcl");
  writeFileSync(f, 'a = 1\nbbb = "x"\n');
  const check = kiln(["fmt", "-check", f]);
  assert.equal(check.status, 3);
  assert.equal(readFileSync(f, "utf8"), 'a = 1\nbbb = "x"\n');
  const diff = kiln(["fmt", "-diff", "-write=false", f]);
  assert.equal(diff.status, 0);
  assert.match(diff.stdout, /^-a = 1$/m);
  assert.match(diff.stdout, /^\+a {3}= 1$/m);
  const write = kiln(["fmt", f]);
  assert.equal(write.status, 0);
  assert.equal(readFileSync(f, "utf8"), 'a   = 1\nbbb = "x"\n');
  assert.equal(kiln(["fmt", "-check", f]).status, 0);
});

test("fmt - formats standard input to standard output", () => {
  const r = kiln(["fmt", "-"], { input: "x=1\nyy=[1,2]\n" });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "x  = 1\nyy = [1, 2]\n");
});

test("fmt reports a syntax error with file, line and source, and exits 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-fmt-"));
  const f = join(dir, "bad.pkr.hcl");
  writeFileSync(f, 'source "x" "y" {\n  a = \n}\n');
  const r = kiln(["fmt", f]);
  assert.equal(r.status, 1);
  assert.match(r.stderr + r.stdout, /bad\.pkr\.hcl/);
  assert.equal(readFileSync(f, "utf8"), 'source "x" "y" {\n  a = \n}\n');
});

test("console reads expressions line by line from stdin", () => {
  const r = kiln(["console"], { input: '1 + 2\nupper("kiln")\n[1, "a"]\n' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '3\nKILN\n[\n  1,\n  "a",\n]\n');
});

test("console prints an error with the source line marked and exits 1 at the end", () => {
  const r = kiln(["console"], { input: "1 + true\n2\n" });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^Error: Invalid operand/);
  assert.match(r.stdout, / {3}1: 1 \+ true\n\s+\^+/);
  assert.match(r.stdout, /\n2\n$/);
});

test("console on a terminal shows a prompt and leaves on exit", () => {
  // util-linux `script` gives the console a real pseudo-terminal.
  const r = spawnSync("script", ["-qec", `${process.execPath} ${kilnBin} console`, "/dev/null"], {
    input: 'upper("pty")\nexit\n',
    encoding: "utf8",
    env: { ...process.env, KILN_FROM_SOURCE: "1" },
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /> /);
  assert.match(r.stdout, /\r?\nPTY\r?\n/);
});
