// Serialising updates of one manifest file. Builds of one kiln run share a
// process, so they queue on the file's resolved path and no entry is lost;
// other programs (a parallel Packer or kiln) are kept out by Packer's lock
// file, `<output>.lock`, created exclusively next to the manifest.

import { open, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const queues = new Map<string, Promise<void>>();

/** How often the lock file is tried, and the pause before each try (as Packer: 0, 200, 400 ms). */
const LOCK_TRIES = 3;
const LOCK_STEP_MS = 200;

/** Runs `fn` while holding the manifest at `path` against the other builds of this run and other programs. */
export async function withManifestLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const before = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => {
    release = r;
  });
  const tail = before.then(() => mine);
  queues.set(key, tail);
  await before;
  try {
    return await withLockFile(`${path}.lock`, fn);
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/**
 * Packer's lock: create `lockPath` exclusively, retrying a few times; after
 * that the update goes ahead anyway (a lock left by a crashed run must not
 * block every later one), and the lock file is removed afterwards.
 */
async function withLockFile<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; i < LOCK_TRIES; i++) {
    if (i > 0) await sleep(i * LOCK_STEP_MS);
    try {
      await (await open(lockPath, "wx", 0o600)).close();
      break;
    } catch (err) {
      // A missing directory won't appear by waiting; writing the manifest will report it.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") break;
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
