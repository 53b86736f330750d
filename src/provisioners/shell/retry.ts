// Retrying work that fails while the machine cannot be reached (Packer's
// retry.Config with a StartTimeout): try, and on failure wait a little and
// try again, until it succeeds, the time is up or the build is cancelled.
// The last failure is what the caller sees.

import { sleep } from "../../util/sleep.js";

export interface RetryOptions {
  /** Stop retrying once this many milliseconds have passed since the first try; 0 retries forever. */
  startTimeoutMs: number;
  /** Wait between tries (Packer: 2 seconds). */
  delayMs?: number;
  signal?: AbortSignal;
  /** Whether a failure is worth another try (default: every failure is). */
  shouldRetry?: (err: unknown) => boolean;
  /** Called with each failure that will be retried. */
  onRetry?: (err: unknown) => void;
}

const DEFAULT_DELAY_MS = 2000;

export async function retry<T>(opts: RetryOptions, fn: () => Promise<T>): Promise<T> {
  const began = Date.now();
  const delay = opts.delayMs ?? DEFAULT_DELAY_MS;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (opts.shouldRetry !== undefined && !opts.shouldRetry(err)) throw err;
      if (opts.startTimeoutMs > 0 && Date.now() - began >= opts.startTimeoutMs) throw err;
      opts.onRetry?.(err);
      if (!(await sleep(delay, opts.signal))) throw err;
    }
  }
}
