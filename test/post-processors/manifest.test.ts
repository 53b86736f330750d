import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FileArtifact } from "../../src/engine/artifact.js";
import { goQuoteJSON } from "../../src/post-processors/manifest/go-json.js";
import manifest from "../../src/post-processors/manifest/index.js";
import { RecordingUi, scratchDir, testPostProcessContext } from "../support/engine.js";

const dir = scratchDir("kiln-manifest-");
let n = 0;
/** A fresh path for a manifest in the scratch directory. */
const fresh = (name = "m.json") => join(dir, `${++n}-${name}`);

const RUN = "cf202cc8-b82e-f34f-64dc-63fe64933fba";

function nullArtifact() {
  return new FileArtifact("fnoeding.null", [], {}, "Did not export anything.");
}

class IdArtifact extends FileArtifact {
  constructor(
    paths: string[],
    private readonly artifactId: string,
  ) {
    super("packer.file", paths);
  }
  override id(): string {
    return this.artifactId;
  }
}

async function runManifest(
  config: Record<string, unknown>,
  artifact = nullArtifact() as FileArtifact,
  info: Record<string, unknown> = {},
  generatedData: Record<string, string> = {},
) {
  const pp = manifest.create(config as never);
  assert.deepEqual(pp.prepare(), { warnings: [], errors: [] });
  const ctx = testPostProcessContext({
    ui: new RecordingUi(),
    info: { runUUID: RUN, ...info },
    generatedData,
  });
  return pp.postProcess(ctx, artifact);
}

describe("manifest post-processor", () => {
  test("writes the file as Packer 1.6.6 writes it (key order, indentation, null, escapes, no final newline)", async () => {
    const out = fresh();
    const target = join(dir, "one.txt");
    writeFileSync(target, "hello\n");
    const before = Math.floor(Date.now() / 1000);
    await runManifest(
      { output: out, strip_time: true, strip_path: false },
      new IdArtifact([], "Null"),
      { sourceName: "two", type: "null" },
    );
    await runManifest(
      { output: out, custom_data: { b: "x <y> & z", a: "{{build_name}}", c: "{{build_type}}" } },
      new IdArtifact([target], "File"),
      { sourceName: "one", type: "file" },
    );
    const text = readFileSync(out, "utf8");
    const time = /"build_time": (\d+)/.exec(text)?.[1];
    assert.ok(time !== undefined && Number(time) >= before && Number(time) <= before + 5);
    // Packer 1.6.6's output for the same builds, with the time and the file's path put in.
    const expected = `{
  "builds": [
    {
      "name": "two",
      "builder_type": "null",
      "files": null,
      "artifact_id": "Null",
      "packer_run_uuid": "${RUN}",
      "custom_data": null
    },
    {
      "name": "one",
      "builder_type": "file",
      "build_time": ${time},
      "files": [
        {
          "name": ${JSON.stringify(target)},
          "size": 6
        }
      ],
      "artifact_id": "File",
      "packer_run_uuid": "${RUN}",
      "custom_data": {
        "a": "one",
        "b": "x \\u003cy\\u003e \\u0026 z",
        "c": "file"
      }
    }
  ],
  "last_run_uuid": "${RUN}"
}`;
    assert.equal(text, expected);
    assert.equal(existsSync(`${out}.lock`), false);
  });

  test("returns its input artifact, kept whatever the template says", async () => {
    const input = nullArtifact();
    const r = await runManifest({ output: fresh() }, input);
    assert.equal(r.artifact, input);
    assert.equal(r.keep, true);
    assert.equal(r.forceOverride, true);
  });

  test("strip_path records base names; sizes come from the files (0 when a file is gone)", async () => {
    const out = fresh();
    const sub = join(dir, "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "disk.img"), Buffer.alloc(1234));
    await runManifest(
      { output: out, strip_path: true },
      new IdArtifact([join(sub, "disk.img"), join(sub, "missing.img")], "x"),
    );
    const m = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(m.builds[0].files, [
      { name: "disk.img", size: 1234 },
      { name: "missing.img", size: 0 },
    ]);
  });

  test("appends across runs; -force starts afresh only when the run changed", async () => {
    const out = fresh();
    await runManifest({ output: out }, nullArtifact(), { runUUID: "run-1", sourceName: "a" });
    await runManifest({ output: out }, nullArtifact(), { runUUID: "run-2", sourceName: "b" });
    let m = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(
      m.builds.map((b: { name: string; packer_run_uuid: string }) => [b.name, b.packer_run_uuid]),
      [
        ["a", "run-1"],
        ["b", "run-2"],
      ],
    );
    assert.equal(m.last_run_uuid, "run-2");

    await runManifest({ output: out }, nullArtifact(), {
      runUUID: "run-3",
      sourceName: "c",
      force: true,
    });
    await runManifest({ output: out }, nullArtifact(), {
      runUUID: "run-3",
      sourceName: "d",
      force: true,
    });
    m = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(
      m.builds.map((b: { name: string }) => b.name),
      ["c", "d"],
    );
  });

  test("output and custom_data see the build's values", async () => {
    const out = join(dir, "gen-{{.BuildName}}-{{build_type}}.json");
    await runManifest(
      {
        output: out,
        custom_data: { id: "{{ build `ID` }}", host: "{{ .Host }}", name: "{{ .BuildName }}" },
      },
      nullArtifact(),
      { sourceName: "web", type: "null" },
      { ID: "i-123", Host: "10.0.0.5" },
    );
    const m = JSON.parse(readFileSync(join(dir, "gen-web-null.json"), "utf8"));
    assert.deepEqual(m.builds[0].custom_data, { host: "10.0.0.5", id: "i-123", name: "web" });
  });

  test("a template error in custom_data fails with Packer's wording", async () => {
    await assert.rejects(
      runManifest({ output: fresh(), custom_data: { x: "{{ build `Nope` }}" } }),
      /^Error: Error interpolating custom data: template: root:1:3: executing "root" at <build `Nope`>: error calling build: loaded data, but couldnt find Nope in it\.$/,
    );
  });

  test("an invalid output template is refused by prepare", () => {
    const pp = manifest.create({ output: "m-{{ .X" } as never);
    assert.deepEqual(pp.prepare().errors, [
      "Error parsing target template: template: root:1: unclosed action",
    ]);
  });

  test("builds running at the same time all get their entry", async () => {
    const out = fresh();
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        runManifest({ output: out }, nullArtifact(), { sourceName: `b${i}` }),
      ),
    );
    const m = JSON.parse(readFileSync(out, "utf8"));
    const names = m.builds.map((b: { name: string }) => b.name).sort();
    assert.equal(names.length, 25);
    assert.deepEqual(new Set(names).size, 25);
    assert.equal(existsSync(`${out}.lock`), false);
  });

  test("a lock file left behind delays the update, which then goes ahead and removes it", async () => {
    const out = fresh();
    writeFileSync(`${out}.lock`, "");
    const began = Date.now();
    await runManifest({ output: out });
    assert.ok(Date.now() - began >= 550, "waited for the lock");
    assert.equal(JSON.parse(readFileSync(out, "utf8")).builds.length, 1);
    assert.equal(existsSync(`${out}.lock`), false);
  });

  test("an existing file is read as Go reads it: keys ignoring case, unknown keys dropped", async () => {
    const out = fresh();
    writeFileSync(
      out,
      JSON.stringify({
        Builds: [
          {
            NAME: "old",
            builder_type: "docker",
            build_time: 0,
            extra: "dropped",
            files: [{ name: "a", size: 3, other: 1 }],
            artifact_id: "sha256:abc",
            custom_data: { k: "v" },
          },
        ],
        last_run_uuid: "old-run",
        something: true,
      }),
    );
    await runManifest({ output: out, strip_time: true }, nullArtifact(), { sourceName: "new" });
    assert.equal(
      readFileSync(out, "utf8"),
      `{
  "builds": [
    {
      "name": "old",
      "builder_type": "docker",
      "files": [
        {
          "name": "a",
          "size": 3
        }
      ],
      "artifact_id": "sha256:abc",
      "packer_run_uuid": "",
      "custom_data": {
        "k": "v"
      }
    },
    {
      "name": "new",
      "builder_type": "null",
      "files": null,
      "artifact_id": "",
      "packer_run_uuid": "${RUN}",
      "custom_data": null
    }
  ],
  "last_run_uuid": "${RUN}"
}`,
    );
  });

  test("an existing file that isn't a manifest fails the post-processor", async () => {
    const bad = fresh();
    writeFileSync(bad, "{ not json");
    await assert.rejects(runManifest({ output: bad }), (err: Error) =>
      err.message.startsWith(`Unable to parse content from ${bad}: `),
    );
    const wrongType = fresh();
    writeFileSync(wrongType, JSON.stringify({ builds: [{ build_time: "yesterday" }] }));
    await assert.rejects(runManifest({ output: wrongType }), {
      message: `Unable to parse content from ${wrongType}: json: cannot unmarshal string into Go struct field Artifact.builds.build_time of type int64`,
    });
    assert.equal(existsSync(`${bad}.lock`), false);
  });

  test("a missing directory fails as Packer's write does", async () => {
    const out = join(dir, "no-such-dir", "m.json");
    await assert.rejects(runManifest({ output: out }), {
      message: `Unable to write ${out}: open ${out}: no such file or directory`,
    });
  });
});

describe("Go's JSON string encoding", () => {
  const cases: [string, string][] = [
    ["plain", '"plain"'],
    ['q"b\\s', '"q\\"b\\\\s"'],
    ["\n\r\t", '"\\n\\r\\t"'],
    ["\b\f\u0001\u001f", '"\\u0008\\u000c\\u0001\\u001f"'],
    ["<a href='x'>&</a>", "\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\""],
    ["line\u2028para\u2029", '"line\\u2028para\\u2029"'],
    ["é☺😀", '"é☺😀"'],
    ["lone \ud800 surrogate", '"lone \ufffd surrogate"'],
    ["\u007f", '"\u007f"'],
  ];
  for (const [input, want] of cases) {
    test(JSON.stringify(input), () => assert.equal(goQuoteJSON(input), want));
  }
});
