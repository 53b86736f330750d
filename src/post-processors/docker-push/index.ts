// The docker-push post-processor (github.com/hashicorp/docker): pushes the
// image docker-import or docker-tag produced, and every tag docker-tag
// recorded, to its registry; logs in first (and out after) when asked. The
// pushed image's digest becomes the artifact's generated Digest.

import { flag, type PlainConfig, str } from "../../components/schema.js";
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
  dockerTags,
  generatedDataOf,
  IMPORT_BUILDER_ID,
  TAG_BUILDER_ID,
} from "../docker-import/docker.js";

export const BUILDER_ID = IMPORT_BUILDER_ID;

const ECR_UNSUPPORTED =
  "ecr_login is not supported by kiln: log in to the registry before the build " +
  "(for example `aws ecr get-login-password | docker login --username AWS --password-stdin <login_server>`) " +
  "and remove ecr_login, or use login with login_username and login_password.";

class DockerPushPostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    const errors = flag(this.config, "ecr_login") ? [ECR_UNSUPPORTED] : [];
    return { warnings: [], errors };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    if (input.builderId !== IMPORT_BUILDER_ID && input.builderId !== TAG_BUILDER_ID) {
      throw new Error(
        `Unknown artifact type: ${input.builderId}\nCan only import from docker-import and docker-tag artifacts.`,
      );
    }
    if (flag(this.config, "ecr_login")) throw new Error(ECR_UNSUPPORTED);

    const server = str(this.config, "login_server");
    const login = flag(this.config, "login");
    if (login) await this.login(ctx, server);
    try {
      const tags = dockerTags(input);
      // docker-tag's artifact is its last tag, which its tags list too: push each name once.
      const names = [...new Set([input.id(), ...tags])];
      for (const name of names) {
        ctx.ui.message(`Pushing: ${name}`);
        await dockerCommand("docker", ["push", name], {
          signal: ctx.signal,
          failure: "Error pushing image",
          ui: ctx.ui,
        });
      }

      let digest = "";
      try {
        const r = await dockerCommand(
          "docker",
          ["inspect", "--format", "{{ ( index .RepoDigests 0 ) }}", input.id()],
          { signal: ctx.signal, failure: "Error" },
        );
        digest = r.stdout.trim();
      } catch {
        ctx.ui.message("Unable to determine pushed Docker image digest");
      }

      const generated = { ...generatedDataOf(input), Digest: digest };
      const state = { docker_tags: tags, generated_data: generated };
      const artifact = new DockerImageArtifact(IMPORT_BUILDER_ID, input.id(), state);
      return { artifact, keep: true, forceOverride: false };
    } finally {
      if (login) await this.logout(ctx, server);
    }
  }

  private async login(ctx: PostProcessContext, server: string): Promise<void> {
    ctx.ui.message("Logging in...");
    const args = ["login"];
    const user = str(this.config, "login_username");
    const password = str(this.config, "login_password");
    if (user !== "") args.push("-u", user);
    if (password !== "") args.push("--password-stdin");
    if (server !== "") args.push(server);
    try {
      await dockerCommand("docker", args, {
        signal: ctx.signal,
        input: password !== "" ? password : undefined,
        failure: "Error logging in",
        ui: ctx.ui,
      });
    } catch (err) {
      throw new Error(`Error logging in to Docker: ${(err as Error).message}`, { cause: err });
    }
  }

  private async logout(ctx: PostProcessContext, server: string): Promise<void> {
    ctx.ui.message("Logging out...");
    try {
      await dockerCommand("docker", server !== "" ? ["logout", server] : ["logout"], {
        failure: "Error logging out",
        ui: ctx.ui,
      });
    } catch (err) {
      ctx.ui.error(`Error logging out: ${(err as Error).message}`);
    }
  }
}

const factory: PostProcessorFactory = {
  create: (config) => new DockerPushPostProcessor(config),
};

export default factory;
