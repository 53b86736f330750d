// The shell-local provisioner (Packer core): runs commands or scripts on the
// machine running kiln. Its options are shared with the shell-local
// post-processor (packer-plugin-sdk's shell-local Config).

import {
  type ComponentSchema,
  type ConfigSchema,
  field,
  flag,
  hasUnknown,
  isUnknown,
  list,
  type PlainConfig,
  str,
} from "../../components/schema.js";
import { checkEnvironmentVars, shellCommonFields } from "../shell/schema.js";

const supportedOS = ["darwin", "freebsd", "linux", "openbsd", "solaris", "windows"];

export const shellLocalConfig: ConfigSchema = {
  fields: {
    ...shellCommonFields,
    command: field.string("Deprecated: a single command to run; use inline.", {
      goName: "Command",
    }),
    execute_command: field.stringList(
      "Command and arguments that run the script; {{.Script}} and {{.Vars}} are available.",
    ),
    inline_shebang: field.string("Shebang line of the script made from inline.", {
      default: "/bin/sh -e",
    }),
    only_on: field.stringList(
      "Run only when kiln runs on one of these OSes: darwin, freebsd, linux, openbsd, solaris, windows.",
    ),
    tempfile_extension: field.string("File extension of the script written from inline."),
    use_linux_pathing: field.bool(
      "On Windows, pass script paths in Linux form (/mnt/c/...) for the Windows Subsystem for Linux.",
    ),
  },
  decodeErrorPrefix: "Error decoding config: ",
  finalize(config) {
    const windows = process.platform === "win32";
    if (list(config, "execute_command").length === 0) {
      config.execute_command = windows
        ? ["cmd", "/V", "/C", "{{.Vars}}", "call", "{{.Script}}"]
        : ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"];
    }
    if (windows && str(config, "tempfile_extension") === "") config.tempfile_extension = ".cmd";
    if (str(config, "env_var_format") === "") {
      config.env_var_format =
        windows && !flag(config, "use_linux_pathing") ? "set %s=%s && " : "%s='%s' ";
    }
    const ext = config.tempfile_extension;
    if (typeof ext === "string" && ext.startsWith(".")) config.tempfile_extension = ext.slice(1);
  },
  check: checkShellLocal,
};

/** The errors of shell-local's Validate that need no file access, in its order. */
function checkShellLocal(config: PlainConfig): string[] {
  const errs: string[] = [];
  const command = str(config, "command");
  const script = str(config, "script");
  const inline = list(config, "inline");
  const scripts = list(config, "scripts");
  const unknown =
    isUnknown(command) ||
    isUnknown(script) ||
    hasUnknown(config.inline) ||
    hasUnknown(config.scripts);
  if (!unknown) {
    if (command === "" && inline.length === 0 && scripts.length === 0 && script === "") {
      errs.push("Command, Inline, Script and Scripts options cannot all be empty.");
    }
    const tooMany =
      "You may only specify one of the following options: Command, Inline, Script or Scripts. Please consolidate these options in your config.";
    let effectiveInline = config.inline !== undefined;
    let effectiveScripts = scripts.length;
    if (command !== "") {
      if (inline.length !== 0 || scripts.length !== 0 || script !== "") errs.push(tooMany);
      else effectiveInline = true;
    }
    if (script !== "") {
      if (scripts.length > 0 || inline.length > 0) errs.push(tooMany);
      else effectiveScripts = 1;
    }
    if (effectiveScripts > 0 && effectiveInline) errs.push(tooMany);
  }
  for (const os of list(config, "only_on")) {
    if (typeof os !== "string" || isUnknown(os)) continue;
    if (!supportedOS.includes(os)) {
      // Packer returns this one on its own, ending the checks (kiln still lists it as one error).
      return [
        `Invalid OS specified in only_on: '${os}'\nSupported OS names: ${supportedOS.join(", ")}`,
      ];
    }
  }
  if (flag(config, "use_linux_pathing") && (inline.length > 0 || command !== "")) {
    errs.push(
      "Packer is unable to use the Command and Inline features with the Windows Linux Subsystem. Please use the Script or Scripts options instead",
    );
  }
  errs.push(...checkEnvironmentVars(config));
  return errs;
}

export const schema: ComponentSchema = {
  kind: "provisioner",
  type: "shell-local",
  plugin: "builtin",
  config: shellLocalConfig,
};
