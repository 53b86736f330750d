import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// Whole-process wall time of short commands, kiln (compiled, bin/kiln.js) beside
// Debian's packer 1.6.6, interleaved run by run so both see the same machine load.

const kilnBin = resolve(import.meta.dirname, "../../bin/kiln.js");

function time(cmd: string, args: string[], input: string, cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { input, cwd, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return ms;
}

function pair(name: string, kilnArgs: string[], packerArgs: string[], input: string, cwd: string) {
  const k: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < 15; i++) {
    k.push(time(process.execPath, [kilnBin, ...kilnArgs], input, cwd));
    p.push(time("packer", packerArgs, input, cwd));
  }
  return { name, kiln: median(k), packer: median(p) };
}

export async function startupSuite(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-"));
  writeFileSync(join(dir, "t.pkr.hcl"), 'variable "x" {\n  default = "y"\n}\n');
  writeFileSync(
    join(dir, "f.pkr.hcl"),
    'source "null" "x" {\ncommunicator="none"\n  a   = [1,2]\n}\n',
  );
  const exprs = 'upper("kiln")\nformat("%05.1f", 3.14159)\n[for x in range(5) : x * x]\n';
  return [
    pair("start-up: version", ["version"], ["version"], "", dir),
    pair("console: 3 expressions from stdin", ["console"], ["console", "t.pkr.hcl"], exprs, dir),
    pair(
      "fmt -check of one file",
      ["fmt", "-write=false", "f.pkr.hcl"],
      ["fmt", "-write=false", "f.pkr.hcl"],
      "",
      dir,
    ),
  ];
}
