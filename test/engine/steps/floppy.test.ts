import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ERROR, StateBag } from "../../../src/engine/multistep/index.js";
import {
  FLOPPY_PATH,
  type FloppyOptions,
  StepCreateFloppy,
} from "../../../src/engine/steps/floppy.js";
import { run } from "../../../src/process/index.js";
import { RecordingUi, scratchDir, testBuildContext } from "../../support/engine.js";

const tpl = scratchDir("kiln-floppy-tpl-");
mkdirSync(join(tpl, "answers", "drivers", "net"), { recursive: true });
writeFileSync(join(tpl, "answers", "Autounattend.xml"), "<unattend/>");
writeFileSync(join(tpl, "answers", "drivers", "net", "e1000.inf"), "inf");
writeFileSync(join(tpl, "setup.ps1"), "Write-Host hi");
writeFileSync(join(tpl, "a.cmd"), "a");
writeFileSync(join(tpl, "b.cmd"), "b");

const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: "1" };

/** Every file on the image ("dir/name") with its contents, read back with mdir and mtype. */
async function floppyFiles(image: string): Promise<Record<string, string>> {
  const listing = await run("mdir", ["-i", image, "-/", "-b", "::"], { env: MTOOLS_ENV });
  const files: Record<string, string> = {};
  for (const line of listing.stdout.split("\n")) {
    const path = line.trim();
    if (!path.startsWith("::/") || path.endsWith("/")) continue;
    const body = await run("mtype", ["-i", image, path], { env: MTOOLS_ENV });
    files[path.slice(3)] = body.stdout;
  }
  return files;
}

async function label(image: string): Promise<string> {
  const r = await run("mlabel", ["-i", image, "-s", "::"], { env: MTOOLS_ENV });
  return /Volume label is (.*)$/m.exec(r.stdout)?.[1]?.trim() ?? "";
}

async function makeFloppy(opts: Partial<FloppyOptions>) {
  const ui = new RecordingUi();
  const step = new StepCreateFloppy(testBuildContext({ ui }), {
    files: [],
    directories: [],
    content: {},
    label: "",
    baseDir: tpl,
    ...opts,
  });
  const state = new StateBag();
  const action = await step.run(state, new AbortController().signal);
  return { step, ui, action, image: state.get(FLOPPY_PATH), error: state.get(ERROR) };
}

describe("StepCreateFloppy", () => {
  test("does nothing without files, directories or content", async () => {
    const r = await makeFloppy({});
    assert.equal(r.action, "continue");
    assert.equal(r.image, undefined);
    assert.deepEqual(r.ui.calls, []);
  });

  test("a 1.44 MB FAT12 image labelled packer, floppy_files flattened into the root", async () => {
    const r = await makeFloppy({ files: ["answers", "setup.ps1", "*.cmd"] });
    try {
      assert.equal(r.action, "continue", r.error?.message);
      assert.equal(statSync(r.image!).size, 1440 * 1024);
      // The boot sector's file system type field (offset 54).
      assert.equal(readFileSync(r.image!).subarray(54, 62).toString("latin1"), "FAT12   ");
      assert.equal(await label(r.image!), "packer");
      assert.deepEqual(await floppyFiles(r.image!), {
        "Autounattend.xml": "<unattend/>",
        "e1000.inf": "inf",
        "setup.ps1": "Write-Host hi",
        "a.cmd": "a",
        "b.cmd": "b",
      });
      const messages = r.ui.texts("message");
      assert.deepEqual(r.ui.texts("say"), ["Creating floppy disk..."]);
      assert.equal(messages[0], "Copying files flatly from floppy_files");
      assert.ok(messages.includes(`Copying directory: ${join(tpl, "answers")}`));
      assert.ok(messages.includes(`Copying file: ${join(tpl, "setup.ps1")}`));
      assert.ok(messages.includes("Done copying files from floppy_files"));
    } finally {
      await r.step.cleanup();
    }
    assert.equal(existsSync(r.image!), false);
  });

  test("floppy_dirs keep their structure under their own name", async () => {
    const r = await makeFloppy({ directories: ["answers/"], label: "WINSETUP" });
    try {
      assert.equal(r.action, "continue", r.error?.message);
      assert.equal(await label(r.image!), "WINSETUP");
      assert.deepEqual(await floppyFiles(r.image!), {
        "answers/Autounattend.xml": "<unattend/>",
        "answers/drivers/net/e1000.inf": "inf",
      });
      assert.ok(
        r.ui
          .texts("message")
          .includes(`Resulting paths from floppy_dirs : [${join(tpl, "answers")}]`),
      );
    } finally {
      await r.step.cleanup();
    }
  });

  test("floppy_content goes where its keys say, over files of the same name", async () => {
    const r = await makeFloppy({
      files: ["setup.ps1"],
      content: { "setup.ps1": "replaced", "scripts/run me.cmd": "echo hi\r\n" },
      label: "a-label-longer-than-eleven",
    });
    try {
      assert.equal(r.action, "continue", r.error?.message);
      assert.equal(await label(r.image!), "a-label-lon");
      assert.deepEqual(await floppyFiles(r.image!), {
        "setup.ps1": "replaced",
        "scripts/run me.cmd": "echo hi\r\n",
      });
    } finally {
      await r.step.cleanup();
    }
  });

  test("a missing file stops the build", async () => {
    const r = await makeFloppy({ files: ["missing.ps1"] });
    assert.equal(r.action, "halt");
    assert.match(
      r.error!.message,
      /^Error creating floppy: no such file or directory: missing\.ps1/,
    );
    await r.step.cleanup();
  });

  test("more than fits is an error from mcopy", async () => {
    const big = join(scratchDir("kiln-floppy-big-"), "big.bin");
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 1));
    const r = await makeFloppy({ files: [big] });
    assert.equal(r.action, "halt");
    assert.match(r.error!.message, /^Error creating floppy: Command failed .*mcopy/);
    await r.step.cleanup();
  });
});
