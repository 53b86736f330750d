import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

// The shared corpus of real-world templates, read in place (never copied).
export const corpusRoot = resolve(import.meta.dirname, "../../../shared/corpus");

export function corpusFiles(filter: (path: string) => boolean, dir = corpusRoot): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (filter(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export const isNativeHcl = (p: string) => p.endsWith(".hcl") && !p.endsWith(".hcl.json");
export const isHclJson = (p: string) => p.endsWith(".pkr.json") || p.endsWith(".hcl.json");
