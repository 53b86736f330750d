import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { JSONNode } from "../../../src/hcl/json/ast.js";
import { parseJSON } from "../../../src/hcl/json/parser.js";
import type { JSONBody } from "../../../src/hcl/json/structure.js";
import type { Body } from "../../../src/hcl/structure.js";

// The shared corpus sits next to the project root: <root>/../shared/corpus.
const CORPUS = fileURLToPath(new URL("../../../../shared/corpus/", import.meta.url));

function walk(dir: string, pred: (name: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pred, out);
    else if (pred(name)) out.push(p);
  }
  return out;
}

/** Our tree as plain JS, the way JSON.parse sees it (the last duplicate key wins). */
function toPlain(n: JSONNode): unknown {
  switch (n.kind) {
    case "object": {
      const o: Record<string, unknown> = {};
      for (const a of n.attrs) {
        Object.defineProperty(o, a.name, {
          value: toPlain(a.value),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return o;
    }
    case "array":
      return n.values.map(toPlain);
    case "number":
      return Number(n.text);
    case "null":
      return null;
    case "invalid":
      return Symbol("invalid");
    default:
      return n.value;
  }
}

/** Decode every property as an attribute, recursively, evaluating strings literally. */
function evalAll(body: Body): number {
  const { attributes, diags } = body.justAttributes();
  assert.deepEqual(diags, []);
  let n = 0;
  for (const a of Object.values(attributes)) {
    const r = a.expr.value();
    assert.deepEqual(r.diags, [], a.name);
    n++;
  }
  return n;
}

describe("corpus: HCL spec suite JSON inputs", () => {
  const files = walk(join(CORPUS, "hcl-specsuite"), (n) => n.endsWith(".json"));
  it("finds the inputs", () => assert.ok(files.length > 0));
  for (const f of files) {
    it(f.slice(CORPUS.length), () => {
      const r = parseJSON(readFileSync(f), f);
      assert.deepEqual(r.diags, []);
      evalAll(r.file.body);
      const { diags } = r.file.body.content({});
      assert.deepEqual(diags, []);
    });
  }
});

describe("corpus: Packer *.pkr.json templates", () => {
  const files = walk(CORPUS, (n) => n.endsWith(".pkr.json"));
  it("finds the templates", () => assert.ok(files.length >= 2));
  for (const f of files) {
    it(f.slice(CORPUS.length), () => {
      const r = parseJSON(readFileSync(f), f);
      assert.deepEqual(r.diags, []);
      // A Packer-like schema, spelled out here: the engine knows nothing of Packer.
      const { content, diags } = r.file.body.content({
        blocks: [
          { type: "source", labelNames: ["type", "name"] },
          { type: "build" },
          { type: "variable", labelNames: ["name"] },
          { type: "locals" },
          { type: "packer" },
        ],
      });
      assert.deepEqual(diags, []);
      assert.ok(content.blocks.length > 0);
      for (const b of content.blocks) {
        if (b.type === "source") {
          assert.equal(b.labels.length, 2);
          evalAll(b.body);
        }
        if (b.type === "build") {
          const bc = b.body.content({
            attributes: [{ name: "name" }, { name: "description" }, { name: "sources" }],
            blocks: [
              { type: "provisioner", labelNames: ["type"] },
              { type: "post-processor", labelNames: ["type"] },
            ],
          });
          assert.deepEqual(bc.diags, []);
          for (const pb of bc.content.blocks) evalAll(pb.body);
          const sources = bc.content.attributes.sources;
          if (sources) assert.equal(sources.expr.value().value.type.kind, "tuple");
        }
      }
    });
  }

  it("build-only/template.pkr.json: repeated block properties make separate blocks", () => {
    const f = join(CORPUS, "packer-1.9.4/command/test-fixtures/build-only/template.pkr.json");
    const r = parseJSON(readFileSync(f), f);
    const { content } = r.file.body.content({
      attributes: [],
      blocks: [{ type: "source", labelNames: ["type", "name"] }, { type: "build" }],
    });
    assert.deepEqual(
      content.blocks.filter((b) => b.type === "source").map((b) => b.labels.join(".")),
      ["file.chocolate", "file.vanilla", "file.cherry"],
    );
    const build = content.blocks.find((b) => b.type === "build")!;
    const bc = build.body.partialContent({
      blocks: [{ type: "post-processor", labelNames: ["type"] }],
    });
    assert.equal(bc.content.blocks.length, 5);
  });
});

describe("corpus: every .json file agrees with JSON.parse", () => {
  const files = walk(CORPUS, (n) => n.endsWith(".json"));
  it("finds files", () => assert.ok(files.length > 10));
  for (const f of files) {
    it(f.slice(CORPUS.length), () => {
      const buf = readFileSync(f);
      const r = parseJSON(buf, f);
      let want: unknown;
      let ok = true;
      try {
        want = JSON.parse(buf.toString("utf8"));
      } catch {
        ok = false;
      }
      const rootOk = ok && typeof want === "object" && want !== null;
      assert.equal(r.diags.length === 0, rootOk, JSON.stringify(r.diags.map((d) => d.summary)));
      if (rootOk) assert.deepEqual(toPlain((r.file.body as JSONBody).root), want);
    });
  }
});
