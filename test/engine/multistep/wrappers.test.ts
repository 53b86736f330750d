import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CLEANUP_ABORTED,
  type DebugPause,
  debugPauses,
  ERROR,
  type ErrorChoice,
  type FailedStep,
  onErrorAbort,
  onErrorAsk,
  runSteps,
  StateBag,
} from "../../../src/engine/multistep/index.js";
import { fakeStep, type Log, sleep } from "./steps.js";

/** A pause function that logs and waits a little, as a user pressing enter would. */
function pauseLogger(log: Log, waitMs = 5) {
  return async (p: DebugPause) => {
    log.push(`pause ${p.location} ${p.step}`);
    await sleep(waitMs);
  };
}

describe("debugPauses (-debug)", () => {
  test("pauses after each step that ran, and before its cleanup, as Packer", async () => {
    const log: Log = [];
    const steps = debugPauses(
      [fakeStep("a", log), fakeStep("b", log), fakeStep("c", log, { act: "error-halt" })],
      pauseLogger(log),
    );
    assert.deepEqual(
      steps.map((s) => s.name),
      ["a", "b", "c"],
    );
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, [
      "run a",
      "pause after-run a",
      "run b",
      "pause after-run b",
      "run c",
      "cleanup c",
      "pause before-cleanup b",
      "cleanup b",
      "pause before-cleanup a",
      "cleanup a",
    ]);
    assert.equal(r.error?.message, "c halted");
  });

  test("the next step waits for the pause to end", async () => {
    const log: Log = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const steps = debugPauses([fakeStep("a", log), fakeStep("b", log)], async (p) => {
      log.push(`pause ${p.location} ${p.step}`);
      if (p.location === "after-run" && p.step === "a") await held;
    });
    const running = runSteps(steps, new StateBag());
    await sleep(50);
    assert.deepEqual(log, ["run a", "pause after-run a"]);
    release();
    await running;
    assert.equal(log[2], "run b");
  });

  test("cancelling ends a pause and skips the pauses before cleanup", async () => {
    const log: Log = [];
    const ac = new AbortController();
    let pauseSignal: AbortSignal | undefined;
    const steps = debugPauses([fakeStep("a", log), fakeStep("b", log)], (p) => {
      log.push(`pause ${p.location} ${p.step}`);
      pauseSignal = p.signal;
      return new Promise(() => {}); // the user never presses enter
    });
    setTimeout(() => ac.abort(), 30);
    const r = await runSteps(steps, new StateBag(), { signal: ac.signal });
    assert.deepEqual(log, ["run a", "pause after-run a", "cleanup a"]);
    assert.equal(r.cancelled, true);
    assert.equal(pauseSignal?.aborted, true, "the pause function is given the signal");
  });

  test("a pause that fails before cleanup does not prevent the cleanup", async () => {
    const log: Log = [];
    const steps = debugPauses([fakeStep("a", log)], async (p) => {
      if (p.location === "before-cleanup") throw new Error("stdin closed");
    });
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, ["run a", "cleanup a"]);
    assert.deepEqual(
      r.cleanupErrors.map((f) => f.error.message),
      ["stdin closed"],
    );
  });
});

describe("onErrorAsk (-on-error=ask)", () => {
  function asker(choices: ErrorChoice[], asked: FailedStep[]) {
    return async (failed: FailedStep) => {
      asked.push(failed);
      const choice = choices.shift();
      if (!choice) throw new Error("asked too often");
      return choice;
    };
  }

  test("retry runs the failed step again; its error is cleared", async () => {
    const log: Log = [];
    const asked: FailedStep[] = [];
    const state = new StateBag();
    const steps = onErrorAsk(
      [
        fakeStep("a", log),
        fakeStep("flaky", log, { act: (n) => (n < 3 ? "error-halt" : "continue") }),
        fakeStep("c", log),
      ],
      asker(["retry", "retry"], asked),
    );
    const r = await runSteps(steps, state);
    assert.deepEqual(log, [
      "run a",
      "run flaky",
      "run flaky",
      "run flaky",
      "run c",
      "cleanup c",
      "cleanup flaky",
      "cleanup a",
    ]);
    assert.deepEqual(
      asked.map((f) => [f.step, f.error?.message]),
      [
        ["flaky", "flaky halted"],
        ["flaky", "flaky halted"],
      ],
    );
    assert.equal(r.halted, false);
    assert.equal(r.error, undefined);
    assert.equal(state.has(ERROR), false);
  });

  test("cleanup halts and cleans up as usual", async () => {
    const log: Log = [];
    const asked: FailedStep[] = [];
    const steps = onErrorAsk(
      [fakeStep("a", log), fakeStep("b", log, { act: "throw" }), fakeStep("c", log)],
      asker(["cleanup"], asked),
    );
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, ["run a", "run b", "cleanup b", "cleanup a"]);
    assert.equal(asked[0]?.error?.message, "b failed", "a thrown error is asked about too");
    assert.equal(r.halted, true);
    assert.equal(r.error?.message, "b failed");
    assert.deepEqual(r.skippedCleanups, []);
  });

  test("abort halts and skips every cleanup, recording which", async () => {
    const log: Log = [];
    const state = new StateBag();
    const steps = onErrorAsk(
      [fakeStep("a", log), fakeStep("b", log), fakeStep("c", log, { act: "error-halt" })],
      asker(["abort"], []),
    );
    const r = await runSteps(steps, state);
    assert.deepEqual(log, ["run a", "run b", "run c"]);
    assert.deepEqual(r.skippedCleanups, ["c", "b", "a"]);
    assert.equal(r.halted, true);
    assert.equal(r.error?.message, "c halted");
    assert.equal(state.get(CLEANUP_ABORTED), true);
  });

  test("steps that succeed are never asked about", async () => {
    const asked: FailedStep[] = [];
    const log: Log = [];
    await runSteps(onErrorAsk([fakeStep("a", log)], asker([], asked)), new StateBag());
    assert.deepEqual(asked, []);
  });

  test("a cancel while asking drops the question and cleans up", async () => {
    const log: Log = [];
    const ac = new AbortController();
    let askSignal: AbortSignal | undefined;
    const steps = onErrorAsk(
      [fakeStep("a", log), fakeStep("b", log, { act: "error-halt" })],
      (failed) => {
        askSignal = failed.signal;
        setTimeout(() => ac.abort(), 20);
        return new Promise(() => {});
      },
    );
    const r = await runSteps(steps, new StateBag(), { signal: ac.signal });
    assert.deepEqual(log, ["run a", "run b", "cleanup b", "cleanup a"]);
    assert.equal(r.cancelled, true);
    assert.equal(askSignal?.aborted, true);
    assert.deepEqual(r.skippedCleanups, []);
  });

  test("a question that cannot be asked is answered cleanup", async () => {
    const log: Log = [];
    const steps = onErrorAsk([fakeStep("a", log, { act: "error-halt" })], async () => {
      throw new Error("stdin is not a terminal");
    });
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, ["run a", "cleanup a"]);
    assert.equal(r.error?.message, "a halted", "the step's error is kept");
  });
});

describe("onErrorAbort (-on-error=abort)", () => {
  test("a successful run cleans up as usual", async () => {
    const log: Log = [];
    const r = await runSteps(
      onErrorAbort([fakeStep("a", log), fakeStep("b", log)]),
      new StateBag(),
    );
    assert.deepEqual(log, ["run a", "run b", "cleanup b", "cleanup a"]);
    assert.deepEqual(r.skippedCleanups, []);
  });

  test("after a halt no cleanup runs", async () => {
    const log: Log = [];
    const r = await runSteps(
      onErrorAbort([fakeStep("a", log), fakeStep("b", log, { act: "throw" }), fakeStep("c", log)]),
      new StateBag(),
    );
    assert.deepEqual(log, ["run a", "run b"]);
    assert.deepEqual(r.skippedCleanups, ["b", "a"]);
    assert.equal(r.error?.message, "b failed");
  });

  test("after a cancel no cleanup runs either (as Packer)", async () => {
    const log: Log = [];
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const r = await runSteps(
      onErrorAbort([fakeStep("a", log), fakeStep("b", log, { waitForAbort: "continue" })]),
      new StateBag(),
      { signal: ac.signal },
    );
    assert.deepEqual(log, ["run a", "run b", "b saw abort"]);
    assert.deepEqual(r.skippedCleanups, ["b", "a"]);
    assert.equal(r.cancelled, true);
  });

  test("keepCleanup keeps chosen cleanups (-on-error=run-cleanup-provisioner)", async () => {
    const log: Log = [];
    const steps = onErrorAbort(
      [fakeStep("create", log), fakeStep("provision", log), fakeStep("fail", log, { act: "halt" })],
      { keepCleanup: (name) => name === "provision" },
    );
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, ["run create", "run provision", "run fail", "cleanup provision"]);
    assert.deepEqual(r.skippedCleanups, ["fail", "create"]);
  });
});

describe("composition", () => {
  test("ask around debug: a retried step pauses once it succeeds", async () => {
    const log: Log = [];
    const steps = onErrorAsk(
      debugPauses(
        [fakeStep("a", log, { act: (n) => (n === 1 ? "throw" : "continue") }), fakeStep("b", log)],
        pauseLogger(log),
      ),
      async (failed) => {
        log.push(`ask ${failed.step}: ${failed.error?.message}`);
        return "retry";
      },
    );
    assert.deepEqual(
      steps.map((s) => s.name),
      ["a", "b"],
    );
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, [
      "run a",
      "ask a: a failed",
      "run a",
      "pause after-run a",
      "run b",
      "pause after-run b",
      "pause before-cleanup b",
      "cleanup b",
      "pause before-cleanup a",
      "cleanup a",
    ]);
    assert.equal(r.error, undefined);
  });

  test("debug around abort: skipped cleanups are still paused before, as Packer", async () => {
    const log: Log = [];
    const steps = debugPauses(
      onErrorAbort([fakeStep("a", log), fakeStep("b", log, { act: "error-halt" })]),
      pauseLogger(log),
    );
    const r = await runSteps(steps, new StateBag());
    assert.deepEqual(log, ["run a", "pause after-run a", "run b", "pause before-cleanup a"]);
    assert.deepEqual(r.skippedCleanups, ["b", "a"]);
  });
});
