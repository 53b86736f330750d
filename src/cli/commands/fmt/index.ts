import { renderDiagnostics } from "../../../hcl/render.js";
import { fmtPaths } from "../../../hcl/write/fmt-files.js";
import { UsageError } from "../../errors.js";
import { parseFlags } from "../../flags.js";
import type { Command } from "../../io.js";

const HELP = `Usage: kiln fmt [options] [TEMPLATE]

  Rewrites Packer HCL2 configuration files (.pkr.hcl) and variable files
  (.pkrvars.hcl) to the canonical format. JSON templates are not modified.
  TEMPLATE may be a file, a directory ("." for the current one) or "-" to
  format standard input to standard output.

Options:
  -check        Check if the input is formatted. Exit status will be 0 if all
                input is properly formatted, 3 if not, 1 on errors.
  -diff         Display diffs of formatting changes.
  -write=false  Don't write to source files (always disabled with -check).
  -recursive    Also process files in subdirectories.
`;

const fmt: Command = {
  synopsis: "Rewrites HCL2 config files to canonical format",
  help: HELP,
  async run(args, io) {
    const { values, args: rest } = parseFlags(args, [
      { name: "check", kind: "bool" },
      { name: "diff", kind: "bool" },
      { name: "write", kind: "bool", default: true },
      { name: "recursive", kind: "bool" },
    ]);
    if (rest.length !== 1) throw new UsageError("fmt takes exactly one TEMPLATE argument", HELP);
    const result = fmtPaths(rest, {
      check: values.check === true,
      diff: values.diff === true,
      write: values.write !== false,
      recursive: values.recursive === true,
    });
    io.stdout.write(result.stdout);
    if (result.diags.length > 0) {
      const sources = new Map(result.files.map((f) => [f.path, f.original]));
      io.stderr.write(renderDiagnostics(result.diags, { source: (f) => sources.get(f) }));
    }
    return result.exitCode;
  },
};
export default fmt;
