// Running shell-local's commands and scripts on the machine running kiln,
// shared by the shell-local provisioner and the shell-local post-processor
// (packer-plugin-sdk's shell-local Run): inline commands become a temporary
// script, each script runs through execute_command with the build's
// variables, and its output is shown line by line.

import { randomInt } from "node:crypto";
import { statSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import type { PlainConfig } from "../../components/schema.js";
import { flag, list, map, str } from "../../components/schema.js";
import type { BuildInfo } from "../../engine/context.js";
import {
  HTTP_ADDR_NOT_IMPLEMENTED,
  HTTP_IP_NOT_IMPLEMENTED,
  HTTP_PORT_NOT_IMPLEMENTED,
} from "../../engine/steps/provision.js";
import { host as currentHost, type Host } from "../../host/index.js";
import { ProcessError, type ProcessResult, run } from "../../process/index.js";
import type { InterpolateContext } from "../../template/legacy/interpolate/index.js";
import { interpolate } from "../../template/legacy/interpolate/index.js";
import { sprintf } from "../../template/legacy/interpolate/value.js";
import type { Ui } from "../../ui/index.js";

/** What a run needs from the provisioner's or post-processor's context. */
export interface LocalShellContext {
  ui: Ui;
  signal: AbortSignal;
  build: BuildInfo;
  /** build.* values; `{{ .Name }}` and `{{ build "Name" }}` read them. */
  generatedData: Record<string, string>;
}

/** How many of a failed script's last output lines its error repeats. */
const TAIL_LINES = 10;

/** The scripts a configuration runs: `scripts`, or `script` alone (shell-local's Validate). */
function configuredScripts(config: PlainConfig): string[] {
  const scripts = list(config, "scripts").map(String);
  if (scripts.length > 0) return scripts;
  const script = str(config, "script");
  return script === "" ? [] : [script];
}

/** The inline commands, `command` standing for a one-line inline; undefined when there are none. */
function configuredInline(config: PlainConfig): string[] | undefined {
  const inline = Array.isArray(config.inline) ? config.inline.map(String) : undefined;
  const command = str(config, "command");
  if (command !== "" && (inline === undefined || inline.length === 0)) return [command];
  return inline;
}

/**
 * The Prepare-time errors that need the file system: every script must exist
 * (paths are relative to the working directory, as in Packer).
 */
export function checkLocalScripts(config: PlainConfig): string[] {
  const errs: string[] = [];
  for (const script of configuredScripts(config)) {
    try {
      statSync(script);
    } catch (err) {
      errs.push(`Bad script '${script}': ${goPathError("stat", script, err)}`);
    }
  }
  return errs;
}

/**
 * Runs the configured commands or scripts, in order; rejects on the first
 * that fails to start or exits with a code not in valid_exit_codes.
 */
export async function runLocalShell(
  config: PlainConfig,
  ctx: LocalShellContext,
  host: Host = currentHost,
): Promise<void> {
  const onlyOn = list(config, "only_on").map(String);
  if (onlyOn.length > 0 && !onlyOn.includes(goOS(host.platform))) {
    ctx.ui.say("Skipping shell-local due to runtime OS");
    return;
  }

  const render = templateRenderer(ctx, host);
  const scripts = configuredScripts(config);
  const inline = configuredInline(config);
  let tempScript: string | undefined;
  try {
    if (scripts.length === 0 && inline !== undefined) {
      tempScript = await writeInlineScript(config, inline, render, host);
      scripts.push(tempScript);
    }
    const vars = flattenEnvVars(config, ctx, render);
    for (const script of scripts) {
      const scriptPath = scriptPathFor(script, config, host);
      const data = { ...ctx.generatedData, Vars: vars, Script: scriptPath, Command: scriptPath };
      const argv = list(config, "execute_command").map((part) => {
        try {
          return render(String(part), data);
        } catch (err) {
          throw new Error(`Error processing command: ${(err as Error).message}`);
        }
      });
      ctx.ui.say(`Running local shell script: ${script}`);
      await runScript(argv, scriptPath, config, ctx);
    }
  } finally {
    if (tempScript !== undefined) await rm(tempScript, { force: true });
  }
}

/** Runs one script's command line, streaming its output; checks its exit code. */
async function runScript(
  argv: string[],
  scriptPath: string,
  config: PlainConfig,
  ctx: LocalShellContext,
): Promise<void> {
  const [program, ...args] = argv;
  if (program === undefined) {
    throw new Error(
      "Error launching command via shell-local communicator: No ExecuteCommand provided",
    );
  }
  let result: ProcessResult;
  try {
    result = await run(program, args, {
      signal: ctx.signal,
      reject: false,
      env: { PACKER_RUN_UUID: ctx.build.runUUID },
      onStdout: (line) => ctx.ui.message(cleanOutputLine(line)),
      onStderr: (line) => ctx.ui.error(cleanOutputLine(line)),
    });
  } catch (err) {
    if (err instanceof ProcessError && err.failure === "cancelled") throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Error executing script: ${scriptPath}\n\n${reason}`, { cause: err });
  }

  // A script killed by a signal has no exit code; Go reports it as -1.
  const code = result.exitCode ?? -1;
  const valid = list(config, "valid_exit_codes").map(Number);
  const allowed = valid.length > 0 ? valid : [0];
  if (!allowed.includes(code)) {
    const message = `Script exited with non-zero exit status: ${code}. Allowed exit codes are: [${allowed.join(" ")}]`;
    throw new Error(withTail(message, result.stderr, result.stdout));
  }
}

/** Writes the inline commands to a new temporary script (shebang first) and returns its path. */
async function writeInlineScript(
  config: PlainConfig,
  inline: string[],
  render: Renderer,
  host: Host,
): Promise<string> {
  const shebang = str(config, "inline_shebang");
  let text = shebang === "" ? "" : `#!${shebang}\n`;
  for (const command of inline) text += `${render(command)}\n`;

  const ext = str(config, "tempfile_extension");
  return writeTempScript(
    host,
    () => `packer-shell${randomInt(2 ** 32)}${ext === "" ? "" : `.${ext}`}`,
    text,
    0o700,
  );
}

/**
 * Writes `text` to a file of the temporary directory that did not exist
 * before (named by `name`, tried again on a clash) and returns its path; a
 * file that could not be written whole is removed.
 */
export async function writeTempScript(
  host: Host,
  name: () => string,
  text: string,
  mode: number,
): Promise<string> {
  for (;;) {
    const path = host.path.join(host.tempDir(), name());
    let file: Awaited<ReturnType<typeof open>>;
    try {
      file = await open(path, "wx", mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new Error(`Error preparing shell script: ${goPathError("open", path, err)}`);
    }
    try {
      await file.writeFile(text);
    } catch (err) {
      await file.close();
      await rm(path, { force: true });
      throw new Error(`Error preparing shell script: ${goPathError("write", path, err)}`);
    }
    await file.close();
    return path;
  }
}

/**
 * The variables as the command line sets them ({{.Vars}}): PACKER_BUILD_NAME,
 * PACKER_BUILDER_TYPE, the HTTP server's address when the builder has one,
 * then environment_vars and env (env wins), sorted by name, each written with
 * env_var_format and its single quotes escaped for the shell.
 */
function flattenEnvVars(config: PlainConfig, ctx: LocalShellContext, render: Renderer): string {
  const vars = new Map<string, string>();
  vars.set("PACKER_BUILD_NAME", ctx.build.sourceName);
  vars.set("PACKER_BUILDER_TYPE", ctx.build.type);
  const http: [string, string, string][] = [
    ["PACKER_HTTP_ADDR", "PackerHTTPAddr", HTTP_ADDR_NOT_IMPLEMENTED],
    ["PACKER_HTTP_IP", "PackerHTTPIP", HTTP_IP_NOT_IMPLEMENTED],
    ["PACKER_HTTP_PORT", "PackerHTTPPort", HTTP_PORT_NOT_IMPLEMENTED],
  ];
  for (const [name, key, missing] of http) {
    const value = ctx.generatedData[key];
    if (value !== undefined && value !== missing) vars.set(name, value);
  }
  const quote = (v: string) => v.replaceAll("'", `'"'"'`);
  for (const entry of list(config, "environment_vars")) {
    const kv = render(String(entry));
    const eq = kv.indexOf("=");
    // Prepare rejected entries without "="; one can only appear here through a template.
    if (eq < 0) throw new Error(`Environment variable not in format 'key=value': ${kv}`);
    vars.set(kv.slice(0, eq), quote(kv.slice(eq + 1)));
  }
  for (const [name, value] of Object.entries(map(config, "env"))) {
    vars.set(name, quote(render(String(value))));
  }
  const format = str(config, "env_var_format");
  return [...vars.keys()]
    .sort(byteOrder)
    .map((name) => sprintf(format, [name, vars.get(name)!]))
    .join("");
}

/** The path execute_command gets for a script: absolute, or in WSL form with use_linux_pathing. */
function scriptPathFor(script: string, config: PlainConfig, host: Host): string {
  const abs = host.path.resolve(script);
  if (!host.isWindows || !flag(config, "use_linux_pathing")) return abs;
  const slashed = abs.replaceAll("\\", "/");
  const colon = slashed.indexOf(":/");
  if (colon < 0) {
    throw new Error(
      `There was an error splitting your absolute path; expected to find a drive following the format ':/' but did not: absolute path: ${slashed}`,
    );
  }
  return `/mnt/${slashed.slice(0, colon).toLowerCase()}/${slashed.slice(colon + 2)}`;
}

type Renderer = (text: string, data?: Record<string, string>) => string;

/**
 * Renders the Go-template fields of a configuration string for this build
 * (build_name, build_type, template_dir, `{{ .Name }}` and `{{ build "Name" }}`
 * from the build's values), as Packer renders shell-local's options.
 */
function templateRenderer(ctx: LocalShellContext, host: Host): Renderer {
  const base: InterpolateContext = {
    buildName: ctx.build.sourceName,
    buildType: ctx.build.type,
    packerVersion: ctx.build.packerVersion,
    // template_dir only reads the folder of this path.
    templatePath: host.path.join(ctx.build.templateDir, "template"),
  };
  return (text, data = ctx.generatedData) => {
    if (!text.includes("{{")) return text;
    const r = interpolate(text, { ...base, data });
    const diag = r.diags[0];
    if (diag !== undefined) throw new Error(diag.detail ?? diag.summary);
    return r.value;
  };
}

/** Go's runtime.GOOS for a Node platform name. */
function goOS(platform: NodeJS.Platform): string {
  if (platform === "win32") return "windows";
  if (platform === "sunos") return "solaris";
  return platform;
}

/** A line of output as Packer shows it: no trailing space, only what follows the last carriage return. */
function cleanOutputLine(line: string): string {
  const trimmed = line.trimEnd();
  return trimmed.slice(trimmed.lastIndexOf("\r") + 1);
}

function withTail(message: string, stderr: string, stdout: string): string {
  const output = stderr.trim() !== "" ? stderr : stdout;
  if (output.trim() === "") return message;
  const lines = output.trimEnd().split(/\r?\n/).slice(-TAIL_LINES);
  return `${message}\n${lines.join("\n")}`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A file-system error worded as Go's *PathError: "stat x.sh: no such file or directory". */
export function goPathError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "is a directory",
    ENOTDIR: "not a directory",
    EEXIST: "file exists",
    ENOSPC: "no space left on device",
    EROFS: "read-only file system",
    ELOOP: "too many levels of symbolic links",
    ENAMETOOLONG: "file name too long",
  };
  const reason =
    code !== undefined && Object.hasOwn(reasons, code)
      ? reasons[code]
      : err instanceof Error
        ? err.message
        : String(err);
  return `${op} ${path}: ${reason}`;
}
