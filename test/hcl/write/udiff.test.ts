import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unifiedDiff } from "../../../src/hcl/write/udiff.js";
import { diffCases } from "./udiff-cases.js";

/** Apply a unified diff to `a`; checks every context and removed line against `a`. */
function applyPatch(a: string, patch: string): string {
  const src = a.length === 0 ? [] : (a.match(/[^\n]*\n|[^\n]+$/g) ?? []);
  const lines = patch.match(/[^\n]*\n/g) ?? [];
  assert.ok(lines[0]?.startsWith("--- ") && lines[1]?.startsWith("+++ "), "headers");
  const out: string[] = [];
  let pos = 0;
  let k = 2;
  while (k < lines.length) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n$/.exec(lines[k]!);
    assert.ok(m, `hunk header: ${lines[k]}`);
    const start = Number(m[1]);
    const oldLen = m[2] === undefined ? 1 : Number(m[2]);
    const newLen = m[4] === undefined ? 1 : Number(m[4]);
    const from = oldLen === 0 ? start : start - 1;
    while (pos < from) out.push(src[pos++]!);
    k++;
    let seenOld = 0;
    let seenNew = 0;
    while (k < lines.length && !lines[k]!.startsWith("@@")) {
      let line = lines[k]!;
      const tag = line[0];
      line = line.slice(1);
      if (lines[k + 1] === "\\ No newline at end of file\n") {
        line = line.slice(0, -1);
        k++;
      }
      k++;
      if (tag === " " || tag === "-") {
        assert.equal(line, src[pos], "context/removed line matches the old text");
        pos++;
        seenOld++;
        if (tag === " ") {
          out.push(line);
          seenNew++;
        }
      } else {
        assert.equal(tag, "+");
        out.push(line);
        seenNew++;
      }
    }
    assert.equal(seenOld, oldLen, "old line count in header");
    assert.equal(seenNew, newLen, "new line count in header");
  }
  while (pos < src.length) out.push(src[pos++]!);
  return out.join("");
}

describe("unifiedDiff: same bytes as GNU diff -u", () => {
  for (const c of diffCases) {
    it(c.name, () => {
      assert.equal(unifiedDiff(c.a, c.b, "old/f.pkr.hcl", "new/f.pkr.hcl"), c.want);
    });
  }

  it("the shape packer fmt -diff prints", () => {
    assert.equal(
      unifiedDiff("b=1\n", "b = 1\n", "old/z.pkr.hcl", "new/z.pkr.hcl"),
      "--- old/z.pkr.hcl\n+++ new/z.pkr.hcl\n@@ -1 +1 @@\n-b=1\n+b = 1\n",
    );
  });
});

describe("unifiedDiff: patches reproduce the new text", () => {
  it("on random edits", () => {
    let seed = 99;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const vocab = ["a\n", "}\n", "\n", "  x = 1\n", "b\n", "{\n"];
    for (let t = 0; t < 400; t++) {
      const len = Math.floor(rnd() * 60);
      const A: string[] = [];
      for (let i = 0; i < len; i++) A.push(vocab[Math.floor(rnd() * vocab.length)]!);
      const B = A.slice();
      for (let e = Math.floor(rnd() * 6); e > 0; e--) {
        const p = Math.floor(rnd() * (B.length + 1));
        const r = rnd();
        if (r < 0.33) B.splice(p, 1);
        else if (r < 0.66) B.splice(p, 0, vocab[Math.floor(rnd() * vocab.length)]!);
        else B[p] = `z${t}\n`;
      }
      let a = A.join("");
      let b = B.join("");
      if (rnd() < 0.15) a = a.replace(/\n$/, "");
      if (rnd() < 0.15) b = b.replace(/\n$/, "");
      const d = unifiedDiff(a, b, "old/x", "new/x");
      if (a === b) {
        assert.equal(d, "");
        continue;
      }
      assert.equal(applyPatch(a, d), b, JSON.stringify([a, b]));
    }
  });
});
