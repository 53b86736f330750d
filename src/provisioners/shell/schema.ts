// The shell provisioner (Packer core): uploads scripts or inline commands to
// the machine and runs them through the communicator.

import {
  type ComponentSchema,
  type FieldSpec,
  field,
  flag,
  hasUnknown,
  isUnknown,
  list,
  type PlainConfig,
  str,
} from "../../components/schema.js";

/** The options every shell-type provisioner shares (packer-plugin-sdk's shell.Provisioner). */
export const shellCommonFields: Record<string, FieldSpec> = {
  inline: field.stringList("Commands to run, all in one shell script.", { goName: "Inline" }),
  script: field.string("Local script file to upload and run.", { goName: "Script" }),
  scripts: field.stringList("Local script files to upload and run in order.", {
    goName: "Scripts",
  }),
  valid_exit_codes: field.numberList("Exit codes that count as success.", { default: [0] }),
  environment_vars: field.stringList('Environment variables to set, as "KEY=value".'),
  env: field.stringMap("Environment variables to set; override environment_vars."),
  env_var_format: field.string(
    "Format (Go %s placeholders for name and value) used to put each variable on the command line.",
  ),
};

/** Packer's check that each environment_vars entry reads KEY=value. */
export function checkEnvironmentVars(config: PlainConfig): string[] {
  const errs: string[] = [];
  for (const kv of list(config, "environment_vars")) {
    if (typeof kv !== "string" || isUnknown(kv)) continue;
    const eq = kv.indexOf("=");
    if (eq <= 0) errs.push(`Environment variable not in format 'key=value': ${kv}`);
  }
  return errs;
}

export const schema: ComponentSchema = {
  kind: "provisioner",
  type: "shell",
  plugin: "builtin",
  config: {
    fields: {
      ...shellCommonFields,
      binary: field.bool("The scripts are binary: do not convert line endings.", {
        goName: "Binary",
      }),
      remote_path: field.string(
        "Full path the script is uploaded to (default remote_folder/remote_file).",
      ),
      execute_command: field.string(
        "Command that runs the uploaded script; {{.Path}}, {{.Vars}} and {{.EnvVarFile}} are available.",
      ),
      inline_shebang: field.string("Shebang line of the script made from inline.", {
        default: "/bin/sh -e",
      }),
      pause_after: field.duration("Wait this long after the scripts have run."),
      use_env_var_file: field.bool(
        "Write the environment variables to a file sourced by the command instead of the command line.",
      ),
      remote_folder: field.string("Directory on the machine the script is uploaded to.", {
        default: "/tmp",
      }),
      remote_file: field.string(
        "File name the script is uploaded as (default script_<random>.sh).",
      ),
      start_retry_timeout: field.duration(
        "Keep retrying to start the script for this long (e.g. across a reboot).",
        { default: "5m" },
      ),
      skip_clean: field.bool("Leave the uploaded scripts on the machine."),
      expect_disconnect: field.bool(
        "A dropped connection (e.g. a reboot) does not fail the script.",
      ),
    },
    finalize(config) {
      const envFile = flag(config, "use_env_var_file");
      if (str(config, "env_var_format") === "") {
        config.env_var_format = envFile ? "export %s='%s'\n" : "%s='%s' ";
      }
      if (str(config, "execute_command") === "") {
        config.execute_command = envFile
          ? "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}"
          : "chmod +x {{.Path}}; {{.Vars}} {{.Path}}";
      }
      if (Array.isArray(config.inline) && config.inline.length === 0) delete config.inline;
    },
    check(config) {
      const errs: string[] = [];
      const script = str(config, "script");
      const scripts = config.scripts;
      if (isUnknown(script) || hasUnknown(scripts) || isUnknown(config.inline)) {
        return checkEnvironmentVars(config);
      }
      const nScripts = list(config, "scripts").length;
      if (script !== "" && nScripts > 0) {
        errs.push("Only one of script or scripts can be specified.");
      }
      const hasScripts = script !== "" || nScripts > 0;
      const hasInline = config.inline !== undefined;
      if (!hasScripts && !hasInline) {
        errs.push("Either a script file or inline script must be specified.");
      } else if (hasScripts && hasInline) {
        errs.push("Only a script file or an inline script can be specified, not both.");
      }
      errs.push(...checkEnvironmentVars(config));
      return errs;
    },
  },
};
