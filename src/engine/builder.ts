// The builder interface (Packer's packersdk.Builder): a side-effect-free
// prepare, then run, which creates the machine, provisions it through the
// context and returns an artifact.

import type { PlainConfig } from "../components/schema.js";
import type { Artifact } from "./artifact.js";
import type { BuildContext } from "./context.js";

export interface PrepareResult {
  warnings: string[];
  errors: string[];
  /** Names of the build.* values this builder makes known (besides the common ones). */
  generatedData?: string[];
}

export interface Builder {
  /** Validates and fills in the configuration; no side effects. */
  prepare(): PrepareResult;
  /** Builds; returns undefined when there is nothing to show (a cancelled or discarded build). */
  run(ctx: BuildContext): Promise<Artifact | undefined>;
}

export interface BuilderFactory {
  create(config: PlainConfig): Builder;
}
