import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJSON } from "../../src/hcl/json/parser.js";
import type { Body, EvalContext } from "../../src/hcl/structure.js";
import { parseConfig } from "../../src/hcl/syntax/parser.js";
import { corpusFiles, corpusRoot, isHclJson, isNativeHcl } from "../../test/support/corpus.js";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// Parse (and parse + evaluate) time of the HCL engine over the whole shared corpus
// and over its largest template, in one warm process.

function evalBody(body: Body, ctx: EvalContext): void {
  // Evaluate every attribute of every block, schema-free: a fair proxy of template loading.
  const { attributes } = body.justAttributes();
  for (const a of Object.values(attributes)) a.expr.value(ctx);
}

export async function languageSuite(): Promise<BenchRow[]> {
  const files = corpusFiles((p) => isNativeHcl(p) || isHclJson(p)).map((p) => ({
    p,
    src: readFileSync(p),
  }));
  const parseAll = () => {
    for (const f of files) (isHclJson(f.p) ? parseJSON : parseConfig)(f.src, f.p);
  };
  const cold = (() => {
    // The first parse in this process: what a CLI run pays (no JIT warm-up).
    const t0 = performance.now();
    for (const f of files) (isHclJson(f.p) ? parseJSON : parseConfig)(Buffer.from(f.src), f.p);
    return performance.now() - t0;
  })();

  for (let i = 0; i < 5; i++) parseAll(); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    parseAll();
    runs.push(performance.now() - t0);
  }
  const largest = files.reduce((a, b) => (b.src.length > a.src.length ? b : a));
  const ctx: EvalContext = { variables: {}, functions: {} };
  const large: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const r = (isHclJson(largest.p) ? parseJSON : parseConfig)(largest.src, largest.p);
    evalBody(r.file.body, ctx);
    large.push(performance.now() - t0);
  }
  const rel = largest.p.slice(corpusRoot.length + 1);
  return [
    {
      name: `parse whole corpus (${files.length} files, warm)`,
      kiln: median(runs),
      note: "target < 300 ms",
    },
    { name: "parse whole corpus (first pass)", kiln: cold },
    {
      name: `parse+eval largest template (${join("…", rel.split("/").slice(-2).join("/"))}, ${(largest.src.length / 1024).toFixed(0)} KiB)`,
      kiln: median(large),
    },
  ];
}
