import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// Whole-process wall time of short commands, kiln (compiled, bin/kiln.js) beside
// Debian's packer 1.6.6, interleaved run by run so both see the same machine load,
// and beside the floor: a bare `node -e 0`, run between them too.

const kilnBin = resolve(import.meta.dirname, "../../bin/kiln.js");
const floorRuns: number[] = [];
// NODE_EXTRA_CA_CERTS makes every Node process read the certificates before it starts;
// when it is set, the floor is also measured without it to show what that costs.
const caCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined;
const withoutCaCerts = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };
const floorRunsWithoutCaCerts: number[] = [];

function time(
  cmd: string,
  args: string[],
  input: string,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { input, cwd, env, encoding: "utf8" });
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
    floorRuns.push(time(process.execPath, ["-e", "0"], "", cwd));
    if (caCerts) {
      floorRunsWithoutCaCerts.push(time(process.execPath, ["-e", "0"], "", cwd, withoutCaCerts));
    }
  }
  return { name, kiln: median(k), packer: median(p) };
}

function withFloor(rows: BenchRow[]): BenchRow[] {
  const floor = median(floorRuns);
  const floors: BenchRow[] = [
    { name: "floor: node -e 0", kiln: floor, note: "bare Node start-up" },
  ];
  if (caCerts) {
    floors[0]!.note += ", NODE_EXTRA_CA_CERTS set (as for the kiln rows)";
    floors.push({
      name: "floor: node -e 0 without NODE_EXTRA_CA_CERTS",
      kiln: median(floorRunsWithoutCaCerts),
      note: "the difference from the floor is what reading the certificates costs each start",
    });
  }
  return [
    ...floors,
    ...rows.map((r) => ({ ...r, note: `${(r.kiln / floor).toFixed(2)}x the floor` })),
  ];
}

export async function startupSuite(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-"));
  writeFileSync(join(dir, "t.pkr.hcl"), 'variable "x" {\n  default = "y"\n}\n');
  writeFileSync(
    join(dir, "f.pkr.hcl"),
    'source "null" "x" {\ncommunicator="none"\n  a   = [1,2]\n}\n',
  );
  const exprs = 'upper("kiln")\nformat("%05.1f", 3.14159)\n[for x in range(5) : x * x]\n';
  return withFloor([
    pair("start-up: version", ["version"], ["version"], "", dir),
    pair("console: 3 expressions from stdin", ["console"], ["console", "t.pkr.hcl"], exprs, dir),
    pair(
      "fmt -check of one file",
      ["fmt", "-write=false", "f.pkr.hcl"],
      ["fmt", "-write=false", "f.pkr.hcl"],
      "",
      dir,
    ),
  ]);
}
