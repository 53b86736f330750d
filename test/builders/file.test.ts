import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import fileBuilder, { FileBuilderArtifact } from "../../src/builders/file/index.js";
import { schema } from "../../src/builders/file/schema.js";
import { NoCommunicatorError } from "../../src/communicators/communicator.js";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { PlainConfig } from "../../src/components/schema.js";
import {
  type RecordingUi,
  scratchDir,
  type TestBuildContextOptions,
  testBuildContext,
} from "../support/engine.js";

const scratch = scratchDir("kiln-file-builder-test-");

async function build(raw: Record<string, unknown>, opts: TestBuildContextOptions = {}) {
  const decoded = decodeJSONConfig(raw, schema.config);
  assert.deepEqual(decoded.errors, []);
  const ctx = testBuildContext({ info: { type: "file", sourceName: "f" }, ...opts });
  const builder = fileBuilder.create(decoded.config as PlainConfig);
  assert.deepEqual(builder.prepare(), { warnings: [], errors: [] });
  let artifact: Awaited<ReturnType<typeof builder.run>>;
  let error: Error | undefined;
  try {
    artifact = await builder.run(ctx);
  } catch (err) {
    error = err as Error;
  }
  return { ctx, artifact: artifact!, error, ui: ctx.ui as RecordingUi };
}

describe("file builder with content", () => {
  test("writes the content, creating the folders leading to the target", async () => {
    const target = join(scratch, "a", "b", "out.txt");
    const { artifact, error, ui } = await build({ content: "roses", target });
    assert.equal(error, undefined);
    assert.equal(readFileSync(target, "utf8"), "roses");
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.equal(statSync(join(scratch, "a", "b")).mode & 0o777, 0o755 & ~process.umask());
    assert.deepEqual(ui.calls, []);

    assert.ok(artifact instanceof FileBuilderArtifact);
    assert.equal(artifact.builderId, "packer.file");
    assert.equal(artifact.id(), "File");
    assert.deepEqual(artifact.files(), [target]);
    assert.equal(artifact.string(), `Stored file: ${target}`);
    assert.deepEqual(artifact.state("par.artifact.metadata"), {
      ImageID: target,
      ProviderName: "File",
    });
    assert.equal(artifact.state("other"), undefined);
  });

  test("no content and no source makes an empty file", async () => {
    const target = join(scratch, "empty.txt");
    const { error } = await build({ target });
    assert.equal(error, undefined);
    assert.equal(readFileSync(target, "utf8"), "");
  });

  test("an existing target is overwritten", async () => {
    const target = join(scratch, "twice.txt");
    writeFileSync(target, "a much longer old content");
    await build({ content: "new", target });
    assert.equal(readFileSync(target, "utf8"), "new");
  });

  test("Go-template fields in the options are rendered for the build", async () => {
    const { artifact } = await build({
      content: "{{build_type}}",
      target: join(scratch, "{{build_name}}.txt"),
    });
    assert.deepEqual(artifact.files(), [join(scratch, "f.txt")]);
    assert.equal(readFileSync(join(scratch, "f.txt"), "utf8"), "file");
  });

  test("a target folder that cannot be created fails as Packer words it", async () => {
    const blocker = join(scratch, "blocker");
    writeFileSync(blocker, "");
    const { error, ctx } = await build({ content: "x", target: join(blocker, "sub", "t.txt") });
    assert.equal(error?.message, `mkdir ${join(blocker, "sub")}: not a directory`);
    assert.deepEqual(ctx.provisioned, []);
  });

  test("a target that is a folder", async () => {
    const dir = join(scratch, "a-dir");
    mkdirSync(dir);
    const { error } = await build({ content: "x", target: dir });
    assert.equal(error?.message, `open ${dir}: is a directory`);
  });
});

describe("file builder with a source", () => {
  test("copies the source, saying what it copied", async () => {
    const source = join(scratch, "source.bin");
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(source, bytes);
    const target = join(scratch, "copy", "target.bin");
    const { ui, artifact, error } = await build({ source, target });
    assert.equal(error, undefined);
    assert.deepEqual(readFileSync(target), bytes);
    assert.deepEqual(ui.transcript(), [
      `say: Copying ${source} to ${target}`,
      `say: Copied ${bytes.length} bytes`,
    ]);
    assert.deepEqual(artifact.files(), [target]);
  });

  test("a missing source fails before anything is said", async () => {
    const source = join(scratch, "no-such-source");
    const target = join(scratch, "never.txt");
    const { ui, error } = await build({ source, target });
    assert.equal(error?.message, `open ${source}: no such file or directory`);
    assert.deepEqual(ui.calls, []);
    assert.equal(existsSync(target), false);
  });

  test("a source that is a folder cannot be read", async () => {
    const source = join(scratch, "src-dir");
    mkdirSync(source);
    const { error } = await build({ source, target: join(scratch, "from-dir.txt") });
    assert.equal(error?.message, `read ${source}: is a directory`);
  });
});

describe("file builder provisioning", () => {
  test("runs the provisioners once the file exists, over the none communicator", async () => {
    const target = join(scratch, "provisioned.txt");
    let existedWhenProvisioning = false;
    const { ctx, error } = await build(
      { content: "c", target },
      {
        provision: async () => {
          existedWhenProvisioning = existsSync(target);
        },
      },
    );
    assert.equal(error, undefined);
    assert.equal(ctx.provisioned.length, 1);
    assert.ok(ctx.provisioned[0] instanceof NoneCommunicator);
    assert.ok(existedWhenProvisioning);
  });

  test("a provisioner that needs the machine fails the build", async () => {
    const { error, artifact, ctx } = await build(
      { content: "c", target: join(scratch, "p2.txt") },
      { provision: (comm) => comm.upload("/tmp/script.sh", new PassThrough()) },
    );
    assert.ok(error instanceof NoCommunicatorError);
    assert.equal(artifact, undefined);
    assert.deepEqual(ctx.cleanedUp, [], "the file builder has no error-cleanup step, as in Packer");
  });

  test("a build cancelled while provisioning returns nothing", async () => {
    const ac = new AbortController();
    const { artifact, error } = await build(
      { content: "c", target: join(scratch, "p3.txt") },
      {
        signal: ac.signal,
        provision: async () => ac.abort(),
      },
    );
    assert.equal(error, undefined);
    assert.equal(artifact, undefined);
  });
});

test("destroying the artifact removes the file", async () => {
  const target = join(scratch, "destroy.txt");
  const { artifact } = await build({ content: "x", target });
  await artifact.destroy();
  assert.equal(existsSync(target), false);
  await assert.rejects(artifact.destroy(), {
    message: `remove ${target}: no such file or directory`,
  });
});
