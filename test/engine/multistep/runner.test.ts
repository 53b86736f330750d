import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CANCELLED,
  ERROR,
  HALTED,
  MissingStateError,
  runSteps,
  StateBag,
  type Step,
  stateKey,
} from "../../../src/engine/multistep/index.js";
import { fakeStep, type Log, sleep } from "./steps.js";

describe("state bag", () => {
  test("typed keys get and set values", () => {
    const state = new StateBag();
    const ID = stateKey<string>("container_id");
    const PORT = stateKey<number>("ssh_port");
    assert.equal(state.get(ID), undefined);
    assert.equal(state.has(ID), false);
    state.set(ID, "abc123");
    state.set(PORT, 2222);
    const id: string | undefined = state.get(ID);
    assert.equal(id, "abc123");
    assert.equal(state.require(PORT) + 1, 2223);
    assert.deepEqual(state.keys().sort(), ["container_id", "ssh_port"]);
    state.delete(ID);
    assert.equal(state.has(ID), false);
  });

  test("keys are told apart by identity, not by name", () => {
    const state = new StateBag();
    const a = stateKey<string>("ui");
    const b = stateKey<string>("ui");
    state.set(a, "first");
    assert.equal(state.get(b), undefined);
  });

  test("require() of a missing key is a clear internal error", () => {
    const state = new StateBag();
    const UI = stateKey<object>("ui");
    assert.throws(
      () => state.require(UI),
      (err: unknown) =>
        err instanceof MissingStateError &&
        err.key === "ui" &&
        err.code === "KILN_MISSING_STATE" &&
        err.message === 'internal error: the build state has no "ui" (no earlier step set it)',
    );
    state.set(UI, {});
    assert.doesNotThrow(() => state.require(UI));
  });

  test("a key set to undefined is present for require()", () => {
    const state = new StateBag();
    const OPT = stateKey<string | undefined>("optional");
    state.set(OPT, undefined);
    assert.equal(state.require(OPT), undefined);
  });
});

describe("runSteps", () => {
  test("runs every step, then cleans up in reverse order", async () => {
    const log: Log = [];
    const state = new StateBag();
    const r = await runSteps([fakeStep("a", log), fakeStep("b", log), fakeStep("c", log)], state);
    assert.deepEqual(log, ["run a", "run b", "run c", "cleanup c", "cleanup b", "cleanup a"]);
    assert.deepEqual(r, {
      halted: false,
      cancelled: false,
      error: undefined,
      cleanupErrors: [],
      skippedCleanups: [],
    });
    assert.equal(state.has(HALTED), false);
    assert.equal(state.has(CANCELLED), false);
  });

  test("steps left out by a condition are skipped; steps without cleanup are fine", async () => {
    const log: Log = [];
    const r = await runSteps(
      [fakeStep("a", log), false, undefined, null, fakeStep("b", log, { noCleanup: true })],
      new StateBag(),
    );
    assert.deepEqual(log, ["run a", "run b", "cleanup a"]);
    assert.equal(r.halted, false);
  });

  test("a halting step stops the run; it and the steps before it are cleaned up", async () => {
    const log: Log = [];
    const state = new StateBag();
    const r = await runSteps(
      [fakeStep("a", log), fakeStep("b", log, { act: "error-halt" }), fakeStep("c", log)],
      state,
    );
    assert.deepEqual(log, ["run a", "run b", "cleanup b", "cleanup a"]);
    assert.equal(r.halted, true);
    assert.equal(r.cancelled, false);
    assert.equal(r.error?.message, "b halted");
    assert.equal(state.get(HALTED), true);
  });

  test("a halt without an error", async () => {
    const log: Log = [];
    const r = await runSteps(
      [fakeStep("a", log, { act: "halt" }), fakeStep("b", log)],
      new StateBag(),
    );
    assert.deepEqual(log, ["run a", "cleanup a"]);
    assert.equal(r.halted, true);
    assert.equal(r.error, undefined);
  });

  test("a step that throws halts, its error stored as ERROR", async () => {
    const log: Log = [];
    const state = new StateBag();
    const r = await runSteps(
      [fakeStep("a", log), fakeStep("b", log, { act: "throw" }), fakeStep("c", log)],
      state,
    );
    assert.deepEqual(log, ["run a", "run b", "cleanup b", "cleanup a"]);
    assert.equal(r.halted, true);
    assert.equal(r.error?.message, "b failed");
    assert.equal(state.get(ERROR), r.error);
  });

  test("a thrown non-Error becomes an Error", async () => {
    const step: Step = {
      name: "odd",
      run: async () => {
        throw "just a string";
      },
    };
    const r = await runSteps([step], new StateBag());
    assert.ok(r.error instanceof Error);
    assert.equal(r.error.message, "just a string");
  });

  test("a cleanup that throws is recorded and the other cleanups still run", async () => {
    const log: Log = [];
    const r = await runSteps(
      [
        fakeStep("a", log, { cleanupThrows: true }),
        fakeStep("b", log, { cleanupThrows: true }),
        fakeStep("c", log),
      ],
      new StateBag(),
    );
    assert.deepEqual(log, ["run a", "run b", "run c", "cleanup c", "cleanup b", "cleanup a"]);
    assert.deepEqual(
      r.cleanupErrors.map((f) => [f.step, f.error.message]),
      [
        ["b", "cleanup of b failed"],
        ["a", "cleanup of a failed"],
      ],
    );
    assert.equal(r.halted, false, "a failed cleanup does not make the run halted");
  });

  test("cancellation: the running step sees the signal, no step starts, cleanups run", async () => {
    const log: Log = [];
    const state = new StateBag();
    const ac = new AbortController();
    let cancelledSeenInStep: boolean | undefined;
    const watcher: Step = {
      name: "watcher",
      async run(st, signal) {
        log.push("run watcher");
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        cancelledSeenInStep = st.get(CANCELLED);
        return "continue";
      },
      async cleanup() {
        log.push("cleanup watcher");
      },
    };
    setTimeout(() => ac.abort(), 50);
    const began = Date.now();
    const r = await runSteps([fakeStep("a", log), watcher, fakeStep("c", log)], state, {
      signal: ac.signal,
    });
    assert.ok(Date.now() - began >= 40);
    assert.deepEqual(log, ["run a", "run watcher", "cleanup watcher", "cleanup a"]);
    assert.equal(cancelledSeenInStep, true, "CANCELLED is set as soon as the signal fires");
    assert.equal(r.cancelled, true);
    assert.equal(r.halted, false);
  });

  test("a step that halts because it was cancelled counts as cancelled, not halted", async () => {
    const log: Log = [];
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const r = await runSteps(
      [fakeStep("a", log, { waitForAbort: "halt" }), fakeStep("b", log)],
      new StateBag(),
      {
        signal: ac.signal,
      },
    );
    assert.deepEqual(log, ["run a", "a saw abort", "cleanup a"]);
    assert.equal(r.cancelled, true);
    assert.equal(r.halted, false);
  });

  test("a cancel while a step finishes on its own prevents the next step", async () => {
    const log: Log = [];
    const ac = new AbortController();
    const slow: Step = {
      name: "slow",
      async run() {
        log.push("run slow");
        await sleep(60);
        return "continue";
      },
    };
    setTimeout(() => ac.abort(), 20);
    const r = await runSteps([slow, fakeStep("next", log)], new StateBag(), { signal: ac.signal });
    assert.deepEqual(log, ["run slow"]);
    assert.equal(r.cancelled, true);
  });

  test("a signal that already fired runs nothing", async () => {
    const log: Log = [];
    const r = await runSteps([fakeStep("a", log)], new StateBag(), {
      signal: AbortSignal.abort(),
    });
    assert.deepEqual(log, []);
    assert.equal(r.cancelled, true);
  });

  test("a cancel during cleanup marks the run cancelled, and cleanup goes on", async () => {
    const log: Log = [];
    const ac = new AbortController();
    const first: Step = {
      name: "first",
      run: async () => "continue",
      async cleanup() {
        log.push("cleanup first");
      },
    };
    const second: Step = {
      name: "second",
      run: async () => "continue",
      async cleanup() {
        ac.abort();
        await sleep(10);
        log.push("cleanup second");
      },
    };
    const r = await runSteps([first, second], new StateBag(), { signal: ac.signal });
    assert.deepEqual(log, ["cleanup second", "cleanup first"]);
    assert.equal(r.cancelled, true);
  });

  test("steps share the state", async () => {
    const ADDRESS = stateKey<string>("address");
    const seen: string[] = [];
    const r = await runSteps(
      [
        {
          name: "start",
          run: async (state) => {
            state.set(ADDRESS, "10.0.2.15");
            return "continue";
          },
        },
        {
          name: "connect",
          run: async (state) => {
            seen.push(state.require(ADDRESS));
            return "continue";
          },
          cleanup: async (state) => {
            seen.push(`cleanup ${state.require(ADDRESS)}`);
          },
        },
      ],
      new StateBag(),
    );
    assert.deepEqual(seen, ["10.0.2.15", "cleanup 10.0.2.15"]);
    assert.equal(r.error, undefined);
  });
});
