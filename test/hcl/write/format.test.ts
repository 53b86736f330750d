// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL templates are written as "${...}" strings
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { scan } from "../../../src/hcl/syntax/scanner.js";
import { formatSource } from "../../../src/hcl/write/format.js";
import { formatUnchecked } from "../../../src/hcl/write/format-tokens.js";
import { corpusFiles, corpusRoot, isNativeHcl } from "../../support/corpus.js";
import { corpusDigests } from "./corpus-digests.js";
import { oracleCases } from "./oracle-cases.js";

const FIXTURES = join(corpusRoot, "packer-1.9.4");

function fmt(src: string, name = "test.pkr.hcl"): string {
  const { output, diags } = formatSource(src, name);
  assert.deepEqual(
    diags.filter((d) => d.severity === "error").map((d) => d.summary),
    [],
    "unexpected syntax errors",
  );
  return output;
}

/** Every token's kind and exact text, in order: what formatting must never change. */
function tokenSequence(src: string): string[] {
  return scan(src, "x.hcl", "normal").map((t) => `${t.type}:${t.text}`);
}

describe("formatSource: Packer 1.9.4 golden fixtures", () => {
  it("hcl2template/testdata/format: unformatted.pkr.hcl becomes formatted.pkr.hcl", () => {
    const dir = join(FIXTURES, "hcl2template/testdata/format");
    const input = readFileSync(join(dir, "unformatted.pkr.hcl"), "utf8");
    const want = readFileSync(join(dir, "formatted.pkr.hcl"), "utf8");
    assert.notEqual(input, want);
    assert.equal(fmt(input), want);
  });

  it("formatted fixtures are left unchanged", () => {
    for (const f of [
      "hcl2template/testdata/format/formatted.pkr.hcl",
      "command/test-fixtures/fmt/formatted.pkr.hcl",
    ]) {
      const src = readFileSync(join(FIXTURES, f), "utf8");
      assert.equal(fmt(src), src, f);
    }
  });

  it("variable files: the alignment Packer's own fmt tests expect", () => {
    // command/fmt_test.go (TestFmt_Recursive) expects exactly this output.
    const want =
      'ami_filter_name   = "amzn2-ami-hvm-*-x86_64-gp2"\nami_filter_owners = ["137112412989"]\n\n';
    for (const f of [
      "hcl2template/testdata/format/unformatted.pkrvars.hcl",
      "command/test-fixtures/fmt/unformatted.pkrvars.hcl",
    ]) {
      assert.equal(fmt(readFileSync(join(FIXTURES, f), "utf8"), f), want, f);
    }
    const auto = readFileSync(
      join(FIXTURES, "command/test-fixtures/fmt/unformatted.auto.pkrvars.hcl"),
    );
    assert.equal(fmt(auto.toString(), "x.pkrvars.hcl"), 'region = "us-west-2"\n');
  });

  it("command/test-fixtures/fmt/unformatted.pkr.hcl", () => {
    const src = readFileSync(
      join(FIXTURES, "command/test-fixtures/fmt/unformatted.pkr.hcl"),
      "utf8",
    );
    const out = fmt(src);
    assert.equal(out, src.replace("type =string", "type = string"));
  });
});

describe("formatSource: compared with the packer binary", () => {
  for (const c of oracleCases) {
    it(c.name, () => {
      assert.equal(fmt(c.input), c.expected);
      // and formatting is a fixed point
      assert.equal(fmt(c.expected), c.expected);
    });
  }
});

describe("formatSource: hand-written cases", () => {
  const cases: [string, string, string][] = [
    // hclwrite >= 2.8 (Packer 1.9.4) removes the space after unary `!`;
    // Packer 1.6.6 still printed `! x`.
    ["bang", "a = ! b\nc = !  (d)\ne = [! f, -g]\n", "a = !b\nc = !(d)\ne = [!f, -g]\n"],
    ["empty file", "", ""],
    ["only newlines", "\n\n", "\n\n"],
    ["spaces before EOF survive", "a = 1\n   ", "a = 1\n   "],
    ["tabs before EOF become spaces", "a = 1\n\t", "a = 1\n "],
    ["no final newline", "a=1", "a = 1"],
    ["byte-order mark kept", "\uFEFFa=1\n", "\uFEFFa = 1\n"],
    [
      "trailing whitespace removed",
      "a = 1   \nb {   \n  c = 2\t\n}  \n",
      "a = 1\nb {\n  c = 2\n}\n",
    ],
    ["crlf preserved, aligned", "a=1\r\nbbb=2 # c\r\n", "a   = 1\r\nbbb = 2 # c\r\n"],
    [
      "heredoc body untouched, alignment continues across it",
      "x = 1\nlong_name = <<EOF\n   a  =  b\n\t${ c }\nEOF\ny = 2\n",
      "x         = 1\nlong_name = <<EOF\n   a  =  b\n\t${c}\nEOF\ny         = 2\n",
    ],
    [
      "indented heredoc closing marker keeps its indentation",
      "a {\nb = <<-EOT\n      x\n      EOT\n}\n",
      "a {\n  b = <<-EOT\n      x\n      EOT\n}\n",
    ],
    ["object in interpolation gets spaces", 'a = "${{a=1}}"\n', 'a = "${ { a = 1 } }"\n'],
    [
      "adjacent template sequences never separated",
      'a = "${x}${y}%{if z}q%{endif}"\n',
      'a = "${x}${y}%{if z}q%{endif}"\n',
    ],
    ["ellipsis", "a = f(x ...)\n", "a = f(x...)\n"],
    ["wide characters count as one column each", "é = 1\nab = 2\n", "é  = 1\nab = 2\n"],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      assert.equal(fmt(input), want);
    });
  }

  it("accepts a Buffer", () => {
    assert.equal(fmt(Buffer.from("a=1\n") as unknown as string), "a = 1\n");
    assert.equal(formatSource(Buffer.from("é=1\n"), "x.hcl").output, "é = 1\n");
  });
});

describe("formatSource: syntax errors", () => {
  const bad = [
    "a = {\n",
    "a = 1 +\n  2\n",
    'a = "unterminated\n',
    "block {\n  x = 1\n",
    "a = [1, 2\nb = 3\n",
    "}\n",
    "a = <<EOF\nno end\n",
    "a = 1 = 2\n",
    "\u0000\u0001\u0002",
  ];
  for (const src of bad) {
    it(`refuses ${JSON.stringify(src)}`, () => {
      const { output, diags } = formatSource(src, "bad.pkr.hcl");
      assert.equal(output, src, "input returned unchanged");
      assert.ok(diags.some((d) => d.severity === "error"));
      assert.ok(diags.every((d) => typeof d.summary === "string" && d.summary.length > 0));
    });
  }

  it("never throws on random bytes", () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = "ab =1{}[]()\"$%~<>-!#/*\n\t,.:?\\'é";
    for (let n = 0; n < 500; n++) {
      let s = "";
      const len = rnd() % 40;
      for (let i = 0; i < len; i++) s += alphabet[rnd() % alphabet.length];
      const { output, diags } = formatSource(s, "r.hcl");
      if (diags.some((d) => d.severity === "error")) {
        assert.equal(output, s);
      } else {
        assert.deepEqual(tokenSequence(output), tokenSequence(s), JSON.stringify(s));
        assert.equal(formatSource(output, "r.hcl").output, output, JSON.stringify(s));
      }
    }
  });
});

describe("formatSource over the shared corpus", () => {
  const files = corpusFiles(isNativeHcl);

  it("has an expected result for every corpus file", () => {
    assert.ok(files.length > 200, `only ${files.length} files found`);
    const rels = files.map((f) => relative(corpusRoot, f)).sort();
    assert.deepEqual(rels, Object.keys(corpusDigests).sort());
  });

  for (const file of files) {
    const rel = relative(corpusRoot, file);
    it(rel, () => {
      const src = readFileSync(file);
      const { output, diags } = formatSource(src, rel);
      const errors = diags.filter((d) => d.severity === "error");
      if (corpusDigests[rel] === "error") {
        assert.ok(errors.length > 0, "packer refuses this file");
        assert.equal(output, src.toString("utf8"));
        return;
      }
      assert.deepEqual(errors, []);
      // The same bytes packer fmt produces.
      const digest = createHash("sha256").update(output, "utf8").digest("hex").slice(0, 16);
      assert.equal(digest, corpusDigests[rel]);
      // Idempotent.
      assert.equal(fmt(output, rel), output);
      // Only whitespace between tokens changes.
      assert.deepEqual(tokenSequence(output), tokenSequence(src.toString("utf8")));
      // Unchecked formatting agrees on valid input.
      assert.equal(formatUnchecked(src, rel), output);
    });
  }
});
