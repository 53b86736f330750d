// Running external programs: `run` for a command that is awaited to its end
// (qemu-img, docker, ansible-playbook, a shell script), `start` for one that
// runs alongside the build until it is stopped (qemu itself).

import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import type { Readable } from "node:stream";
import { host as currentHost, type Host } from "../host/index.js";
import { formatCommand } from "./command.js";
import { ProcessError, type ProcessFailure } from "./errors.js";
import { type KillTarget, sendSignal, terminate } from "./kill.js";
import { OutputCapture } from "./output.js";
import { track } from "./registry.js";

export interface ProcessOptions {
  cwd?: string;
  /** Variables added to (or, when undefined, removed from) kiln's own environment. */
  env?: Record<string, string | undefined>;
  /** Start from kiln's environment (the default) or from `env` alone. */
  extendEnv?: boolean;
  /**
   * What the command reads on stdin; a stream (a PassThrough) can be written
   * while the command runs. Without it stdin is empty, or kiln's own with
   * `stdio: "inherit"`.
   */
  input?: string | Buffer | Readable;
  /** Kill the command when it runs longer than this. */
  timeoutMs?: number;
  /** Stop the command when this fires; the promise then rejects as cancelled. */
  signal?: AbortSignal;
  /** Each line of stdout as it arrives, without its line ending. */
  onStdout?: (line: string) => void;
  /** Each line of stderr as it arrives, without its line ending. */
  onStderr?: (line: string) => void;
  /**
   * "pipe" (the default) captures output and streams its lines to the
   * callbacks; "inherit" writes it straight to kiln's own stdout and stderr
   * (nothing is captured, no callback is called).
   */
  stdio?: "pipe" | "inherit";
  /** The polite signal sent on timeout and cancellation (default SIGTERM). */
  killSignal?: NodeJS.Signals;
  /** How long after the polite signal the command is killed with SIGKILL (default 5000). */
  killGraceMs?: number;
  /**
   * With false, a non-zero exit code or death by a signal resolves with the
   * result instead of rejecting. Timeouts, cancellation and failure to start
   * always reject.
   */
  reject?: boolean;
  /** How much of each of stdout and stderr is kept in memory; the last bytes are kept (default 1 MiB). */
  maxOutputBytes?: number;
  /**
   * Run the command in its own process group (POSIX; the default unless stdin
   * is kiln's own), so that stopping it also stops what it started, and a
   * Ctrl-C in the terminal reaches kiln alone.
   */
  processGroup?: boolean;
}

export interface ProcessResult {
  /** The command line, quoted for display. */
  command: string;
  /** The exit code, or null when a signal ended the command. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Whether output beyond maxOutputBytes was dropped from the front of stdout or stderr. */
  outputTruncated: boolean;
  durationMs: number;
  /** Whether the command was ended by `stop()`. */
  stopped: boolean;
}

export interface StopOptions {
  /** The polite signal (default SIGTERM). */
  gracefulSignal?: NodeJS.Signals;
  /** How long the command gets to end before SIGKILL (default 5000). */
  timeoutMs?: number;
}

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_MAX_OUTPUT = 1024 * 1024;

interface Outcome {
  result: ProcessResult;
  error?: Error;
}

/** A command started with `start`. */
export class RunningProcess {
  /** The OS process id; undefined when the command was not started. */
  readonly pid: number | undefined;
  /** The command line, quoted for display. */
  readonly command: string;
  private readonly outcome: Promise<Outcome>;
  private readonly target: KillTarget | undefined;
  private readonly graceMs: number;
  private readonly killSignal: NodeJS.Signals;
  private finished = false;
  /** Why kiln is ending the command; set once, when it starts doing so. */
  private endReason: "timeout" | "cancelled" | "stopped" | undefined;

  /** @internal Use `start`. */
  constructor(
    private readonly program: string,
    private readonly args: readonly string[],
    private readonly opts: ProcessOptions,
    private readonly host: Host,
  ) {
    const began = performance.now();
    this.command = formatCommand(program, args);
    this.graceMs = opts.killGraceMs ?? DEFAULT_GRACE_MS;
    this.killSignal = opts.killSignal ?? "SIGTERM";
    const piped = (opts.stdio ?? "pipe") === "pipe";
    const stdinMode = opts.input !== undefined ? "pipe" : piped ? "ignore" : "inherit";
    const ownGroup = (opts.processGroup ?? stdinMode !== "inherit") && host.ownProcessGroups;
    const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;

    let callbackError: unknown;
    const guard = (fn: ((line: string) => void) | undefined) =>
      fn &&
      ((line: string) => {
        try {
          fn(line);
        } catch (err) {
          callbackError ??= err;
        }
      });
    const stdout = new OutputCapture(limit, guard(opts.onStdout));
    const stderr = new OutputCapture(limit, guard(opts.onStderr));
    const result = (exitCode: number | null, signal: NodeJS.Signals | null): ProcessResult => ({
      command: this.command,
      exitCode,
      signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      outputTruncated: stdout.truncated || stderr.truncated,
      durationMs: Math.round(performance.now() - began),
      stopped: this.endReason === "stopped",
    });

    // Cancelled before it began: the command is not started at all.
    if (opts.signal?.aborted) {
      this.pid = undefined;
      this.target = undefined;
      this.endReason = "cancelled";
      this.finished = true;
      const r = result(null, null);
      this.outcome = Promise.resolve({ result: r, error: this.error("cancelled", r) });
      return;
    }

    const child = spawn(program, [...args], {
      cwd: opts.cwd,
      env: buildEnv(opts.env, opts.extendEnv ?? true, host),
      stdio: [stdinMode, piped ? "pipe" : "inherit", piped ? "pipe" : "inherit"],
      detached: ownGroup,
      windowsHide: true,
    });
    this.pid = child.pid;
    this.target =
      child.pid === undefined
        ? undefined
        : { pid: child.pid, ownGroup, fallback: (signal) => child.kill(signal) };

    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    if (child.stdin && opts.input !== undefined) {
      // A command that exits without reading all its input is not an error.
      child.stdin.on("error", () => {});
      if (isBytes(opts.input)) child.stdin.end(opts.input);
      else opts.input.pipe(child.stdin);
    }

    const untrack = this.target ? track({ ...this.target, command: this.command }) : () => {};
    const onAbort = () => this.end("cancelled", this.killSignal, this.graceMs);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => this.end("timeout", this.killSignal, this.graceMs), opts.timeoutMs);

    this.outcome = new Promise<Outcome>((resolve) => {
      const finish = (outcome: Outcome) => {
        if (this.finished) return;
        this.finished = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        untrack();
        resolve(outcome);
      };
      child.on("error", (err: NodeJS.ErrnoException) => {
        // After a successful start an 'error' is a failed kill(); 'close' still follows.
        if (child.pid !== undefined) return;
        const r = result(null, null);
        const failure: ProcessFailure =
          err.code === "ENOENT" && !cwdMissing(opts.cwd) ? "not-found" : "spawn-failed";
        finish({ result: r, error: this.error(failure, r, err) });
      });
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        stdout.end();
        stderr.end();
        const r = result(code, signal);
        finish({ result: r, error: (callbackError as Error | undefined) ?? this.failureOf(r) });
      });
    });
  }

  /** Whether the command is still running. */
  get running(): boolean {
    return !this.finished && this.pid !== undefined;
  }

  /** Resolves once the command is running; rejects with a ProcessError when it could not be started. */
  async ready(): Promise<void> {
    if (this.pid !== undefined) return;
    const { error } = await this.outcome;
    if (error) throw error;
  }

  /** The result once the command ended; rejects with a ProcessError as `run` does. */
  async wait(): Promise<ProcessResult> {
    const { result, error } = await this.outcome;
    if (error) throw error;
    return result;
  }

  /** Resolves with the result once the command ended, however it ended; never rejects. */
  async exited(): Promise<ProcessResult> {
    return (await this.outcome).result;
  }

  /**
   * Stops the command: the polite signal, then SIGKILL after `timeoutMs`.
   * Resolves with the result when it is gone; stopping a command that already
   * ended just returns its result.
   */
  async stop(opts: StopOptions = {}): Promise<ProcessResult> {
    this.end("stopped", opts.gracefulSignal ?? "SIGTERM", opts.timeoutMs ?? this.graceMs);
    return this.exited();
  }

  /** Sends a signal to the command and what it started, now, with no escalation. */
  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    if (!this.running || !this.target) return false;
    return sendSignal(this.target, signal, this.host);
  }

  private end(
    reason: "timeout" | "cancelled" | "stopped",
    signal: NodeJS.Signals,
    graceMs: number,
  ) {
    if (this.finished || this.endReason !== undefined || !this.target) return;
    this.endReason = reason;
    void terminate(this.target, this.outcome, { signal, graceMs }, this.host);
  }

  /** The error for a command that ran and ended, if its ending is one. */
  private failureOf(r: ProcessResult): ProcessError | undefined {
    if (this.endReason === "stopped") return undefined;
    if (this.endReason === "timeout") return this.error("timeout", r);
    if (this.endReason === "cancelled") return this.error("cancelled", r);
    if (this.opts.reject === false) return undefined;
    if (r.signal !== null) return this.error("signal", r);
    if (r.exitCode !== 0) return this.error("exit-code", r);
    return undefined;
  }

  private error(failure: ProcessFailure, r: ProcessResult, cause?: unknown): ProcessError {
    return new ProcessError({
      failure,
      command: this.program,
      args: this.args,
      exitCode: r.exitCode,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
      timeoutMs: this.opts.timeoutMs,
      cwd: this.opts.cwd,
      cause,
    });
  }
}

/**
 * Starts a command that runs alongside kiln (a VM, a daemon) and returns its
 * handle at once. Failure to start shows in `ready()`, `wait()` and `exited()`.
 */
export function start(
  command: string,
  args: readonly string[],
  opts: ProcessOptions = {},
  host: Host = currentHost,
): RunningProcess {
  return new RunningProcess(command, args, opts, host);
}

/**
 * Runs a command to its end. Resolves with its result; rejects with a
 * ProcessError that names the command and says what happened (a non-zero exit
 * code, a timeout, cancellation, a missing program).
 */
export function run(
  command: string,
  args: readonly string[],
  opts: ProcessOptions = {},
  host: Host = currentHost,
): Promise<ProcessResult> {
  return start(command, args, opts, host).wait();
}

/** The environment for a child: kiln's own (unless told not to) with `extra` applied. */
export function buildEnv(
  extra: Record<string, string | undefined> | undefined,
  extend: boolean,
  host: Host = currentHost,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = extend ? { ...base } : {};
  for (const [name, value] of Object.entries(extra ?? {})) {
    // Windows variable names ignore case: replace PATH when told Path.
    const existing = host.isWindows
      ? Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase())
      : undefined;
    if (existing !== undefined) delete env[existing];
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function isBytes(input: string | Buffer | Readable): input is string | Buffer {
  return typeof input === "string" || Buffer.isBuffer(input);
}

function cwdMissing(cwd: string | undefined): boolean {
  if (cwd === undefined) return false;
  try {
    return !statSync(cwd).isDirectory();
  } catch {
    return true;
  }
}
