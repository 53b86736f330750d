import { hasErrors } from "../../../hcl/diagnostic.js";
import { type HCL2Config, loadHCL2Template } from "../../../template/hcl2/index.js";
import { variableValue } from "../../../template/hcl2/values.js";
import { BasicUi, MachineReadableUi, type Ui } from "../../../ui/index.js";
import { UsageError } from "../../errors.js";
import { parseFlags } from "../../flags.js";
import type { Command, CommandIO } from "../../io.js";
import { printable, templateKind, varArgs, varFlags, writeDiagnostics } from "../../template.js";
import { inspectLegacy } from "./legacy.js";

const HELP = `Usage: kiln inspect [options] TEMPLATE

  Shows what a template declares: its input variables (with their values;
  sensitive ones hidden), locals, and builds with their sources,
  provisioners and post-processors.

Options:
  -machine-readable  Produce machine-readable output.
  -var 'key=value'   Variable for templates, can be used multiple times.
  -var-file=path     JSON or HCL2 file containing user variables, can be used multiple times.
`;

const flagSpecs = [{ name: "machine-readable", kind: "bool" as const }, ...varFlags];

export function inspectHCL2Text(cfg: HCL2Config): string {
  const out: string[] = ["Packer Inspect: HCL2 mode\n\n"];
  out.push("> input-variables:\n\n");
  for (const name of [...cfg.variables.keys()].sort()) {
    out.push(`var.${name}: ${printable(variableValue(cfg.variables.get(name)!))}\n`);
  }
  out.push("\n> local-variables:\n\n");
  for (const name of [...cfg.localValues.keys()].sort()) {
    out.push(`local.${name}: ${printable(cfg.localValues.get(name)!)}\n`);
  }
  out.push("\n");
  out.push("> builds:\n");
  cfg.builds.forEach((b, i) => {
    out.push(`\n  > ${b.name || `<unnamed build ${i}>`}:\n`);
    if (b.description) out.push(`\n  > Description: ${b.description}\n`);
    out.push("\n    sources:\n");
    if (b.sources.length === 0) out.push("\n      <no source>\n");
    for (const s of b.sources) out.push(`\n      ${s.type}.${s.localName ?? s.sourceName}\n`);
    out.push("\n    provisioners:\n\n");
    if (b.provisioners.length === 0) out.push("      <no provisioner>\n");
    for (const p of b.provisioners) out.push(`      ${p.name ? `${p.type}.${p.name}` : p.type}\n`);
    out.push("\n    post-processors:\n");
    if (b.postProcessorLists.length === 0) out.push("\n      <no post-processor>\n");
    b.postProcessorLists.forEach((chain, j) => {
      out.push(`\n      ${j}:\n`);
      for (const p of chain) out.push(`        ${p.name ? `${p.type}.${p.name}` : p.type}\n`);
    });
  });
  out.push("\n");
  return out.join("");
}

async function runInspect(args: string[], io: CommandIO): Promise<number> {
  const flags = parseFlags(args, flagSpecs);
  if (flags.args.length !== 1) {
    throw new UsageError("The inspect command expects exactly one argument: the template.", HELP);
  }
  const path = flags.args[0]!;
  const ui: Ui = flags.values["machine-readable"] ? new MachineReadableUi(io) : new BasicUi(io);
  if (templateKind(path) === "json") return inspectLegacy(path, flags, ui, io);
  const loaded = await loadHCL2Template(path, {
    vars: varArgs(flags),
    cwd: io.cwd,
    env: io.env,
    skipDatasourcesExecution: true,
    unknownDatasourcesAsUnknown: true,
    validateValues: false,
  });
  writeDiagnostics(ui, loaded.diags, loaded.config.files);
  if (hasErrors(loaded.diags)) return 1;
  const text = inspectHCL2Text(loaded.config);
  if (flags.values["machine-readable"]) {
    const [head, ...rest] = text.split("\n\n> input-variables");
    ui.say(head!);
    ui.say(`> input-variables${rest.join("")}`);
  } else {
    io.stdout.write(text);
  }
  return 0;
}

const inspectCommand: Command = {
  synopsis: "see components of a template",
  help: HELP,
  run: runInspect,
};
export default inspectCommand;
