import { createInterface } from "node:readline";
import { formatForConsole } from "../../../hcl/cty/format.js";
import { hasErrors } from "../../../hcl/diagnostic.js";
import { standardFunctions } from "../../../hcl/functions/index.js";
import { renderDiagnostics } from "../../../hcl/render.js";
import type { EvalContext } from "../../../hcl/structure.js";
import { parseExpression } from "../../../hcl/syntax/parser.js";
import { evalContext, type HCL2Config, loadHCL2Template } from "../../../template/hcl2/index.js";
import { variableValue } from "../../../template/hcl2/values.js";
import { BasicUi } from "../../../ui/index.js";
import { UsageError, UserError } from "../../errors.js";
import { parseFlags } from "../../flags.js";
import type { Command, CommandIO } from "../../io.js";
import { printable, templateKind, varArgs, varFlags, writeDiagnostics } from "../../template.js";

const HELP = `Usage: kiln console [options] [TEMPLATE]

  Starts an interactive console that evaluates HCL2 expressions. On a
  terminal it shows a prompt; otherwise it reads one expression per line
  from standard input and prints each result. Type "exit" to leave.

Options:
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables.
`;

/** Evaluates one line of console input; returns the text to print and whether it failed. */
export function evaluateLine(line: string, ctx: EvalContext): { text: string; failed: boolean } {
  const src = Buffer.from(line);
  const filename = "<console-input>";
  const parsed = parseExpression(src, filename);
  const files = { source: (f: string) => (f === filename ? src : undefined) };
  if (hasErrors(parsed.diags)) {
    return { text: renderDiagnostics(parsed.diags, files), failed: true };
  }
  const r = parsed.expr.value(ctx);
  if (hasErrors(r.diags)) return { text: renderDiagnostics(r.diags, files), failed: true };
  return { text: `${formatForConsole(r.value, { redactMarked: true })}\n`, failed: false };
}

/** `variables` in the console: every input variable and local with its value. */
function variablesDump(cfg: HCL2Config): string {
  const out = ["> input-variables:\n\n"];
  for (const name of [...cfg.variables.keys()].sort()) {
    out.push(`var.${name}: ${printable(variableValue(cfg.variables.get(name)!))}\n`);
  }
  out.push("\n> local-variables:\n\n");
  for (const name of [...cfg.localValues.keys()].sort()) {
    out.push(`local.${name}: ${printable(cfg.localValues.get(name)!)}\n`);
  }
  return out.join("");
}

async function runConsole(args: string[], io: CommandIO): Promise<number> {
  const flags = parseFlags(args, varFlags);
  let ctx: EvalContext = { variables: {}, functions: standardFunctions(io.cwd) };
  let cfg: HCL2Config | undefined;
  if (flags.args.length > 1) {
    throw new UsageError("The console command expects at most one argument: the template.", HELP);
  }
  if (flags.args.length === 1) {
    const path = flags.args[0]!;
    if (templateKind(path) === "json") {
      throw new UserError(
        "kiln console works with HCL2 templates; convert a JSON template with `kiln hcl2_upgrade` first.",
      );
    }
    // As in Packer, an unset variable is <unknown> in the console, not an error.
    const loaded = await loadHCL2Template(path, {
      vars: varArgs(flags),
      cwd: io.cwd,
      env: io.env,
      validateValues: false,
    });
    if (loaded.diags.length) {
      writeDiagnostics(new BasicUi(io), loaded.diags, loaded.config.files);
    }
    if (hasErrors(loaded.diags)) return 1;
    cfg = loaded.config;
    ctx = evalContext(cfg);
  }
  const interactive = Boolean(io.stdin.isTTY);
  const rl = createInterface({
    input: io.stdin,
    output: interactive ? io.stdout : undefined,
    terminal: interactive,
  });
  if (interactive) {
    rl.setPrompt("> ");
    rl.prompt();
  }
  let status = 0;
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === "exit") break;
    if (line === "variables" && cfg) {
      io.stdout.write(variablesDump(cfg));
    } else if (line !== "") {
      const { text, failed } = evaluateLine(line, ctx);
      io.stdout.write(text); // Packer prints console errors on stdout too.
      if (failed && !interactive) status = 1;
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  return status;
}

const consoleCommand: Command = {
  synopsis: "creates a console for testing variable interpolation",
  help: HELP,
  run: runConsole,
};
export default consoleCommand;
