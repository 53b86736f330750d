import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { CommandIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { kiln } from "../../support/cli.js";

// Legacy JSON templates run through Packer 1.6.6 (Debian's /usr/bin/packer)
// and kiln: `validate` must give the same exit code and the same problems,
// `inspect` the same output. Where packer is not installed, what it printed
// is read from oracle/packer-1.6.6.json (rewrite it with KILN_RECORD_ORACLE=1
// after changing a case; with packer present the test also checks the record
// still matches it).
//
// Only what must differ is normalised before comparing:
//  1. Packer's diagnostic writer wraps text at 80 columns: runs of whitespace
//     in a diagnostic's text count as one space.
//  2. kiln shows where a problem is (file, line, the source line and a
//     marker) under the summary: that snippet is dropped.
//  3. Packer reports the template's own problems as one diagnostic without a
//     summary holding a go-multierror list (or as "Failed to parse template:"
//     and the list); kiln gives each problem its own diagnostic. Both become
//     the list of problems.
//  4. Packer lists some problems in Go map order: lists are compared sorted.
//  5. A JSON syntax error: its first line only. Packer follows it with its
//     own excerpt of the file, kiln with the snippet and the position.
//  6. Build names may hold the time: 10-digit Unix timestamps and the
//     current year become placeholders.
//  7. -machine-readable lines start with the time: it becomes a placeholder.
// Where kiln follows Packer 1.9.4 instead, the case says so and asserts the
// difference.

const dir = join(import.meta.dirname, "oracle");
const recordPath = join(dir, "packer-1.6.6.json");
const packerBin = process.env.KILN_PACKER_ORACLE ?? "/usr/bin/packer";
const env: Record<string, string> = {
  CHECKPOINT_DISABLE: "1",
  KILN_ORACLE_HOME: "/srv/kiln-oracle",
  KILN_ORACLE_NAME: "n1",
};

// Relative paths in the templates (scripts, sources, var files) are relative to their folder.
process.chdir(dir);

interface Outcome {
  status: number;
  /** The problems reported, normalised and sorted. */
  messages: string[];
  /** Output that is not a diagnostic ("The configuration is valid."), normalised. */
  rest: string;
}

interface InspectOutcome {
  status: number;
  stdout: string;
  messages: string[];
}

interface Case {
  template: string;
  /** Flags before the template, for validate (and inspect). */
  args?: string[];
  /** Also compare `inspect`, and `inspect -machine-readable` with "machine". */
  inspect?: boolean | "machine";
  /** kiln follows Packer 1.9.4 here: what changed, and the assertion on both outcomes. */
  differs?: { change: string; check(packer: Outcome, kiln: Outcome): void };
}

const cases: Case[] = [
  // --- builders -------------------------------------------------------------
  { template: "null-valid.json", inspect: "machine" },
  { template: "null-ssh.json" },
  { template: "null-unknown-keys.json" },
  { template: "null-missing-host.json" },
  { template: "file-valid.json", inspect: true },
  { template: "file-errors.json" },
  { template: "docker-valid.json", inspect: "machine" },
  { template: "docker-commit-discard.json" },
  { template: "docker-no-image.json" },
  { template: "docker-wrong-types.json" },
  { template: "qemu-valid.json", inspect: true },
  { template: "qemu-bad-checksum.json" },
  { template: "qemu-missing.json" },
  { template: "qemu-types.json" },
  { template: "unknown-types.json", inspect: true },
  // --- provisioners ---------------------------------------------------------
  { template: "shell-errors.json" },
  { template: "shell-local-errors.json" },
  { template: "file-provisioner-errors.json" },
  {
    template: "file-provisioner-1.9.json",
    differs: {
      change:
        "Packer 1.7 gave the file provisioner `content` and dropped its 'Source must be specified.' check",
      check(packer, kiln) {
        assert.deepEqual(packer.messages, [
          `Error: Failed to prepare build: "content" | 1 error occurred: * unknown configuration key: '"content"'`,
          `Error: Failed to prepare build: "nothing" | 2 error(s) occurred: * Source must be specified. * Destination must be specified.`,
        ]);
        assert.deepEqual(kiln.messages, [
          `Error: Failed to prepare build: "nothing" | 1 error(s) occurred: * Destination must be specified.`,
        ]);
      },
    },
  },
  { template: "breakpoint.json" },
  { template: "error-cleanup.json", inspect: true },
  { template: "error-cleanup-invalid.json" },
  { template: "max-retries.json" },
  // --- post-processors ------------------------------------------------------
  { template: "post-processor-forms.json", inspect: true },
  { template: "post-processor-errors.json" },
  { template: "post-processor-shell-local.json" },
  { template: "post-processor-docker.json" },
  { template: "deprecated-keys.json" },
  // --- variables ------------------------------------------------------------
  { template: "variables-required.json", inspect: "machine" },
  { template: "variables-required.json", args: ["-var", "region=eu-north"] },
  { template: "variables-required.json", args: ["-var-file=vars/region.json"], inspect: true },
  {
    template: "variables-required.json",
    args: ["-var-file=vars/region.json", "-var", "size=tiny", "-var", "undeclared=1"],
  },
  { template: "variables-required.json", args: ["-var-file=vars/bad-value.json"], inspect: true },
  { template: "variables-required.json", args: ["-var-file=vars/absent.json"] },
  { template: "variables-sensitive.json", inspect: "machine" },
  { template: "variables-sensitive.json", args: ["-var", "db_password=swordfish"] },
  { template: "variables-env.json", inspect: true },
  { template: "variables-chain.json" },
  { template: "variables-in-configs.json", inspect: true },
  { template: "env-in-config.json" },
  { template: "interpolation-errors.json" },
  // --- the template's structure -----------------------------------------------
  { template: "only-except-unknown.json", inspect: true },
  { template: "override-unknown.json" },
  { template: "override-valid.json" },
  { template: "min-version-ok.json" },
  {
    template: "min-version-too-high.json",
    inspect: true,
    differs: {
      change: "the running version is kiln's Packer version, 1.9.4",
      check(packer, kiln) {
        const msg = (v: string) =>
          `This template requires Packer version 99.1.0 or higher; using ${v}`;
        assert.deepEqual(packer.messages, [msg("1.6.6")]);
        assert.deepEqual(kiln.messages, [msg("1.9.4")]);
        assert.equal(packer.status, 1);
        assert.equal(kiln.status, 1);
      },
    },
  },
  {
    template: "min-version-1.7.json",
    differs: {
      change: "1.9.4 satisfies min_packer_version 1.7.0; 1.6.6 does not",
      check(packer, kiln) {
        assert.equal(packer.status, 1);
        assert.deepEqual(packer.messages, [
          "This template requires Packer version 1.7.0 or higher; using 1.6.6",
        ]);
        assert.equal(kiln.status, 0);
        assert.deepEqual(kiln.messages, []);
      },
    },
  },
  { template: "min-version-invalid.json" },
  { template: "unknown-top-level.json", inspect: true },
  { template: "duplicate-builders.json", inspect: true },
  // Not valid JSON, so not named .json (the formatter would refuse it); Packer reads any name.
  { template: "syntax-error.template", inspect: true },
  { template: "no-builders.json", inspect: true },
  { template: "names-timestamp.json", inspect: true },
  { template: "inspect-layout.json", inspect: "machine" },
  // --- validate's flags -------------------------------------------------------
  { template: "filters.json" },
  { template: "filters.json", args: ["-only=bad"] },
  { template: "filters.json", args: ["-except=bad"] },
  { template: "filters.json", args: ["-except=bad,broken"] },
  { template: "filters.json", args: ["-only=good,nothing", "-except=broken"] },
  { template: "file-errors.json", args: ["-syntax-only"] },
  { template: "unknown-top-level.json", args: ["-syntax-only"] },
];

// ---------------------------------------------------------------------------
// normalising output

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

function timeless(s: string): string {
  const year = String(new Date().getFullYear());
  return s.replace(/\b\d{10}\b/g, "<timestamp>").replaceAll(year, "<year>");
}

const BUILD_SUMMARY =
  /^(Failed to prepare build|Failed to initialize build|Warning when preparing build)/;

/** Problems in a go-multierror list or a single error's text (normalisations 3 and 5). */
function problems(text: string): string[] {
  const t = text.trim();
  if (t === "") return [];
  const list = /^\d+ errors? occurred:\n([\s\S]*)$/.exec(t);
  if (list) return list[1]!.split(/\n\t\* /).map((x) => squash(x.replace(/^\t\* /, "")));
  if (t.startsWith("Error parsing JSON:")) return [t.split("\n")[0]!];
  return [squash(t)];
}

/** Splits output into "Error: ..."/"Warning: ..." blocks and the text outside them. */
function blocks(out: string): { severity: string; summary: string; body: string }[] & {
  rest: string;
} {
  const heads = [...out.matchAll(/^(Error|Warning): (.*)$/gm)];
  const list = heads.map((m, i) => ({
    severity: m[1]!,
    summary: m[2]!,
    body: out.slice(m.index! + m[0].length, heads[i + 1]?.index ?? out.length),
  }));
  return Object.assign(list, { rest: heads.length > 0 ? out.slice(0, heads[0]!.index) : out });
}

function packerOutcome(status: number, out: string): Outcome {
  const messages: string[] = [];
  const b = blocks(out);
  let rest = b.rest;
  const parseFailure = /^Failed to parse template: ([\s\S]*)$/.exec(rest.trim());
  if (parseFailure) {
    messages.push(...problems(parseFailure[1]!));
    rest = "";
  } else if (status !== 0 && b.length === 0) {
    // A message printed as is ("Error reading variables in ...").
    messages.push(...problems(rest));
    rest = "";
  }
  for (const { severity, summary, body } of b) {
    if (summary === "") messages.push(...problems(body));
    else messages.push(`${severity}: ${summary} | ${squash(body)}`);
  }
  return { status, messages: messages.map(timeless).sort(), rest: timeless(rest.trim()) };
}

/** The lines of kiln's source snippet: the location, numbered source lines, markers. */
const SNIPPET = /^( {2}on .* line \d+.*:| *\d+: .*| +\^+| {2}\(source code not available\))$/;

function kilnOutcome(status: number, out: string): Outcome {
  const messages: string[] = [];
  const b = blocks(out);
  for (const { severity, summary, body } of b) {
    if (!BUILD_SUMMARY.test(summary)) {
      messages.push(summary);
      continue;
    }
    const detail = body
      .split("\n")
      .filter((l) => !SNIPPET.test(l))
      .join("\n");
    messages.push(`${severity}: ${summary} | ${squash(detail)}`);
  }
  // Text after the last block that is not part of it (a closing "valid" line).
  let rest = b.rest;
  const last = b.at(-1);
  if (last) {
    const tail = /\n(The configuration is valid\.\n?)$/.exec(last.body);
    if (tail) {
      rest += tail[1];
      const i = messages.length - 1;
      messages[i] = messages[i]!.replace(/ The configuration is valid\.$/, "");
    }
  }
  return { status, messages: messages.map(timeless).sort(), rest: timeless(rest.trim()) };
}

// ---------------------------------------------------------------------------
// running both

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function havePacker(): boolean {
  if (!existsSync(packerBin)) return false;
  const v = spawnSync(packerBin, ["version"], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return v.stdout.includes("1.6.6");
}

function runPacker(args: string[]): Run {
  const r = spawnSync(packerBin, args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function runKiln(args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const sink = (add: (s: string) => void) =>
    ({
      write(chunk: unknown) {
        add(String(chunk));
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const io: CommandIO = {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    stdin: process.stdin,
    env: { ...process.env, ...env },
    cwd: dir,
  };
  const status = await main(args, io);
  return { status, stdout, stderr };
}

const machineTimes = (s: string) => s.replace(/^\d+,/gm, "<time>,");

function inspectOutcome(r: Run, kind: "packer" | "kiln"): InspectOutcome {
  const all = r.stdout + r.stderr;
  const messages =
    r.status === 0
      ? []
      : (kind === "packer" ? packerOutcome(r.status, all) : kilnOutcome(r.status, all)).messages;
  return { status: r.status, stdout: r.status === 0 ? machineTimes(r.stdout) : "", messages };
}

interface Recorded {
  validate: Outcome;
  inspect?: InspectOutcome;
  inspectMachine?: InspectOutcome;
}

const caseId = (c: Case) => [...(c.args ?? []), c.template].join(" ");

const live = havePacker();
const recording = process.env.KILN_RECORD_ORACLE === "1";
const record: Record<string, Recorded> = existsSync(recordPath)
  ? JSON.parse(readFileSync(recordPath, "utf8"))
  : {};
const recorded: Record<string, Recorded> = {};

/** What Packer 1.6.6 does for a case: run it, or read what it did. */
function packerFor(c: Case): Recorded {
  const id = caseId(c);
  if (!live) {
    const r = record[id];
    assert.ok(r, `packer 1.6.6 is not at ${packerBin} and ${id} is not recorded`);
    return r;
  }
  const args = c.args ?? [];
  const v = runPacker(["validate", ...args, c.template]);
  const out: Recorded = { validate: packerOutcome(v.status, v.stdout + v.stderr) };
  if (c.inspect) {
    out.inspect = inspectOutcome(runPacker(["inspect", ...args, c.template]), "packer");
  }
  if (c.inspect === "machine") {
    const m = runPacker(["inspect", "-machine-readable", ...args, c.template]);
    out.inspectMachine = inspectOutcome(m, "packer");
  }
  recorded[id] = out;
  if (!recording) {
    assert.deepEqual(
      out,
      record[id],
      `packer 1.6.6 no longer does what ${recordPath} says for ${id}: rerun with KILN_RECORD_ORACLE=1`,
    );
  }
  return out;
}

test("there are at least 30 oracle templates and every one is used", () => {
  const templates = readdirSync(dir).filter(
    (f) => f.endsWith(".json") && f !== "packer-1.6.6.json",
  );
  assert.ok(templates.length >= 30, `${templates.length} templates`);
  const used = new Set(cases.map((c) => c.template));
  assert.deepEqual(
    templates.filter((t) => !used.has(t)),
    [],
  );
});

for (const c of cases) {
  test(`1.6.6 oracle: ${caseId(c)}`, async () => {
    const packer = packerFor(c);
    const args = c.args ?? [];
    const v = await runKiln(["validate", ...args, c.template]);
    const kv = kilnOutcome(v.status, v.stdout + v.stderr);
    if (c.differs) {
      c.differs.check(packer.validate, kv);
    } else {
      assert.deepEqual(kv.messages, packer.validate.messages);
      assert.equal(kv.status, packer.validate.status);
    }
    // Packer 1.9.4 confirms a valid template ("The configuration is valid."); 1.6.6 printed
    // nothing for a JSON template.
    if (kv.status === 0 && !args.includes("-syntax-only")) {
      assert.equal(kv.rest, "The configuration is valid.");
      if (packer.validate.status === 0) assert.equal(packer.validate.rest, "");
    } else {
      assert.equal(kv.rest, packer.validate.rest);
    }
    if (packer.inspect) {
      const ki = inspectOutcome(await runKiln(["inspect", ...args, c.template]), "kiln");
      assert.deepEqual(ki, packer.inspect);
    }
    if (packer.inspectMachine) {
      const km = inspectOutcome(
        await runKiln(["inspect", "-machine-readable", ...args, c.template]),
        "kiln",
      );
      assert.deepEqual(km, packer.inspectMachine);
    }
  });
}

test("the oracle record covers every case", () => {
  if (recording && live) {
    writeFileSync(recordPath, `${JSON.stringify(recorded, null, 2)}\n`);
    // In the project's format, so that linting passes.
    const biome = join(import.meta.dirname, "../../../node_modules/@biomejs/biome/bin/biome");
    spawnSync(process.execPath, [biome, "format", "--write", recordPath], { stdio: "ignore" });
  }
  const have = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {};
  assert.deepEqual(Object.keys(have).sort(), cases.map(caseId).sort());
});

test("the kiln command line itself agrees on one valid and one invalid template", () => {
  const ok = kiln(["validate", "null-valid.json"], { cwd: dir });
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, "The configuration is valid.\n");
  const bad = kiln(["validate", "docker-commit-discard.json"], { cwd: dir });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Error: Failed to prepare build: "docker"/);
  assert.match(bad.stderr, /Cannot specify more than one of commit, discard, and export_path/);
  const inspect = kiln(["inspect", "null-valid.json"], { cwd: dir });
  assert.equal(inspect.stdout, packerFor(cases[0]!).inspect?.stdout);
});
