import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { ERROR, MissingStateError, StateBag } from "../../src/engine/multistep/index.js";
import {
  COMMUNICATOR,
  HTTP_IP,
  HTTP_PORT,
  INSTANCE_ID,
  StepProvision,
} from "../../src/engine/steps/provision.js";
import { RecordingUi, testBuildContext } from "../support/engine.js";

describe("StepProvision", () => {
  test("provisions over the communicator in the state", async () => {
    const ctx = testBuildContext();
    const comm = new NoneCommunicator();
    const state = new StateBag();
    state.set(COMMUNICATOR, comm);
    const step = new StepProvision(ctx);
    assert.equal(step.name, "StepProvision");
    assert.equal(await step.run(state, ctx.signal), "continue");
    assert.deepEqual(ctx.provisioned, [comm]);
    await step.cleanup(state);
    assert.deepEqual(ctx.cleanedUp, []);
  });

  test("a communicator given to the step wins over the state", async () => {
    const ctx = testBuildContext();
    const given = new NoneCommunicator();
    const state = new StateBag();
    state.set(COMMUNICATOR, new NoneCommunicator());
    await new StepProvision(ctx, { comm: given }).run(state, ctx.signal);
    assert.equal(ctx.provisioned[0], given);
  });

  test("without a communicator it is kiln's bug, not the template's", async () => {
    const ctx = testBuildContext();
    await assert.rejects(new StepProvision(ctx).run(new StateBag(), ctx.signal), MissingStateError);
    assert.deepEqual(ctx.provisioned, []);
  });

  test("the machine's ID and the HTTP server's address come from the state", async () => {
    const ctx = testBuildContext({ generatedData: { ID: "old", PackerHTTPIP: "old" } });
    const state = new StateBag();
    state.set(COMMUNICATOR, new NoneCommunicator());
    state.set(INSTANCE_ID, "c0ffee");
    state.set(HTTP_IP, "10.0.2.2");
    state.set(HTTP_PORT, 8512);
    await new StepProvision(ctx).run(state, ctx.signal);
    assert.equal(ctx.generatedData.ID, "c0ffee");
    assert.equal(ctx.generatedData.PackerHTTPIP, "10.0.2.2");
    assert.equal(ctx.generatedData.PackerHTTPPort, "8512");
    assert.equal(ctx.generatedData.PackerHTTPAddr, "10.0.2.2:8512");
  });

  test("values a builder already made known are kept", async () => {
    const ctx = testBuildContext({ generatedData: { ID: "vm-1", PackerHTTPAddr: "h:1" } });
    const state = new StateBag();
    state.set(COMMUNICATOR, new NoneCommunicator());
    await new StepProvision(ctx).run(state, ctx.signal);
    assert.equal(ctx.generatedData.ID, "vm-1");
    assert.equal(ctx.generatedData.PackerHTTPAddr, "h:1");
    assert.equal(ctx.generatedData.PackerHTTPIP, "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER");
  });

  test("an error from a later step also runs the error-cleanup provisioner", async () => {
    const ui = new RecordingUi();
    const ctx = testBuildContext({ ui });
    const state = new StateBag();
    state.set(COMMUNICATOR, new NoneCommunicator());
    const step = new StepProvision(ctx);
    await step.run(state, ctx.signal);
    state.set(ERROR, new Error("a later step failed"));
    await step.cleanup(state);
    assert.equal(ctx.cleanedUp.length, 1);
    assert.equal(state.get(ERROR)?.message, "a later step failed");
    assert.deepEqual(ui.texts("say"), [
      "Provisioning step had errors: Running the cleanup provisioner, if present...",
    ]);
  });

  test("a provisioner that rejects with a non-Error still fails the step", async () => {
    const ctx = testBuildContext({
      provision: () => Promise.reject("plain string"),
    });
    const state = new StateBag();
    state.set(COMMUNICATOR, new NoneCommunicator());
    assert.equal(await new StepProvision(ctx).run(state, ctx.signal), "halt");
    assert.equal(state.get(ERROR)?.message, "plain string");
  });
});
