import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { PlainConfig } from "../../src/components/schema.js";
import { FileArtifact } from "../../src/engine/artifact.js";
import shellLocal from "../../src/post-processors/shell-local/index.js";
import { RecordingUi, scratchDir, testPostProcessContext } from "../support/engine.js";

const dir = scratchDir("kiln-shell-local-pp-");

/** The configuration as the decoder hands it over: the schema's defaults applied. */
function config(over: PlainConfig): PlainConfig {
  return {
    execute_command: ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"],
    inline_shebang: "/bin/sh -e",
    env_var_format: "%s='%s' ",
    valid_exit_codes: [0],
    ...over,
  };
}

async function runPP(
  cfg: PlainConfig,
  opts: { generatedData?: Record<string, string>; input?: FileArtifact } = {},
) {
  const ui = new RecordingUi();
  const pp = shellLocal.create(cfg);
  assert.deepEqual(pp.prepare(), { warnings: [], errors: [] });
  const input = opts.input ?? new FileArtifact("packer.file", [join(dir, "built.img")]);
  const ctx = testPostProcessContext({
    ui,
    info: { sourceName: "web", type: "docker" },
    generatedData: opts.generatedData ?? {},
  });
  const result = await pp.postProcess(ctx, input);
  return { ui, result, input };
}

describe("shell-local post-processor", () => {
  test("runs inline commands with the build's variables and passes its input on, kept", async () => {
    const { ui, result, input } = await runPP(
      config({
        inline: [
          'echo "name=$PACKER_BUILD_NAME type=$PACKER_BUILDER_TYPE"',
          "echo id={{ build `ID` }} foo=$FOO",
        ],
        environment_vars: ["FOO=it's"],
      }),
      { generatedData: { ID: "c0ffee" } },
    );
    const says = ui.texts("say");
    assert.equal(says.length, 1);
    const script = /^Running local shell script: (.*packer-shell\d+)$/.exec(says[0]!)?.[1];
    assert.ok(script, says[0]);
    assert.equal(existsSync(script), false, "the temporary script is removed");
    assert.deepEqual(ui.texts("message"), ["name=web type=docker", "id=c0ffee foo=it's"]);
    assert.equal(result.artifact, input);
    assert.equal(result.keep, true);
    assert.equal(result.forceOverride, true);
  });

  test("a one-element execute_command runs through sh -c, as the option's old string form did", async () => {
    const { ui } = await runPP(
      config({ inline: ["true"], execute_command: ["echo legacy {{.Script}} $0"] }),
    );
    const [line] = ui.texts("message");
    assert.match(line!, /^legacy \/.*packer-shell\d+ sh$/);
  });

  test("scripts run in order", async () => {
    const one = join(dir, "one.sh");
    const two = join(dir, "two.sh");
    // Packer runs a script as it is: it must be executable.
    writeFileSync(one, "#!/bin/sh\necho first\n", { mode: 0o755 });
    writeFileSync(two, "#!/bin/sh\necho second\n", { mode: 0o755 });
    const { ui } = await runPP(config({ scripts: [one, two] }));
    assert.deepEqual(ui.texts("say"), [
      `Running local shell script: ${one}`,
      `Running local shell script: ${two}`,
    ]);
    assert.deepEqual(ui.texts("message"), ["first", "second"]);
  });

  test("a failing script fails the post-processor", async () => {
    await assert.rejects(
      runPP(config({ inline: ["echo about to fail", "exit 3"] })),
      /exit status: 3/,
    );
  });

  test("only_on skips other OSes with Packer's message", async () => {
    const other = process.platform === "darwin" ? "windows" : "darwin";
    const { ui, result, input } = await runPP(config({ inline: ["echo ran"], only_on: [other] }));
    assert.deepEqual(ui.texts("say"), ["Skipping shell-local due to runtime OS"]);
    assert.deepEqual(ui.texts("message"), []);
    assert.equal(result.artifact, input);
  });

  test("prepare checks that scripts exist", () => {
    const missing = join(dir, "missing.sh");
    const pp = shellLocal.create(config({ script: missing }));
    assert.deepEqual(pp.prepare().errors, [
      `Bad script '${missing}': stat ${missing}: no such file or directory`,
    ]);
  });
});
