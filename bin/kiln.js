#!/usr/bin/env node
// Runs the compiled CLI (npm run build) when present, else (or with KILN_FROM_SOURCE=1)
// the TypeScript sources through tsx.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = new URL("../dist/cli/main.js", import.meta.url);
if (!process.env.KILN_FROM_SOURCE && existsSync(fileURLToPath(dist))) {
  const { run } = await import(dist.href);
  await run();
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { run } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
  await run();
}
