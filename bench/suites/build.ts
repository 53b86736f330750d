import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// Build overhead: a null-builder template with 4 sources built in parallel,
// each running N shell-local provisioners that do nothing (`true`), under kiln
// and under Debian's packer 1.6.6, interleaved run by run. The per-provisioner
// overhead is the difference between N=20 and N=0, divided by the 80
// provisioner runs.

const kilnBin = resolve(import.meta.dirname, "../../bin/kiln.js");

function template(provisioners: number): string {
  const sources = ["a", "b", "c", "d"]
    .map((n) => `source "null" "${n}" {\n  communicator = "none"\n}\n`)
    .join("");
  const provs = Array.from(
    { length: provisioners },
    (_, i) => `  provisioner "shell-local" {\n    inline = ["true ${i}"]\n  }\n`,
  ).join("");
  return `${sources}build {\n  sources = ["source.null.a", "source.null.b", "source.null.c", "source.null.d"]\n${provs}}\n`;
}

function time(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return ms;
}

export async function buildSuite(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-build-"));
  writeFileSync(join(dir, "p0.pkr.hcl"), template(0));
  writeFileSync(join(dir, "p20.pkr.hcl"), template(20));
  const runs = 5;
  const k0: number[] = [];
  const p0: number[] = [];
  const k20: number[] = [];
  const p20: number[] = [];
  for (let i = 0; i < runs; i++) {
    k0.push(time(process.execPath, [kilnBin, "build", "-color=false", "p0.pkr.hcl"], dir));
    p0.push(time("packer", ["build", "-color=false", "p0.pkr.hcl"], dir));
    k20.push(time(process.execPath, [kilnBin, "build", "-color=false", "p20.pkr.hcl"], dir));
    p20.push(time("packer", ["build", "-color=false", "p20.pkr.hcl"], dir));
  }
  const rows: BenchRow[] = [
    { name: "build: 4 null builds, no provisioners", kiln: median(k0), packer: median(p0) },
    {
      name: "build: 4 null builds x 20 shell-local",
      kiln: median(k20),
      packer: median(p20),
    },
    {
      name: "build: overhead per provisioner run",
      kiln: (median(k20) - median(k0)) / 80,
      packer: (median(p20) - median(p0)) / 80,
      note: "(N=20 minus N=0) / 80 runs",
    },
  ];
  return rows;
}
