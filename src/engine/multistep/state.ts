// The state a build's steps share: what one step produces (the container id,
// the VM's IP address, the error that stopped the build) for the steps after
// it. Keys carry their value's type, so `state.get(UI)` is a Ui without a
// cast.

/** A typed key into a StateBag; two keys are the same key only when they are the same object. */
export interface StateKey<T> {
  /** For messages and debugging. */
  readonly name: string;
  /** Never set: only carries the value type. */
  readonly __type?: T;
}

export function stateKey<T>(name: string): StateKey<T> {
  return Object.freeze({ name });
}

/** A key a step required but no earlier step set: a bug in kiln, not in the template. */
export class MissingStateError extends Error {
  override readonly name = "MissingStateError";
  readonly code = "KILN_MISSING_STATE";

  constructor(readonly key: string) {
    super(`internal error: the build state has no "${key}" (no earlier step set it)`);
  }
}

export class StateBag {
  private readonly values = new Map<StateKey<unknown>, unknown>();

  get<T>(key: StateKey<T>): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  has(key: StateKey<unknown>): boolean {
    return this.values.has(key);
  }

  set<T>(key: StateKey<T>, value: T): void {
    this.values.set(key, value);
  }

  delete(key: StateKey<unknown>): void {
    this.values.delete(key);
  }

  /** The value of a key that an earlier step must have set; throws MissingStateError otherwise. */
  require<T>(key: StateKey<T>): T {
    if (!this.values.has(key)) throw new MissingStateError(key.name);
    return this.values.get(key) as T;
  }

  /** The names of the keys that are set, for debugging. */
  keys(): string[] {
    return [...this.values.keys()].map((k) => k.name);
  }
}

/** The error that halted the steps (a step's own, or the one it threw). */
export const ERROR = stateKey<Error>("error");
/** Set by the runner when a step halted the steps. */
export const HALTED = stateKey<boolean>("halted");
/** Set by the runner as soon as the run is cancelled. */
export const CANCELLED = stateKey<boolean>("cancelled");
/** Set when the user chose to abort after an error: no cleanup runs. */
export const CLEANUP_ABORTED = stateKey<boolean>("aborted");
/** Names of the steps whose cleanup was skipped, in the order they were skipped. */
export const SKIPPED_CLEANUPS = stateKey<string[]>("skipped_cleanups");
