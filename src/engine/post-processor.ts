// The post-processor interface: turns an artifact into another one.

import type { PlainConfig } from "../components/schema.js";
import type { Ui } from "../ui/index.js";
import type { Artifact } from "./artifact.js";
import type { PrepareResult } from "./builder.js";
import type { BuildInfo } from "./context.js";

export interface PostProcessContext {
  ui: Ui;
  signal: AbortSignal;
  build: BuildInfo;
  generatedData: Record<string, string>;
}

export interface PostProcessResult {
  artifact: Artifact;
  /** The post-processor's wish to keep its input artifact. */
  keep: boolean;
  /** When true, `keep` wins over the template's keep_input_artifact (Packer's force-keep). */
  forceOverride: boolean;
}

export interface PostProcessor {
  prepare(): PrepareResult;
  postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult>;
}

export interface PostProcessorFactory {
  create(config: PlainConfig): PostProcessor;
}
