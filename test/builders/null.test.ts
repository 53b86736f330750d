import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import nullBuilder, { NullArtifact } from "../../src/builders/null/index.js";
import { schema } from "../../src/builders/null/schema.js";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { PlainConfig } from "../../src/components/schema.js";
import { onErrorAbort, runSteps } from "../../src/engine/multistep/index.js";
import shellLocal from "../../src/provisioners/shell-local/index.js";
import { schema as shellLocalSchema } from "../../src/provisioners/shell-local/schema.js";
import {
  RecordingUi,
  scratchDir,
  type TestBuildContextOptions,
  testBuildContext,
} from "../support/engine.js";

const scratch = scratchDir("kiln-null-builder-test-");

function decode(raw: Record<string, unknown>, config = schema.config): PlainConfig {
  const r = decodeJSONConfig(raw, config);
  assert.deepEqual(r.errors, []);
  return r.config as PlainConfig;
}

/** A provision hook that runs a real shell-local provisioner with these options. */
function shellLocalHook(raw: Record<string, unknown>, ctxRef: { ui: RecordingUi }) {
  return async () => {
    const p = shellLocal.create(decode(raw, shellLocalSchema.config));
    await p.provision({
      ui: ctxRef.ui,
      comm: new NoneCommunicator(),
      signal: new AbortController().signal,
      build: {
        name: "null",
        type: "null",
        sourceName: "null",
        buildName: "",
        runUUID: "r",
        packerVersion: "1.9.4",
        templateDir: scratch,
        force: false,
        debug: false,
        onError: "cleanup",
      },
      generatedData: {},
    });
  };
}

async function build(raw: Record<string, unknown>, opts: TestBuildContextOptions = {}) {
  const ctx = testBuildContext(opts);
  const builder = nullBuilder.create(decode(raw));
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

describe("null builder with communicator none", () => {
  test("provisions over the none communicator and returns the null artifact", async () => {
    const { ctx, artifact, error, ui } = await build({ communicator: "none" });
    assert.equal(error, undefined);
    assert.equal(ctx.provisioned.length, 1);
    assert.ok(ctx.provisioned[0] instanceof NoneCommunicator);
    assert.deepEqual(ctx.cleanedUp, []);
    assert.ok(artifact instanceof NullArtifact);
    assert.equal(artifact.builderId, "fnoeding.null");
    assert.equal(artifact.id(), "Null");
    assert.deepEqual(artifact.files(), []);
    assert.equal(artifact.string(), "Did not export anything. This is the null builder");
    assert.equal(artifact.state("generated_data"), undefined);
    await artifact.destroy();
    assert.deepEqual(ui.calls, [], "connecting to nothing prints nothing");
  });

  test("provisioners see the build's values, with Packer's placeholders", async () => {
    const { ctx } = await build({ communicator: "none" }, { generatedData: { Extra: "x" } });
    assert.deepEqual(ctx.generatedData, {
      Extra: "x",
      ID: "Null",
      PackerRunUUID: ctx.info.runUUID,
      PackerHTTPIP: "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
      PackerHTTPPort: "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
      PackerHTTPAddr: "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
    });
  });

  test("a failed provisioner runs the error-cleanup provisioner, then fails the build", async () => {
    const ui = new RecordingUi();
    const order: string[] = [];
    const { error, artifact, ctx } = await build(
      { communicator: "none" },
      {
        ui,
        provision: async () => {
          order.push("provision");
          throw new Error("Script exited with non-zero exit status: 2");
        },
        cleanupProvision: async () => {
          order.push("cleanup provisioner");
        },
      },
    );
    assert.equal(error?.message, "Script exited with non-zero exit status: 2");
    assert.equal(artifact, undefined);
    assert.deepEqual(order, ["provision", "cleanup provisioner"]);
    assert.ok(ctx.cleanedUp[0] instanceof NoneCommunicator);
    assert.deepEqual(ui.transcript(), [
      "say: Provisioning step had errors: Running the cleanup provisioner, if present...",
    ]);
  });

  test("a failed error-cleanup provisioner reports both errors", async () => {
    const { error } = await build(
      { communicator: "none" },
      {
        provision: async () => {
          throw new Error("first");
        },
        cleanupProvision: async () => {
          throw new Error("second");
        },
      },
    );
    assert.equal(error?.message, "Cleanup failed: second. Original Provisioning error: first");
  });

  test("-on-error=abort does not run the error-cleanup provisioner", async () => {
    const { error, ctx, ui } = await build(
      { communicator: "none" },
      {
        info: { onError: "abort" },
        provision: async () => {
          throw new Error("boom");
        },
      },
    );
    assert.equal(error?.message, "boom");
    assert.deepEqual(ctx.cleanedUp, []);
    assert.deepEqual(ui.calls, []);
  });

  test("-on-error=run-cleanup-provisioner keeps the provision step's cleanup", async () => {
    const ctx = testBuildContext({
      info: { onError: "run-cleanup-provisioner" },
      provision: async () => {
        throw new Error("boom");
      },
    });
    // As the engine wraps the steps for this -on-error mode.
    ctx.runSteps = (steps, state) =>
      runSteps(onErrorAbort(steps, { keepCleanup: (name) => name === "StepProvision" }), state);
    await assert.rejects(nullBuilder.create(decode({ communicator: "none" })).run(ctx), {
      message: "boom",
    });
    assert.equal(ctx.cleanedUp.length, 1);
  });

  test("a cancelled build stops waiting for its provisioners and returns nothing", async () => {
    const ac = new AbortController();
    let provisioning!: () => void;
    const started = new Promise<void>((resolve) => {
      provisioning = resolve;
    });
    const running = build(
      { communicator: "none" },
      {
        signal: ac.signal,
        // A provisioner that never notices the cancellation.
        provision: () => {
          provisioning();
          return new Promise<void>(() => {});
        },
      },
    );
    await started;
    ac.abort();
    const { artifact, error, ctx } = await running;
    assert.equal(artifact, undefined);
    assert.equal(error, undefined);
    assert.deepEqual(ctx.cleanedUp, [], "no error, so no error-cleanup provisioner");
  });
});

describe("null builder with other communicators", () => {
  test("winrm is not available yet either", async () => {
    const { error } = await build({
      communicator: "winrm",
      winrm_host: "h",
      winrm_username: "u",
      winrm_password: "p",
    });
    assert.equal(
      error?.message,
      'communicator = "winrm" is not supported by kiln yet: use ssh (Windows guests can run OpenSSH)',
    );
  });
});

describe("null builder with real shell-local provisioners", () => {
  test("Packer's cleanup-script fixture: exit 2, then the error-cleanup provisioner runs", async () => {
    const ui = new RecordingUi();
    const ducky = join(scratch, "ducky.txt");
    const ref = { ui };
    const { error } = await build(
      { communicator: "none" },
      {
        ui,
        provision: shellLocalHook({ inline: ["exit 2"] }, ref),
        cleanupProvision: shellLocalHook({ inline: [`echo 'rubber ducky'> ${ducky}`] }, ref),
      },
    );
    assert.equal(
      error?.message,
      "Script exited with non-zero exit status: 2. Allowed exit codes are: [0]",
    );
    assert.equal(readFileSync(ducky, "utf8"), "rubber ducky\n");
    const says = ui.texts("say");
    assert.equal(says.length, 3);
    assert.match(says[0]!, /^Running local shell script: .*packer-shell\d+$/);
    assert.equal(
      says[1],
      "Provisioning step had errors: Running the cleanup provisioner, if present...",
    );
    assert.match(says[2]!, /^Running local shell script: .*packer-shell\d+$/);
  });

  test("a successful build does not run the error-cleanup provisioner", async () => {
    const ui = new RecordingUi();
    const marker = join(scratch, "never-cleaned");
    const { error, artifact } = await build(
      { communicator: "none" },
      {
        ui,
        provision: shellLocalHook({ inline: ["echo fine"] }, { ui }),
        cleanupProvision: shellLocalHook({ inline: [`touch ${marker}`] }, { ui }),
      },
    );
    assert.equal(error, undefined);
    assert.ok(artifact instanceof NullArtifact);
    assert.deepEqual(ui.texts("message"), ["fine"]);
    assert.equal(existsSync(marker), false);
  });
});
