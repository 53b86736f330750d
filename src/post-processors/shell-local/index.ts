// The shell-local post-processor: runs commands or scripts on the machine
// running kiln once the artifact exists, with the same options and runner as
// the shell-local provisioner. The artifact passes through and is always
// kept (to drop it, follow with the artifice post-processor).

import type { PlainConfig } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { checkLocalScripts, runLocalShell } from "../../provisioners/shell-local/run-local.js";

export const BUILDER_ID = "packer.post-processor.shell-local";

/**
 * The configuration with a one-element execute_command run by `sh -c`, as
 * the post-processor's older string form of the option was.
 */
function withLegacyExecuteCommand(config: PlainConfig): PlainConfig {
  const cmd = config.execute_command;
  if (Array.isArray(cmd) && cmd.length === 1) {
    return { ...config, execute_command: ["sh", "-c", ...cmd] };
  }
  return config;
}

class ShellLocalPostProcessor implements PostProcessor {
  private readonly config: PlainConfig;

  constructor(config: PlainConfig) {
    this.config = withLegacyExecuteCommand(config);
  }

  prepare(): PrepareResult {
    return { warnings: [], errors: checkLocalScripts(this.config) };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    await runLocalShell(this.config, ctx);
    return { artifact: input, keep: true, forceOverride: true };
  }
}

const factory: PostProcessorFactory = {
  create: (config) => new ShellLocalPostProcessor(config),
};
export default factory;
