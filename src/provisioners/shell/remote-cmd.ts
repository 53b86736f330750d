// Running a command on the machine being built with its output shown as it
// arrives (Packer's RemoteCmd.RunWithUi): stdout lines go to ui.message,
// stderr lines to ui.error. The last lines of each are kept, so that a
// failure can say what the command printed last.

import { StringDecoder } from "node:string_decoder";
import type { Communicator } from "../../communicators/communicator.js";
import { CMD_DISCONNECT } from "../../communicators/communicator.js";
import type { Ui } from "../../ui/index.js";

export { CMD_DISCONNECT };

/** How many of a failed command's last output lines its error repeats. */
export const TAIL_LINES = 10;

/** A line longer than this is shown in pieces rather than held back. */
const MAX_PENDING_LINE = 64 * 1024;

export interface RemoteRunResult {
  exitStatus: number;
  /** The last lines of stdout and stderr, oldest first. */
  stdoutTail: string[];
  stderrTail: string[];
}

/** Splits a stream of chunks into lines for a callback; keeps the last few. */
class LineStream {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  readonly tail: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let nl = this.pending.indexOf("\n");
    while (nl !== -1) {
      this.emit(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf("\n");
    }
    if (this.pending.length > MAX_PENDING_LINE) {
      this.emit(this.pending);
      this.pending = "";
    }
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== "") this.emit(this.pending);
    this.pending = "";
  }

  private emit(raw: string): void {
    const line = cleanOutputLine(raw);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.onLine(line);
  }
}

/** Runs `command` to its end, streaming its output lines to the Ui. */
export async function runWithUi(
  comm: Communicator,
  command: string,
  ui: Ui,
  signal?: AbortSignal,
): Promise<RemoteRunResult> {
  const stdout = new LineStream((line) => ui.message(line));
  const stderr = new LineStream((line) => ui.error(line));
  const { exitStatus } = await comm.run(
    {
      command,
      onStdout: (chunk) => stdout.push(chunk),
      onStderr: (chunk) => stderr.push(chunk),
    },
    signal,
  );
  stdout.end();
  stderr.end();
  return { exitStatus, stdoutTail: stdout.tail, stderrTail: stderr.tail };
}

/** Runs `command` without showing its output; resolves with its exit status. */
export async function runQuietly(
  comm: Communicator,
  command: string,
  signal?: AbortSignal,
): Promise<number> {
  const { exitStatus } = await comm.run({ command }, signal);
  return exitStatus;
}

/** A line of output as Packer shows it: no trailing space, only what follows the last carriage return. */
export function cleanOutputLine(line: string): string {
  const trimmed = line.trimEnd();
  return trimmed.slice(trimmed.lastIndexOf("\r") + 1);
}

/** `message` followed by the command's last lines of output: stderr's, or stdout's when stderr is empty. */
export function withOutputTail(message: string, result: RemoteRunResult): string {
  const nonEmpty = (lines: string[]) => lines.some((l) => l.trim() !== "");
  const lines = nonEmpty(result.stderrTail)
    ? [...result.stderrTail]
    : nonEmpty(result.stdoutTail)
      ? [...result.stdoutTail]
      : [];
  if (lines.length === 0) return message;
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return `${message}\n${lines.join("\n")}`;
}
