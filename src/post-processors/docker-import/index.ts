// The docker-import post-processor (github.com/hashicorp/docker): imports the
// container file system the docker builder exported (or a tar file artifice
// names) as an image, `repository[:tag]`, with `changes` applied.

import { createReadStream } from "node:fs";
import { list, type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { fsErrorText } from "../manifest/shared.js";
import {
  ARTIFICE_BUILDER_ID,
  DOCKER_BUILDER_ID,
  DockerImageArtifact,
  dockerCommand,
  IMPORT_BUILDER_ID,
} from "./docker.js";

export const BUILDER_ID = IMPORT_BUILDER_ID;

class DockerImportPostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    if (input.builderId !== DOCKER_BUILDER_ID && input.builderId !== ARTIFICE_BUILDER_ID) {
      throw new Error(
        `Unknown artifact type: ${input.builderId}\nCan only import from Docker builder and ` +
          "Artifice post-processor artifacts. If you are getting this error after having run " +
          "the docker builder, it may be because you set commit: true in your Docker builder, " +
          "so the image is already imported. ",
      );
    }
    const file = input.files()[0];
    if (file === undefined) throw new Error(`The artifact ${input.id()} has no file to import.`);

    let repository = str(this.config, "repository");
    const tag = str(this.config, "tag");
    if (tag !== "") repository += `:${tag}`;

    ctx.ui.message(`Importing image: ${input.id()}`);
    ctx.ui.message(`Repository: ${repository}`);

    const args = ["import"];
    for (const change of list(this.config, "changes")) args.push("--change", String(change));
    const platform = str(this.config, "platform");
    if (platform !== "") args.push("--platform", platform);
    args.push("-");
    if (repository !== "") args.push(repository);

    const tar = createReadStream(file);
    const opened = new Promise<void>((resolve, reject) => {
      tar.once("open", () => resolve());
      tar.once("error", (err) => reject(new Error(fsErrorText(err))));
    });
    await opened;
    let id: string;
    try {
      const result = await dockerCommand("docker", args, {
        signal: ctx.signal,
        input: tar,
        failure: "Error importing container",
        stderrSeparator: "\n\n",
      });
      id = result.stdout.trim();
    } finally {
      tar.destroy();
    }
    ctx.ui.message(`Imported ID: ${id}`);

    // Without a repository the image has no name: the artifact is its id.
    const artifact = new DockerImageArtifact(IMPORT_BUILDER_ID, repository || id);
    return { artifact, keep: false, forceOverride: false };
  }
}

const factory: PostProcessorFactory = {
  create: (config) => new DockerImportPostProcessor(config),
};

export default factory;
