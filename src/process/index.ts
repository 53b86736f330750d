// The one way kiln runs external programs (docker, qemu, qemu-img, ssh,
// ansible, shell scripts): timeouts, cancellation, kill escalation, streamed
// output, and errors that name the command and say what happened.

export { formatCommand, quoteArg, shortCommand } from "./command.js";
export { ProcessError, type ProcessFailure } from "./errors.js";
export { type KillTarget, sendSignal, type TerminateOptions, terminate } from "./kill.js";
export { OutputCapture } from "./output.js";
export { killAllChildren, type LiveChild, liveChildren } from "./registry.js";
export {
  buildEnv,
  type ProcessOptions,
  type ProcessResult,
  RunningProcess,
  run,
  type StopOptions,
  start,
} from "./run.js";
