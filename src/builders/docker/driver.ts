// What the docker builder asks of Docker outside the container (pull, run,
// commit, export, inspect, login), through the docker CLI and kiln's
// process layer. run_command is docker run's own arguments, so starting the
// container has to go through the CLI; the rest follows for one behaviour.

import { run } from "../../process/index.js";
import type { Ui } from "../../ui/index.js";

/** How long a quick docker command (inspect, kill, rm) may take before kiln gives up on it. */
const QUICK_MS = 120_000;

export interface ContainerConfig {
  image: string;
  /** docker run's arguments after the builder's own, already rendered. */
  runCommand: string[];
  device: string[];
  capAdd: string[];
  capDrop: string[];
  tmpfs: string[];
  /** Host path → container path, in order. */
  volumes: [string, string][];
  privileged: boolean;
  runtime: string;
  platform: string;
}

export class DockerDriver {
  constructor(
    private readonly ui: Ui,
    readonly executable = "docker",
  ) {}

  /** `docker run` arguments for a container config (what Packer runs, in its order). */
  runArgs(c: ContainerConfig): string[] {
    const args = ["run"];
    for (const v of c.device) args.push("--device", v);
    for (const v of c.capAdd) args.push("--cap-add", v);
    for (const v of c.capDrop) args.push("--cap-drop", v);
    if (c.privileged) args.push("--privileged");
    if (c.runtime !== "") args.push("--runtime", c.runtime);
    if (c.platform !== "") args.push("--platform", c.platform);
    for (const v of c.tmpfs) args.push("--tmpfs", v);
    for (const [host, guest] of c.volumes) args.push("-v", `${host}:${guest}`);
    args.push(...c.runCommand);
    return args;
  }

  /** Runs the container detached; resolves with its id. */
  async startContainer(c: ContainerConfig, signal: AbortSignal): Promise<string> {
    const args = this.runArgs(c);
    this.ui.message(`Run command: ${this.executable} ${args.join(" ")}`);
    const r = await run(this.executable, args, { signal, reject: false });
    if (r.exitCode !== 0) {
      throw new Error(`Docker exited with a non-zero exit status.\nStderr: ${r.stderr}`);
    }
    return r.stdout.trim();
  }

  /** Stops and removes a container, whatever state it is in. */
  async removeContainer(id: string): Promise<void> {
    await run(this.executable, ["rm", "-f", "-v", id], { reject: false, timeoutMs: QUICK_MS });
  }

  async pull(image: string, platform: string, signal: AbortSignal): Promise<void> {
    const args = ["pull", image];
    if (platform !== "") args.push("--platform", platform);
    await this.stream(args, signal);
  }

  async login(server: string, user: string, password: string, signal: AbortSignal): Promise<void> {
    const args = ["login"];
    if (user !== "") args.push("-u", user);
    if (password !== "") args.push("--password-stdin");
    if (server !== "") args.push(server);
    await this.stream(args, signal, password !== "" ? password : undefined);
  }

  async logout(server: string): Promise<void> {
    await this.stream(server !== "" ? ["logout", server] : ["logout"]);
  }

  /** Commits a container; resolves with the new image's id. */
  async commit(id: string, author: string, changes: string[], message: string): Promise<string> {
    const args = ["commit"];
    if (author !== "") args.push("--author", author);
    for (const change of changes) args.push("--change", change);
    if (message !== "") args.push("--message", message);
    args.push(id);
    const r = await run(this.executable, args, { reject: false });
    if (r.exitCode !== 0)
      throw new Error(`Error committing container: exit status ${r.exitCode}\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Writes the container's filesystem as a tar file. */
  async export(id: string, path: string, signal: AbortSignal): Promise<void> {
    const r = await run(this.executable, ["export", "-o", path, id], { signal, reject: false });
    if (r.exitCode !== 0)
      throw new Error(`Error exporting: exit status ${r.exitCode}\nStderr: ${r.stderr}`);
  }

  async deleteImage(id: string): Promise<void> {
    const r = await run(this.executable, ["rmi", id], { reject: false, timeoutMs: QUICK_MS });
    if (r.exitCode !== 0)
      throw new Error(`Error deleting image: exit status ${r.exitCode}\nStderr: ${r.stderr}`);
  }

  /** `docker inspect --format FORMAT ID`, trimmed. */
  async inspect(id: string, format: string): Promise<string> {
    const r = await run(this.executable, ["inspect", "--format", format, id], {
      reject: false,
      timeoutMs: QUICK_MS,
    });
    if (r.exitCode !== 0)
      throw new Error(`Error: exit status ${r.exitCode}\n\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** The image's id (sha256:...). */
  sha256(image: string): Promise<string> {
    return this.inspect(image, "{{ .Id }}");
  }

  /** The image's first repository digest (repo@sha256:...). */
  digest(image: string): Promise<string> {
    return this.inspect(image, "{{ ( index .RepoDigests 0 ) }}");
  }

  /** The image's CMD as a JSON array (`[""]` when it has none). */
  cmd(image: string): Promise<string> {
    return this.inspect(image, '{{if .Config.Cmd}} {{json .Config.Cmd}} {{else}} [""] {{end}}');
  }

  /** The image's ENTRYPOINT as a JSON array (`[""]` when it has none). */
  entrypoint(image: string): Promise<string> {
    return this.inspect(
      image,
      '{{if .Config.Entrypoint}} {{json .Config.Entrypoint}} {{else}} [""] {{end}}',
    );
  }

  /** Runs a docker command with its output shown as it comes (stdout as messages, stderr as errors). */
  private async stream(args: string[], signal?: AbortSignal, input?: string): Promise<void> {
    await run(this.executable, args, {
      signal,
      input,
      onStdout: (line) => this.ui.message(line),
      onStderr: (line) => this.ui.error(line),
    });
  }
}
