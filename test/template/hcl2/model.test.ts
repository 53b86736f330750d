import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatForConsole } from "../../../src/hcl/cty/format.js";
import type { Diagnostic } from "../../../src/hcl/diagnostic.js";
import { parseExpression } from "../../../src/hcl/syntax/parser.js";
import {
  evalContext,
  getBuilds,
  type LoadHCL2Options,
  loadHCL2Template,
} from "../../../src/template/hcl2/index.js";
import { variableValue } from "../../../src/template/hcl2/values.js";

const root = mkdtempSync(join(tmpdir(), "kiln-hcl2-"));
let counter = 0;

/** A template folder with the given files; returns its path. */
function folder(files: Record<string, string>): string {
  const d = join(root, `t${counter++}`);
  mkdirSync(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

async function load(files: Record<string, string>, opts: LoadHCL2Options = {}) {
  const d = folder(files);
  return loadHCL2Template(d, { env: {}, cwd: d, ...opts });
}

function errors(diags: Diagnostic[]): string[] {
  return diags.filter((d) => d.severity === "error").map((d) => d.summary);
}

function show(cfg: Awaited<ReturnType<typeof load>>["config"], expr: string): string {
  const p = parseExpression(Buffer.from(expr), "<test>");
  const r = p.expr.value(evalContext(cfg));
  assert.deepEqual(
    r.diags.map((d) => d.summary),
    [],
  );
  return formatForConsole(r.value, { redactMarked: true });
}

test("variable declarations: types, defaults, env() in defaults, variables blocks", async () => {
  const r = await load(
    {
      "v.pkr.hcl": `
variable "s" { default = "x" }
variable "n" {
  type = number
  default = "42"
}
variable "l" {
  type = list(string)
  default = ["a", "b"]
}
variable "home" { default = env("KILN_TEST_HOME") }
variable "obj" {
  type = object({ a = string, b = optional(number, 7) })
  default = { a = "x" }
}
variables {
  legacy = "old style"
}
`,
    },
    { env: {} },
  );
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "var.s"), "x");
  assert.equal(show(r.config, "var.n + 1"), "43");
  assert.equal(show(r.config, "var.l[1]"), "b");
  assert.equal(show(r.config, "var.obj.b"), "7");
  assert.equal(show(r.config, "var.legacy"), "old style");
  assert.equal(show(r.config, "var.home"), process.env.KILN_TEST_HOME ?? "");
});

test("value precedence: default < PKR_VAR_ < auto var files < -var/-var-file in command-line order", async () => {
  const d = folder({
    "v.pkr.hcl": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "n" { type = number }
`,
    "x.auto.pkrvars.hcl": `b = "auto"\nc = "auto"\nd = "auto"\n`,
    "one.pkrvars.hcl": `c = "file"\nd = "file"\n`,
  });
  const r = await loadHCL2Template(d, {
    cwd: d,
    env: { PKR_VAR_a: "env", PKR_VAR_b: "env", PKR_VAR_n: "3", PKR_VAR_undeclared: "ignored" },
    vars: [
      { kind: "var", text: "d=cli" },
      { kind: "var-file", path: "one.pkrvars.hcl" },
    ],
  });
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "var.a"), "env");
  assert.equal(show(r.config, "var.b"), "auto");
  assert.equal(show(r.config, "var.c"), "file");
  // -var-file came after -var=d=cli, so it wins.
  assert.equal(show(r.config, "var.d"), "file");
  assert.equal(show(r.config, "var.n * 2"), "6");
});

test("a -var for a list variable is parsed as HCL; a string variable takes the text verbatim", async () => {
  const r = await load(
    {
      "v.pkr.hcl": `
variable "l" { type = list(number) }
variable "s" { type = string }
`,
    },
    {
      vars: [
        { kind: "var", text: "l=[1, 2, 3]" },
        { kind: "var", text: "s=[1, 2]" },
      ],
    },
  );
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "length(var.l)"), "3");
  assert.equal(show(r.config, "var.s"), "[1, 2]");
});

test("unset, undeclared and mistyped variables are diagnostics", async () => {
  const unset = await load({ "v.pkr.hcl": `variable "need" { type = string }\n` });
  assert.deepEqual(errors(unset.diags), ['Unset variable "need"']);
  assert.equal(unset.diags[0]!.subject?.start.line, 1);

  const undeclaredCli = await load(
    { "v.pkr.hcl": `variable "a" { default = "x" }\n` },
    { vars: [{ kind: "var", text: "nope=1" }] },
  );
  assert.deepEqual(errors(undeclaredCli.diags), ["Undefined -var variable"]);

  const undeclaredFile = await load({
    "v.pkr.hcl": `variable "a" { default = "x" }\n`,
    "z.auto.pkrvars.hcl": `nope = 1\n`,
  });
  assert.deepEqual(errors(undeclaredFile.diags), []);
  assert.deepEqual(
    undeclaredFile.diags.map((d) => [d.severity, d.summary]),
    [["warning", "Undefined variable"]],
  );
  const quiet = await load(
    { "v.pkr.hcl": `variable "a" { default = "x" }\n`, "z.auto.pkrvars.hcl": `nope = 1\n` },
    { warnUndeclared: false },
  );
  assert.deepEqual(quiet.diags, []);

  const mistyped = await load(
    { "v.pkr.hcl": `variable "n" { type = number }\n` },
    { vars: [{ kind: "var", text: "n=abc" }] },
  );
  assert.ok(errors(mistyped.diags).length > 0);

  const badDefault = await load({
    "v.pkr.hcl": `variable "n" {\n  type = number\n  default = "abc"\n}\n`,
  });
  assert.deepEqual(errors(badDefault.diags), ["Invalid default value for variable"]);
  assert.equal(badDefault.diags[0]!.subject?.start.line, 3);
});

test("validation blocks: a failing rule reports its error_message; rules must refer to the variable", async () => {
  const tpl = `
variable "size" {
  type = number
  default = 5
  validation {
    condition     = var.size > 10
    error_message = "The size must be more than 10."
  }
  validation {
    condition     = var.size < 100
    error_message = "The size must be less than 100."
  }
}
`;
  const failing = await load({ "v.pkr.hcl": tpl });
  assert.deepEqual(errors(failing.diags), ["Invalid value for variable"]);
  assert.match(
    failing.diags[0]!.detail!,
    /^The size must be more than 10\.\n\nThis was checked by the validation rule at .*v\.pkr\.hcl:5,/,
  );

  const passing = await load({ "v.pkr.hcl": tpl }, { vars: [{ kind: "var", text: "size=50" }] });
  assert.deepEqual(errors(passing.diags), []);

  const other = await load({
    "v.pkr.hcl": `
variable "a" { default = 1 }
variable "b" {
  default = 2
  validation {
    condition = var.a > 0
    error_message = "Must be positive."
  }
}
`,
  });
  assert.deepEqual(errors(other.diags), ["Invalid variable validation condition"]);

  const badMessage = await load({
    "v.pkr.hcl": `
variable "b" {
  default = 2
  validation {
    condition = var.b > 0
    error_message = "must be positive"
  }
}
`,
  });
  assert.deepEqual(errors(badMessage.diags), ["Invalid validation error message"]);
});

test("nullable = false refuses null", async () => {
  const r = await load({
    "v.pkr.hcl": `variable "x" {\n  nullable = false\n  default = null\n}\n`,
  });
  assert.deepEqual(errors(r.diags), ["Invalid value for variable"]);
  const ok = await load({ "v.pkr.hcl": `variable "x" {\n  default = null\n}\n` });
  assert.deepEqual(errors(ok.diags), []);
});

test("sensitive variables and locals are printed as <sensitive>, element by element", async () => {
  const r = await load({
    "v.pkr.hcl": `
variable "pw" {
  default = "hunter2"
  sensitive = true
}
variable "keys" {
  default = ["a", "b"]
  sensitive = true
}
local "derived" {
  expression = "x-\${var.pw}"
  sensitive = true
}
locals { plain = "visible" }
`,
  });
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "var.pw"), "<sensitive>");
  assert.equal(show(r.config, "var.keys"), '[\n  "<sensitive>",\n  "<sensitive>",\n]');
  assert.equal(show(r.config, "local.derived"), "<sensitive>");
  assert.equal(show(r.config, "local.plain"), "visible");
  assert.equal(formatForConsole(variableValue(r.config.variables.get("pw")!)), "hunter2");
});

test("locals evaluate in dependency order across files; a cycle is named", async () => {
  const r = await load({
    "a.pkr.hcl": `locals { c = "\${local.b}-c" }\n`,
    "b.pkr.hcl": `locals {\n  b = "\${local.a}-b"\n  a = upper(var.x)\n}\nvariable "x" { default = "x" }\n`,
  });
  assert.deepEqual(errors(r.diags), []);
  assert.equal(show(r.config, "local.c"), "X-b-c");

  const cyc = await load({
    "c.pkr.hcl": `locals {\n  a = local.b\n  b = local.c\n  c = local.a\n  d = "ok"\n  e = local.a\n}\n`,
  });
  const cycles = cyc.diags.filter((d) => d.summary.startsWith("Cycle"));
  assert.equal(cycles.length, 1);
  assert.match(cycles[0]!.detail!, /local\.a -> local\.b -> local\.c -> local\.a/);
  assert.equal(cyc.config.localValues.has("d"), true);
  assert.equal(cyc.config.localValues.has("e"), false);
  // Only the cycle is reported, not the locals that depend on it.
  assert.equal(errors(cyc.diags).length, 1);
});

test("duplicate locals and variables", async () => {
  const r = await load({
    "a.pkr.hcl": `locals { a = 1 }\nlocal "a" { expression = 2 }\n`,
  });
  assert.deepEqual(errors(r.diags), ["Duplicate value in locals"]);
  const v = await load({
    "a.pkr.hcl": `variable "a" {}\nvariable "a" {}\n`,
  });
  assert.deepEqual(errors(v.diags), ["Duplicate variable"]);
});

test("a local that fails to evaluate reports its own error (packer's circular_error fixture)", async () => {
  const r = await load({
    "a.pkr.hcl": `locals {\n  timestamp = formatdate("YYYY-MM-DDX", timestamp())\n  other_local = "test-\${local.timestamp}"\n}\n`,
  });
  const errs = r.diags.filter((d) => d.severity === "error");
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.subject?.start.line, 2);
  assert.doesNotMatch(errs[0]!.summary, /Cycle/);
});

test("packer block: required_version against the compatible Packer version", async () => {
  const ok = await load({ "a.pkr.hcl": `packer {\n  required_version = ">= 1.7.0, < 2.0.0"\n}\n` });
  assert.deepEqual(errors(ok.diags), []);
  const tilde = await load({ "a.pkr.hcl": `packer {\n  required_version = "~> 1.9.0"\n}\n` });
  assert.deepEqual(errors(tilde.diags), []);
  const bad = await load({
    "a.pkr.hcl": `packer {\n  required_version = ">= 2.0.0"\n}\nthis_block "is" "unknown" {}\n`,
  });
  // Only the version is reported: the rest may be written for a Packer kiln doesn't match.
  assert.deepEqual(errors(bad.diags), ["Unsupported Packer Core version"]);
  assert.equal(bad.diags[0]!.subject?.start.line, 2);
  const old = await load({ "a.pkr.hcl": `packer {\n  required_version = "< 1.5"\n}\n` });
  assert.deepEqual(errors(old.diags), ["Unsupported Packer Core version"]);
});

test("path, packer and source variables", async () => {
  const r = await load({ "a.pkr.hcl": `locals { v = packer.version }\n` });
  assert.equal(show(r.config, "local.v"), "1.9.4");
  assert.equal(show(r.config, "path.root"), r.config.basedir);
  assert.equal(show(r.config, "source.name"), "<unknown>");
});

test("unknown top-level blocks and arguments are HCL diagnostics with suggestions", async () => {
  const r = await load({ "a.pkr.hcl": `variabel "x" {}\n` });
  assert.deepEqual(errors(r.diags), ["Unsupported block type"]);
  // Packer's schema lists "variables" first, so HCL suggests it.
  assert.match(r.diags[0]!.detail!, /Did you mean "variables"\?/);
});

test("builds: source references, renamed sources, only/except, -only/-except globs", async () => {
  const r = await load({
    "a.pkr.hcl": `
source "null" "one" { communicator = "none" }
source "null" "two" { communicator = "none" }
build {
  name = "main"
  sources = ["source.null.one"]
  source "source.null.two" {
    name = "renamed"
  }
  provisioner "shell-local" {
    only   = ["null.one"]
    inline = ["echo one"]
  }
  provisioner "shell-local" {
    except = ["null.one"]
    inline = ["echo \${source.name} \${build.name}"]
  }
  post-processor "manifest" {}
}
build {
  sources = ["source.null.two"]
}
`,
  });
  assert.deepEqual(errors(r.diags), []);
  const all = await getBuilds(r.config, { only: [], except: [] });
  assert.deepEqual(errors(all.diags), []);
  assert.deepEqual(
    all.builds.map((b) => b.name),
    ["main.null.one", "main.null.renamed", "null.two"],
  );
  const [one, renamed] = all.builds;
  assert.deepEqual(
    one!.provisioners.map((p) => p.config.inline),
    [["echo one"]],
  );
  assert.deepEqual(
    renamed!.provisioners.map((p) => p.config.inline),
    [["echo renamed main"]],
  );
  assert.equal(one!.postProcessors.length, 1);

  const only = await getBuilds(r.config, { only: ["main.*"], except: [] });
  assert.deepEqual(
    only.builds.map((b) => b.name),
    ["main.null.one", "main.null.renamed"],
  );
  const except = await getBuilds(r.config, { only: [], except: ["*.renamed", "null.{two,three}"] });
  assert.deepEqual(
    except.builds.map((b) => b.name),
    ["main.null.one"],
  );
  const noPP = await getBuilds(r.config, { only: [], except: ["manifest"] });
  assert.equal(noPP.builds[0]!.postProcessors.length, 0);
});

test("a build-level source block may add arguments but not set one twice", async () => {
  const r = await load({
    "a.pkr.hcl": `
source "file" "f" { target = "out.txt" }
build {
  source "source.file.f" {
    content = "hello"
  }
}
`,
  });
  const b = await getBuilds(r.config, { only: [], except: [] });
  assert.deepEqual(errors(b.diags), []);
  assert.equal(b.builds[0]!.builder.config.content, "hello");
  assert.equal(b.builds[0]!.builder.config.target, "out.txt");

  const dup = await load({
    "a.pkr.hcl": `
source "file" "f" {
  target = "out.txt"
  content = "a"
}
build {
  source "source.file.f" {
    content = "b"
  }
}
`,
  });
  const d = await getBuilds(dup.config, { only: [], except: [] });
  assert.deepEqual(errors(d.diags), ["Duplicate argument"]);
});

test("component configuration is checked against the component's schema", async () => {
  const r = await load({
    "a.pkr.hcl": `
source "file" "f" {
  target = "out.txt"
  contnet = "typo"
}
source "amazon-ebs" "x" {}
build {
  sources = ["source.file.f", "source.amazon-ebs.x", "source.null.missing"]
  provisioner "shel-local" {}
}
`,
  });
  assert.deepEqual(errors(r.diags), []);
  const b = await getBuilds(r.config, { only: [], except: [] });
  const summaries = errors(b.diags);
  assert.ok(summaries.includes("Unsupported argument"), summaries.join("; "));
  const typo = b.diags.find((d) => d.summary === "Unsupported argument")!;
  assert.match(typo.detail!, /"contnet" is not expected here\. Did you mean "content"\?/);
  assert.equal(typo.subject?.start.line, 4);
  assert.ok(
    summaries.some((s) => s.includes("amazon-ebs")),
    summaries.join("; "),
  );
  assert.ok(summaries.includes("Unknown source null.missing"), summaries.join("; "));
});

test("provisioner common arguments: pause_before, timeout, max_retries, override", async () => {
  const r = await load({
    "a.pkr.hcl": `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    pause_before = "1m30s"
    timeout      = "5s"
    max_retries  = 3
    inline       = ["echo base"]
    override = {
      a = { inline = ["echo override"] }
    }
  }
  provisioner "shell-local" {
    timeout = "forever"
    inline  = ["x"]
  }
}
`,
  });
  assert.deepEqual(errors(r.diags), ["Failed to parse timeout duration"]);
  const ok = await load({
    "a.pkr.hcl": `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    pause_before = "1m30s"
    timeout      = "5s"
    max_retries  = 3
    inline       = ["echo base"]
    override = {
      a = { inline = ["echo override"] }
    }
  }
}
`,
  });
  const b = await getBuilds(ok.config, { only: [], except: [] });
  assert.deepEqual(errors(b.diags), []);
  const p = b.builds[0]!.provisioners[0]!;
  assert.equal(p.pauseBefore, 90_000);
  assert.equal(p.timeout, 5_000);
  assert.equal(p.maxRetries, 3);
  assert.deepEqual(p.config.inline, ["echo override"]);
});

test("dynamic blocks expand in component bodies", async () => {
  const { expandDynamicBlocks } = await import("../../../src/template/hcl2/dynamic.js");
  const { parseConfig } = await import("../../../src/hcl/syntax/parser.js");
  const src = `
dynamic "disk" {
  for_each = ["a", "b"]
  iterator = d
  labels   = ["\${d.value}"]
  content {
    size = "\${d.key}-\${d.value}"
  }
}
plain = 1
`;
  const f = parseConfig(Buffer.from(src), "d.hcl");
  const body = expandDynamicBlocks(f.file.body, { variables: {} });
  const r = body.content({
    attributes: [{ name: "plain" }],
    blocks: [{ type: "disk", labelNames: ["name"] }],
  });
  assert.deepEqual(r.diags, []);
  assert.deepEqual(
    r.content.blocks.map((b) => b.labels),
    [["a"], ["b"]],
  );
  const sizes = r.content.blocks.map((b) => {
    const c = b.body.content({ attributes: [{ name: "size" }] });
    return formatForConsole(c.content.attributes.size!.expr.value({ variables: {} }).value);
  });
  assert.deepEqual(sizes, ["0-a", "1-b"]);
  const bad = expandDynamicBlocks(f.file.body, { variables: {} }).content({
    attributes: [{ name: "plain" }],
  });
  assert.deepEqual(
    bad.diags.map((d) => d.summary),
    ["Unsupported block type"],
  );
});

test("data sources: null evaluated, or unknown when execution is skipped; locals and data in either order", async () => {
  const files = {
    "a.pkr.hcl": `
locals { greeting = "hello" }
data "null" "d" {
  input = "\${local.greeting} world"
}
locals { shout = upper(data.null.d.output) }
`,
  };
  const run = await load(files);
  assert.deepEqual(errors(run.diags), []);
  assert.equal(show(run.config, "local.shout"), "HELLO WORLD");
  const skipped = await load(files, { skipDatasourcesExecution: true });
  assert.deepEqual(errors(skipped.diags), []);
  assert.equal(show(skipped.config, "local.shout"), "<unknown>");

  const cyc = await load({
    "a.pkr.hcl": `
locals { a = data.null.d.output }
data "null" "d" { input = local.a }
`,
  });
  assert.deepEqual(errors(cyc.diags), ["Cycle between locals and data sources"]);
  assert.match(
    cyc.diags[0]!.detail!,
    /data\.null\.d -> local\.a -> data\.null\.d|local\.a -> data\.null\.d -> local\.a/,
  );
});
