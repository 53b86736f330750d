// Stopping a child and what it started: deliver a signal to its process tree
// (a process group on POSIX, taskkill on Windows), and escalate to SIGKILL
// when it does not end within a grace period.

import { spawnSync } from "node:child_process";
import { host as currentHost, type Host } from "../host/index.js";

/** A running child as the kill functions see it. */
export interface KillTarget {
  pid: number;
  /** Whether the child leads its own process group (signals then reach its descendants). */
  ownGroup: boolean;
  /** Used when the tree cannot be signalled (the group is gone, taskkill failed). */
  fallback?: (signal: NodeJS.Signals) => boolean;
}

/**
 * Sends `signal` to the target's process tree, synchronously (so it also
 * works from an `exit` handler). Returns whether anything received it.
 */
export function sendSignal(
  target: KillTarget,
  signal: NodeJS.Signals,
  host: Host = currentHost,
): boolean {
  const action = host.killAction(target.pid, signal, target.ownGroup);
  if (action.kind === "command") {
    const r = spawnSync(action.command, action.args, { stdio: "ignore", windowsHide: true });
    if (r.status === 0) return true;
    return target.fallback?.(signal) ?? false;
  }
  try {
    process.kill(action.pid, action.signal);
    return true;
  } catch {
    return target.fallback?.(signal) ?? false;
  }
}

export interface TerminateOptions {
  /** The first, polite signal (SIGTERM unless told otherwise). */
  signal: NodeJS.Signals;
  /** How long the child gets to end after the polite signal before SIGKILL. */
  graceMs: number;
}

/**
 * Ends a child: the polite signal, then SIGKILL if `ended` has not settled
 * within the grace period (or at once when the polite signal could not be
 * delivered). Resolves when the signals are sent, not when the child is gone.
 */
export async function terminate(
  target: KillTarget,
  ended: Promise<unknown>,
  opts: TerminateOptions,
  host: Host = currentHost,
): Promise<void> {
  const delivered = sendSignal(target, opts.signal, host);
  if (opts.signal === "SIGKILL") return;
  if (!delivered) {
    sendSignal(target, "SIGKILL", host);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"grace-over">((resolve) => {
    timer = setTimeout(() => resolve("grace-over"), Math.max(0, opts.graceMs));
  });
  const first = await Promise.race([ended.then(() => "ended" as const), graceOver]);
  clearTimeout(timer);
  if (first === "grace-over") sendSignal(target, "SIGKILL", host);
}
