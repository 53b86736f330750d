import { createInterface } from "node:readline";
import { formatForConsole } from "../../../hcl/cty/format.js";
import { hasErrors } from "../../../hcl/diagnostic.js";
import { standardFunctions } from "../../../hcl/functions/index.js";
import { renderDiagnostics } from "../../../hcl/render.js";
import type { EvalContext } from "../../../hcl/structure.js";
import { parseExpression } from "../../../hcl/syntax/parser.js";
import { parseFlags } from "../../flags.js";
import type { Command, CommandIO } from "../../io.js";

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
  return { text: `${formatForConsole(r.value)}\n`, failed: false };
}

async function runConsole(args: string[], io: CommandIO): Promise<number> {
  const flags = parseFlags(args, [
    { name: "var", kind: "multi" },
    { name: "var-file", kind: "multi" },
  ]);
  void flags; // Template context arrives with the template model.
  const ctx: EvalContext = { variables: {}, functions: standardFunctions(io.cwd) };
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
    if (line !== "") {
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
