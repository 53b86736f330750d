import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const kilnBin = resolve(import.meta.dirname, "../../bin/kiln.js");

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `kiln` command line (from the TypeScript sources) and collects its output. */
export function kiln(
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [kilnBin, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, KILN_FROM_SOURCE: "1", ...opts.env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
