import { hasErrors } from "../../../hcl/diagnostic.js";
import { getBuilds, loadHCL2Template } from "../../../template/hcl2/index.js";
import { checkRequiredPlugins } from "../../../template/hcl2/plugins.js";
import { BasicUi, MachineReadableUi, type Ui } from "../../../ui/index.js";
import { UsageError } from "../../errors.js";
import { parseFlags, splitList } from "../../flags.js";
import type { Command, CommandIO } from "../../io.js";
import { templateKind, varArgs, varFlags, writeDiagnostics } from "../../template.js";
import { validateLegacy } from "./legacy.js";

const HELP = `Usage: kiln validate [options] TEMPLATE

  Checks that a template is valid: it parses, its variables have values, and
  every builder, provisioner and post-processor accepts its configuration.
  Prints "The configuration is valid." and exits 0, or prints the problems and
  exits 1. TEMPLATE is a .pkr.hcl or .pkr.json file, a folder of them, or a
  legacy JSON template.

Options:
  -syntax-only             Only check syntax; do not check the configuration.
  -except=foo,bar,baz      Validate all builds but these (globs allowed).
  -only=foo,bar,baz        Validate only these builds (globs allowed).
  -machine-readable        Produce machine-readable output.
  -var 'key=value'         Variable for templates, can be used multiple times.
  -var-file=path           JSON or HCL2 file containing user variables, can be used multiple times.
  -no-warn-undeclared-var  Do not warn about variable files setting undeclared variables.
  -evaluate-datasources    Run data sources while validating (HCL2 only); off by default.
`;

const flagSpecs = [
  { name: "syntax-only", kind: "bool" as const },
  { name: "except", kind: "string" as const },
  { name: "only", kind: "string" as const },
  { name: "machine-readable", kind: "bool" as const },
  { name: "no-warn-undeclared-var", kind: "bool" as const },
  { name: "evaluate-datasources", kind: "bool" as const },
  ...varFlags,
];

export interface ValidateOptions {
  syntaxOnly: boolean;
  only: string[];
  except: string[];
  warnUndeclared: boolean;
  evaluateDatasources: boolean;
}

async function runValidate(args: string[], io: CommandIO): Promise<number> {
  const flags = parseFlags(args, flagSpecs);
  if (flags.args.length !== 1) {
    throw new UsageError("The validate command expects exactly one argument: the template.", HELP);
  }
  const path = flags.args[0]!;
  const ui: Ui = flags.values["machine-readable"] ? new MachineReadableUi(io) : new BasicUi(io);
  const opts: ValidateOptions = {
    syntaxOnly: flags.values["syntax-only"] === true,
    only: splitList(flags.values.only),
    except: splitList(flags.values.except),
    warnUndeclared: flags.values["no-warn-undeclared-var"] !== true,
    evaluateDatasources: flags.values["evaluate-datasources"] === true,
  };
  if (templateKind(path) === "json") return validateLegacy(path, flags, opts, ui, io);

  const loaded = await loadHCL2Template(path, {
    vars: varArgs(flags),
    cwd: io.cwd,
    env: io.env,
    syntaxOnly: opts.syntaxOnly,
    skipDatasourcesExecution: !opts.evaluateDatasources,
    warnUndeclared: opts.warnUndeclared,
  });
  const diags = [...loaded.diags];
  if (!hasErrors(diags) && opts.syntaxOnly) {
    writeDiagnostics(ui, diags, loaded.config.files);
    ui.say("Syntax-only check passed. Everything looks okay.");
    return 0;
  }
  if (!hasErrors(diags)) diags.push(...(await checkRequiredPlugins(loaded.config)));
  if (!hasErrors(diags)) {
    const r = await getBuilds(loaded.config, { only: opts.only, except: opts.except });
    diags.push(...r.diags);
  }
  writeDiagnostics(ui, diags, loaded.config.files);
  if (hasErrors(diags)) return 1;
  ui.say("The configuration is valid.");
  return 0;
}

const validateCommand: Command = {
  synopsis: "check that a template is valid",
  help: HELP,
  run: runValidate,
};
export default validateCommand;
