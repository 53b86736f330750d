// The docker builder (github.com/hashicorp/docker): runs a container from an
// image, provisions it over the docker communicator, then commits it to an
// image, exports its filesystem to a tar file, or throws it away. The
// container and the temporary directory go away on success, failure and
// Ctrl-C alike (the step cleanups).

import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { EngineClient, resolveEndpoint } from "../../communicators/docker/index.js";
import { flag, type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { Builder, BuilderFactory, PrepareResult } from "../../engine/builder.js";
import type { BuildContext } from "../../engine/context.js";
import { type RunStepsResult, StateBag, type Step } from "../../engine/multistep/index.js";
import { StepCleanupTempKeys, StepConnect } from "../../engine/steps/connect.js";
import { StepProvision } from "../../engine/steps/provision.js";
import {
  DockerImageArtifact,
  IMPORT_BUILDER_ID,
} from "../../post-processors/docker-import/docker.js";
import { DockerDriver } from "./driver.js";
import { schema } from "./schema.js";
import {
  CONTAINER_INFO,
  connectDocker,
  type DockerBuild,
  IMAGE_ID,
  StepCommit,
  StepDefaultGeneratedData,
  StepExport,
  StepPull,
  StepRun,
  StepTempDir,
} from "./steps.js";

/** The builder id of an exported (or discarded) container. */
export const BUILDER_ID = "packer.docker";

/** The container's filesystem exported to a tar file (id "Container", as the plugin has it). */
export class ExportArtifact implements Artifact {
  readonly builderId = BUILDER_ID;
  constructor(
    private readonly path: string,
    private readonly stateData: Record<string, unknown>,
  ) {}

  id(): string {
    return "Container";
  }
  files(): string[] {
    // A discarded container has no file; the plugin's artifact still prints the empty path.
    return this.path === "" ? [] : [this.path];
  }
  string(): string {
    return `Exported Docker file: ${this.path}`;
  }
  state(name: string): unknown {
    return this.stateData[name];
  }
  async destroy(): Promise<void> {
    if (this.path !== "") await rm(this.path, { force: true });
  }
}

class DockerBuilder implements Builder {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    const errors: string[] = [];
    const c = this.config;
    const exportPath = str(c, "export_path");
    if (exportPath !== "") {
      try {
        if (statSync(exportPath).isDirectory())
          errors.push("export_path must be a file, not a directory");
      } catch {
        // Missing: the export creates it.
      }
    }
    if (flag(c, "windows_container")) {
      errors.push("windows_container is not supported by kiln: it builds Linux containers only");
    }
    if (flag(c, "ecr_login")) {
      errors.push(
        "ecr_login is not supported by kiln: log in with login_username and login_password",
      );
    }
    const comm = str(c, "communicator") || "docker";
    if (comm !== "docker" && comm !== "none" && comm !== "ssh") {
      errors.push(
        `communicator = "${comm}" is not supported by kiln's docker builder (use "docker", "ssh" or "none")`,
      );
    }
    try {
      resolveEndpoint();
    } catch (err) {
      errors.push((err as Error).message);
    }
    return { warnings: [], errors, generatedData: schema.generatedData ?? [] };
  }

  async run(ctx: BuildContext): Promise<Artifact | undefined> {
    const c = this.config;
    const b: DockerBuild = {
      config: c,
      ctx,
      driver: new DockerDriver(ctx.ui),
      client: new EngineClient(),
    };
    const commit = flag(c, "commit");
    const exportPath = str(c, "export_path");
    const steps: Step[] = [
      new StepDefaultGeneratedData(b),
      new StepTempDir(b),
      new StepPull(b),
      new StepRun(b),
      new StepConnect(ctx, {
        config: c,
        // Over SSH the builder connects to the container's address, unless ssh_host says otherwise.
        host: (state) => str(c, "ssh_host") || state.require(CONTAINER_INFO).ip,
        custom: { docker: connectDocker(b) },
      }),
      new StepProvision(ctx),
      new StepCleanupTempKeys(ctx, c),
    ];
    if (commit) steps.push(new StepCommit(b));
    else if (!flag(c, "discard") && exportPath !== "") steps.push(new StepExport(b));

    const state = new StateBag();
    let result: RunStepsResult;
    try {
      result = await ctx.runSteps(steps, state);
    } finally {
      b.client.close();
    }
    if (result.cancelled) return undefined;
    if (result.error !== undefined) throw result.error;
    if (result.halted) return undefined;

    const stateData = { generated_data: { ...ctx.generatedData } };
    if (commit)
      return new DockerImageArtifact(IMPORT_BUILDER_ID, state.require(IMAGE_ID), stateData);
    return new ExportArtifact(flag(c, "discard") ? "" : exportPath, stateData);
  }
}

const factory: BuilderFactory = {
  create: (config) => new DockerBuilder(config),
};

export default factory;
