// The docker builder's steps, as the plugin runs them: generated-data
// defaults, a temporary directory shared with the container, pull (with a
// registry login when asked), run, connect, then commit or export. Step
// names are the plugin's, so -debug pauses and -on-error=ask name them as
// Packer does.

import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DockerCommunicator, type EngineClient } from "../../communicators/docker/index.js";
import { flag, list, map, type PlainConfig, str } from "../../components/schema.js";
import type { BuildContext } from "../../engine/context.js";
import {
  ERROR,
  type StateBag,
  type Step,
  type StepAction,
  stateKey,
} from "../../engine/multistep/index.js";
import type { CustomConnect } from "../../engine/steps/connect.js";
import { INSTANCE_ID } from "../../engine/steps/provision.js";
import { host } from "../../host/index.js";
import { interpolate } from "../../template/legacy/interpolate/index.js";
import type { ContainerConfig, DockerDriver } from "./driver.js";

/** The folder shared with the container (mounted at container_dir). */
export const TEMP_DIR = stateKey<string>("temp_dir");
export const CONTAINER_ID = stateKey<string>("container_id");
/** What the engine says about the running container: its address, user and working directory. */
export const CONTAINER_INFO = stateKey<{ ip: string; user: string; workingDir: string }>(
  "container_info",
);
/** The image a commit made. */
export const IMAGE_ID = stateKey<string>("image_id");

/** What every step of one docker build shares. */
export interface DockerBuild {
  config: PlainConfig;
  ctx: BuildContext;
  driver: DockerDriver;
  /** The engine connection the communicator and the container inspection share. */
  client: EngineClient;
}

const strings = (config: PlainConfig, key: string): string[] =>
  list(config, key).map((v) => String(v));

/** Placeholders for the values only later steps know, so provisioners can always read them. */
export class StepDefaultGeneratedData implements Step {
  readonly name = "StepDefaultGeneratedData";
  constructor(private readonly b: DockerBuild) {}

  async run(): Promise<StepAction> {
    const data = this.b.ctx.generatedData;
    data.ImageSha256 = "ERR_IMAGE_SHA256_NOT_FOUND";
    data.SourceImageDigest = "ERR_SOURCE_IMAGE_DIGEST_NOT_FOUND";
    data.SourceImageSha256 = "ERR_SOURCE_IMAGE_Sha256_NOT_FOUND";
    return "continue";
  }
}

/**
 * The temporary directory shared with the container: under PACKER_TMP_DIR,
 * else Packer's config directory (a place Docker Desktop can mount, unlike
 * some system temp dirs).
 */
export class StepTempDir implements Step {
  readonly name = "StepTempDir";
  private dir: string | undefined;
  constructor(private readonly b: DockerBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    this.b.ctx.ui.say("Creating a temporary directory for sharing data...");
    try {
      const fromEnv = process.env.PACKER_TMP_DIR;
      const parent = fromEnv ? resolve(fromEnv) : host.configDir();
      await mkdir(parent, { recursive: true, mode: 0o755 });
      this.dir = await mkdtemp(join(parent, "tmp"));
    } catch (err) {
      return fail(this.b, state, `Error making temp dir: ${(err as Error).message}`);
    }
    state.set(TEMP_DIR, this.dir);
    return "continue";
  }

  async cleanup(): Promise<void> {
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** `docker pull` (unless pull = false), logged in for the pull when login = true. */
export class StepPull implements Step {
  readonly name = "StepPull";
  constructor(private readonly b: DockerBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    if (!flag(config, "pull")) return "continue";
    const image = str(config, "image");
    ctx.ui.say(`Pulling Docker image: ${image}`);
    const login = flag(config, "login");
    const server = str(config, "login_server");
    if (login) {
      ctx.ui.message("Logging in...");
      const password = str(config, "login_password");
      if (password !== "") ctx.addSecret(password);
      try {
        await driver.login(server, str(config, "login_username"), password, signal);
      } catch (err) {
        return fail(this.b, state, `Error logging in: ${(err as Error).message}`);
      }
    }
    try {
      await driver.pull(image, str(config, "platform"), signal);
    } catch (err) {
      return fail(this.b, state, `Error pulling Docker image: ${(err as Error).message}`);
    } finally {
      if (login) {
        ctx.ui.message("Logging out...");
        await driver.logout(server).catch((err: Error) => {
          ctx.ui.error(`Error logging out: ${err.message}`);
        });
      }
    }
    try {
      ctx.generatedData.SourceImageDigest = await driver.digest(image);
    } catch (err) {
      ctx.generatedData.SourceImageDigest = "";
      ctx.ui.error(`Error determining source Docker image digest: ${(err as Error).message}`);
    }
    try {
      ctx.generatedData.SourceImageSha256 = await driver.sha256(image);
    } catch (err) {
      ctx.generatedData.SourceImageSha256 = "";
      ctx.ui.error(`Error determining source Docker image Id: ${(err as Error).message}`);
    }
    return "continue";
  }
}

/** `docker run` with the builder's options and run_command; the cleanup removes the container. */
export class StepRun implements Step {
  readonly name = "StepRun";
  private containerId: string | undefined;
  private cidFile: string | undefined;
  constructor(private readonly b: DockerBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    const image = str(config, "image");
    let runCommand: string[];
    try {
      runCommand = strings(config, "run_command").map((arg) => renderImage(arg, image, ctx));
    } catch (err) {
      return fail(this.b, state, `Error running container: ${(err as Error).message}`);
    }
    const volumes: [string, string][] = Object.entries(map(config, "volumes")).map(([h, guest]) => [
      h.startsWith("~/") ? join(homedir(), h.slice(2)) : h,
      String(guest),
    ]);
    volumes.push([state.require(TEMP_DIR), str(config, "container_dir")]);
    // The CLI writes the container's id here as soon as the container exists,
    // so a build cancelled while `docker run` is still running can remove it.
    if (!runCommand.some((a) => a === "--cidfile" || a.startsWith("--cidfile="))) {
      this.cidFile = join(state.require(TEMP_DIR), "container.id");
      runCommand.unshift(`--cidfile=${this.cidFile}`);
    }
    const container: ContainerConfig = {
      image,
      runCommand,
      device: strings(config, "device"),
      capAdd: strings(config, "cap_add"),
      capDrop: strings(config, "cap_drop"),
      tmpfs: strings(config, "tmpfs"),
      volumes,
      privileged: flag(config, "privileged"),
      runtime: str(config, "runtime"),
      platform: str(config, "platform"),
    };
    ctx.ui.say("Starting docker container...");
    try {
      this.containerId = await driver.startContainer(container, signal);
    } catch (err) {
      this.containerId = this.idFromFile();
      if (signal.aborted) return "halt";
      return fail(this.b, state, `Error running container: ${(err as Error).message}`);
    }
    state.set(CONTAINER_ID, this.containerId);
    state.set(INSTANCE_ID, this.containerId);
    ctx.ui.message(`Container ID: ${this.containerId}`);
    try {
      const info = await this.b.client.json<{
        Config?: { User?: string; WorkingDir?: string };
        NetworkSettings?: { IPAddress?: string };
      }>("GET", `/containers/${this.containerId}/json`, { signal });
      state.set(CONTAINER_INFO, {
        ip: info.NetworkSettings?.IPAddress ?? "",
        user: info.Config?.User ?? "",
        workingDir: info.Config?.WorkingDir || "/",
      });
    } catch (err) {
      if (signal.aborted) return "halt";
      return fail(this.b, state, `Failed to inspect the container: ${(err as Error).message}`);
    }
    return "continue";
  }

  async cleanup(): Promise<void> {
    const id = this.containerId ?? this.idFromFile();
    if (!id) return;
    this.b.ctx.ui.say(`Killing the container: ${id}`);
    await this.b.driver.removeContainer(id);
    this.containerId = undefined;
  }

  private idFromFile(): string | undefined {
    if (this.cidFile === undefined || !existsSync(this.cidFile)) return undefined;
    try {
      return readFileSync(this.cidFile, "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The docker communicator for the shared StepConnect (Packer's
 * StepConnectDocker): commands and files go through the engine to the
 * container StepRun started.
 */
export function connectDocker(b: DockerBuild): CustomConnect {
  return async (state) => {
    const { config, ctx } = b;
    const info = state.require(CONTAINER_INFO);
    ctx.ui.say(`Using docker communicator to connect: ${info.ip}`);
    return new DockerCommunicator({
      containerId: state.require(CONTAINER_ID),
      client: b.client,
      execUser: str(config, "exec_user"),
      pty: flag(config, "pty"),
      fixUploadOwner: flag(config, "fix_upload_owner"),
      containerUser: info.user,
      workingDir: info.workingDir,
    });
  };
}

/** `docker commit` with changes, author and message. */
export class StepCommit implements Step {
  readonly name = "StepCommit";
  constructor(private readonly b: DockerBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    const id = state.require(CONTAINER_ID);
    ctx.ui.say("Committing the container");
    let imageId: string;
    try {
      imageId = await driver.commit(
        id,
        str(config, "author"),
        strings(config, "changes"),
        str(config, "message"),
      );
    } catch (err) {
      return fail(this.b, state, (err as Error).message);
    }
    state.set(IMAGE_ID, imageId);
    try {
      ctx.generatedData.ImageSha256 = await driver.sha256(imageId);
    } catch {
      // The plugin leaves the placeholder when the image cannot be inspected.
    }
    ctx.ui.message(`Image ID: ${imageId}`);
    return "continue";
  }
}

/** `docker export` of the container's filesystem to export_path. */
export class StepExport implements Step {
  readonly name = "StepExport";
  constructor(private readonly b: DockerBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    const path = str(config, "export_path");
    if (path === "")
      return fail(this.b, state, "No output file specified, we can't export anything");
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    } catch (err) {
      return fail(this.b, state, (err as Error).message, false);
    }
    ctx.ui.say("Exporting the container");
    try {
      await driver.export(state.require(CONTAINER_ID), path, signal);
    } catch (err) {
      await rm(path, { force: true });
      return fail(this.b, state, (err as Error).message);
    }
    return "continue";
  }
}

/** run_command's `{{.Image}}` (and any other template field) rendered for this build. */
function renderImage(text: string, image: string, ctx: BuildContext): string {
  if (!text.includes("{{")) return text;
  const r = interpolate(text, {
    data: { Image: image },
    buildName: ctx.info.sourceName,
    buildType: ctx.info.type,
    packerVersion: ctx.info.packerVersion,
    templatePath: join(ctx.info.templateDir, "template"),
  });
  const diag = r.diags[0];
  if (diag !== undefined) throw new Error(diag.detail ?? diag.summary);
  return r.value;
}

/** Records a step's error (shown, as the plugin shows it) and halts. */
function fail(b: DockerBuild, state: StateBag, message: string, show = true): StepAction {
  const err = new Error(message);
  state.set(ERROR, err);
  if (show) b.ctx.ui.error(message);
  return "halt";
}
