import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { evaluateLine } from "../../src/cli/commands/console/index.js";
import { standardFunctions } from "../../src/hcl/functions/index.js";

// `echo EXPR | kiln console` must print what `packer console` (Debian's 1.6.6,
// installed by scripts/setup-host.sh) prints, for every expression 1.6.6 supports.
// Both tools get the whole table in one run, separated by a marker line.

const EXPRESSIONS = [
  // literals and numbers
  `1`,
  `1.5`,
  `-3`,
  `1e3`,
  `0.1 + 0.2`,
  `1/3`,
  `10/2`,
  `7 % 3`,
  `-7 % 3`,
  `2 * 3.5`,
  `1/0`,
  `3.14159265358979323846264338327950288419716939937510582097494459 + 1`,
  `"hello"`,
  `"a\\nb"`,
  `"tab\\tx"`,
  `"\\u00e9"`,
  `"\\U0001F600"`,
  `"$\${x}"`,
  `"%%{x}"`,
  `true`,
  `false`,
  `null`,
  // operators
  `1 == 1.0`,
  `"1" == 1`,
  `1 != 2`,
  `1 < 2`,
  `2 <= 1`,
  `3 > 2`,
  `3 >= 4`,
  `true && false`,
  `true || false`,
  `!true`,
  `-(1+2)`,
  `1 + 2 * 3`,
  `(1 + 2) * 3`,
  `10 - 2 - 3`,
  `100 / 10 / 5`,
  `2 * 3 % 4`,
  `true ? 1 : "one"`,
  `false ? 1 : 2`,
  `1 < 2 && 3 > 2 || false`,
  // collections
  `[]`,
  `{}`,
  `[1, 2, "a"]`,
  `{a = 1, b = "x"}`,
  `{"k" = [1, {z = true}]}`,
  `[[1], [2, 3]]`,
  `{a = 1}.a`,
  `[1, 2, 3][1]`,
  `{a = [1, 2]}["a"][0]`,
  `[{a = 1}, {a = 2}][*].a`,
  `[{a = 1}, {a = 2}].*.a`,
  `"x"[*]`,
  // for expressions
  `[for x in [1, 2, 3] : x * 2]`,
  `[for i, x in ["a", "b"] : "\${i}=\${x}"]`,
  `{for x in ["a", "b"] : x => upper(x)}`,
  `[for x in [1, 2, 3, 4] : x if x % 2 == 0]`,
  `{for x in ["a", "b", "a"] : x => x...}`,
  `{for k, v in {a = 1, b = 2} : v => k}`,
  // templates
  `"a\${1 + 1}b"`,
  `"%{ if true }yes%{ else }no%{ endif }"`,
  `"%{ for x in [1, 2] }\${x},%{ endfor }"`,
  `"  \${"x"}  "`,
  `"%{ for x in ["a"] ~} \${x} %{~ endfor }"`,
  // numeric functions
  `abs(-2.5)`,
  `ceil(1.2)`,
  `floor(-1.2)`,
  `log(16, 2)`,
  `max(1, 5, 3)`,
  `min(4, 2)`,
  `parseint("ff", 16)`,
  `parseint("7fffffffffffffff", 16)`,
  `parseint("-101", 2)`,
  `pow(2, 10)`,
  `signum(-3)`,
  // string functions
  `chomp("x\\n\\n")`,
  `format("%d items", 3)`,
  `format("%05.1f|%-4s|%x", 3.14159, "ab", 255)`,
  `format("%q %v %t", "s", 1, true)`,
  `format("%s", [1, 2])`,
  `formatlist("%s=%d", ["a", "b"], [1, 2])`,
  `indent(2, "a\\nb")`,
  `join(",", ["a", "b"])`,
  `lower("ABC")`,
  `upper("abc")`,
  `regex_replace("a1b2", "[0-9]", "_")`,
  `replace("hello", "l", "L")`,
  `replace("hello", "/l+/", "L")`,
  `split(",", "a,b,,c")`,
  `strrev("abc")`,
  `substr("hello", 1, 3)`,
  `substr("hello", -3, -1)`,
  `title("hello world")`,
  `trim("?!hi?!", "!?")`,
  `trimprefix("foobar", "foo")`,
  `trimsuffix("foobar", "bar")`,
  `trimspace("  x  ")`,
  // collection functions
  `chunklist([1, 2, 3, 4, 5], 2)`,
  `coalesce("", "b")`,
  `coalescelist([], [1])`,
  `compact(["a", "", "b"])`,
  `concat([1], [2, 3])`,
  `contains(["a"], "a")`,
  `distinct([1, 2, 1])`,
  `element(["a", "b"], 3)`,
  `flatten([[1], [2, [3]]])`,
  `keys({b = 1, a = 2})`,
  `length("héllo")`,
  `length([1, 2])`,
  `length({a = 1})`,
  `lookup({a = 1}, "b", 0)`,
  `merge({a = 1}, {b = 2}, {a = 3})`,
  `range(3)`,
  `range(1, 10, 3)`,
  `reverse([1, 2, 3])`,
  `setintersection(["a", "b"], ["b"])`,
  `setproduct(["a", "b"], [1, 2])`,
  `setunion(["b"], ["a"])`,
  `slice([1, 2, 3, 4], 1, 3)`,
  `sort(["b", "a", "10", "9"])`,
  `values({b = 1, a = 2})`,
  `zipmap(["a", "b"], [1, 2])`,
  // encoding
  `base64encode("hi")`,
  `base64decode("aGk=")`,
  `csvdecode("a,b\\n1,2\\n")`,
  `jsonencode({a = [1, "<b>"], c = null})`,
  `jsondecode("{\\"a\\": [1, 2.5, true, null]}")`,
  `urlencode("a b&c/d")`,
  `yamlencode({a = [1, "x"]})`,
  `yamldecode("a: [1, x]")`,
  // filesystem
  `basename("/a/b/c.txt")`,
  `dirname("/a/b/c.txt")`,
  `file("hello.txt")`,
  `fileexists("hello.txt")`,
  `fileexists("nope.txt")`,
  `fileset(".", "*.txt")`,
  // time
  `formatdate("YYYY-MM-DD hh:mm:ss ZZZ", "2020-01-02T03:04:05Z")`,
  `formatdate("EEEE, DD MMM YY h:mm AA", "2021-12-31T23:59:00+01:00")`,
  `timeadd("2020-01-01T00:00:00Z", "1h30m")`,
  // crypto and ids
  `md5("x")`,
  `sha1("x")`,
  `sha256("x")`,
  `sha512("x")`,
  `uuidv5("dns", "example.com")`,
  // networks
  `cidrhost("10.0.0.0/8", 5)`,
  `cidrnetmask("172.16.0.0/12")`,
  `cidrsubnet("10.0.0.0/8", 8, 2)`,
  `cidrsubnets("10.0.0.0/16", 4, 4, 8)`,
  `cidrsubnet("fd00::/8", 8, 3)`,
  // conversion and errors
  `try(1/"x", "fallback")`,
  `can(1/"x")`,
  `convert("1", number)`,
  `nope(1)`,
  `upper(1, 2)`,
  `1 + "a"`,
  `[1][5]`,
  `{a = 1}.b`,
  `"\${null}"`,
];

// Where Packer 1.6.6 is older than the Packer kiln follows (1.9.4 and its docs), kiln
// gives current Packer's answer. Each entry: expression, kiln's output, why.
const NEWER_THAN_1_6_6: [string, string, string][] = [
  [`null[*]`, "[]\n", "HCL's spec: a splat of null is an empty tuple (1.6.6 printed <unknown>)"],
  [
    `index(["a", "b"], "b")`,
    "1\n",
    "current docs: index finds a value's position (1.6.6 looked up by key)",
  ],
  [`tonumber("5")`, "5\n", "conversion functions are missing from 1.6.6"],
  [`1 +`, "Error: Missing expression", "newer HCL names an expression cut off by the end of input"],
];

const MARKER = "--8<--";

function runPacker(lines: string[], cwd: string): string[] {
  const input = lines.flatMap((l) => [l, `"${MARKER}"`]).join("\n");
  const r = spawnSync("packer", ["console", "t.pkr.hcl"], { input, cwd, encoding: "utf8" });
  assert.equal(r.error, undefined, "packer must be installed (scripts/setup-host.sh)");
  return r.stdout.split(`${MARKER}\n`).slice(0, lines.length);
}

test("kiln console prints what packer 1.6.6 console prints", () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-console-"));
  writeFileSync(join(dir, "t.pkr.hcl"), 'variable "x" {\n  default = "y"\n}\n');
  writeFileSync(join(dir, "hello.txt"), "hello file\n");
  writeFileSync(join(dir, "b.txt"), "b\n");
  const packerOut = runPacker(EXPRESSIONS, dir);
  const ctx = { variables: {}, functions: standardFunctions(dir) };
  const mismatches: string[] = [];
  EXPRESSIONS.forEach((expr, i) => {
    const want = packerOut[i] ?? "";
    const { text, failed } = evaluateLine(expr, ctx);
    if (want.startsWith("Error: ")) {
      // Both must fail with the same summary; kiln shows the source line where 1.6.6 cannot.
      const wantSummary = want.split("\n")[0];
      const gotSummary = text.split("\n")[0];
      if (!failed || wantSummary !== gotSummary) {
        mismatches.push(`${expr}\n  packer: ${wantSummary}\n  kiln:   ${text.split("\n")[0]}`);
      }
    } else if (text !== want) {
      mismatches.push(
        `${expr}\n  packer: ${JSON.stringify(want)}\n  kiln:   ${JSON.stringify(text)}`,
      );
    }
  });
  assert.equal(mismatches.length, 0, `${mismatches.length} mismatches:\n${mismatches.join("\n")}`);
});

test("where 1.6.6 is outdated, kiln answers as current Packer does", () => {
  const ctx = { variables: {}, functions: standardFunctions(process.cwd()) };
  for (const [expr, want, why] of NEWER_THAN_1_6_6) {
    const { text } = evaluateLine(expr, ctx);
    assert.ok(text.startsWith(want), `${expr}: ${why}\n got ${JSON.stringify(text)}`);
  }
});
