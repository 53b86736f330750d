import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { decodeHCLConfig, PREPARE_CHECK } from "../../src/components/decode-hcl.js";
import { loadSchema } from "../../src/components/registry.js";
import type { ComponentKind } from "../../src/components/schema.js";
import { Value } from "../../src/hcl/cty/value.js";
import { standardFunctions } from "../../src/hcl/functions/index.js";
import type { Block, Body } from "../../src/hcl/structure.js";
import { parseConfig } from "../../src/hcl/syntax/index.js";
import { corpusFiles, corpusRoot, isNativeHcl } from "../support/corpus.js";

// Real templates (Chef Bento, GitHub's runner images): every block of a
// component kiln knows decodes against its schema without a decoding error,
// with every variable unknown. Prepare-time checks may fail on unknown
// values' stand-ins; only HCL's own errors count here.

const MODEL_ARGS = [
  "name",
  "only",
  "except",
  "pause_before",
  "max_retries",
  "timeout",
  "override",
  "keep_input_artifact",
];

interface Found {
  kind: ComponentKind;
  type: string;
  body: Body;
  where: string;
}

function componentsIn(file: string): Found[] {
  const { file: f, diags } = parseConfig(readFileSync(file), file);
  if (diags.some((d) => d.severity === "error")) return [];
  const top = f.body.partialContent({
    blocks: [
      { type: "source", labelNames: ["type", "name"] },
      { type: "data", labelNames: ["type", "name"] },
      { type: "build" },
    ],
  }).content.blocks;
  const out: Found[] = [];
  const where = (b: Block) => `${relative(corpusRoot, file)}:${b.defRange.start.line}`;
  const model = (b: Block) =>
    b.body.partialContent({ attributes: MODEL_ARGS.map((name) => ({ name })) }).remain;
  for (const b of top) {
    if (b.type === "source")
      out.push({ kind: "builder", type: b.labels[0]!, body: b.body, where: where(b) });
    if (b.type === "data")
      out.push({ kind: "datasource", type: b.labels[0]!, body: b.body, where: where(b) });
    if (b.type !== "build") continue;
    const inner = b.body.partialContent({
      blocks: [
        { type: "provisioner", labelNames: ["type"] },
        { type: "error-cleanup-provisioner", labelNames: ["type"] },
        { type: "post-processor", labelNames: ["type"] },
        { type: "post-processors" },
      ],
    }).content.blocks;
    for (const p of inner) {
      if (p.type === "post-processors") {
        const pps = p.body.partialContent({
          blocks: [{ type: "post-processor", labelNames: ["type"] }],
        });
        for (const pp of pps.content.blocks) {
          out.push({
            kind: "post-processor",
            type: pp.labels[0]!,
            body: model(pp),
            where: where(pp),
          });
        }
        continue;
      }
      const kind = p.type === "post-processor" ? "post-processor" : "provisioner";
      out.push({ kind, type: p.labels[0]!, body: model(p), where: where(p) });
    }
  }
  return out;
}

/** Decode every known component block under the given corpus folders. */
async function decodeAll(roots: string[]) {
  const files = roots
    .flatMap((r) => corpusFiles(isNativeHcl, join(corpusRoot, r)))
    .filter((f) => f.endsWith(".pkr.hcl"));
  const unknown = Value.dynamic;
  let decoded = 0;
  const problems: string[] = [];
  const checkFailures: string[] = [];
  const types = new Set<string>();
  for (const file of files) {
    const ctx = {
      variables: {
        var: unknown,
        local: unknown,
        data: unknown,
        source: unknown,
        build: unknown,
        path: unknown,
        packer: unknown,
      },
      functions: standardFunctions(dirname(file)),
    };
    for (const c of componentsIn(file)) {
      const schema = await loadSchema(c.kind, c.type);
      if (!schema) continue;
      const r = decodeHCLConfig(c.body, schema.config, ctx);
      decoded++;
      types.add(`${c.kind} ${c.type}`);
      for (const d of r.diags) {
        if (d.severity !== "error") continue;
        if (d.extra?.code === PREPARE_CHECK) checkFailures.push(`${c.where}: ${d.summary}`);
        else problems.push(`${c.where}: ${d.summary}: ${d.detail ?? ""}`);
      }
    }
  }
  return { files: files.length, decoded, problems, checkFailures, types };
}

test("corpus: every known component block in Bento and the runner images decodes cleanly", async () => {
  const r = await decodeAll(["bento", "runner-images"]);
  assert.ok(r.files > 10, "corpus found");
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.checkFailures, []);
  assert.ok(r.decoded > 300, `decoded ${r.decoded} blocks`);
  for (const t of ["builder qemu", "builder null", "provisioner shell", "provisioner file"]) {
    assert.ok(r.types.has(t), `corpus has a ${t} block`);
  }
});

test("corpus: Packer's command fixtures fail only where their blocks are incomplete on their own", async () => {
  // Each of these is right about the block alone: the first three complete
  // their file source from the build block (decoded merged there), inspect's
  // fixture is only inspected, and hcl2_upgrade's is an expected output text.
  const r = await decodeAll(["packer-1.9.4/command/test-fixtures"]);
  const missingTarget =
    'Missing required argument: The argument "target" is required, but no definition was found.';
  assert.deepEqual(r.problems, [
    `packer-1.9.4/command/test-fixtures/hcl/dynamic/build.pkr.hcl:2: ${missingTarget}`,
    `packer-1.9.4/command/test-fixtures/hcl/empty_object/var.pkr.hcl:10: ${missingTarget}`,
    'packer-1.9.4/command/test-fixtures/hcl/inspect/aws-builds.pkr.hcl:19: Unsupported argument: An argument named "files" is not expected here.',
    'packer-1.9.4/command/test-fixtures/hcl2_upgrade/placeholders/expected.pkr.hcl:12: Unsupported argument: An argument named "other_prop" is not expected here.',
    `packer-1.9.4/command/test-fixtures/validate/validate_except.pkr.hcl:5: ${missingTarget}`,
  ]);
  for (const t of [
    "builder file",
    "post-processor manifest",
    "post-processor shell-local",
    "datasource null",
  ]) {
    assert.ok(r.types.has(t), `fixtures have a ${t} block`);
  }
});
