// Behaviour that applies to every step of a build (`-debug` pauses,
// `-on-error=ask|abort`) added by wrapping the steps, not by editing them.
// Each wrapper takes steps and returns steps with the same names, so wrappers
// compose: `onErrorAsk(debugPauses(steps, pause), ask)`.

import { presentSteps, runStep, type Step, type StepList, toError } from "./runner.js";
import {
  CANCELLED,
  CLEANUP_ABORTED,
  ERROR,
  HALTED,
  SKIPPED_CLEANUPS,
  type StateBag,
} from "./state.js";

/** Where a `-debug` pause happens: after a step ran, or before it is cleaned up. */
export type DebugLocation = "after-run" | "before-cleanup";

export interface DebugPause {
  location: DebugLocation;
  step: string;
  state: StateBag;
  /** Fires when the build is cancelled; the pause then ends without waiting. */
  signal?: AbortSignal;
}

/** Waits for the user (`Pausing after run of step 'x'. Press enter to continue.`). */
export type DebugPauseFn = (pause: DebugPause) => Promise<void>;

/**
 * `-debug`: as Packer, pauses after each step that ran to completion and
 * again before that step's cleanup. A cancelled build does not pause: a pause
 * in progress ends and no pause happens before the cleanups.
 */
export function debugPauses(steps: StepList, pause: DebugPauseFn): Step[] {
  return presentSteps(steps).map((step) => {
    let pausedAfterRun = false;
    return {
      name: step.name,
      async run(state, signal) {
        pausedAfterRun = false;
        const action = await runStep(step, state, signal);
        if (action !== "continue" || signal.aborted) return action;
        pausedAfterRun = true;
        await untilAborted(
          pause({ location: "after-run", step: step.name, state, signal }),
          signal,
        );
        return "continue";
      },
      async cleanup(state) {
        let pauseError: unknown;
        if (pausedAfterRun && state.get(CANCELLED) !== true) {
          try {
            await pause({ location: "before-cleanup", step: step.name, state });
          } catch (err) {
            pauseError = err;
          }
        }
        await step.cleanup?.(state);
        if (pauseError !== undefined) throw toError(pauseError);
      },
    };
  });
}

/** What the user chose after a step failed. */
export type ErrorChoice = "cleanup" | "abort" | "retry";

export interface FailedStep {
  step: string;
  /** The ERROR the step left (undefined when it halted without one). */
  error: Error | undefined;
  state: StateBag;
  /** Fires when the build is cancelled; the question is then dropped and the build cleans up. */
  signal: AbortSignal;
}

/** Asks the user what to do about a failed step (`[c] Clean up and exit, [a] abort without cleanup, or [r] retry step`). */
export type AskFn = (failed: FailedStep) => Promise<ErrorChoice>;

/**
 * `-on-error=ask`: when a step halts, asks what to do. "retry" runs the step
 * again (its ERROR is cleared first); "cleanup" halts and cleans up as usual;
 * "abort" halts and skips every cleanup, recording each in SKIPPED_CLEANUPS.
 * A cancelled build is not asked: it cleans up.
 */
export function onErrorAsk(steps: StepList, ask: AskFn): Step[] {
  return presentSteps(steps).map((step) => ({
    name: step.name,
    async run(state, signal) {
      for (;;) {
        const action = await runStep(step, state, signal);
        if (action === "continue" || signal.aborted) return action;
        const failed = { step: step.name, error: state.get(ERROR), state, signal };
        // A question that cannot be asked (stdin closed) is answered "cleanup", as in Packer.
        const choice = await untilAborted(
          ask(failed).catch((): ErrorChoice => "cleanup"),
          signal,
        );
        if (signal.aborted || choice === undefined || choice === "cleanup") return "halt";
        if (choice === "abort") {
          state.set(CLEANUP_ABORTED, true);
          return "halt";
        }
        state.delete(ERROR);
      }
    },
    async cleanup(state) {
      if (state.get(CLEANUP_ABORTED) === true) skipCleanup(state, step.name);
      else await step.cleanup?.(state);
    },
  }));
}

export interface OnErrorAbortOptions {
  /**
   * Steps cleaned up even so (`-on-error=run-cleanup-provisioner` keeps the
   * provisioning step's cleanup, which runs the error-cleanup provisioner).
   */
  keepCleanup?: (stepName: string) => boolean;
}

/**
 * `-on-error=abort`: when a step halted or the build was cancelled, no step is
 * cleaned up; each skipped cleanup is recorded in SKIPPED_CLEANUPS.
 */
export function onErrorAbort(steps: StepList, opts: OnErrorAbortOptions = {}): Step[] {
  return presentSteps(steps).map((step) => ({
    name: step.name,
    run: (state, signal) => step.run(state, signal),
    async cleanup(state) {
      const failed = state.get(HALTED) === true || state.get(CANCELLED) === true;
      if (failed && !opts.keepCleanup?.(step.name)) skipCleanup(state, step.name);
      else await step.cleanup?.(state);
    },
  }));
}

function skipCleanup(state: StateBag, stepName: string): void {
  const skipped = state.get(SKIPPED_CLEANUPS) ?? [];
  skipped.push(stepName);
  state.set(SKIPPED_CLEANUPS, skipped);
}

/** The promise's value, or undefined as soon as the signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.resolve(undefined);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      resolve(undefined);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
