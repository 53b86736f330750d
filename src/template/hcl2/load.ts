// Loading an HCL2 template the way Packer's commands do: parse (what
// `validate -syntax-only` checks), then initialize (variable values, their
// validation, locals and data sources), then — for validate and build — the
// builds themselves (builds.ts).

import { posix, resolve } from "node:path";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import { PACKER_COMPAT_VERSION } from "../../version.js";
import { satisfies } from "../constraints.js";
import { evalContext, evaluateLocalsAndData } from "./evaluate.js";
import {
  decodeBuilds,
  decodeFiles,
  emptyConfig,
  readAndParse,
  templateBasedir,
  templateFiles,
} from "./parse.js";
import type { HCL2Config } from "./types.js";
import { collectVariableValues, type VarArg, validateVariableValues } from "./values.js";

export interface LoadHCL2Options {
  /** -var and -var-file flags in command-line order. */
  vars?: VarArg[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  packerVersion?: string;
  /** Parse and decode only; no values, locals or data sources (validate -syntax-only). */
  syntaxOnly?: boolean;
  /** Stand unknown values in for data sources instead of running them (validate's default). */
  skipDatasourcesExecution?: boolean;
  /** A data source type kiln lacks is an unknown value, not an error (inspect). */
  unknownDatasourcesAsUnknown?: boolean;
  /** Check variable values (unset, validation rules); inspect shows unset ones as <unknown> instead. */
  validateValues?: boolean;
  /** Warn about var-file values for undeclared variables (default true). */
  warnUndeclared?: boolean;
  signal?: AbortSignal;
}

export interface LoadHCL2Result {
  config: HCL2Config;
  diags: Diagnostic[];
}

export async function loadHCL2Template(
  path: string,
  opts: LoadHCL2Options = {},
): Promise<LoadHCL2Result> {
  const cwd = opts.cwd ?? process.cwd();
  const full = resolve(cwd, path);
  const cfg = emptyConfig(
    templateBasedir(full),
    cwd,
    opts.packerVersion ?? PACKER_COMPAT_VERSION,
    opts.env ?? process.env,
  );
  cfg.pathRoot = packerPathRoot(path, cfg.basedir === full);
  const diags: Diagnostic[] = [];
  const found = templateFiles(full, path);
  diags.push(...found.diags);
  if (hasErrors(diags)) return { config: cfg, diags };
  // Diagnostics name files as the user wrote the path, as Packer does.
  const display = (p: string) => (p.startsWith(`${cwd}/`) ? p.slice(cwd.length + 1) : p);
  const named = readAndParse(found.files.map(display), cfg.files, cwd);
  diags.push(...named.diags);
  if (hasErrors(diags)) return { config: cfg, diags };

  diags.push(...decodeFiles(cfg, named.parsed, () => checkRequiredVersion(cfg)));
  if (hasErrors(diags) || opts.syntaxOnly) return { config: cfg, diags };

  diags.push(
    ...collectVariableValues(cfg, {
      autoVarFiles: found.autoVarFiles.map(display),
      args: opts.vars ?? [],
      warnUndeclared: opts.warnUndeclared ?? true,
      cwd,
    }),
  );
  if (hasErrors(diags)) return { config: cfg, diags };
  if (opts.validateValues !== false) diags.push(...validateVariableValues(cfg));
  if (hasErrors(diags)) return { config: cfg, diags };
  diags.push(
    ...(await evaluateLocalsAndData(cfg, {
      skipDatasourcesExecution: opts.skipDatasourcesExecution ?? false,
      unknownDatasourcesAsUnknown: opts.unknownDatasourcesAsUnknown,
      signal: opts.signal,
    })),
  );
  if (hasErrors(diags)) return { config: cfg, diags };
  diags.push(...decodeBuilds(cfg, evalContext(cfg)));
  return { config: cfg, diags };
}

/** The template's folder as Packer names it: the path given, or the folder of the file given (Go's filepath.Dir). */
export function packerPathRoot(path: string, isFolder: boolean): string {
  if (isFolder) return path;
  const n = posix.normalize(path.replaceAll("\\", "/"));
  const i = n.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : n.slice(0, i);
}

/** `packer { required_version = ... }` checked against the Packer version kiln is compatible with. */
export function checkRequiredVersion(cfg: HCL2Config): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const c of cfg.packer.requiredVersions) {
    const r = satisfies(c.text, cfg.packerVersion);
    if (r.error) {
      diags.push(
        errorDiag(
          "Invalid version constraint",
          `This string does not use correct version constraint syntax: ${r.error}.`,
          c.range,
        ),
      );
    } else if (!r.ok) {
      diags.push(
        errorDiag(
          "Unsupported Packer Core version",
          `This configuration does not support Packer version ${cfg.packerVersion}. To proceed, either choose another supported Packer version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior.`,
          c.range,
        ),
      );
    }
  }
  return diags;
}
