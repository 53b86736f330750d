import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { inspectHCL2Text } from "../../../src/cli/commands/inspect/index.js";
import type { Diagnostic } from "../../../src/hcl/diagnostic.js";
import { loadHCL2Template } from "../../../src/template/hcl2/index.js";
import { corpusFiles, corpusRoot } from "../../support/corpus.js";

// The real-world templates of ../shared/corpus: Chef Bento and GitHub's runner
// images must load with no error, with every Bento os_pkrvars file as a
// -var-file, and inspect must list what they declare.

const env = {};

function errorText(diags: Diagnostic[]): string {
  return diags
    .filter((d) => d.severity === "error")
    .map((d) => `${d.subject?.filename}:${d.subject?.start.line}: ${d.summary}: ${d.detail}`)
    .join("\n");
}

const bento = join(corpusRoot, "bento/packer_templates");
const bentoVarFiles = corpusFiles(
  (p) => p.endsWith(".pkrvars.hcl"),
  join(corpusRoot, "bento/os_pkrvars"),
);

test("bento: the template folder parses (validate -syntax-only)", async () => {
  const r = await loadHCL2Template(bento, { env, cwd: corpusRoot, syntaxOnly: true });
  assert.equal(errorText(r.diags), "");
  assert.ok(r.config.variables.size > 50);
  assert.ok(r.config.sources.size >= 8, [...r.config.sources.keys()].join(","));
});

test("bento: loads with every os_pkrvars file, and inspect lists its sources and builds", async () => {
  assert.ok(bentoVarFiles.length >= 50, `only ${bentoVarFiles.length} var files`);
  for (const vf of bentoVarFiles) {
    const r = await loadHCL2Template(bento, {
      env,
      cwd: corpusRoot,
      vars: [{ kind: "var-file", path: vf }],
      skipDatasourcesExecution: true,
      // Bento uses a third-party data source (host-info); inspect does not need it.
      unknownDatasourcesAsUnknown: true,
    });
    assert.equal(errorText(r.diags), "", relative(corpusRoot, vf));
    assert.equal(r.config.builds.length, 1, vf);
    const build = r.config.builds[0]!;
    assert.ok(build.sources.length > 0, vf);
    assert.ok(build.provisioners.length > 0, vf);
    const text = inspectHCL2Text(r.config);
    for (const s of build.sources) {
      assert.ok(
        text.includes(`\n      ${s.type}.${s.sourceName}\n`),
        `${vf}: ${s.type}.${s.sourceName}`,
      );
      assert.ok(r.config.sources.has(`${s.type}.${s.sourceName}`), `${vf}: declared ${s.type}`);
    }
    // The var file's values are the ones in force.
    const osName = r.config.variables.get("os_name");
    assert.equal(osName?.valueSource, "varfile", vf);
  }
});

const runnerRoot = join(corpusRoot, "runner-images/images");

/** Folders whose files form one template, and macOS templates that each stand alone. */
function runnerTemplates(): { path: string; folder: boolean }[] {
  const out: { path: string; folder: boolean }[] = [];
  for (const os of readdirSync(runnerRoot).sort()) {
    const dir = join(runnerRoot, os, "templates");
    const files = readdirSync(dir).filter((f) => f.endsWith(".pkr.hcl"));
    if (files.some((f) => f.startsWith("variable."))) out.push({ path: dir, folder: true });
    else for (const f of files.sort()) out.push({ path: join(dir, f), folder: false });
  }
  return out;
}

test("runner-images: every template loads; inspect lists each build's sources", async () => {
  const templates = runnerTemplates();
  assert.ok(templates.length >= 3);
  for (const t of templates) {
    const syntax = await loadHCL2Template(t.path, { env, cwd: corpusRoot, syntaxOnly: true });
    assert.equal(errorText(syntax.diags), "", t.path);
    // Required variables without defaults get a value of their type from the environment.
    const given: Record<string, string> = {};
    for (const v of syntax.config.variables.values()) {
      if (v.defaultValue !== undefined) continue;
      const t = v.type;
      given[`PKR_VAR_${v.name}`] = t.isNumber()
        ? "1"
        : t.isBool()
          ? "false"
          : t.isList() || t.isTuple() || t.isSet()
            ? "[]"
            : t.isMap() || t.isObject()
              ? "{}"
              : "x";
    }
    // As the runner-images pipelines do, name the image the folder builds.
    if (t.path.endsWith("ubuntu/templates")) given.PKR_VAR_image_os = "ubuntu24";
    if (t.path.endsWith("windows/templates")) given.PKR_VAR_image_os = "win22";
    const r = await loadHCL2Template(t.path, {
      env: given,
      cwd: corpusRoot,
      skipDatasourcesExecution: true,
      unknownDatasourcesAsUnknown: true,
    });
    assert.equal(errorText(r.diags), "", t.path);
    assert.ok(r.config.builds.length > 0, t.path);
    const text = inspectHCL2Text(r.config);
    for (const b of r.config.builds) {
      assert.ok(b.sources.length > 0, t.path);
      for (const s of b.sources) {
        assert.ok(
          text.includes(`${s.type}.${s.localName ?? s.sourceName}`),
          `${t.path}: ${s.type}`,
        );
      }
    }
  }
});
