import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { FileArtifact } from "../../src/engine/artifact.js";
import type { PostProcessResult } from "../../src/engine/post-processor.js";
import { BGZF_EOF } from "../../src/post-processors/compress/bgzf.js";
import { detectFormat } from "../../src/post-processors/compress/format.js";
import compress from "../../src/post-processors/compress/index.js";
import { entryHeader } from "../../src/post-processors/compress/tar.js";
import { liveChildren } from "../../src/process/index.js";
import { RecordingUi, scratchDir, testPostProcessContext } from "../support/engine.js";

const root = scratchDir("kiln-compress-");
let n = 0;
function fresh(): string {
  const d = join(root, String(++n));
  mkdirSync(d, { recursive: true });
  return d;
}

/** Two input files: text, and random bytes spanning several read chunks. */
function inputs(d: string): { a: string; b: string; bBytes: Buffer } {
  const a = join(d, "a.txt");
  const b = join(d, "b.bin");
  writeFileSync(a, "hello\n".repeat(1000));
  chmodSync(a, 0o644);
  const bBytes = randomBytes(300 * 1024);
  writeFileSync(b, bBytes);
  chmodSync(b, 0o640);
  return { a, b, bBytes };
}

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): Buffer {
  return execFileSync(cmd, args, { ...opts, maxBuffer: 64 * 1024 * 1024 });
}

async function runCompress(
  config: Record<string, unknown>,
  files: string[],
  opts: { ui?: RecordingUi; signal?: AbortSignal; info?: Record<string, unknown> } = {},
): Promise<PostProcessResult> {
  const pp = compress.create(config as never);
  assert.deepEqual(pp.prepare(), { warnings: [], errors: [] });
  const ctx = testPostProcessContext({
    ui: opts.ui ?? new RecordingUi(),
    signal: opts.signal,
    info: { sourceName: "box", type: "null", ...opts.info },
  });
  return pp.postProcess(ctx, new FileArtifact("packer.file", files));
}

describe("format from the output's extensions", () => {
  const cases: [string, string, ReturnType<typeof detectFormat>][] = [
    ["packer_{{.BuildName}}_{{.BuilderType}}", "", { archive: "tar", algorithm: "pgzip" }],
    ["out.tar", "", { archive: "tar" }],
    ["out.zip", "", { archive: "zip" }],
    ["out.tar.gz", "", { archive: "tar", algorithm: "pgzip" }],
    ["out.gz", "", { algorithm: "pgzip" }],
    ["out.tgz", "", { archive: "tar", algorithm: "pgzip" }],
    ["out.lz4", "", { algorithm: "lz4" }],
    ["out.tar.lz4", "", { archive: "tar", algorithm: "lz4" }],
    ["out.xz", "", { algorithm: "xz" }],
    ["out.tar.xz", "", { archive: "tar", algorithm: "xz" }],
    ["out.bgzf", "", { algorithm: "bgzf" }],
    ["out.tar.bz2", "", { archive: "tar", algorithm: "pgzip" }],
    ["out.zip.gz", "", { algorithm: "pgzip" }],
    ["out.TAR", "", { archive: "tar", algorithm: "pgzip" }],
    ["{{.BuildName}}.zip", "", { archive: "zip" }],
    ["dir.v1/archive", "", { archive: "tar", algorithm: "pgzip" }],
    ["archive", "zip", { archive: "zip" }],
    ["archive.zip", "tar.xz", { archive: "tar", algorithm: "xz" }],
  ];
  for (const [output, format, want] of cases) {
    test(`${output}${format ? ` (format ${format})` : ""}`, () =>
      assert.deepEqual(detectFormat(output, format), want));
  }
});

describe("tar headers", () => {
  test("byte for byte what Packer writes for a small file", () => {
    // The first block of Packer 1.6.6's `out.tar` for a 6-byte file, mode 0600, owned by root.
    const packer = Buffer.from(
      "b25lLnR4dAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADAwMDA2MDAAMDAwMDAwMAAwMDAwMDAwADAwMDAwMDAwMDA2ADAwMDAwMDAwMDAwADAxMjI2MwAgMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB1c3RhciAgAHJvb3QAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAcm9vdAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwMDAwMDAwADAwMDAwMDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "base64",
    );
    const [h] = entryHeader({
      name: "one.txt",
      mode: 0o600,
      uid: 0,
      gid: 0,
      size: 6,
      typeflag: "0",
      uname: "root",
      gname: "root",
    });
    assert.deepEqual(h, packer);
  });

  test("a size beyond 8 GiB is written in GNU base-256", () => {
    const size = 10 * 1024 ** 3 + 5;
    const [h] = entryHeader({
      name: "disk.raw",
      mode: 0o644,
      uid: 1000,
      gid: 1000,
      size,
      typeflag: "0",
      uname: "",
      gname: "",
    });
    const field = h!.subarray(124, 136);
    assert.equal(field[0], 0x80);
    assert.equal(field.readBigUInt64BE(4), BigInt(size));
    assert.deepEqual([...field.subarray(1, 4)], [0, 0, 0]);
  });
});

describe("compress post-processor", () => {
  test("tar.gz (the default format): base names, modes and contents that tar reads back", async () => {
    const d = fresh();
    const { a, b, bBytes } = inputs(d);
    const ui = new RecordingUi();
    const out = join(d, "out", "{{.BuildName}}-{{.BuilderType}}.tar.gz");
    const r = await runCompress({ output: out }, [a, b], { ui });
    const target = join(d, "out", "box-null.tar.gz");
    assert.deepEqual(ui.texts("say"), [
      `Using pgzip compression with 1 core for ${target}`,
      `Tarring ${target} with pgzip`,
      `Archive ${target} completed`,
    ]);
    assert.deepEqual(r.artifact.files(), [target]);
    assert.equal(r.artifact.builderId, "packer.post-processor.compress");
    assert.equal(r.artifact.id(), "");
    assert.equal(r.artifact.string(), `compressed artifacts in: ${target}`);
    assert.equal(r.keep, false);
    assert.equal(r.forceOverride, false);

    const listing = sh("tar", ["-tvzf", target]).toString().trim().split("\n");
    assert.equal(listing.length, 2);
    assert.match(listing[0]!, /^-rw-r--r-- \S+\/\S+ +6000 1970-01-01 00:00 a\.txt$/);
    assert.match(listing[1]!, /^-rw-r----- \S+\/\S+ +307200 1970-01-01 00:00 b\.bin$/);
    const x = join(d, "x");
    mkdirSync(x);
    sh("tar", ["-xzf", target, "-C", x]);
    assert.equal(readFileSync(join(x, "a.txt"), "utf8"), "hello\n".repeat(1000));
    assert.deepEqual(readFileSync(join(x, "b.bin")), bBytes);
    // GNU format, as Packer writes it, ending with two empty blocks.
    const raw = gunzipSync(readFileSync(target));
    assert.equal(raw.subarray(257, 265).toString("latin1"), "ustar  \0");
    assert.equal(raw.length % 512, 0);
    assert.ok(raw.subarray(raw.length - 1024).every((byte) => byte === 0));

    await r.artifact.destroy();
    assert.equal(existsSync(target), false);
  });

  test("plain tar; a long name gets a GNU long-name entry", async () => {
    const d = fresh();
    const long = join(d, `${"n".repeat(150)}.txt`);
    writeFileSync(long, "long\n");
    const ui = new RecordingUi();
    await runCompress({ output: join(d, "o.tar") }, [long], { ui });
    assert.deepEqual(ui.texts("say"), [
      `Tarring ${join(d, "o.tar")} with no compression`,
      `Archive ${join(d, "o.tar")} completed`,
    ]);
    assert.equal(sh("tar", ["-tf", join(d, "o.tar")]).toString(), `${"n".repeat(150)}.txt\n`);
    assert.equal(sh("tar", ["-xOf", join(d, "o.tar")]).toString(), "long\n");
  });

  test("zip: entries named by the paths given, deflated, read back by unzip", async () => {
    const d = fresh();
    const { b, bBytes } = inputs(d);
    const ui = new RecordingUi();
    const target = join(d, "bundle.zip");
    const cwd = process.cwd();
    process.chdir(d);
    try {
      await runCompress({ output: target }, ["a.txt", b], { ui });
    } finally {
      process.chdir(cwd);
    }
    assert.deepEqual(ui.texts("say"), [`Zipping ${target}`, `Archive ${target} completed`]);
    sh("unzip", ["-tq", target]);
    // Packer keeps the paths as given, an absolute one included.
    assert.deepEqual(sh("zipinfo", ["-1", target]).toString().trim().split("\n"), ["a.txt", b]);
    assert.equal(sh("unzip", ["-p", target, "a.txt"]).toString(), "hello\n".repeat(1000));
    assert.deepEqual(sh("unzip", ["-p", target, b]), bBytes);
    const info = sh("zipinfo", ["-v", target]).toString();
    assert.match(info, /compression method: +deflated/);
    assert.match(info, /extended local header: +yes/);
  });

  test("gz, xz, lz4 and bgzf compress the single input file", async () => {
    const d = fresh();
    const { b, bBytes } = inputs(d);
    const cases: [string, string, string[]][] = [
      ["x.gz", "Using pgzip compression with 1 core for", ["gzip", "-dc"]],
      ["x.xz", "Using xz compression with 1 core for", ["xz", "-dc"]],
      ["x.lz4", "Using lz4 compression with 1 core for", ["lz4", "-dc"]],
      ["x.bgzf", "Using bgzf compression with", ["gzip", "-dc"]],
    ];
    for (const [name, using, decompress] of cases) {
      const ui = new RecordingUi();
      const target = join(d, name);
      await runCompress({ output: target }, [b], { ui });
      const algorithm = /Using (\S+)/.exec(using)![1];
      assert.deepEqual(ui.texts("say").slice(1), [
        `Archiving ${b} with ${algorithm}`,
        `Archive ${target} completed`,
      ]);
      assert.ok(ui.texts("say")[0]!.startsWith(using), ui.texts("say")[0]);
      assert.ok(ui.texts("say")[0]!.endsWith(` for ${target}`));
      assert.deepEqual(sh(decompress[0]!, [...decompress.slice(1), target]), bBytes, name);
    }
  });

  test("bgzf: blocks of at most 64 KiB, each with its BC size field, then the EOF block", async () => {
    const d = fresh();
    const { b, bBytes } = inputs(d);
    const target = join(d, "x.bgzf");
    await runCompress({ output: target }, [b]);
    const data = readFileSync(target);
    let at = 0;
    let blocks = 0;
    const inflated: Buffer[] = [];
    while (at < data.length) {
      assert.deepEqual([...data.subarray(at, at + 4)], [0x1f, 0x8b, 8, 4]);
      assert.equal(data.subarray(at + 12, at + 14).toString("latin1"), "BC");
      const size = data.readUInt16LE(at + 16) + 1;
      assert.ok(size <= 65536);
      inflated.push(gunzipSync(data.subarray(at, at + size)));
      at += size;
      blocks++;
    }
    assert.equal(blocks, Math.ceil(bBytes.length / 0xff00) + 1);
    assert.deepEqual(data.subarray(data.length - BGZF_EOF.length), BGZF_EOF);
    assert.deepEqual(Buffer.concat(inflated), bBytes);
  });

  test("tar.xz and tar.lz4 stream the tar through the system's compressor", async () => {
    const d = fresh();
    const { a, b, bBytes } = inputs(d);
    for (const [name, flag] of [
      ["x.tar.xz", "-J"],
      ["x.tar.lz4", "--use-compress-program=lz4"],
    ] as const) {
      const target = join(d, name);
      await runCompress({ output: target }, [a, b]);
      const x = join(d, `${name}-x`);
      mkdirSync(x);
      sh("tar", [flag, "-xf", target, "-C", x]);
      assert.deepEqual(readFileSync(join(x, "b.bin")), bBytes, name);
      assert.equal(readFileSync(join(x, "a.txt"), "utf8"), "hello\n".repeat(1000));
    }
  });

  test("compression_level changes the output", async () => {
    const d = fresh();
    const f = join(d, "text");
    writeFileSync(
      f,
      Array.from({ length: 20000 }, (_, i) => `line ${i} ${(i * 7919) % 1000}\n`).join(""),
    );
    await runCompress({ output: join(d, "fast.gz"), compression_level: 1 }, [f]);
    await runCompress({ output: join(d, "best.gz"), compression_level: 9 }, [f]);
    assert.ok(statSync(join(d, "best.gz")).size < statSync(join(d, "fast.gz")).size);
    assert.deepEqual(sh("gzip", ["-dc", join(d, "best.gz")]), readFileSync(f));
  });

  test("an existing output is replaced, as Packer does", async () => {
    const d = fresh();
    const { a } = inputs(d);
    const target = join(d, "a.gz");
    writeFileSync(target, "old contents that are longer than nothing".repeat(100));
    await runCompress({ output: target }, [a]);
    assert.equal(sh("gzip", ["-dc", target]).toString(), "hello\n".repeat(1000));
  });

  test("several files need tar or zip", async () => {
    const d = fresh();
    const { a, b } = inputs(d);
    await assert.rejects(runCompress({ output: join(d, "x.gz") }, [a, b]), {
      message: `Can only have 1 input file when not using tar/zip. Found 2 files: [${a} ${b}]`,
    });
    assert.equal(existsSync(join(d, "x.gz")), false);
  });

  test("a missing input fails with Packer's wording and leaves no partial archive", async () => {
    const d = fresh();
    const { a } = inputs(d);
    const gone = join(d, "gone");
    for (const [name, prefix] of [
      ["x.tar.gz", "Error creating tar: Unable to read file"],
      ["x.zip", "Error creating zip: Unable to read file"],
      ["x.tar.xz", "Error creating tar: Unable to read file"],
    ] as const) {
      const target = join(d, name);
      await assert.rejects(runCompress({ output: target }, [a, gone]), {
        message: `${prefix} ${gone}: open ${gone}: no such file or directory`,
      });
      assert.equal(existsSync(target), false, name);
    }
    await assert.rejects(runCompress({ output: join(d, "y.gz") }, [gone]), {
      message: `Failed to open source file ${gone} for reading: open ${gone}: no such file or directory`,
    });
  });

  test("an output that can't be rendered or created fails with Packer's wording", async () => {
    const d = fresh();
    const { a } = inputs(d);
    await assert.rejects(
      runCompress({ output: join(d, "{{ build `Nope` }}.tar") }, [a]),
      (e: Error) =>
        /^Error interpolating output value: template: root:1:\d+: executing "root" at <build `Nope`>/.test(
          e.message,
        ),
    );
    writeFileSync(join(d, "file"), "");
    const under = join(d, "file", "x.tar");
    await assert.rejects(runCompress({ output: under }, [a]), (e: Error) =>
      e.message.startsWith(`Unable to create dir for archive ${under}: mkdir `),
    );
  });

  test("a compressor that isn't installed is named with its Debian package", async () => {
    const d = fresh();
    const { a } = inputs(d);
    const path = process.env.PATH;
    process.env.PATH = join(d, "no-programs-here");
    try {
      await assert.rejects(runCompress({ output: join(d, "a.lz4") }, [a]), {
        message: `Failed to compress ${a}: the lz4 program is not installed (Debian package lz4); kiln runs it for lz4 compression`,
      });
    } finally {
      process.env.PATH = path;
    }
    assert.equal(existsSync(join(d, "a.lz4")), false);
  });

  test("cancellation stops an external compressor and removes the partial archive", async () => {
    const d = fresh();
    const big = join(d, "big");
    writeFileSync(big, randomBytes(24 * 1024 * 1024));
    const ac = new AbortController();
    const target = join(d, "big.tar.xz");
    const running = runCompress({ output: target, compression_level: 9 }, [big], {
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 150);
    await assert.rejects(running);
    assert.equal(existsSync(target), false);
    assert.equal(liveChildren().length, 0);
  });

  test("cancellation stops an in-process compressor too", async () => {
    const d = fresh();
    const big = join(d, "big");
    writeFileSync(big, randomBytes(24 * 1024 * 1024));
    const ac = new AbortController();
    const target = join(d, "big.zip");
    const running = runCompress({ output: target, compression_level: 9 }, [big], {
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(running, { name: "AbortError" });
    assert.equal(existsSync(target), false);
  });
});
