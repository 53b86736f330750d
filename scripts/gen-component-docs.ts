// Writes docs/components.md from the component schemas.
// Run: node --import tsx scripts/gen-component-docs.ts
import { writeFileSync } from "node:fs";
import { renderComponentDocs } from "../src/components/docs.js";

const target = new URL("../docs/components.md", import.meta.url);
writeFileSync(target, await renderComponentDocs());
console.log(`wrote ${target.pathname}`);
