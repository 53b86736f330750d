import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type UpgradeOptions,
  type UpgradeResult,
  upgradeLegacyTemplateFile,
} from "../../src/template/upgrade/index.js";
import { corpusFiles, corpusRoot } from "../support/corpus.js";

// The legacy JSON templates of the corpus, and their upgrade. Other tests
// (e.g. "the upgraded template loads with kiln's HCL2 template model") can
// start from here.

export const upgradeFixtures = join(corpusRoot, "packer-1.9.4/command/test-fixtures/hcl2_upgrade");

/** A JSON file that is a Packer template: an object with "builders", or an hcl2_upgrade input. */
function isLegacyTemplate(path: string): boolean {
  if (!path.endsWith(".json") || path.endsWith(".pkr.json")) return false;
  if (path.startsWith(upgradeFixtures) && path.endsWith("/input.json")) return true;
  const text = readFileSync(path, "utf8");
  try {
    const doc = JSON.parse(text) as unknown;
    return typeof doc === "object" && doc !== null && !Array.isArray(doc) && "builders" in doc;
  } catch {
    // Not even JSON: only a template if it says it has builders.
    return /"builders"\s*:/.test(text);
  }
}

/** Every legacy JSON template in the corpus, sorted. */
export function legacyTemplatePaths(): string[] {
  return corpusFiles(isLegacyTemplate);
}

/** The upgrade of one corpus template, as `kiln hcl2_upgrade` writes it. */
export function upgradedTemplate(path: string, opts: UpgradeOptions = {}): UpgradeResult {
  return upgradeLegacyTemplateFile(path, opts);
}
