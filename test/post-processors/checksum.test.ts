import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FileArtifact } from "../../src/engine/artifact.js";
import checksum from "../../src/post-processors/checksum/index.js";
import { RecordingUi, scratchDir, testPostProcessContext } from "../support/engine.js";

const root = scratchDir("kiln-checksum-");
let n = 0;
/** A fresh folder in the scratch directory. */
function fresh(): string {
  const d = join(root, String(++n));
  mkdirSync(d, { recursive: true });
  return d;
}

/** The digest the system's `<type>sum` program computes. */
function systemDigest(type: string, file: string): string {
  return execFileSync(`${type}sum`, [file], { encoding: "utf8" }).split(" ")[0]!;
}

async function runChecksum(
  config: Record<string, unknown>,
  files: string[],
  info: Record<string, unknown> = {},
) {
  const pp = checksum.create(config as never);
  assert.deepEqual(pp.prepare(), { warnings: [], errors: [] });
  const ctx = testPostProcessContext({ ui: new RecordingUi(), info });
  return pp.postProcess(ctx, new FileArtifact("packer.file", files));
}

describe("checksum post-processor", () => {
  test("default: an md5 file named after the build, one '<hex>\\t<base name>' line per file", async () => {
    const d = fresh();
    const a = join(d, "a.img");
    const b = join(d, "b.img");
    writeFileSync(a, "first\n");
    writeFileSync(b, randomBytes(5000));
    const cwd = process.cwd();
    process.chdir(d);
    try {
      const r = await runChecksum({}, [a, b], { sourceName: "web", type: "qemu" });
      const out = "packer_web_qemu_md5.checksum";
      assert.equal(
        readFileSync(join(d, out), "utf8"),
        `${systemDigest("md5", a)}\ta.img\n${systemDigest("md5", b)}\tb.img\n`,
      );
      assert.deepEqual(r.artifact.files(), [a, b, out]);
      assert.equal(r.artifact.builderId, "packer.post-processor.checksum");
      assert.equal(r.artifact.id(), "");
      assert.equal(r.artifact.string(), `Created artifact from files: ${a}, ${b}, ${out}`);
      assert.equal(r.keep, true);
      assert.equal(r.forceOverride, true);
    } finally {
      process.chdir(cwd);
    }
  });

  test("every type, with {{.ChecksumType}} and a folder that is created", async () => {
    const d = fresh();
    const disk = join(d, "disk.raw");
    // Several read chunks, so the digest is computed while streaming.
    writeFileSync(disk, randomBytes(3 * 1024 * 1024 + 17));
    const types = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
    const output = join(d, "sums", "{{.BuildName}}.{{.BuilderType}}.{{.ChecksumType}}");
    const r = await runChecksum({ checksum_types: types, output }, [disk], {
      sourceName: "vm",
      type: "null",
    });
    for (const t of types) {
      const file = join(d, "sums", `vm.null.${t}`);
      assert.equal(readFileSync(file, "utf8"), `${systemDigest(t, disk)}\tdisk.raw\n`, t);
    }
    assert.deepEqual(r.artifact.files(), [
      disk,
      ...types.map((t) => join(d, "sums", `vm.null.${t}`)),
    ]);
  });

  test("an existing checksum file is appended to, and not listed in the artifact", async () => {
    const d = fresh();
    const f = join(d, "f.txt");
    writeFileSync(f, "x");
    const output = join(d, "SUMS");
    writeFileSync(output, "old line\n");
    const r = await runChecksum({ checksum_types: ["sha1"], output }, [f]);
    assert.equal(readFileSync(output, "utf8"), `old line\n${systemDigest("sha1", f)}\tf.txt\n`);
    assert.deepEqual(r.artifact.files(), [f]);
  });

  test("destroying its artifact removes the input files and the checksum files", async () => {
    const d = fresh();
    const f = join(d, "f.txt");
    writeFileSync(f, "x");
    const output = join(d, "f.md5");
    const r = await runChecksum({ output }, [f]);
    await r.artifact.destroy();
    assert.equal(existsSync(f), false);
    assert.equal(existsSync(output), false);
  });

  test("a missing input file fails with Go's wording", async () => {
    const d = fresh();
    const gone = join(d, "gone.img");
    await assert.rejects(runChecksum({ output: join(d, "x.sum") }, [gone]), {
      message: `unable to open file ${gone}: open ${gone}: no such file or directory`,
    });
  });

  test("a folder can't be checksummed", async () => {
    const d = fresh();
    await assert.rejects(runChecksum({ checksum_types: ["sha256"], output: join(d, "x") }, [d]), {
      message: `unable to compute sha256 hash for ${d}`,
    });
  });

  test("prepare refuses unknown types and a broken output template", () => {
    const pp = checksum.create({ checksum_types: ["sha256", "crc32"], output: "{{ .X" } as never);
    assert.deepEqual(pp.prepare().errors, [
      "Unrecognized checksum type: crc32",
      "Error parsing target template: template: root:1: unclosed action",
    ]);
  });

  test("cancellation stops hashing", async () => {
    const d = fresh();
    const f = join(d, "big");
    writeFileSync(f, randomBytes(8 * 1024 * 1024));
    const pp = checksum.create({ output: join(d, "x.sum") } as never);
    const already = new AbortController();
    already.abort(new Error("stopped before"));
    await assert.rejects(
      pp.postProcess(
        testPostProcessContext({ signal: already.signal }),
        new FileArtifact("x", [f]),
      ),
      { message: "stopped before" },
    );
    const during = new AbortController();
    const running = pp.postProcess(
      testPostProcessContext({ signal: during.signal }),
      new FileArtifact("x", [f, f, f, f, f, f, f, f]),
    );
    setImmediate(() => during.abort());
    await assert.rejects(running, { name: "AbortError" });
    // Not every file got its line.
    const sums = join(d, "x.sum");
    const lines = existsSync(sums) ? readFileSync(sums, "utf8").split("\n").filter(Boolean) : [];
    assert.ok(lines.length < 8, `${lines.length} lines`);
  });
});
