import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FileArtifact } from "../../src/engine/artifact.js";
import { BadPatternError, glob, globMatch } from "../../src/post-processors/artifice/glob.js";
import artifice from "../../src/post-processors/artifice/index.js";
import { RecordingUi, scratchDir, testPostProcessContext } from "../support/engine.js";

const root = scratchDir("kiln-artifice-");

describe("Go's filepath.Match", () => {
  const cases: [string, string, boolean | "bad"][] = [
    ["abc", "abc", true],
    ["*", "abc", true],
    ["*c", "abc", true],
    ["a*", "a", true],
    ["a*", "abc", true],
    ["a*", "ab/c", false],
    ["a*/b", "abc/b", true],
    ["a*/b", "a/c/b", false],
    ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
    ["a*b?c*x", "abxbbxdbxebxczzx", true],
    ["a*b?c*x", "abxbbxdbxebxczzy", false],
    ["ab[c]", "abc", true],
    ["ab[b-d]", "abc", true],
    ["ab[e-g]", "abc", false],
    ["ab[^c]", "abc", false],
    ["ab[^b-d]", "abc", false],
    ["ab[^e-g]", "abc", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "ab", false],
    ["a?b", "a☺b", true],
    ["a[^a]b", "a☺b", true],
    ["a???b", "a☺b", false],
    ["a[^a][^a][^a]b", "a☺b", false],
    ["[a-ζ]*", "α", true],
    ["*[a-ζ]", "A", false],
    ["a?b", "a/b", false],
    ["a*b", "a/b", false],
    ["[\\]a]", "]", true],
    ["[\\-]", "-", true],
    ["[x\\-]", "x", true],
    ["[x\\-]", "-", true],
    ["[x\\-]", "z", false],
    ["[\\-x]", "x", true],
    ["[\\-x]", "a", false],
    ["*x", "xxx", true],
    [".*", ".hidden", true],
    ["*", ".hidden", true],
    ["[]a]", "]", "bad"],
    ["[-]", "-", "bad"],
    ["[x-]", "x", "bad"],
    ["[-x]", "x", "bad"],
    ["\\", "a", "bad"],
    ["[a-b-c]", "a", "bad"],
    ["[", "a", "bad"],
    ["[^", "a", "bad"],
    ["[^bc", "a", "bad"],
    ["a[", "a", "bad"],
    ["a[", "ab", "bad"],
    ["a[", "x", "bad"],
    ["a/b[", "x", "bad"],
    ["*x[", "xxx", "bad"],
  ];
  for (const [pattern, name, want] of cases) {
    test(`${pattern} ~ ${name}`, () => {
      if (want === "bad") assert.throws(() => globMatch(pattern, name), BadPatternError);
      else assert.equal(globMatch(pattern, name), want);
    });
  }
});

describe("Go's filepath.Glob", () => {
  const d = join(root, "tree");
  mkdirSync(join(d, "d1", "deep"), { recursive: true });
  mkdirSync(join(d, "d2"), { recursive: true });
  mkdirSync(join(d, "other"), { recursive: true });
  for (const f of ["d1/b.txt", "d1/a.txt", "d1/c.log", "d2/a.txt", "other/a.txt", "top.txt"]) {
    writeFileSync(join(d, f), f);
  }

  test("a pattern in the last part lists that folder, sorted", async () => {
    assert.deepEqual(await glob(join(d, "d1", "*.txt")), [
      join(d, "d1/a.txt"),
      join(d, "d1/b.txt"),
    ]);
  });
  test("patterns in folder names too", async () => {
    assert.deepEqual(await glob(join(d, "d?", "a.*")), [join(d, "d1/a.txt"), join(d, "d2/a.txt")]);
    assert.deepEqual(await glob(join(d, "*", "a.txt")), [
      join(d, "d1/a.txt"),
      join(d, "d2/a.txt"),
      join(d, "other/a.txt"),
    ]);
  });
  test("a plain name is returned only when it exists", async () => {
    assert.deepEqual(await glob(join(d, "top.txt")), [join(d, "top.txt")]);
    assert.deepEqual(await glob(join(d, "nope.txt")), []);
    assert.deepEqual(await glob(join(d, "nope", "*.txt")), []);
  });
  test("relative patterns stay relative", async () => {
    const cwd = process.cwd();
    process.chdir(d);
    try {
      assert.deepEqual(await glob("*.txt"), ["top.txt"]);
      assert.deepEqual(await glob("d1/[ab].txt"), ["d1/a.txt", "d1/b.txt"]);
      assert.deepEqual(await glob("./d2/*"), ["d2/a.txt"]);
    } finally {
      process.chdir(cwd);
    }
  });
  test("a malformed pattern is an error", async () => {
    await assert.rejects(glob(join(d, "[")), { message: "syntax error in pattern" });
  });
});

describe("artifice post-processor", () => {
  const d = join(root, "pp");
  mkdirSync(join(d, "out"), { recursive: true });
  for (const f of ["out/b.box", "out/a.box", "out/notes.txt"]) writeFileSync(join(d, f), f);

  test("replaces the artifact with the files, saying what it drops and what it uses", async () => {
    const ui = new RecordingUi();
    const pp = artifice.create({
      files: [join(d, "out", "*.box"), join(d, "missing.txt"), join(d, "out", "notes.txt")],
    } as never);
    assert.deepEqual(pp.prepare(), { warnings: [], errors: [] });
    const input = new FileArtifact("packer.file", ["/x/built.img", "/x/other"]);
    const r = await pp.postProcess(testPostProcessContext({ ui }), input);
    const files = [join(d, "out/a.box"), join(d, "out/b.box"), join(d, "out/notes.txt")];
    assert.deepEqual(ui.texts("say"), [
      "Discarding files from artifact: /x/built.img, /x/other",
      `Using these artifact files: ${files.join(", ")}`,
    ]);
    assert.deepEqual(r.artifact.files(), files);
    assert.equal(r.artifact.builderId, "packer.post-processor.artifice");
    assert.equal(r.artifact.id(), "");
    assert.equal(r.artifact.string(), `Created artifact from files: ${files.join(", ")}`);
    assert.equal(r.keep, true);
    assert.equal(r.forceOverride, false);
  });

  test("an input without files is not mentioned; its artifact deletes its files", async () => {
    const ui = new RecordingUi();
    const victim = join(d, "victim.bin");
    writeFileSync(victim, "x");
    const pp = artifice.create({ files: [victim] } as never);
    const r = await pp.postProcess(
      testPostProcessContext({ ui }),
      new FileArtifact("fnoeding.null", []),
    );
    assert.deepEqual(ui.texts("say"), [`Using these artifact files: ${victim}`]);
    await r.artifact.destroy();
    assert.equal(existsSync(victim), false);
  });

  test("prepare wants at least one file", () => {
    assert.deepEqual(artifice.create({ files: [] } as never).prepare().errors, [
      "No files specified in artifice configuration",
    ]);
  });

  test("a malformed pattern fails the post-processor", async () => {
    const pp = artifice.create({ files: ["out/[x"] } as never);
    await assert.rejects(pp.postProcess(testPostProcessContext(), new FileArtifact("x", [])), {
      message: "syntax error in pattern",
    });
  });
});
