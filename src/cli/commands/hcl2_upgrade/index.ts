import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "../../../hcl/diagnostic.js";
import { loadLegacyVarFile, mergeLegacyVariables } from "../../../template/legacy/index.js";
import {
  fileErrorMessage,
  upgradeFileHeader,
  upgradeLegacyTemplate,
} from "../../../template/upgrade/index.js";
import { FlagError, parseFlags } from "../../flags.js";
import type { Command, CommandIO } from "../../io.js";

const HELP = `Usage: kiln hcl2_upgrade [options] TEMPLATE

  Rewrites a legacy JSON template as an HCL2 template. Go template calls
  are translated where HCL2 has an equivalent; a block that keeps calls it
  has none for gets a comment saying which. An existing output file is
  overwritten.

Options:
  -output-file=path    Where to write the HCL2 template; by default the
                       TEMPLATE path with ".pkr.hcl" added. Only files whose
                       name ends in ".pkr.hcl" are read as HCL2 templates.
  -with-annotations    Add comments that explain each kind of generated
                       block, for readers new to HCL2.
`;

/** Go's text for a failed file system call. */
function goPathError(op: string, path: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EEXIST: "file exists",
    EISDIR: "is a directory",
    ENOENT: "no such file or directory",
    ENOTDIR: "not a directory",
    EROFS: "read-only file system",
  };
  return `${op} ${path}: ${reasons[err.code ?? ""] ?? err.message}`;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** -var values in order (later wins), as Packer's kvflag reads them. */
function parseVars(raw: readonly string[]): [string, string][] {
  return raw.map((kv) => {
    const eq = kv.indexOf("=");
    if (eq < 0)
      throw new FlagError(`invalid value "${kv}" for flag -var: No '=' value in arg: ${kv}`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

const packerMessage = (d: Diagnostic): string => String(d.extra?.packerMessage ?? d.summary);

async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, args: rest } = parseFlags(args, [
    { name: "output-file", kind: "string", default: "" },
    { name: "with-annotations", kind: "bool" },
    // Accepted as by Packer; only -var and -var-file have an effect (on the
    // checks whose failures are reported and ignored).
    { name: "var", kind: "multi" },
    { name: "var-file", kind: "multi" },
    { name: "only", kind: "multi" },
    { name: "except", kind: "multi" },
    { name: "config-type", kind: "string" },
  ]);
  const configType = values["config-type"];
  if (configType !== undefined && configType !== "json" && configType !== "hcl2") {
    throw new FlagError(
      `invalid value "${configType}" for flag -config-type: ${configType} does not belong to configType values`,
    );
  }
  const cliVars = parseVars(values.var as string[]);
  if (rest.length !== 1) {
    io.stdout.write(HELP);
    return 1;
  }
  const path = rest[0]!;
  const output = (values["output-file"] as string) || `${path}.pkr.hcl`;
  const withAnnotations = values["with-annotations"] === true;
  const err = (message: string) => io.stderr.write(`${message}\n`);

  // Like Packer, the output file is created (emptied) before the template is read.
  const outPath = resolve(io.cwd, output);
  try {
    mkdirSync(dirname(outPath), { recursive: true });
  } catch (e) {
    err(`Failed to create output directory: ${goPathError("mkdir", dirname(output), e)}`);
    return 1;
  }
  const header = upgradeFileHeader(withAnnotations);
  try {
    writeFileSync(outPath, header);
  } catch (e) {
    err(`Failed to create output file: ${goPathError("open", output, e)}`);
    return 1;
  }

  let source: Buffer;
  try {
    source = path === "-" ? await readAll(io.stdin) : readFileSync(resolve(io.cwd, path));
  } catch (e) {
    err(
      `Failed to parse file as legacy JSON template: if you are using an HCL template, check your file extensions; they should be either *.pkr.hcl or *.pkr.json; see the docs for more details: https://www.packer.io/docs/templates/hcl_templates. \nOriginal error: ${fileErrorMessage(e, path)}`,
    );
    err("Failed to get config from JSON");
    return 1;
  }

  const fileVars: Record<string, string>[] = [];
  let varFileProblem: string | undefined;
  for (const f of values["var-file"] as string[]) {
    const r = loadLegacyVarFile(resolve(io.cwd, f));
    if (r.diags.length > 0) {
      varFileProblem = packerMessage(r.diags[0]!).replaceAll(resolve(io.cwd, f), f);
      break;
    }
    fileVars.push(r.vars);
  }
  const vars = mergeLegacyVariables(fileVars, cliVars);
  const result = upgradeLegacyTemplate(source, path, { withAnnotations, vars });
  if (!result.converted) {
    for (const d of result.diags) err(packerMessage(d));
    return 1;
  }
  if (varFileProblem !== undefined) {
    err(varFileProblem);
    err("Failed to get config from JSON");
    return 1;
  }
  for (const d of result.diags) err(packerMessage(d));
  writeFileSync(outPath, result.text);
  const status = result.diags.some((d) => d.severity === "error") ? 1 : 0;
  io.stdout.write(`Successfully created ${output}. Exit ${status}\n`);
  return status;
}

const hcl2Upgrade: Command = {
  synopsis: "transform a JSON template into an HCL2 configuration",
  help: HELP,
  run,
};
export default hcl2Upgrade;
