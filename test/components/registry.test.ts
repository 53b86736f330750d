import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { renderComponentDocs } from "../../src/components/docs.js";
import {
  componentFolder,
  componentKinds,
  componentTypes,
  loadSchema,
  unknownComponentDiagnostic,
} from "../../src/components/registry.js";
import type { ConfigSchema } from "../../src/components/schema.js";
import type { Range } from "../../src/hcl/pos.js";

// The registry: every entry has its folder and a documented schema; unknown
// types get Packer's diagnostic; the committed reference matches the schemas.

const src = new URL("../../src/", import.meta.url);

function undocumented(schema: ConfigSchema, prefix = ""): string[] {
  const out: string[] = [];
  for (const [name, f] of Object.entries(schema.fields)) {
    if (f.doc.trim() === "" || f.doc.includes("\n")) out.push(prefix + name);
  }
  for (const [name, b] of Object.entries(schema.blocks ?? {})) {
    if (b.doc.trim() === "") out.push(prefix + name);
    out.push(...undocumented(b.schema, `${prefix}${name}.`));
  }
  return out;
}

test("the registry lists the components kiln implements", () => {
  assert.deepEqual(componentTypes("builder"), ["docker", "file", "null", "qemu"]);
  assert.deepEqual(componentTypes("provisioner"), ["breakpoint", "file", "shell", "shell-local"]);
  assert.deepEqual(componentTypes("post-processor"), [
    "artifice",
    "checksum",
    "compress",
    "docker-import",
    "docker-push",
    "docker-save",
    "docker-tag",
    "manifest",
    "shell-local",
  ]);
  assert.deepEqual(componentTypes("datasource"), ["http", "null"]);
});

test("every registry entry has its folder, and a schema with a one-line doc on every field", async () => {
  for (const kind of componentKinds) {
    for (const type of componentTypes(kind)) {
      const folder = componentFolder(kind, type);
      assert.ok(existsSync(new URL(`${folder}/schema.ts`, src)), `${folder}/schema.ts`);
      const s = await loadSchema(kind, type);
      assert.ok(s, `${kind} ${type}`);
      assert.equal(s.kind, kind);
      assert.equal(s.type, type);
      assert.ok(
        s.plugin === "builtin" || /^github\.com\/hashicorp\/[a-z]+$/.test(s.plugin),
        s.plugin,
      );
      assert.deepEqual(undocumented(s.config), [], `${kind} ${type}`);
      if (kind === "datasource") {
        assert.ok(s.output, `${type} declares its output`);
        assert.deepEqual(undocumented(s.output), []);
        assert.ok(existsSync(new URL(`${folder}/index.ts`, src)), `${folder}/index.ts`);
      } else assert.equal(s.output, undefined);
      // Options of the template model never appear in a component's schema.
      for (const reserved of [
        "only",
        "except",
        "pause_before",
        "max_retries",
        "timeout",
        "override",
        "keep_input_artifact",
        "name",
      ]) {
        assert.equal(s.config.fields[reserved], undefined, `${kind} ${type} declares ${reserved}`);
      }
    }
  }
});

test("an unknown type is not loaded", async () => {
  assert.equal(await loadSchema("builder", "amazon-ebs"), undefined);
  assert.equal(await loadSchema("builder", "toString"), undefined);
  assert.equal(await loadSchema("provisioner", "qemu"), undefined);
});

const at: Range = {
  filename: "t.pkr.hcl",
  start: { line: 3, column: 1, byte: 20 },
  end: { line: 3, column: 10, byte: 29 },
};

test("an unknown component type is Packer 1.9.4's error, listing the known types", () => {
  const b = unknownComponentDiagnostic("builder", "amazon-ebs", at);
  assert.equal(b.severity, "error");
  assert.equal(b.summary, "Unknown source type amazon-ebs");
  assert.equal(b.detail, "known builders: [docker file null qemu]");
  assert.deepEqual(b.subject, at);
  const p = unknownComponentDiagnostic("provisioner", "ansible");
  assert.equal(p.summary, 'Unknown provisioner type "ansible"');
  assert.equal(p.detail, "known provisioners: [breakpoint file shell shell-local]");
  assert.equal(p.subject, undefined);
  const pp = unknownComponentDiagnostic("post-processor", "vagrant");
  assert.equal(pp.summary, 'Unknown post-processor type "vagrant"');
  assert.match(pp.detail!, /^known post-processors: \[artifice checksum compress docker-import/);
  const d = unknownComponentDiagnostic("datasource", "amazon-ami");
  assert.equal(d.summary, "Unknown data source type amazon-ami");
  assert.equal(d.detail, "known data sources: [http null]");
});

test("a type close to a known one suggests it", () => {
  assert.equal(
    unknownComponentDiagnostic("builder", "dokcer").detail,
    'Did you mean to use "docker"?',
  );
  assert.equal(
    unknownComponentDiagnostic("provisioner", "shel").detail,
    'Did you mean to use "shell"?',
  );
  assert.equal(
    unknownComponentDiagnostic("post-processor", "manifes").detail,
    'Did you mean to use "manifest"?',
  );
  assert.equal(
    unknownComponentDiagnostic("datasource", "htp").detail,
    'Did you mean to use "http"?',
  );
});

test("docs/components.md is what the schemas generate", async () => {
  const committed = readFileSync(new URL("../../docs/components.md", import.meta.url), "utf8");
  assert.equal(
    committed,
    await renderComponentDocs(),
    "regenerate with: node --import tsx scripts/gen-component-docs.ts",
  );
});

test("the reference documents every option of every component", async () => {
  const md = await renderComponentDocs();
  for (const kind of componentKinds) {
    for (const type of componentTypes(kind)) {
      const s = (await loadSchema(kind, type))!;
      assert.ok(md.includes(`### \`${type}\``), type);
      for (const name of Object.keys(s.config.fields))
        assert.ok(md.includes(`| \`${name}\` |`), name);
    }
  }
  assert.ok(md.includes("#### Block `qemu_img_args`"));
});
