import type { Step, StepAction } from "../../../src/engine/multistep/index.js";
import { ERROR, type StateBag } from "../../../src/engine/multistep/index.js";

/** What happened, in order: "run a", "cleanup a", "pause after-run a", ... */
export type Log = string[];

export interface FakeStepOptions {
  /** What run does: its action, or a function of the attempt number (1, 2, ...). */
  act?:
    | StepAction
    | "throw"
    | "error-halt"
    | ((attempt: number) => StepAction | "throw" | "error-halt");
  /** Waits inside run until the signal fires (then returns this action). */
  waitForAbort?: StepAction;
  cleanupThrows?: boolean;
  noCleanup?: boolean;
}

/** A step that records its run and cleanup in `log`. */
export function fakeStep(name: string, log: Log, opts: FakeStepOptions = {}): Step {
  let attempt = 0;
  const step: Step = {
    name,
    async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
      attempt++;
      log.push(`run ${name}`);
      if (opts.waitForAbort) {
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        log.push(`${name} saw abort`);
        return opts.waitForAbort;
      }
      const act = typeof opts.act === "function" ? opts.act(attempt) : (opts.act ?? "continue");
      if (act === "throw") throw new Error(`${name} failed`);
      if (act === "error-halt") {
        state.set(ERROR, new Error(`${name} halted`));
        return "halt";
      }
      return act;
    },
  };
  if (!opts.noCleanup) {
    step.cleanup = async () => {
      log.push(`cleanup ${name}`);
      if (opts.cleanupThrows) throw new Error(`cleanup of ${name} failed`);
    };
  }
  return step;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
