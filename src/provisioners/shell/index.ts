// The shell provisioner (Packer core): uploads each script (or the inline
// commands, written to one script) to the machine being built, runs it there
// through execute_command with the build's variables, and shows its output
// as it arrives. A script that exits with a code not in valid_exit_codes
// fails the build with its last lines of output.

import { randomInt } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { pipeline, type Readable } from "node:stream";
import { type Communicator, NoCommunicatorError } from "../../communicators/communicator.js";
import { formatGoDuration } from "../../components/prepare.js";
import { flag, list, type PlainConfig, type PlainValue, str } from "../../components/schema.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  ProvisionContext,
  Provisioner,
  ProvisionerFactory,
} from "../../engine/provisioner.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";
import { host } from "../../host/index.js";
import { sleep } from "../../util/sleep.js";
import { goPathError, writeTempScript } from "../shell-local/run-local.js";
import { flattenEnvVars, type Renderer, templateRenderer } from "./env.js";
import {
  CMD_DISCONNECT,
  type RemoteRunResult,
  runQuietly,
  runWithUi,
  withOutputTail,
} from "./remote-cmd.js";
import { type RetryOptions, retry } from "./retry.js";
import { UnixLineEndings } from "./unix-reader.js";

const DISCONNECTED =
  "Script disconnected unexpectedly. If you expected your script to disconnect, i.e. from a " +
  'restart, you can try adding `"expect_disconnect": true` or `"valid_exit_codes": [0, 2300218]` ' +
  "to the shell provisioner parameters.";

/** The scripts a configuration runs: `script` alone, or `scripts`. */
function configuredScripts(config: PlainConfig): string[] {
  const script = str(config, "script");
  if (script !== "") return [script];
  return list(config, "scripts").map(String);
}

/** A duration option in nanoseconds: a Go duration string, or a JSON number of nanoseconds. */
function durationNs(value: PlainValue | undefined): bigint {
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (typeof value === "string" && value !== "") return parseGoDuration(value);
  return 0n;
}

class ShellProvisioner implements Provisioner {
  /** Where every script is uploaded to (remote_path, else remote_folder/remote_file). */
  private readonly remotePath: string;

  constructor(private readonly config: PlainConfig) {
    const folder = str(config, "remote_folder") || "/tmp";
    const file = str(config, "remote_file") || `script_${randomInt(9999)}.sh`;
    this.remotePath = str(config, "remote_path") || `${folder}/${file}`;
  }

  prepare(): PrepareResult {
    const errors: string[] = [];
    for (const script of configuredScripts(this.config)) {
      try {
        statSync(script);
      } catch (err) {
        errors.push(`Bad script '${script}': ${goPathError("stat", script, err)}`);
      }
    }
    return { warnings: [], errors };
  }

  async provision(ctx: ProvisionContext): Promise<void> {
    const render = templateRenderer(ctx);
    const scripts = configuredScripts(this.config);
    const localTemps: string[] = [];
    try {
      if (Array.isArray(this.config.inline)) {
        const inline = this.config.inline.map((command) => {
          try {
            return render(String(command));
          } catch (err) {
            throw new Error(`Error interpolating Inline: ${(err as Error).message}`);
          }
        });
        const path = await writeTempFile("packer-shell", inlineScript(this.config, inline));
        localTemps.push(path);
        scripts.push(path);
      }

      const vars = flattenEnvVars(this.config, ctx, render);
      let envVarFile = "";
      if (flag(this.config, "use_env_var_file")) {
        const local = await writeTempFile("packer-shell-vars", vars);
        localTemps.push(local);
        envVarFile = await this.uploadEnvVarFile(ctx, local);
      }

      for (const script of scripts) {
        ctx.ui.say(`Provisioning with shell script: ${script}`);
        await this.runScript(ctx, script, { Vars: vars, EnvVarFile: envVarFile }, render);
      }

      if (envVarFile !== "" && !flag(this.config, "skip_clean")) {
        await this.cleanupRemoteFile(ctx, envVarFile);
      }
    } finally {
      for (const path of localTemps) await rm(path, { force: true });
    }

    const pause = durationNs(this.config.pause_after);
    if (pause > 0n) {
      ctx.ui.say(`Pausing ${formatGoDuration(pause)} after this provisioner...`);
      await sleep(Number(pause / 1_000_000n), ctx.signal);
    }
  }

  /** How uploads and commands are retried while the machine cannot be reached. */
  private retryOptions(ctx: ProvisionContext): RetryOptions {
    return {
      startTimeoutMs: Number(durationNs(this.config.start_retry_timeout) / 1_000_000n),
      signal: ctx.signal,
      // A build without a connection (communicator "none") never gets one.
      shouldRetry: (err) => !(causeOf(err) instanceof NoCommunicatorError),
    };
  }

  /** Uploads the variables file next to the scripts and makes it readable by its owner only. */
  private async uploadEnvVarFile(ctx: ProvisionContext, local: string): Promise<string> {
    const folder = str(this.config, "remote_folder") || "/tmp";
    const remote = `${folder}/varfile_${randomInt(9999)}.sh`;
    await retry(this.retryOptions(ctx), async () => {
      try {
        await uploadFile(ctx.comm, remote, local, flag(this.config, "binary"));
      } catch (err) {
        throw new Error(`Error uploading envVarFile: ${errorText(err)}`, { cause: err });
      }
      try {
        await runQuietly(ctx.comm, `chmod 0600 ${remote}`, ctx.signal);
      } catch (err) {
        throw new Error(
          `Error chmodding script file to 0600 in remote machine: ${errorText(err)}`,
          { cause: err },
        );
      }
    });
    return remote;
  }

  /** Uploads one script, runs it through execute_command and checks how it ended. */
  private async runScript(
    ctx: ProvisionContext,
    script: string,
    extra: { Vars: string; EnvVarFile: string },
    render: Renderer,
  ): Promise<void> {
    // Fail at once on a script that cannot be read, rather than retrying.
    try {
      const handle = await open(script, "r");
      await handle.close();
    } catch (err) {
      throw new Error(`Error opening shell script: ${goPathError("open", script, err)}`);
    }

    const data = { ...ctx.generatedData, ...extra, Path: this.remotePath };
    let command: string;
    try {
      command = render(str(this.config, "execute_command"), data);
    } catch (err) {
      throw new Error(`Error processing command: ${(err as Error).message}`);
    }

    // Upload and run as one retried unit: a machine that restarts between the
    // two would otherwise lose the uploaded script.
    const result = await retry(this.retryOptions(ctx), async (): Promise<RemoteRunResult> => {
      try {
        await uploadFile(ctx.comm, this.remotePath, script, flag(this.config, "binary"));
      } catch (err) {
        throw new Error(`Error uploading script: ${errorText(err)}`, { cause: err });
      }
      try {
        await runQuietly(ctx.comm, `chmod 0755 ${this.remotePath}`, ctx.signal);
      } catch (err) {
        throw new Error(
          `Error chmodding script file to 0755 in remote machine: ${errorText(err)}`,
          { cause: err },
        );
      }
      return runWithUi(ctx.comm, command, ctx.ui, ctx.signal);
    });

    const allowed = list(this.config, "valid_exit_codes").map(Number);
    const valid = allowed.length > 0 ? allowed : [0];
    if (result.exitStatus === CMD_DISCONNECT && !valid.includes(CMD_DISCONNECT)) {
      if (!flag(this.config, "expect_disconnect")) throw new Error(DISCONNECTED);
    } else if (!valid.includes(result.exitStatus)) {
      const message = `Script exited with non-zero exit status: ${result.exitStatus}. Allowed exit codes are: [${valid.join(" ")}]`;
      throw new Error(withOutputTail(message, result));
    }

    if (!flag(this.config, "skip_clean")) await this.cleanupRemoteFile(ctx, this.remotePath);
  }

  /** Removes an uploaded file, retrying while the machine cannot be reached (e.g. it is restarting). */
  private async cleanupRemoteFile(ctx: ProvisionContext, path: string): Promise<void> {
    await retry(this.retryOptions(ctx), async () => {
      let status: number;
      try {
        status = await runQuietly(ctx.comm, `rm -f ${path}`, ctx.signal);
      } catch (err) {
        throw new Error(`Error removing temporary script at ${path}: ${errorText(err)}`, {
          cause: err,
        });
      }
      if (status === CMD_DISCONNECT) throw new Error("Disconnect while removing temporary script.");
      if (status !== 0) throw new Error(`Error removing temporary script at ${path}!`);
    });
  }
}

/**
 * The script the inline commands make: the inline_shebang line, unless the
 * first command is a shebang line of its own, then one command per line.
 */
function inlineScript(config: PlainConfig, inline: string[]): string {
  const ownShebang = inline[0]?.startsWith("#!") ?? false;
  const shebang = str(config, "inline_shebang") || "/bin/sh -e";
  let text = ownShebang ? "" : `#!${shebang}\n`;
  for (const command of inline) text += `${command}\n`;
  return text;
}

/** Writes `text` to a new file in the temporary directory whose name starts with `prefix`. */
function writeTempFile(prefix: string, text: string): Promise<string> {
  return writeTempScript(host, () => `${prefix}${randomInt(2 ** 32)}`, text, 0o600);
}

/** Streams a local file to the machine, converting its line endings unless it is binary. */
async function uploadFile(
  comm: Communicator,
  dst: string,
  local: string,
  binary: boolean,
): Promise<void> {
  const file = createReadStream(local);
  let body: Readable = file;
  if (!binary) body = pipeline(file, new UnixLineEndings(), () => {});
  try {
    await comm.upload(dst, body);
  } finally {
    body.destroy();
    file.destroy();
  }
}

/** The error a wrapping error was made from (itself when it wraps nothing). */
function causeOf(err: unknown): unknown {
  return err instanceof Error && err.cause !== undefined ? err.cause : err;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const factory: ProvisionerFactory = {
  create: (config) => new ShellProvisioner(config),
};

export default factory;
