import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { PlainConfig } from "../../src/components/schema.js";
import breakpoint from "../../src/provisioners/breakpoint/index.js";
import { schema } from "../../src/provisioners/breakpoint/schema.js";
import { BasicUi } from "../../src/ui/index.js";
import { RecordingUi, testProvisionContext } from "../support/engine.js";

function create(raw: Record<string, unknown>) {
  const r = decodeJSONConfig(raw, schema.config);
  assert.deepEqual(r.errors, []);
  const p = breakpoint.create(r.config as PlainConfig);
  assert.deepEqual(p.prepare(), { warnings: [], errors: [] });
  return p;
}

describe("breakpoint provisioner", () => {
  test("pauses until the user presses enter", async () => {
    const ui = new RecordingUi({ holdQuestions: true });
    let done = false;
    const running = create({ note: "check the disk" })
      .provision(testProvisionContext(new NoneCommunicator(), { ui }))
      .then(() => {
        done = true;
      });
    await ui.nextQuestion();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, "still paused while nobody answered");
    assert.deepEqual(ui.transcript(), [
      'say: Pausing at breakpoint provisioner with note "check the disk".',
      "ask: Press enter to continue.",
    ]);
    assert.ok(ui.answer(""));
    await running;
    assert.equal(done, true);
  });

  test("without a note", async () => {
    const ui = new RecordingUi();
    await create({}).provision(testProvisionContext(new NoneCommunicator(), { ui }));
    assert.deepEqual(ui.transcript(), [
      "say: Pausing at breakpoint provisioner.",
      "ask: Press enter to continue.",
    ]);
  });

  test("disabled, it says so and continues without asking", async () => {
    const ui = new RecordingUi({ holdQuestions: true });
    await create({ disable: true, note: "n" }).provision(
      testProvisionContext(new NoneCommunicator(), { ui }),
    );
    await create({ disable: true }).provision(testProvisionContext(new NoneCommunicator(), { ui }));
    assert.deepEqual(ui.transcript(), [
      'say: Breakpoint provisioner with note "n" disabled; continuing...',
      "say: Breakpoint provisioner disabled; continuing...",
    ]);
  });

  test("the note's Go-template fields are rendered for the build", async () => {
    const ui = new RecordingUi();
    await create({ note: "{{build_name}} on {{build_type}}" }).provision(
      testProvisionContext(new NoneCommunicator(), {
        ui,
        info: { sourceName: "vm", type: "qemu" },
      }),
    );
    assert.equal(ui.texts("say")[0], 'Pausing at breakpoint provisioner with note "vm on qemu".');
  });

  test("reads the line from stdin through a real Ui", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let printed = "";
    stdout.on("data", (c: Buffer) => {
      printed += c.toString();
    });
    const ui = new BasicUi({ stdout, stderr: new PassThrough(), stdin });
    const running = create({ note: "x" }).provision(
      testProvisionContext(new NoneCommunicator(), { ui }),
    );
    await new Promise((r) => setTimeout(r, 20));
    stdin.write("\n");
    await running;
    assert.equal(
      printed,
      'Pausing at breakpoint provisioner with note "x".\nPress enter to continue. ',
    );
  });

  test("cancelling the build ends the pause with the cancellation", async () => {
    const ui = new RecordingUi({ holdQuestions: true });
    const ac = new AbortController();
    const running = create({}).provision(
      testProvisionContext(new NoneCommunicator(), { ui, signal: ac.signal }),
    );
    await ui.nextQuestion();
    const reason = new Error("interrupted");
    ac.abort(reason);
    await assert.rejects(running, (err) => err === reason);
  });

  test("a failed question fails the provisioner as Packer words it", async () => {
    const ui = new RecordingUi();
    ui.ask = () => Promise.reject(new Error("no available tty"));
    await assert.rejects(
      create({}).provision(testProvisionContext(new NoneCommunicator(), { ui })),
      { message: "Error asking for input: no available tty" },
    );
  });
});
