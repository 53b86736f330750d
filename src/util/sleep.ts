// The one cancellable wait: every retry loop, pause and poll in kiln waits
// through it, so that a Ctrl-C ends the wait at once.

import { setTimeout as wait } from "node:timers/promises";

/** Waits `ms`; resolves true when the time passed, false as soon as `signal` fires (or had fired). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await wait(Math.max(0, ms), undefined, signal ? { signal } : {});
    return true;
  } catch (err) {
    if (signal?.aborted) return false;
    throw err;
  }
}
