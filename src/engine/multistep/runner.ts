// Runs a build as a list of steps, as Packer's multistep does: each step runs
// in turn until one halts; then the steps that ran are cleaned up in reverse
// order, whether the run succeeded, halted, threw or was cancelled.

import { CANCELLED, ERROR, HALTED, SKIPPED_CLEANUPS, type StateBag } from "./state.js";

export type StepAction = "continue" | "halt";

export interface Step {
  /** How the step is named to the user (`-debug` pauses, `-on-error=ask`, skipped cleanups). */
  readonly name: string;
  /**
   * Does the step's work. Returning "halt" stops the build (a step that
   * halts on an error sets ERROR first); throwing is the same as setting
   * ERROR and halting. `signal` fires when the build is cancelled.
   */
  run(state: StateBag, signal: AbortSignal): Promise<StepAction>;
  /** Undoes what `run` did. Runs after every run of the step, even a failed or cancelled one. */
  cleanup?(state: StateBag): Promise<void>;
}

/** Steps as builders list them: a step left out by a condition is skipped. */
export type StepList = ReadonlyArray<Step | null | undefined | false>;

export interface RunStepsOptions {
  /** Cancels the run: no further step starts, the running one sees the signal, then cleanups run. */
  signal?: AbortSignal;
}

export interface CleanupFailure {
  step: string;
  error: Error;
}

export interface RunStepsResult {
  /** A step halted (and the run was not cancelled). */
  halted: boolean;
  /** The run was cancelled before it ended (including during cleanup). */
  cancelled: boolean;
  /** The ERROR in the state when the run ended. */
  error?: Error;
  /** Cleanups that threw; the cleanups after them still ran. */
  cleanupErrors: CleanupFailure[];
  /** Steps whose cleanup a wrapper skipped (`-on-error=abort`, or "abort" when asked). */
  skippedCleanups: string[];
}

/** The steps that are present in a list. */
export function presentSteps(steps: StepList): Step[] {
  return steps.filter((s): s is Step => Boolean(s));
}

/** Runs one step; a step that throws has its error stored as ERROR and halts. */
export async function runStep(
  step: Step,
  state: StateBag,
  signal: AbortSignal,
): Promise<StepAction> {
  try {
    return await step.run(state, signal);
  } catch (err) {
    state.set(ERROR, toError(err));
    return "halt";
  }
}

export async function runSteps(
  steps: StepList,
  state: StateBag,
  opts: RunStepsOptions = {},
): Promise<RunStepsResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const markCancelled = () => state.set(CANCELLED, true);
  if (signal.aborted) markCancelled();
  signal.addEventListener("abort", markCancelled, { once: true });

  const ran: Step[] = [];
  try {
    for (const step of presentSteps(steps)) {
      if (signal.aborted) break;
      ran.push(step);
      const action = await runStep(step, state, signal);
      if (signal.aborted) break;
      if (action === "halt") {
        state.set(HALTED, true);
        break;
      }
    }

    const cleanupErrors: CleanupFailure[] = [];
    for (const step of ran.reverse()) {
      try {
        await step.cleanup?.(state);
      } catch (err) {
        cleanupErrors.push({ step: step.name, error: toError(err) });
      }
    }

    return {
      halted: state.get(HALTED) === true,
      cancelled: state.get(CANCELLED) === true,
      error: state.get(ERROR),
      cleanupErrors,
      skippedCleanups: [...(state.get(SKIPPED_CLEANUPS) ?? [])],
    };
  } finally {
    signal.removeEventListener("abort", markCancelled);
  }
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
