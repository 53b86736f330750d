// A build as a list of steps with cleanups (Packer's multistep), typed state
// shared between the steps, and the wrappers for `-debug` and `-on-error`.

export {
  type CleanupFailure,
  presentSteps,
  type RunStepsOptions,
  type RunStepsResult,
  runStep,
  runSteps,
  type Step,
  type StepAction,
  type StepList,
} from "./runner.js";
export {
  CANCELLED,
  CLEANUP_ABORTED,
  ERROR,
  HALTED,
  MissingStateError,
  SKIPPED_CLEANUPS,
  StateBag,
  type StateKey,
  stateKey,
} from "./state.js";
export {
  type AskFn,
  type DebugLocation,
  type DebugPause,
  type DebugPauseFn,
  debugPauses,
  type ErrorChoice,
  type FailedStep,
  type OnErrorAbortOptions,
  onErrorAbort,
  onErrorAsk,
} from "./wrappers.js";
