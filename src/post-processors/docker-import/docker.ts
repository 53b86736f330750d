// What the docker post-processors share (packer-plugin-docker's driver and
// ImportArtifact): the artifact ids they recognise, an image artifact, and the
// docker CLI run through kiln's process layer with errors worded as the
// plugin words them.

import type { Readable } from "node:stream";
import type { Artifact } from "../../engine/artifact.js";
import { ProcessError, type ProcessResult, run } from "../../process/index.js";
import type { Ui } from "../../ui/index.js";

/** The docker builder's artifact when it exports the container to a tar file. */
export const DOCKER_BUILDER_ID = "packer.docker";
/** An image in the local engine: made by docker-import, docker-push, or the docker builder's commit. */
export const IMPORT_BUILDER_ID = "packer.post-processor.docker-import";
export const TAG_BUILDER_ID = "packer.post-processor.docker-tag";
export const ARTIFICE_BUILDER_ID = "packer.post-processor.artifice";

/**
 * An image in the local Docker engine (Packer's docker.ImportArtifact): its
 * id is an image id or a `repository[:tag]`; destroying it removes the image.
 */
export class DockerImageArtifact implements Artifact {
  constructor(
    readonly builderId: string,
    private readonly idValue: string,
    private readonly stateData: Record<string, unknown> = {},
    private readonly executable = "docker",
  ) {}

  id(): string {
    return this.idValue;
  }

  files(): string[] {
    return [];
  }

  string(): string {
    const tags = dockerTags(this);
    if (tags.length > 0) {
      return `Imported Docker image: ${this.idValue} with tags ${tags.join(" ")}`;
    }
    return `Imported Docker image: ${this.idValue}`;
  }

  state(name: string): unknown {
    return this.stateData[name];
  }

  async destroy(): Promise<void> {
    await dockerCommand(this.executable, ["rmi", this.idValue], {
      failure: "Error deleting image",
    });
  }
}

/** The tags a docker-tag or docker-push artifact records in its "docker_tags" state. */
export function dockerTags(artifact: Artifact): string[] {
  const tags = artifact.state("docker_tags");
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/** A copy of the artifact's "generated_data" state, or undefined when it has none. */
export function generatedDataOf(artifact: Artifact): Record<string, unknown> | undefined {
  const data = artifact.state("generated_data");
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  return { ...(data as Record<string, unknown>) };
}

export interface DockerCommandOptions {
  signal?: AbortSignal;
  input?: Readable | string;
  /** How the plugin words this command's failure, e.g. "Error tagging image". */
  failure: string;
  /** What comes between the exit status and the command's stderr (default a newline). */
  stderrSeparator?: string;
  /** Stdout and stderr lines as they arrive (Packer's runAndStream). */
  ui?: Ui;
}

/**
 * Runs the docker CLI to its end and returns its result. A non-zero exit
 * fails with the plugin's words: "<failure>: exit status N\nStderr: ...", or
 * "Bad exit status: N" for commands whose output was streamed to the Ui.
 */
export async function dockerCommand(
  executable: string,
  args: string[],
  opts: DockerCommandOptions,
): Promise<ProcessResult> {
  const ui = opts.ui;
  let result: ProcessResult;
  try {
    result = await run(executable, args, {
      signal: opts.signal,
      input: opts.input,
      reject: false,
      onStdout: ui && ((line) => ui.message(line)),
      onStderr: ui && ((line) => ui.error(line)),
    });
  } catch (err) {
    if (err instanceof ProcessError && err.failure === "cancelled") throw err;
    throw new Error(`${opts.failure}: ${(err as Error).message}`, { cause: err });
  }
  if (result.exitCode === 0) return result;
  const status =
    result.exitCode === null ? `signal: ${result.signal}` : `exit status ${result.exitCode}`;
  if (ui) throw new Error(`Bad exit status: ${result.exitCode ?? -1}`);
  const separator = opts.stderrSeparator ?? "\n";
  throw new Error(`${opts.failure}: ${status}${separator}Stderr: ${result.stderr}`);
}
