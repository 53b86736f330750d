// Every child kiln has running, so that none outlives kiln. When kiln exits,
// each is killed (SIGKILL to its process tree). Since children run in their
// own process groups, a Ctrl-C in the terminal reaches only kiln: the build
// engine handles SIGINT by listening for it and stopping its children
// gracefully. Only while children are alive and nobody else listens for
// SIGINT, SIGTERM or SIGHUP does the registry act on them, doing what Node
// would have done (end kiln by that signal) after killing the children.

import { type KillTarget, sendSignal } from "./kill.js";

export interface LiveChild extends KillTarget {
  /** The command line, for messages. */
  command: string;
}

const live = new Set<LiveChild>();
const FATAL_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let exitHookInstalled = false;

/** Starts tracking a child; returns the function that stops tracking it. */
export function track(child: LiveChild): () => void {
  live.add(child);
  if (live.size === 1) installSignalFallbacks();
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => killAllChildren("SIGKILL"));
  }
  return () => {
    if (live.delete(child) && live.size === 0) removeSignalFallbacks();
  };
}

/** The children still running. */
export function liveChildren(): ReadonlyArray<Readonly<LiveChild>> {
  return [...live];
}

/** Sends `signal` to every live child's process tree, synchronously; returns how many there were. */
export function killAllChildren(signal: NodeJS.Signals = "SIGKILL"): number {
  const children = [...live];
  for (const child of children) sendSignal(child, signal);
  return children.length;
}

const fallbacks = new Map<NodeJS.Signals, () => void>();

function installSignalFallbacks(): void {
  for (const signal of FATAL_SIGNALS) {
    if (fallbacks.has(signal)) continue;
    const onSignal = () => {
      // Someone (the build engine) handles this signal: leave it to them.
      if (process.listenerCount(signal) > 1) return;
      killAllChildren("SIGKILL");
      removeSignalFallbacks();
      process.kill(process.pid, signal);
    };
    fallbacks.set(signal, onSignal);
    process.on(signal, onSignal);
  }
}

function removeSignalFallbacks(): void {
  for (const [signal, onSignal] of fallbacks) process.removeListener(signal, onSignal);
  fallbacks.clear();
}
