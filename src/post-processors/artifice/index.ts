// The artifice post-processor: replaces the artifact with the files named in
// `files` (each a glob pattern, as in Packer; a pattern that matches nothing
// adds nothing). Whether the input artifact is kept is the template's
// keep_input_artifact, decided by the engine.

import { list, type PlainConfig } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { FilesArtifact } from "./artifact.js";
import { glob } from "./glob.js";

export const BUILDER_ID = "packer.post-processor.artifice";

class ArtificePostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

  private patterns(): string[] {
    return list(this.config, "files").map(String);
  }

  prepare(): PrepareResult {
    if (this.patterns().length === 0) {
      return { warnings: [], errors: ["No files specified in artifice configuration"] };
    }
    return { warnings: [], errors: [] };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    const discarded = input.files();
    if (discarded.length > 0) {
      ctx.ui.say(`Discarding files from artifact: ${discarded.join(", ")}`);
    }
    const files: string[] = [];
    for (const pattern of this.patterns()) files.push(...(await glob(pattern)));
    ctx.ui.say(`Using these artifact files: ${files.join(", ")}`);
    return { artifact: new FilesArtifact(BUILDER_ID, files), keep: true, forceOverride: false };
  }
}

const factory: PostProcessorFactory = {
  create: (config) => new ArtificePostProcessor(config),
};
export default factory;
