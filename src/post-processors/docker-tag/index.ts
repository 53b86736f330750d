// The docker-tag post-processor (github.com/hashicorp/docker): tags the image
// a docker build (commit) or docker-import produced as `repository:tag` for
// each tag, or as `repository` alone without tags. The input image is always
// kept: removing it would remove what was just tagged.

import { list, type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import {
  DockerImageArtifact,
  dockerCommand,
  generatedDataOf,
  IMPORT_BUILDER_ID,
  TAG_BUILDER_ID,
} from "../docker-import/docker.js";

export const BUILDER_ID = TAG_BUILDER_ID;

const TAG_DEPRECATED =
  'Deprecation warning: "tag" option has been replaced with "tags". In future versions of ' +
  "Packer, this configuration may not work. Please call `packer fix` on your template to update.";

class DockerTagPostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    const deprecatedTags = list(this.config, "tag").map(String);
    if (deprecatedTags.length > 0) ctx.ui.say(TAG_DEPRECATED);

    if (input.builderId !== TAG_BUILDER_ID && input.builderId !== IMPORT_BUILDER_ID) {
      throw new Error(
        `Unknown artifact type: ${input.builderId}\nCan only tag from Docker builder artifacts.`,
      );
    }

    const executable = str(this.config, "docker_path") || "docker";
    const repository = str(this.config, "repository");
    const tags = [...list(this.config, "tags").map(String), ...deprecatedTags];
    const names = tags.length > 0 ? tags.map((tag) => `${repository}:${tag}`) : [repository];
    for (const name of names) {
      ctx.ui.message(`Tagging image: ${input.id()}`);
      ctx.ui.message(`Repository: ${name}`);
      // `force` is ignored: docker tag has not needed it (nor accepted -f) since Docker 1.12.
      await dockerCommand(executable, ["tag", input.id(), name], {
        signal: ctx.signal,
        failure: "Error tagging image",
      });
    }

    const state: Record<string, unknown> = { docker_tags: tags.length > 0 ? names : [] };
    const generated = generatedDataOf(input);
    if (generated !== undefined) state.generated_data = generated;
    const artifact = new DockerImageArtifact(TAG_BUILDER_ID, names.at(-1)!, state, executable);
    return { artifact, keep: true, forceOverride: true };
  }
}

const factory: PostProcessorFactory = {
  create: (config) => new DockerTagPostProcessor(config),
};

export default factory;
