import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { PlainConfig } from "../../src/components/schema.js";
import { Host } from "../../src/host/index.js";
import { ProcessError } from "../../src/process/index.js";
import shellLocal from "../../src/provisioners/shell-local/index.js";
import { runLocalShell } from "../../src/provisioners/shell-local/run-local.js";
import { schema } from "../../src/provisioners/shell-local/schema.js";
import { RecordingUi, scratchDir, testProvisionContext } from "../support/engine.js";

// Every test runs real scripts with the real /bin/sh. Temporary scripts go to
// a scratch TMPDIR so the tests can check they are removed.

const scratch = scratchDir("kiln-shell-local-test-");
const tmp = join(scratch, "tmp");
mkdirSync(tmp);
const host = new Host({ env: { ...process.env, TMPDIR: tmp } });

/** A shell-local configuration as the engine hands it over: decoded, defaults applied. */
function config(raw: Record<string, unknown>): PlainConfig {
  const r = decodeJSONConfig(raw, schema.config);
  assert.deepEqual(r.errors, [], "the test's configuration must be valid");
  return r.config as PlainConfig;
}

async function provision(
  raw: Record<string, unknown>,
  opts: { signal?: AbortSignal; generatedData?: Record<string, string> } = {},
) {
  const ui = new RecordingUi();
  const ctx = testProvisionContext(new NoneCommunicator(), {
    ui,
    signal: opts.signal,
    generatedData: opts.generatedData,
    info: { sourceName: "web", type: "null" },
  });
  let error: Error | undefined;
  try {
    await runLocalShell(config(raw), ctx, host);
  } catch (err) {
    error = err as Error;
  }
  return { ui, error };
}

function tempScripts(): string[] {
  return existsSync(tmp) ? readdirSync(tmp).filter((f) => f.startsWith("packer-shell")) : [];
}

describe("inline commands", () => {
  test("run as one script with the shebang, output streamed line by line", async () => {
    const { ui, error } = await provision({
      inline: ["echo one", "echo two >&2", 'echo "shebang: $(head -n 1 "$0")"'],
    });
    assert.equal(error, undefined);
    const [headline, ...rest] = ui.transcript();
    assert.match(
      headline!,
      new RegExp(`^say: Running local shell script: ${tmp}/packer-shell\\d+$`),
    );
    // stdout and stderr arrive on two pipes, so only the order within each is fixed.
    assert.deepEqual(
      rest.filter((l) => l.startsWith("message: ")),
      ["message: one", "message: shebang: #!/bin/sh -e"],
    );
    assert.deepEqual(
      rest.filter((l) => l.startsWith("error: ")),
      ["error: two"],
    );
    assert.equal(rest.length, 3);
    assert.deepEqual(tempScripts(), [], "the temporary script is removed");
  });

  test("the default shebang's -e stops at the first failing command", async () => {
    const { ui, error } = await provision({ inline: ["echo before", "false", "echo after"] });
    assert.deepEqual(ui.texts("message"), ["before"]);
    assert.equal(
      error?.message,
      "Script exited with non-zero exit status: 1. Allowed exit codes are: [0]\nbefore",
    );
  });

  test("a non-zero exit fails with Packer's message and the last lines of output", async () => {
    const { error } = await provision({
      inline: ["for i in $(seq 1 15); do echo line$i; done", "echo oops >&2", "exit 3"],
    });
    assert.ok(error);
    // stderr is what explains a failure, so it wins over stdout.
    assert.equal(
      error.message,
      "Script exited with non-zero exit status: 3. Allowed exit codes are: [0]\noops",
    );
    assert.deepEqual(tempScripts(), [], "the temporary script is removed after a failure");
  });

  test("only the last ten lines are repeated in the error", async () => {
    const { error } = await provision({
      inline: ["for i in $(seq 1 15); do echo line$i; done", "exit 4"],
    });
    const lines = error!.message.split("\n");
    assert.equal(
      lines[0],
      "Script exited with non-zero exit status: 4. Allowed exit codes are: [0]",
    );
    assert.deepEqual(
      lines.slice(1),
      Array.from({ length: 10 }, (_, i) => `line${i + 6}`),
    );
  });

  test("valid_exit_codes allows other codes and is listed in the error", async () => {
    const ok = await provision({ inline: ["exit 3"], valid_exit_codes: [0, 3] });
    assert.equal(ok.error, undefined);
    const bad = await provision({ inline: ["exit 5"], valid_exit_codes: [0, 3] });
    assert.equal(
      bad.error?.message,
      "Script exited with non-zero exit status: 5. Allowed exit codes are: [0 3]",
    );
  });

  test("the deprecated command option runs like a one-line inline", async () => {
    const { ui, error } = await provision({ command: "echo from-command" });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["from-command"]);
  });

  test("inline_shebang and tempfile_extension shape the temporary script", async () => {
    const { ui, error } = await provision({
      inline: ['echo "$0"', 'head -n 1 "$0"'],
      inline_shebang: "/bin/sh -x",
      tempfile_extension: ".sh",
    });
    assert.equal(error, undefined);
    const [path, shebang] = ui.texts("message");
    assert.match(path!, /\/packer-shell\d+\.sh$/);
    assert.equal(shebang, "#!/bin/sh -x");
  });

  test("output lines lose trailing space and what precedes a carriage return; empty lines stay", async () => {
    const { ui } = await provision({
      inline: ["printf 'a  \\n\\nprogress 10%%\\rdone\\r\\nlast'"],
    });
    assert.deepEqual(ui.texts("message"), ["a", "", "done", "last"]);
  });

  test("Go-template fields are rendered with the build's name, type and values", async () => {
    const { ui, error } = await provision(
      { inline: ["echo {{build_name}} {{build_type}} {{build `ID`}} {{ .Host }}"] },
      { generatedData: { ID: "Null", Host: "10.0.0.1" } },
    );
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["web null Null 10.0.0.1"]);
  });

  test("a template error fails before anything runs", async () => {
    const { ui, error } = await provision({ inline: ["echo {{nope}}"] });
    assert.match(error!.message, /function "nope" not defined/);
    assert.deepEqual(ui.calls, []);
    assert.deepEqual(tempScripts(), []);
  });
});

describe("scripts", () => {
  const script = join(scratch, "script.sh");
  // Packer runs scripts as they are: they must be executable.
  writeFileSync(script, 'echo "script $0 $GREETING"\n', { mode: 0o755 });
  const other = join(scratch, "other.sh");
  writeFileSync(other, "echo other\nexit 7\n", { mode: 0o755 });

  test("script runs with its absolute path through execute_command", async () => {
    const { ui, error } = await provision({ script });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [
      `say: Running local shell script: ${script}`,
      `message: script ${script}`,
    ]);
  });

  test("scripts run in order and the first failure stops the rest", async () => {
    const { ui, error } = await provision({ scripts: [script, other, script] });
    assert.deepEqual(ui.transcript(), [
      `say: Running local shell script: ${script}`,
      `message: script ${script}`,
      `say: Running local shell script: ${other}`,
      "message: other",
    ]);
    assert.equal(
      error?.message,
      "Script exited with non-zero exit status: 7. Allowed exit codes are: [0]\nother",
    );
  });

  test("execute_command's {{.Script}}, {{.Command}} and {{.Vars}}", async () => {
    const { ui, error } = await provision({
      script,
      environment_vars: ["GREETING=hi"],
      execute_command: ["/bin/sh", "-c", 'echo "{{.Vars}}"; {{.Vars}} /bin/sh {{.Command}}'],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), [
      "GREETING='hi' PACKER_BUILDER_TYPE='null' PACKER_BUILD_NAME='web'",
      `script ${script} hi`,
    ]);
  });

  test("a missing script is a prepare error worded as Packer's", () => {
    const p = shellLocal.create(config({ scripts: [script, "no/such.sh"] }));
    assert.deepEqual(p.prepare().errors, [
      "Bad script 'no/such.sh': stat no/such.sh: no such file or directory",
    ]);
    assert.deepEqual(shellLocal.create(config({ script })).prepare(), {
      warnings: [],
      errors: [],
    });
  });

  test("a program that does not exist fails naming the script", async () => {
    const { error } = await provision({
      script,
      execute_command: ["/no/such/shell", "{{.Script}}"],
    });
    assert.ok(error);
    assert.equal(
      error.message,
      `Error executing script: ${script}\n\nCommand not found: /no/such/shell (no such file)`,
    );
  });
});

describe("environment", () => {
  test("variables reach the script, quoted for the shell, env overriding environment_vars", async () => {
    const { ui, error } = await provision({
      inline: ['echo "$QUOTED|$SPACED|$EMPTY|$SAME"'],
      environment_vars: ["QUOTED=it's", "SPACED=a b", "EMPTY=", "SAME=from-list"],
      env: { SAME: "from-map" },
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["it's|a b||from-map"]);
  });

  test("PACKER_BUILD_NAME, PACKER_BUILDER_TYPE, PACKER_RUN_UUID and the HTTP server", async () => {
    const { ui } = await provision(
      {
        inline: [
          'echo "$PACKER_BUILD_NAME $PACKER_BUILDER_TYPE $PACKER_RUN_UUID"',
          'echo "http=$PACKER_HTTP_ADDR ip=$PACKER_HTTP_IP port=$PACKER_HTTP_PORT"',
        ],
      },
      {
        generatedData: {
          PackerHTTPAddr: "10.0.2.2:8123",
          PackerHTTPIP: "10.0.2.2",
          PackerHTTPPort: "8123",
        },
      },
    );
    assert.deepEqual(ui.texts("message"), [
      "web null 2b5b1a6e-6d6e-4c36-a5c5-0123456789ab",
      "http=10.0.2.2:8123 ip=10.0.2.2 port=8123",
    ]);
  });

  test("Packer's not-implemented placeholders are not passed as HTTP variables", async () => {
    const { ui } = await provision(
      { inline: ['echo "${PACKER_HTTP_ADDR-unset} ${PACKER_HTTP_IP-unset}"'] },
      {
        generatedData: {
          PackerHTTPAddr: "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
          PackerHTTPIP: "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
        },
      },
    );
    assert.deepEqual(ui.texts("message"), ["unset unset"]);
  });

  test("env_var_format shapes {{.Vars}}", async () => {
    const { ui } = await provision({
      inline: ["echo $A"],
      environment_vars: ["A=1"],
      env_var_format: "export %s=%s; ",
      execute_command: ["/bin/sh", "-c", "{{.Vars}} echo vars; {{.Script}}"],
    });
    assert.deepEqual(ui.texts("message"), ["vars", "1"]);
  });
});

describe("only_on", () => {
  test("a host OS that is not listed skips the provisioner", async () => {
    const { ui, error } = await provision({ inline: ["echo ran"], only_on: ["windows", "darwin"] });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), ["say: Skipping shell-local due to runtime OS"]);
  });

  test("the host OS listed runs it", async () => {
    const { ui } = await provision({ inline: ["echo ran"], only_on: ["darwin", "linux"] });
    assert.deepEqual(ui.texts("message"), ["ran"]);
  });
});

describe("cancellation", () => {
  test("cancelling kills the script and removes the temporary file", async () => {
    const ac = new AbortController();
    const marker = join(scratch, "after-cancel");
    const ui = new RecordingUi();
    const started = new Promise<void>((resolve) => {
      ui.message = (msg) => {
        ui.calls.push({ kind: "message", text: msg });
        if (msg === "started") resolve();
      };
    });
    const ctx = testProvisionContext(new NoneCommunicator(), { ui, signal: ac.signal });
    const running = runLocalShell(
      config({ inline: ["echo started", "sleep 30", `touch ${marker}`] }),
      ctx,
      host,
    );
    await started;
    const t0 = Date.now();
    ac.abort();
    await assert.rejects(running, (err: unknown) => {
      assert.ok(err instanceof ProcessError);
      assert.equal(err.failure, "cancelled");
      return true;
    });
    assert.ok(Date.now() - t0 < 5000, "the script is stopped promptly");
    assert.equal(existsSync(marker), false);
    assert.deepEqual(tempScripts(), []);
  });

  test("a build cancelled before the provisioner starts runs nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const marker = join(scratch, "never");
    const { ui, error } = await provision({ inline: [`touch ${marker}`] }, { signal: ac.signal });
    assert.ok(error instanceof ProcessError);
    assert.equal(existsSync(marker), false);
    assert.equal(ui.texts("message").length, 0);
  });
});

describe("the provisioner", () => {
  test("provision runs the configured commands", async () => {
    const out = join(scratch, "provisioned.txt");
    const p = shellLocal.create(config({ inline: [`echo provisioned > ${out}`] }));
    assert.deepEqual(p.prepare(), { warnings: [], errors: [] });
    const ui = new RecordingUi();
    await p.provision(testProvisionContext(new NoneCommunicator(), { ui }));
    assert.equal(readFileSync(out, "utf8"), "provisioned\n");
    assert.equal(ui.texts("say").length, 1);
  });
});
