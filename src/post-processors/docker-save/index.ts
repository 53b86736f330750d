// The docker-save post-processor (github.com/hashicorp/docker): saves the
// image a docker build, docker-import or docker-tag produced to a tar file
// with `docker save`. Its artifact is its input, which it keeps.

import { open, rm } from "node:fs/promises";
import { type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { dockerCommand, IMPORT_BUILDER_ID, TAG_BUILDER_ID } from "../docker-import/docker.js";
import { fsErrorText } from "../manifest/shared.js";

export const BUILDER_ID = "packer.post-processor.docker-save";

class DockerSavePostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    if (input.builderId !== IMPORT_BUILDER_ID && input.builderId !== TAG_BUILDER_ID) {
      throw new Error(
        `Unknown artifact type: ${input.builderId}\nCan only save Docker builder artifacts.`,
      );
    }

    const path = str(this.config, "path");
    // Create (or empty) the file first, so that a bad path fails as Packer's does.
    try {
      const file = await open(path, "w", 0o666);
      await file.close();
    } catch (err) {
      throw new Error(`Error creating output file: ${fsErrorText(err)}`);
    }

    ctx.ui.message(`Saving image: ${input.id()}`);
    try {
      await dockerCommand("docker", ["save", "-o", path, input.id()], {
        signal: ctx.signal,
        failure: "Error exporting",
      });
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    ctx.ui.message(`Saved to: ${path}`);
    return { artifact: input, keep: true, forceOverride: false };
  }
}

const factory: PostProcessorFactory = {
  create: (config) => new DockerSavePostProcessor(config),
};

export default factory;
