import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { getBuilds, loadHCL2Template } from "../../src/template/hcl2/index.js";
import { corpusRoot } from "../support/corpus.js";
import { legacyTemplatePaths, upgradedTemplate } from "./corpus-templates.js";

// Every JSON template of the corpus, once upgraded, must load with kiln's HCL2
// template model and validate: the only errors allowed are the ones that say a
// component is missing (Packer's test-only or cloud builders kiln does not
// have) or a variable needs a value (templates that require -var).

const root = mkdtempSync(join(tmpdir(), "kiln-upgrade-validate-"));

function acceptable(summary: string): boolean {
  return (
    /^Unknown (source|provisioner|post-processor|data source) type/.test(summary) ||
    summary.startsWith("Unset variable")
  );
}

test("hcl2_upgrade output validates with kiln's HCL2 template model", async () => {
  const paths = legacyTemplatePaths();
  assert.ok(paths.length >= 60);
  let validated = 0;
  const failures: string[] = [];
  let i = 0;
  for (const p of paths) {
    const up = upgradedTemplate(p);
    if (!up.converted) continue;
    const d = join(root, String(i++));
    mkdirSync(d);
    writeFileSync(join(d, "t.pkr.hcl"), up.text);
    const name = relative(corpusRoot, p);
    const loaded = await loadHCL2Template(join(d, "t.pkr.hcl"), { cwd: d, env: {} });
    const loadErrors = loaded.diags.filter((x) => x.severity === "error");
    const badLoad = loadErrors.filter((x) => !acceptable(x.summary));
    if (badLoad.length) failures.push(`${name}: ${badLoad.map((x) => x.summary).join("; ")}`);
    if (loadErrors.length) continue;
    const builds = await getBuilds(loaded.config, { only: [], except: [] });
    const errs = builds.diags.filter((x) => x.severity === "error");
    const bad = errs.filter((x) => !acceptable(x.summary));
    if (bad.length) failures.push(`${name}: ${bad.map((x) => x.summary).join("; ")}`);
    if (errs.length === 0) validated++;
  }
  // Templates that are invalid before the upgrade too, by design of Packer's tests.
  assert.deepEqual(
    failures.sort(),
    [
      // A "file" builder with an option no builder has ("other_prop").
      "packer-1.9.4/command/test-fixtures/hcl2_upgrade/placeholders/input.json: Unsupported argument",
      // min_packer_version far above any Packer version.
      "packer-1.9.4/command/test-fixtures/validate/template.json: Unsupported Packer Core version",
      "packer-1.9.4/command/test-fixtures/validate/validate_except.json: Unsupported Packer Core version",
      // A shell-local provisioner with an unknown option and without its required one.
      "packer-1.9.4/command/test-fixtures/validate-invalid/bad_provisioner.json: Unsupported argument; Missing required argument",
      "packer-1.9.4/packer/test-fixtures/validate-min-version-high.json: Unsupported Packer Core version",
      // Builder names made by template functions ({{upper `tubes`}}) are not valid
      // source names; packer 1.6.6 rejects the upgraded text the same way.
      "packer-1.9.4/packer/test-fixtures/build-basic-interpolated.json: Invalid source reference",
      "packer-1.9.4/packer/test-fixtures/build-names-func.json: Invalid source reference",
    ].sort(),
  );
  // A real share of them use only components kiln has and validate fully.
  assert.ok(validated >= 10, `only ${validated} validated fully`);
});
