// The docker communicator's tar streams, checked against GNU tar: what the
// writer makes, tar lists and extracts; what tar makes (ustar, pax, GNU long
// names), the reader reads.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  createReadStream,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { readTar, type TarEntryInput, writeTar } from "../../src/communicators/docker/tar.js";
import { scratchDir } from "../support/engine.js";

const dir = scratchDir("kiln-tar-");

function tar(args: string[], cwd = dir): string {
  const r = spawnSync("tar", args, { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function writeArchive(path: string, entries: TarEntryInput[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeTar(entries)) chunks.push(chunk);
  const data = Buffer.concat(chunks);
  assert.equal(data.length % 512, 0, "an archive is whole 512-byte blocks");
  writeFileSync(path, data);
}

async function readArchive(path: string) {
  const out: {
    name: string;
    type: string;
    mode: number;
    size: number;
    link: string;
    body: string;
  }[] = [];
  for await (const entry of readTar(createReadStream(path))) {
    const chunks: Buffer[] = [];
    for await (const c of entry.body()) chunks.push(c);
    out.push({
      name: entry.header.name,
      type: entry.header.type,
      mode: entry.header.mode,
      size: entry.header.size,
      link: entry.header.linkname,
      body: Buffer.concat(chunks).toString("utf8"),
    });
  }
  return out;
}

describe("tar writer", () => {
  test("GNU tar lists and extracts files, directories and symlinks with their modes and owners", async () => {
    const archive = join(dir, "w1.tar");
    await writeArchive(archive, [
      { name: "top", type: "directory", mode: 0o750, uid: 1000, gid: 1001, mtime: 1700000000 },
      {
        name: "top/run.sh",
        type: "file",
        mode: 0o755,
        size: 10,
        body: Readable.from([Buffer.from("#!/bin/sh\n")]),
        mtime: 1700000000,
      },
      { name: "top/empty", type: "file", mode: 0o600, size: 0 },
      { name: "top/link", type: "symlink", mode: 0o777, linkname: "run.sh" },
    ]);
    const listing = tar(["--numeric-owner", "-tvf", archive]).trim().split("\n");
    assert.match(listing[0]!, /^drwxr-x--- 1000\/1001 +0 2023-11-1\d \d\d:\d\d top\/$/);
    assert.match(listing[1]!, /^-rwxr-xr-x 0\/0 +10 .* top\/run\.sh$/);
    assert.match(listing[2]!, /^-rw------- 0\/0 +0 .* top\/empty$/);
    assert.match(listing[3]!, /^lrwxrwxrwx .* top\/link -> run\.sh$/);
    const out = join(dir, "x1");
    mkdirSync(out);
    tar(["-xf", archive, "-C", out]);
    assert.equal(readFileSync(join(out, "top/run.sh"), "utf8"), "#!/bin/sh\n");
    assert.equal(statSync(join(out, "top/run.sh")).mode & 0o777, 0o755);
    assert.equal(statSync(join(out, "top")).mode & 0o777, 0o750);
  });

  test("names longer than ustar's fields go in the prefix field or a PAX record", async () => {
    const archive = join(dir, "w2.tar");
    const splitable = `${"d".repeat(120)}/${"f".repeat(90)}`;
    const tooLong = `${"x".repeat(99)}/${"y".repeat(150)}`;
    const longLink = "t".repeat(150);
    await writeArchive(archive, [
      { name: splitable, type: "file", mode: 0o644, size: 1, body: [Buffer.from("a")] },
      { name: tooLong, type: "file", mode: 0o644, size: 1, body: [Buffer.from("b")] },
      { name: "l", type: "symlink", mode: 0o777, linkname: longLink },
    ]);
    assert.deepEqual(tar(["-tf", archive]).trim().split("\n"), [splitable, tooLong, "l"]);
    assert.deepEqual(
      (await readArchive(archive)).map((e) => [e.name, e.body, e.link]),
      [
        [splitable, "a", ""],
        [tooLong, "b", ""],
        ["l", "", longLink],
      ],
    );
  });

  test("a file whose content is not the size its header says fails the archive", async () => {
    await assert.rejects(
      writeArchive(join(dir, "w3.tar"), [
        { name: "short", type: "file", mode: 0o644, size: 5, body: [Buffer.from("abc")] },
      ]),
      /short changed while it was being archived \(expected 5 bytes, read 3\)/,
    );
    await assert.rejects(
      writeArchive(join(dir, "w4.tar"), [
        { name: "long", type: "file", mode: 0o644, size: 2, body: [Buffer.from("abc")] },
      ]),
      /long grew while it was being archived/,
    );
  });
});

describe("tar reader", () => {
  const src = join(dir, "src");
  mkdirSync(join(src, "sub", `${"n".repeat(110)}`), { recursive: true });
  writeFileSync(join(src, "sub", "a.txt"), "alpha\n");
  chmodSync(join(src, "sub", "a.txt"), 0o640);
  writeFileSync(join(src, "sub", `${"n".repeat(110)}`, `${"m".repeat(120)}.txt`), "deep\n");
  writeFileSync(join(src, "big.bin"), Buffer.alloc(200_000, 7));
  symlinkSync("sub/a.txt", join(src, "ln"));

  for (const format of ["gnu", "pax", "ustar"] as const) {
    test(`reads GNU tar's ${format} archives: names, types, modes, links and content`, async () => {
      const archive = join(dir, `r-${format}.tar`);
      // ustar cannot hold the 232-character name: that archive leaves it out.
      const members = format === "ustar" ? ["src/sub/a.txt", "src/big.bin", "src/ln"] : ["src"];
      tar([`--format=${format}`, "-cf", archive, ...members]);
      const entries = await readArchive(archive);
      const byName = new Map(entries.map((e) => [e.name, e]));
      const a = byName.get("src/sub/a.txt")!;
      assert.equal(a.type, "file");
      assert.equal(a.mode & 0o777, 0o640);
      assert.equal(a.body, "alpha\n");
      assert.equal(byName.get("src/big.bin")!.body.length, 200_000);
      assert.equal(byName.get("src/ln")!.type, "symlink");
      assert.equal(byName.get("src/ln")!.link, "sub/a.txt");
      if (format !== "ustar") {
        const deep = `src/sub/${"n".repeat(110)}/${"m".repeat(120)}.txt`;
        assert.equal(byName.get(deep)?.body, "deep\n");
        assert.equal(byName.get("src/sub")!.type, "directory");
      }
    });
  }

  test("entries whose content is not read are skipped", async () => {
    const archive = join(dir, "skip.tar");
    tar(["-cf", archive, "src/big.bin", "src/sub/a.txt"]);
    const names: string[] = [];
    for await (const entry of readTar(createReadStream(archive))) names.push(entry.header.name);
    assert.deepEqual(names, ["src/big.bin", "src/sub/a.txt"]);
  });

  test("a stream that is not a tar archive is an error", async () => {
    const junk = Readable.from([Buffer.alloc(512, 0x41)]);
    await assert.rejects(async () => {
      for await (const _ of readTar(junk)) {
        // nothing
      }
    }, /not a tar archive/);
  });
});
