// The one error the process layer rejects with. Its message names the command
// and says what happened, followed by the last lines the command printed.

import { shortCommand } from "./command.js";

/** What went wrong, for code that must tell the cases apart. */
export type ProcessFailure =
  /** The command ran and exited with a code it was not allowed to. */
  | "exit-code"
  /** The command was killed by a signal kiln did not send. */
  | "signal"
  /** The command ran longer than its timeout and was killed. */
  | "timeout"
  /** The caller's AbortSignal fired and the command was stopped. */
  | "cancelled"
  /** The program does not exist (ENOENT). */
  | "not-found"
  /** The program could not be started for another reason (permissions, a missing working directory). */
  | "spawn-failed";

/** How many of the last output lines an error message repeats. */
const TAIL_LINES = 20;

export interface ProcessErrorDetails {
  failure: ProcessFailure;
  command: string;
  args: readonly string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timeoutMs?: number;
  cwd?: string;
  cause?: unknown;
}

export class ProcessError extends Error {
  override readonly name = "ProcessError";
  readonly failure: ProcessFailure;
  /** The program, as it was given. */
  readonly command: string;
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;

  constructor(d: ProcessErrorDetails) {
    super(describeFailure(d), d.cause === undefined ? undefined : { cause: d.cause });
    this.failure = d.failure;
    this.command = d.command;
    this.args = d.args;
    this.exitCode = d.exitCode;
    this.signal = d.signal;
    this.stdout = d.stdout;
    this.stderr = d.stderr;
    this.durationMs = d.durationMs;
  }
}

function describeFailure(d: ProcessErrorDetails): string {
  const line = shortCommand(d.command, d.args);
  switch (d.failure) {
    case "exit-code":
      return withTail(`Command failed with exit code ${d.exitCode}: ${line}`, d);
    case "signal":
      return withTail(`Command was killed with ${d.signal}: ${line}`, d);
    case "timeout":
      return withTail(`Command timed out after ${d.timeoutMs} milliseconds: ${line}`, d);
    case "cancelled":
      return `Command was cancelled: ${line}`;
    case "not-found":
      return hasDirectory(d.command)
        ? `Command not found: ${d.command} (no such file)`
        : `Command not found: ${d.command} (is it installed and on PATH?)`;
    case "spawn-failed": {
      const code = (d.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === "EACCES") return `Command is not executable: ${d.command} (permission denied)`;
      if (code === "ENOTDIR" || (code === "ENOENT" && d.cwd !== undefined)) {
        return `Working directory does not exist: ${d.cwd} (running ${line})`;
      }
      const reason = d.cause instanceof Error ? d.cause.message : String(d.cause);
      return `Command could not be started: ${line}: ${reason}`;
    }
  }
}

/** The message followed by the last lines of stderr (or of stdout when stderr is empty). */
function withTail(message: string, d: ProcessErrorDetails): string {
  const output = d.stderr.trim() !== "" ? d.stderr : d.stdout;
  const lines = output.trimEnd().split(/\r?\n/);
  if (lines.length === 1 && lines[0]!.trim() === "") return message;
  return `${message}\n${lines.slice(-TAIL_LINES).join("\n")}`;
}

function hasDirectory(command: string): boolean {
  return command.includes("/") || command.includes("\\");
}
