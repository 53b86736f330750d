// Tests for the filesystem functions on a scratch directory. Expected
// results and messages mirror what `packer console` 1.6.6 printed for the
// same tree (fileset's doublestar globbing, symlink following, errors).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FunctionError } from "../../../src/hcl/cty/function.js";
import { Type } from "../../../src/hcl/cty/type.js";
import { Value } from "../../../src/hcl/cty/value.js";
import { filesystemFunctions } from "../../../src/hcl/functions/filesystem.js";

const S = (s: string): Value => Value.string(s);

let dir = "";
let fns: ReturnType<typeof filesystemFunctions>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "kiln-fs-"));
  mkdirSync(join(dir, "sub/deep"), { recursive: true });
  mkdirSync(join(dir, ".hid"));
  mkdirSync(join(dir, "emptydir"));
  writeFileSync(join(dir, "a.txt"), "a\n");
  writeFileSync(join(dir, "b.md"), "b\n");
  writeFileSync(join(dir, "sub/c.txt"), "c\n");
  writeFileSync(join(dir, "sub/deep/d.txt"), "d\n");
  writeFileSync(join(dir, ".hid/h.txt"), "h\n");
  writeFileSync(join(dir, ".dot"), "x\n");
  writeFileSync(join(dir, "bin.dat"), Buffer.from([0xff, 0xfe]));
  writeFileSync(join(dir, "bom.txt"), Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]));
  symlinkSync("sub", join(dir, "link"));
  symlinkSync("a.txt", join(dir, "alink"));
  fns = filesystemFunctions(dir);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function call(fn: string, ...args: string[]): Value {
  const f = fns[fn];
  assert.ok(f, `no function ${fn}`);
  return f.call(args.map(S));
}

function fails(fn: string, args: string[], message: string): void {
  assert.throws(
    () => call(fn, ...args),
    (e: unknown) => {
      assert.ok(e instanceof FunctionError, `not a FunctionError: ${e}`);
      assert.equal(e.message, message);
      return true;
    },
  );
}

function setOf(...ss: string[]): Value {
  return ss.length === 0 ? Value.setEmpty(Type.string) : Value.set(ss.map(S));
}

describe("fileset", () => {
  const table: [string, string, string[]][] = [
    [
      ".",
      "**",
      [".dot", ".hid/h.txt", "a.txt", "alink", "b.md", "bin.dat", "bom.txt", "link/c.txt"].concat([
        "link/deep/d.txt",
        "sub/c.txt",
        "sub/deep/d.txt",
      ]),
    ],
    [".", "*", [".dot", "a.txt", "alink", "b.md", "bin.dat", "bom.txt"]],
    [
      ".",
      "**/*.txt",
      [
        ".hid/h.txt",
        "a.txt",
        "bom.txt",
        "link/c.txt",
        "link/deep/d.txt",
        "sub/c.txt",
        "sub/deep/d.txt",
      ],
    ],
    [".", "sub/**", ["sub/c.txt", "sub/deep/d.txt"]],
    [".", "{a,b}.*", ["a.txt", "b.md"]],
    [".", "[a-b].*", ["a.txt", "b.md"]],
    // '!' is not a negation in doublestar v1; '^' is
    [".", "[!a].*", ["a.txt"]],
    [".", "[^a].*", ["b.md"]],
    [".", "?.txt", ["a.txt"]],
    [".", "\\a.txt", ["a.txt"]],
    ["sub", "*", ["c.txt"]],
    ["sub", "**/d.txt", ["deep/d.txt"]],
    [".", "nomatch/*", []],
    [".", "emptydir/*", []],
    [".", "a.txt", ["a.txt"]],
    [".", "missing.txt", []],
    [".", "link/*", ["link/c.txt"]],
    [".", "./sub/../sub/*.txt", ["sub/c.txt"]],
  ];
  for (const [path, pattern, want] of table) {
    it(`fileset(${JSON.stringify(path)}, ${JSON.stringify(pattern)})`, () => {
      const got = call("fileset", path, pattern);
      assert.ok(got.rawEquals(setOf(...want)), `got ${got}`);
    });
  }
  it("accepts an absolute path", () => {
    const got = call("fileset", join(dir, "sub"), "**/d.txt");
    assert.ok(got.rawEquals(setOf("deep/d.txt")), `got ${got}`);
  });
  it("returns paths relative to the path argument, even outside it", () => {
    const base = dir.split("/").pop() as string;
    const got = call("fileset", "sub", `../../${base}/*.md`);
    assert.ok(got.rawEquals(setOf("../b.md")), `got ${got}`);
  });
  it("reports malformed patterns", () => {
    fails("fileset", [".", "["], `failed to glob pattern (${dir}/[): syntax error in pattern`);
    fails("fileset", [".", "{a"], `failed to glob pattern (${dir}/{a): syntax error in pattern`);
  });
});

describe("file / filebase64", () => {
  it("reads UTF-8 text relative to the base directory, keeping a BOM", () => {
    assert.equal(call("file", "a.txt").asString(), "a\n");
    assert.equal(call("file", "sub/../sub/c.txt").asString(), "c\n");
    assert.equal(call("file", "bom.txt").asString(), "\ufeffh\u00e9");
    assert.equal(call("file", join(dir, "alink")).asString(), "a\n");
  });
  it("reads any bytes as base64", () => {
    assert.equal(call("filebase64", "bin.dat").asString(), "//4=");
    assert.equal(call("filebase64", "a.txt").asString(), "YQo=");
  });
  it("rejects non-UTF-8 contents", () => {
    fails(
      "file",
      ["bin.dat"],
      "contents of bin.dat are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead",
    );
  });
  it("reports missing and unreadable files", () => {
    fails("file", ["nope"], `no file exists at ${dir}/nope`);
    fails("filebase64", ["x/../nope"], `no file exists at ${dir}/nope`);
    fails("file", ["sub"], `failed to read ${dir}/sub`);
    fails("file", ["~x"], "failed to expand ~: cannot expand user-specific home dir");
  });
});

describe("fileexists", () => {
  it("distinguishes files, missing paths and other things", () => {
    assert.ok(call("fileexists", "a.txt").rawEquals(Value.true));
    assert.ok(call("fileexists", "alink").rawEquals(Value.true));
    assert.ok(call("fileexists", "nope").rawEquals(Value.false));
    assert.ok(call("fileexists", join(dir, "sub/c.txt")).rawEquals(Value.true));
    fails("fileexists", ["sub"], `${dir}/sub is not a regular file, but "drwxr-xr-x"`);
    fails("fileexists", ["a.txt/x"], `failed to stat ${dir}/a.txt/x`);
  });
});

describe("path functions", () => {
  const home = process.env.HOME || homedir();
  const table: [string, string, string][] = [
    ["basename", "", "."],
    ["basename", "/", "/"],
    ["basename", "a/b/", "b"],
    ["basename", "/a/b.txt", "b.txt"],
    ["basename", "foo", "foo"],
    ["dirname", "", "."],
    ["dirname", "/a", "/"],
    ["dirname", "a/b/", "a/b"],
    ["dirname", "a", "."],
    ["dirname", "/a//b/../c", "/a"],
    ["dirname", "/", "/"],
    ["abspath", "/x/./y/", "/x/y"],
    ["abspath", "/a/../../b", "/b"],
    ["abspath", "a/../b/", join(process.cwd(), "b")],
    ["abspath", "", process.cwd()],
    ["pathexpand", "~/a/../b", join(home, "b")],
    ["pathexpand", "~", home],
    ["pathexpand", "x/~", "x/~"],
    ["pathexpand", "/abs", "/abs"],
  ];
  for (const [fn, arg, want] of table) {
    it(`${fn}(${JSON.stringify(arg)})`, () => assert.equal(call(fn, arg).asString(), want));
  }
  it("pathexpand rejects ~user", () => {
    fails("pathexpand", ["~x/a"], "cannot expand user-specific home dir");
  });
});
