// The file provisioner, run for real: files, directory trees and inline
// content go to a real container of the base image through the real docker
// communicator and come back from it; what arrives is checked inside the
// container (stat, sha256sum) and on disk.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DockerCommunicator, EngineClient } from "../../src/communicators/docker/index.js";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { PlainConfig } from "../../src/components/schema.js";
import file from "../../src/provisioners/file/index.js";
import { schema } from "../../src/provisioners/file/schema.js";
import {
  ensureDocker,
  execIn,
  removeContainer,
  startContainer,
} from "../docker-post-processors/docker-env.js";
import { RecordingUi, scratchDir, testProvisionContext } from "../support/engine.js";

const scratch = scratchDir("kiln-file-test-");
let container: string;
let comm: DockerCommunicator;
/** The engine connection the tests' communicators share; closed (with any socket left open) at the end. */
const client = new EngineClient();

before(async () => {
  ensureDocker();
  container = startContainer();
  comm = await DockerCommunicator.connect(container, { client });
});

after(() => {
  client.close();
  if (container) removeContainer(container);
});

function config(raw: Record<string, unknown>): PlainConfig {
  const r = decodeJSONConfig(raw, schema.config);
  assert.deepEqual(r.errors, [], "the test's configuration must be valid");
  return r.config as PlainConfig;
}

async function provision(
  raw: Record<string, unknown>,
  opts: { generatedData?: Record<string, string> } = {},
) {
  const ui = new RecordingUi();
  const p = file.create(config(raw));
  assert.deepEqual(p.prepare(), { warnings: [], errors: [] });
  const ctx = testProvisionContext(comm, { ui, generatedData: opts.generatedData });
  let error: Error | undefined;
  try {
    await p.provision(ctx);
  } catch (err) {
    error = err as Error;
  }
  return { ui, error };
}

/** A local file with this content and mode; returns its path. */
function localFile(rel: string, content: string, mode = 0o644): string {
  const path = join(scratch, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** `mode type path` of everything under a folder of the container, sorted. */
function remoteTree(dir: string): string[] {
  const out = execIn(container, `cd ${dir} && find . -mindepth 1 -printf '%m %y %p\\n' | sort -k3`);
  return out === "" ? [] : out.split("\n");
}

/** The same listing for a local folder. */
function localTree(dir: string, rel = ""): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const st = lstatSync(join(dir, childRel));
    const type = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "f";
    // Symlinks have no mode of their own on Linux: find prints 777 for them.
    const mode = st.isSymbolicLink() ? 0o777 : st.mode & 0o7777;
    lines.push(`${mode.toString(8)} ${type} ./${childRel}`);
    if (st.isDirectory()) lines.push(...localTree(dir, childRel));
  }
  return lines.sort((a, b) => byPath(a, b));
}

function byPath(a: string, b: string): number {
  const pa = a.split(" ")[2]!;
  const pb = b.split(" ")[2]!;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** A directory tree with modes that are not the defaults, and a symlink. */
function makeTree(root: string): string {
  localFile(`${root}/run.sh`, "#!/bin/sh\necho run\n", 0o755);
  localFile(`${root}/secret.key`, "s3cret\n", 0o600);
  localFile(`${root}/sub/plain.txt`, "plain\n", 0o644);
  localFile(`${root}/sub/deeper/group.conf`, "group\n", 0o640);
  localFile(`${root}/empty.txt`, "", 0o444);
  mkdirSync(join(scratch, root, "sub", "empty-dir"));
  chmodSync(join(scratch, root, "sub", "empty-dir"), 0o700);
  chmodSync(join(scratch, root, "sub"), 0o750);
  symlinkSync("sub/plain.txt", join(scratch, root, "link.txt"));
  chmodSync(join(scratch, root), 0o751);
  return join(scratch, root);
}

/** sha256 of a local file, streamed. */
async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Runs `work` while sampling the process's resident memory; resolves with the growth at its peak. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return peak - baseline;
}

const MB = 1024 * 1024;

describe("uploading files", () => {
  test("a file goes to the destination path with its mode; missing folders are made", async () => {
    const src = localFile("one.txt", "hello\n", 0o640);
    const { ui, error } = await provision({ source: src, destination: "/root/up/renamed.txt" });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [`say: Uploading ${src} => /root/up/renamed.txt`]);
    assert.equal(execIn(container, "cat /root/up/renamed.txt"), "hello");
    assert.equal(execIn(container, "stat -c '%a %U' /root/up/renamed.txt"), "640 root");
  });

  test("a destination ending in a slash keeps the file's name", async () => {
    const src = localFile("keep-name.sh", "#!/bin/sh\n", 0o755);
    const { error } = await provision({ source: src, destination: "/root/into/" });
    assert.equal(error, undefined);
    assert.equal(execIn(container, "stat -c %a /root/into/keep-name.sh"), "755");
  });

  test("sources, then source, go one after the other into the destination folder", async () => {
    const a = localFile("many/a.txt", "a\n");
    const b = localFile("many/b.txt", "b\n");
    const c = localFile("many/c.txt", "c\n");
    const { ui, error } = await provision({
      sources: [a, b],
      source: c,
      destination: "/root/many/",
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("say"), [
      `Uploading ${a} => /root/many/`,
      `Uploading ${b} => /root/many/`,
      `Uploading ${c} => /root/many/`,
    ]);
    assert.equal(
      execIn(container, "cat /root/many/a.txt /root/many/b.txt /root/many/c.txt"),
      "a\nb\nc",
    );
  });

  test("content is written to the destination; into a folder it is named pkr-file-content", async () => {
    const toFile = await provision({
      content: "line one\nline two\n",
      destination: "/root/content.txt",
    });
    assert.equal(toFile.error, undefined);
    assert.match(
      toFile.ui.texts("say")[0]!,
      /^Uploading \/.+\/pkr-file-content => \/root\/content\.txt$/,
    );
    assert.equal(execIn(container, "cat /root/content.txt"), "line one\nline two");
    // As in Packer, the content file is private to its owner.
    assert.equal(execIn(container, "stat -c %a /root/content.txt"), "600");

    const toDir = await provision({ content: "in a folder", destination: "/root/content-dir/" });
    assert.equal(toDir.error, undefined);
    assert.equal(execIn(container, "cat /root/content-dir/pkr-file-content"), "in a folder");
  });

  test("build values render into the destination", async () => {
    const src = localFile("rendered.txt", "rendered\n");
    const { error } = await provision(
      { source: src, destination: "/root/{{ .ID }}-{{ build `Name` }}.txt" },
      { generatedData: { ID: "c0ffee", Name: "web" } },
    );
    assert.equal(error, undefined);
    assert.equal(execIn(container, "cat /root/c0ffee-web.txt"), "rendered");
  });

  test("prepare checks that sources exist, unless they are generated during the build", async () => {
    const missing = join(scratch, "generated-later.txt");
    const checked = file.create(config({ source: missing, destination: "/root/x" }));
    assert.deepEqual(checked.prepare().errors, [
      `Bad source '${missing}': stat ${missing}: no such file or directory`,
    ]);
    const download = file.create(
      config({ source: "/nowhere", destination: join(scratch, "x"), direction: "download" }),
    );
    assert.deepEqual(download.prepare().errors, []);

    const generated = file.create(
      config({ source: missing, destination: "/root/generated.txt", generated: true }),
    );
    assert.deepEqual(generated.prepare().errors, []);
    const ui = new RecordingUi();
    await assert.rejects(
      generated.provision(testProvisionContext(comm, { ui })),
      new Error(`stat ${missing}: no such file or directory`),
    );
    writeFileSync(missing, "made during the build\n");
    await generated.provision(testProvisionContext(comm, { ui }));
    assert.equal(execIn(container, "cat /root/generated.txt"), "made during the build");
  });

  test("a failed upload is reported on the Ui and fails the provisioner", async () => {
    const src = localFile("cannot.txt", "x\n");
    // /etc/hostname is a file: nothing can go inside it.
    const { ui, error } = await provision({ source: src, destination: "/etc/hostname/cannot.txt" });
    assert.ok(error !== undefined);
    assert.deepEqual(ui.texts("error"), [`Upload failed: ${error.message}`]);
  });
});

describe("directories", () => {
  let tree: string;
  before(() => {
    tree = makeTree("tree");
  });

  test("without a trailing slash the directory itself is uploaded, modes preserved", async () => {
    const { ui, error } = await provision({ source: tree, destination: "/root/dst1" });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [`say: Uploading ${tree} => /root/dst1`]);
    assert.equal(execIn(container, "stat -c %a /root/dst1/tree"), "751");
    assert.deepEqual(remoteTree("/root/dst1/tree"), localTree(tree));
    assert.equal(execIn(container, "readlink /root/dst1/tree/link.txt"), "sub/plain.txt");
    assert.equal(execIn(container, "/root/dst1/tree/run.sh"), "run");
  });

  test("with a trailing slash its contents are uploaded", async () => {
    const { error } = await provision({ source: `${tree}/`, destination: "/root/dst2" });
    assert.equal(error, undefined);
    assert.deepEqual(remoteTree("/root/dst2"), localTree(tree));
  });

  test("a directory downloads with a trailing slash on the source, modes preserved", async () => {
    await provision({ source: `${tree}/`, destination: "/root/dst3" });
    const down = join(scratch, "down1");
    const { ui, error } = await provision({
      source: "/root/dst3/",
      destination: down,
      direction: "download",
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [`say: Downloading /root/dst3/ => ${down}`]);
    assert.deepEqual(localTree(down), localTree(tree));
    assert.equal(readFileSync(join(down, "sub", "deeper", "group.conf"), "utf8"), "group\n");
  });
});

describe("downloading files", () => {
  test("a file downloads to the destination; its folders are made", async () => {
    execIn(container, "printf 'from the container\n' > /root/dl.txt");
    const dst = join(scratch, "dl", "a", "b", "file.txt");
    const { ui, error } = await provision({
      source: "/root/dl.txt",
      destination: dst,
      direction: "download",
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [`say: Downloading /root/dl.txt => ${dst}`]);
    assert.equal(readFileSync(dst, "utf8"), "from the container\n");
    assert.equal(statSync(dst).mode & 0o777, 0o644);
  });

  test("a destination ending in a slash keeps the file's name", async () => {
    execIn(container, "printf 'named\n' > /root/named.txt");
    const dir = `${join(scratch, "dl-into")}/`;
    const { ui, error } = await provision({
      source: "/root/named.txt",
      destination: dir,
      direction: "download",
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("say"), [`Downloading /root/named.txt => ${join(dir, "named.txt")}`]);
    assert.equal(readFileSync(join(dir, "named.txt"), "utf8"), "named\n");
  });

  test("a file missing in the container fails, reported on the Ui", async () => {
    const dst = join(scratch, "never.txt");
    const { ui, error } = await provision({
      source: "/root/no-such-file",
      destination: dst,
      direction: "download",
    });
    assert.ok(error !== undefined);
    assert.deepEqual(ui.texts("error"), [`Download failed: ${error.message}`]);
  });
});

describe("large files", () => {
  const big = join(scratch, "big.bin");
  let digest: string;

  before(async () => {
    // 100 MiB of varied bytes (a repeated random block would compress or dedupe too well).
    const out = await open(big, "w");
    const hash = createHash("sha256");
    for (let i = 0; i < 100; i++) {
      const block = createHash("sha512").update(String(i)).digest();
      const chunk = Buffer.alloc(MB);
      for (let off = 0; off < MB; off += block.length) block.copy(chunk, off);
      chunk.writeUInt32BE(i, 0);
      hash.update(chunk);
      await out.write(chunk);
    }
    await out.close();
    digest = hash.digest("hex");
  });

  test("a 100 MiB file uploads as a stream, not held in memory", async () => {
    let error: Error | undefined;
    const growth = await peakRssGrowth(async () => {
      ({ error } = await provision({ source: big, destination: "/root/big.bin" }));
    });
    assert.equal(error, undefined);
    assert.equal(execIn(container, "sha256sum /root/big.bin | cut -d' ' -f1"), digest);
    assert.ok(growth < 50 * MB, `memory grew by ${Math.round(growth / MB)} MiB`);
  });

  test("and downloads back the same way", async () => {
    execIn(container, "test -f /root/big.bin || exit 1");
    const back = join(scratch, "big-back.bin");
    let error: Error | undefined;
    const growth = await peakRssGrowth(async () => {
      ({ error } = await provision({
        source: "/root/big.bin",
        destination: back,
        direction: "download",
      }));
    });
    assert.equal(error, undefined);
    assert.equal(statSync(back).size, 100 * MB);
    assert.equal(await sha256Of(back), digest);
    assert.ok(growth < 50 * MB, `memory grew by ${Math.round(growth / MB)} MiB`);
    assert.ok(existsSync(back));
  });
});
