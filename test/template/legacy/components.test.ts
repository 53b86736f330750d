import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  prepareLegacyBuilds,
  renderLegacyConfig,
} from "../../../src/template/legacy/components.js";
import { loadLegacyTemplate } from "../../../src/template/legacy/index.js";

// The builds of a legacy template as `packer validate` prepares them. What
// Packer prints for them is checked against packer 1.6.6 in oracle.test.ts;
// these tests look at what the API hands on to a build.

const dir = mkdtempSync(join(tmpdir(), "kiln-legacy-builds-"));
let n = 0;

async function prepare(template: unknown, opts: { only?: string[]; except?: string[] } = {}) {
  const path = join(dir, `t${n++}.json`);
  writeFileSync(path, JSON.stringify(template));
  const loaded = loadLegacyTemplate(path, { env: {} });
  assert.deepEqual(
    loaded.diags.map((d) => d.summary),
    [],
  );
  return prepareLegacyBuilds(loaded.template!, { ...opts, cwd: dir });
}

const errorsOf = (r: Awaited<ReturnType<typeof prepare>>) =>
  r.diags.map((d) => `${d.severity}: ${d.summary}: ${d.detail}`);

test("builds come back sorted by name with decoded, defaulted configurations", async () => {
  const r = await prepare({
    variables: { img: "alpine:3" },
    builders: [
      { type: "docker", name: "z", image: "{{user `img`}}", commit: "true" },
      { type: "null", name: "a", communicator: "none" },
    ],
  });
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(
    r.builds.map((b) => b.name),
    ["a", "z"],
  );
  const docker = r.builds[1]!.builderConfig;
  assert.equal(docker.config.image, "alpine:3");
  assert.equal(docker.config.commit, true);
  assert.equal(docker.config.pull, true);
  // run_command is left for build time, so its default keeps {{.Image}}.
  assert.deepEqual(docker.config.run_command, [
    "-d",
    "-i",
    "-t",
    "--entrypoint=/bin/sh",
    "--",
    "{{.Image}}",
  ]);
});

test("a provisioner's override for the build replaces its options; only/except pick builds", async () => {
  const r = await prepare({
    builders: [
      { type: "null", name: "a", communicator: "none" },
      { type: "null", name: "b", communicator: "none" },
    ],
    provisioners: [
      {
        type: "shell-local",
        inline: ["echo default"],
        override: { b: { inline: ["echo for b"] } },
      },
      { type: "breakpoint", only: ["a"] },
    ],
  });
  assert.deepEqual(errorsOf(r), []);
  const [a, b] = r.builds;
  assert.deepEqual(
    a!.provisioners.map((p) => p.type),
    ["shell-local", "breakpoint"],
  );
  assert.deepEqual(a!.provisioners[0]!.config.inline, ["echo default"]);
  assert.deepEqual(
    b!.provisioners.map((p) => p.type),
    ["shell-local"],
  );
  assert.deepEqual(b!.provisioners[0]!.config.inline, ["echo for b"]);
});

test("-except names a post-processor: its chain ends before it", async () => {
  const template = {
    builders: [{ type: "file", target: "x", content: "y" }],
    "post-processors": [
      [
        { type: "manifest", name: "first" },
        { type: "checksum", name: "second", checksum_types: ["md5"] },
        { type: "compress", name: "third" },
      ],
      { type: "artifice", name: "other", files: ["x"] },
    ],
  };
  const all = await prepare(template);
  assert.deepEqual(
    all.builds[0]!.postProcessors.map((c) => c.map((p) => p.type)),
    [["manifest", "checksum", "compress"], ["artifice"]],
  );
  const cut = await prepare(template, { except: ["second"] });
  assert.deepEqual(
    cut.builds[0]!.postProcessors.map((c) => c.map((p) => p.type)),
    [["manifest"], ["artifice"]],
  );
  const none = await prepare(template, { only: ["nothing"] });
  assert.deepEqual(none.builds, []);
  assert.deepEqual(none.diags, []);
});

test("a failing build is left out and later builds are still checked", async () => {
  const r = await prepare({
    builders: [
      { type: "file", name: "bad", content: "y" },
      { type: "file", name: "good", target: "x", content: "y" },
    ],
  });
  assert.deepEqual(
    r.builds.map((b) => b.name),
    ["good"],
  );
  assert.deepEqual(errorsOf(r), [
    'error: Failed to prepare build: "bad": 1 error(s) occurred:\n\n* target required',
  ]);
  assert.equal(r.diags[0]!.subject?.start.line, 1);
});

test("the builder's warnings are kept when the whole build prepares", async () => {
  const r = await prepare({ builders: [{ type: "file", target: "x" }] });
  assert.deepEqual(errorsOf(r), [
    'warning: Warning when preparing build: "file": Both source file and contents are blank; target will have no content',
  ]);
  assert.deepEqual(r.builds[0]!.warnings, [
    "Both source file and contents are blank; target will have no content",
  ]);
});

test("sensitive options and max_retries are handed on", async () => {
  const r = await prepare({
    variables: { retries: "3" },
    builders: [
      {
        type: "null",
        ssh_host: "192.0.2.1",
        ssh_username: "u",
        ssh_password: "hunter2",
      },
    ],
    provisioners: [{ type: "shell", inline: ["true"], max_retries: "{{user `retries`}}" }],
  });
  assert.deepEqual(errorsOf(r), []);
  assert.ok(r.builds[0]!.builderConfig.sensitive.includes("hunter2"));
  assert.equal(r.builds[0]!.provisioners[0]!.maxRetries, 3);
});

test("scripts and upload sources must exist, relative to the working directory", async () => {
  writeFileSync(join(dir, "present.sh"), "true\n");
  const r = await prepare({
    builders: [{ type: "null", communicator: "none" }],
    provisioners: [
      { type: "shell", scripts: ["present.sh", "absent.sh"] },
      { type: "file", source: "absent.txt", destination: "/tmp/", generated: true },
    ],
  });
  assert.deepEqual(errorsOf(r), [
    "error: Failed to prepare build: \"null\": 1 error(s) occurred:\n\n* Bad script 'absent.sh': stat absent.sh: no such file or directory",
  ]);
});

test("renderLegacyConfig: syntax is checked everywhere, rendering skips keys left for build time", () => {
  const ctx = { userVariables: { v: "value" } };
  assert.deepEqual(
    renderLegacyConfig(
      { a: "{{user `v`}}", keep: ["{{user `v`}} {{ .Later }}"], m: { "{{user `v`}}": 1 } },
      ctx,
      ["keep"],
    ),
    { config: { a: "value", keep: ["{{user `v`}} {{ .Later }}"], m: { value: 1 } } },
  );
  assert.deepEqual(renderLegacyConfig({ keep: "{{ nope }}" }, ctx, ["keep"]), {
    error: `invalid 'keep': template: root:1: function "nope" not defined in:\n\n{{ nope }}`,
  });
  assert.deepEqual(renderLegacyConfig({ x: ["ok", "{{ env `HOME` }}"] }, ctx), {
    error:
      "render 'x': template: root:1:3: executing \"root\" at <env `HOME`>: error calling env: env vars are not allowed here in:\n\n{{ env `HOME` }}",
  });
});
