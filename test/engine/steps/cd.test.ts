import assert from "node:assert/strict";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ERROR, StateBag } from "../../../src/engine/multistep/index.js";
import {
  CD_PATH,
  type CDOptions,
  contentPath,
  expandGlob,
  isoCommand,
  StepCreateCD,
} from "../../../src/engine/steps/cd.js";
import { run } from "../../../src/process/index.js";
import { RecordingUi, scratchDir, testBuildContext } from "../../support/engine.js";

const tpl = scratchDir("kiln-cd-tpl-");
const outside = scratchDir("kiln-cd-outside-");
const out = scratchDir("kiln-cd-out-");
mkdirSync(join(tpl, "seed"));
writeFileSync(join(tpl, "seed", "meta-data"), "instance-id: kiln\n");
writeFileSync(join(tpl, "seed", "user-data"), "#cloud-config\n");
mkdirSync(join(tpl, "tree", "nested"), { recursive: true });
writeFileSync(join(tpl, "tree", "a.txt"), "a");
writeFileSync(join(tpl, "tree", "nested", "Long Name-b.txt"), "b");
writeFileSync(join(outside, "target.txt"), "linked");
symlinkSync(join(outside, "target.txt"), join(tpl, "tree", "link.txt"));
writeFileSync(join(tpl, "x1.cfg"), "1");
writeFileSync(join(tpl, "x2.cfg"), "2");
writeFileSync(join(tpl, "y.txt"), "y");

let extractions = 0;

/** The files on an ISO with their contents, read back with osirrox (Rock Ridge names). */
async function isoFiles(iso: string): Promise<Record<string, string>> {
  const dest = join(out, String(++extractions));
  await run("osirrox", ["-indev", iso, "-extract", "/", dest]);
  const listing = await run("xorriso", ["-indev", iso, "-find", "/", "-type", "f"]);
  const files: Record<string, string> = {};
  for (const line of listing.stdout.split("\n")) {
    const m = /^'(.*)'$/.exec(line.trim());
    if (m) files[m[1]!] = readFileSync(join(dest, m[1]!), "utf8");
  }
  return files;
}

async function volumeId(iso: string): Promise<string> {
  const r = await run("xorriso", ["-indev", iso, "-pvd_info"]);
  return /^Volume Id\s*:\s*(.*)$/m.exec(r.stdout)?.[1]?.trim() ?? "";
}

/** Whether the image has a Joliet volume descriptor (type 2 with a UCS-2 escape sequence). */
function hasJoliet(iso: string): boolean {
  const fd = openSync(iso, "r");
  try {
    const sector = Buffer.alloc(2048);
    for (let i = 16; i < 32; i++) {
      readSync(fd, sector, 0, 2048, i * 2048);
      if (sector[0] === 255) return false;
      const ucs2Escape = sector.subarray(88, 91).toString("latin1");
      if (sector[0] === 2 && ["%/@", "%/C", "%/E"].includes(ucs2Escape)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

async function makeCD(opts: Partial<CDOptions>) {
  const ui = new RecordingUi();
  const step = new StepCreateCD(testBuildContext({ ui }), {
    files: [],
    content: {},
    label: "",
    baseDir: tpl,
    ...opts,
  });
  const state = new StateBag();
  const action = await step.run(state, new AbortController().signal);
  return { step, state, ui, action, iso: state.get(CD_PATH), error: state.get(ERROR) };
}

describe("StepCreateCD", () => {
  test("does nothing without files or content", async () => {
    const r = await makeCD({});
    assert.equal(r.action, "continue");
    assert.equal(r.iso, undefined);
    assert.deepEqual(r.ui.calls, []);
  });

  test("files land at the root; Joliet, Rock Ridge and the label are written", async () => {
    const r = await makeCD({ files: ["seed/meta-data", "./seed/user-data"], label: "cidata" });
    try {
      assert.equal(r.action, "continue", r.error?.message);
      assert.equal(r.ui.texts("say")[0], "Creating CD disk...");
      assert.deepEqual(await isoFiles(r.iso!), {
        "/meta-data": "instance-id: kiln\n",
        "/user-data": "#cloud-config\n",
      });
      assert.equal(await volumeId(r.iso!), "cidata");
      assert.ok(hasJoliet(r.iso!));
      const toc = await run("xorriso", ["-indev", r.iso!, "-toc"]);
      assert.match(toc.stdout + toc.stderr, /ISO loaded\s*:\s*Rock_Ridge/);
    } finally {
      await r.step.cleanup();
    }
    assert.equal(existsSync(r.iso!), false);
  });

  test("the label defaults to packer", async () => {
    const r = await makeCD({ files: ["y.txt"] });
    try {
      assert.equal(await volumeId(r.iso!), "packer");
    } finally {
      await r.step.cleanup();
    }
  });

  test("a directory keeps its name; with a trailing slash or a glob, only its contents go", async () => {
    const cases: [string, Record<string, string>][] = [
      [
        "tree",
        {
          "/tree/a.txt": "a",
          "/tree/link.txt": "linked",
          "/tree/nested/Long Name-b.txt": "b",
        },
      ],
      ["tree/", { "/a.txt": "a", "/link.txt": "linked", "/nested/Long Name-b.txt": "b" }],
      ["tree/*", { "/a.txt": "a", "/link.txt": "linked", "/nested/Long Name-b.txt": "b" }],
      ["x?.cfg", { "/x1.cfg": "1", "/x2.cfg": "2" }],
      [join(tpl, "x[2-9].cfg"), { "/x2.cfg": "2" }],
    ];
    for (const [entry, want] of cases) {
      const r = await makeCD({ files: [entry] });
      try {
        assert.equal(r.action, "continue", `${entry}: ${r.error?.message}`);
        assert.deepEqual(await isoFiles(r.iso!), want, entry);
      } finally {
        await r.step.cleanup();
      }
    }
  });

  test("cd_content is written with its folders and wins over cd_files", async () => {
    const r = await makeCD({
      files: ["seed/"],
      content: { "meta-data": "from content\n", "nested/deep/file.json": "{}" },
    });
    try {
      assert.equal(r.action, "continue", r.error?.message);
      assert.deepEqual(await isoFiles(r.iso!), {
        "/meta-data": "from content\n",
        "/user-data": "#cloud-config\n",
        "/nested/deep/file.json": "{}",
      });
    } finally {
      await r.step.cleanup();
    }
  });

  test("a missing file stops the build; a glob without matches adds nothing", async () => {
    const missing = await makeCD({ files: ["seed/vendor-data"] });
    assert.equal(missing.action, "halt");
    assert.match(
      missing.error!.message,
      /^Error creating CD: no such file or directory: seed\/vendor-data/,
    );
    await missing.step.cleanup();

    const none = await makeCD({ files: ["*.nothing", "y.txt"] });
    try {
      assert.equal(none.action, "continue");
      assert.ok(none.ui.texts("message").includes("No file matches *.nothing"));
      assert.deepEqual(await isoFiles(none.iso!), { "/y.txt": "y" });
    } finally {
      await none.step.cleanup();
    }
  });

  test("content paths may not leave the image", async () => {
    assert.equal(contentPath("/a/./b/../c"), "a/c");
    assert.throws(() => contentPath("../etc/passwd"), /outside the image/);
    const r = await makeCD({ content: { "../../evil": "x" } });
    assert.equal(r.action, "halt");
    await r.step.cleanup();
  });

  test("without an ISO tool, the error names the tools and the package", async () => {
    const saved = process.env.PATH;
    process.env.PATH = scratchDir("kiln-empty-path-");
    try {
      await assert.rejects(
        isoCommand("l", "/src", "/dst.iso"),
        /xorriso, mkisofs, genisoimage, hdiutil, oscdimg.*apt-get install xorriso/,
      );
    } finally {
      process.env.PATH = saved;
    }
    const found = await isoCommand("cidata", "/src", "/dst.iso");
    assert.match(found.command, /xorriso$/);
    assert.deepEqual(found.args, [
      "-as",
      "mkisofs",
      "-rock",
      "-joliet",
      "-volid",
      "cidata",
      "-output",
      "/dst.iso",
      "/src",
    ]);
  });
});

describe("globs", () => {
  test("match one path element at a time, sorted", async () => {
    assert.deepEqual(await expandGlob("x*.cfg", tpl), [join(tpl, "x1.cfg"), join(tpl, "x2.cfg")]);
    assert.deepEqual(await expandGlob("*/*.txt", tpl), [
      join(tpl, "tree", "a.txt"),
      join(tpl, "tree", "link.txt"),
    ]);
    assert.deepEqual(await expandGlob("s?ed/[^u]*", tpl), [join(tpl, "seed", "meta-data")]);
    assert.deepEqual(await expandGlob("*.none", tpl), []);
  });
});
