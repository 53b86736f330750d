// `npm run bench`: runs every benchmark suite and prints one table. Suites that
// compare with Packer run both tools side by side in the same run and report the ratio.
import { buildSuite } from "./suites/build.js";
import { dockerSuite } from "./suites/docker.js";
import { languageSuite } from "./suites/language.js";
import { qemuSuite } from "./suites/qemu.js";
import { sshSuite } from "./suites/ssh.js";
import { startupSuite } from "./suites/startup.js";
import { validateSuite } from "./suites/validate.js";

export interface BenchRow {
  name: string;
  kiln: number; // milliseconds (median)
  packer?: number; // milliseconds (median), when compared
  note?: string;
}

const suites: { name: string; run: () => Promise<BenchRow[]> }[] = [
  { name: "language", run: languageSuite },
  { name: "startup", run: startupSuite },
  { name: "validate", run: validateSuite },
  { name: "build", run: buildSuite },
  { name: "docker", run: dockerSuite },
  { name: "ssh", run: sshSuite },
  { name: "qemu", run: qemuSuite },
];

const only = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const s of suites) {
  if (only.length > 0 && !only.includes(s.name)) continue;
  process.stderr.write(`running ${s.name}...\n`);
  rows.push(...(await s.run()));
}

const fmt = (ms: number | undefined) => (ms === undefined ? "-" : `${ms.toFixed(1)} ms`);
const header = ["benchmark", "kiln", "packer 1.6.6", "packer/kiln", "note"];
const table = rows.map((r) => [
  r.name,
  fmt(r.kiln),
  fmt(r.packer),
  r.packer === undefined ? "-" : `${(r.packer / r.kiln).toFixed(2)}x`,
  r.note ?? "",
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of table) console.log(line(r));
