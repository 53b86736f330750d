import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { inspectHCL2Text } from "../../../src/cli/commands/inspect/index.js";
import { formatForConsole } from "../../../src/hcl/cty/format.js";
import { Value } from "../../../src/hcl/cty/value.js";
import type { Diagnostic } from "../../../src/hcl/diagnostic.js";
import type { Body } from "../../../src/hcl/structure.js";
import { parseExpression } from "../../../src/hcl/syntax/parser.js";
import {
  type BuildFilter,
  type CoreBuild,
  evalContext,
  getBuilds,
  type HCL2Config,
  type LoadHCL2Options,
  loadHCL2Template,
  type OnlyExcept,
  type VarArg,
} from "../../../src/template/hcl2/index.js";
import { checkRequiredPlugins } from "../../../src/template/hcl2/plugins.js";
import { corpusFiles, corpusRoot } from "../../support/corpus.js";

// Packer 1.9.4's own HCL2 fixtures (hcl2template/testdata and
// command/test-fixtures), each loaded the way Packer's Go tests load it
// (types.*_test.go, parser_test.go, command/{validate,build,inspect,console,
// hcl2_upgrade}_test.go). Packer's tests register mock components
// (virtualbox-iso, amazon-ebs, amazon-import, mock data sources, a "shell"
// with made-up fields); kiln has no such components, so for those rows the
// table asserts what holds for kiln: the model Packer's PackerConfig
// describes (variables, locals, sources, builds, provisioner and
// post-processor lists, only/except, names), and kiln's own "unknown
// component" diagnostic where a build needs a component kiln lacks.
//
// Every expected diagnostic is written "summary @ file:line" (file relative to
// the fixture root, which is also the working directory, as in Packer's tests).

const root = join(corpusRoot, "packer-1.9.4");
const T = "hcl2template/testdata";
const C = "command/test-fixtures";

/** What `kiln inspect` loads with: no data source runs, unknown plugins and unset variables tolerated. */
const INSPECT: Partial<LoadHCL2Options> = {
  skipDatasourcesExecution: true,
  unknownDatasourcesAsUnknown: true,
  validateValues: false,
};
/** `validate`'s default: data sources are not executed. */
const VALIDATE: Partial<LoadHCL2Options> = { skipDatasourcesExecution: true };

interface Loaded {
  config: HCL2Config;
  diags: Diagnostic[];
  builds: CoreBuild[];
}

interface Row {
  /** Fixture file or folder, relative to the packer-1.9.4 corpus folder. */
  path: string;
  /** The Packer test that uses the fixture, and what it expects. */
  packer: string;
  /** -var-file (paths) and -var (k=v) flags, in this order. */
  varFiles?: string[];
  vars?: string[];
  env?: Record<string, string>;
  opts?: Partial<LoadHCL2Options>;
  /** Errors from loading (parse + initialize); [] for none. */
  load: string[];
  /** Warnings from loading; not checked when omitted. */
  warnings?: string[];
  /** Errors from getBuilds (called only when set and loading succeeded). */
  builds?: string[];
  filter?: Partial<BuildFilter>;
  /** The names of the builds getBuilds returns. */
  names?: string[];
  check?: (r: Loaded) => void | Promise<void>;
}

function where(d: Diagnostic): string {
  const r = d.subject ?? d.context;
  return r ? `${r.filename}:${r.start.line}` : "-";
}

function describe(diags: Diagnostic[], severity: Diagnostic["severity"]): string[] {
  return diags
    .filter((d) => d.severity === severity)
    .map((d) => `${d.summary.split("\n")[0]} @ ${where(d)}`);
}

async function run(row: Row): Promise<Loaded> {
  const vars: VarArg[] = [
    ...(row.varFiles ?? []).map((path): VarArg => ({ kind: "var-file", path })),
    ...(row.vars ?? []).map((text): VarArg => ({ kind: "var", text })),
  ];
  const r = await loadHCL2Template(row.path, {
    cwd: root,
    env: row.env ?? {},
    vars,
    warnUndeclared: false,
    ...row.opts,
  });
  const label = `${row.path}: ${row.packer}`;
  assert.deepEqual(describe(r.diags, "error"), row.load, `${label} (load errors)`);
  if (row.warnings)
    assert.deepEqual(describe(r.diags, "warning"), row.warnings, `${label} (warnings)`);
  let builds: CoreBuild[] = [];
  if (row.builds) {
    const b = await getBuilds(r.config, { only: [], except: [], ...row.filter });
    assert.deepEqual(describe(b.diags, "error"), row.builds, `${label} (getBuilds errors)`);
    builds = b.builds;
    if (row.names) {
      assert.deepEqual(
        builds.map((x) => x.name),
        row.names,
        `${label} (build names)`,
      );
    }
  }
  const loaded = { config: r.config, diags: r.diags, builds };
  await row.check?.(loaded);
  return loaded;
}

/** An expression evaluated as `kiln console` would, printed as it prints it. */
function show(cfg: HCL2Config, expr: string, extras?: Parameters<typeof evalContext>[1]): string {
  const p = parseExpression(Buffer.from(expr), "<console-input>");
  const r = p.expr.value(evalContext(cfg, extras));
  assert.deepEqual(
    r.diags.map((d) => d.summary),
    [],
    expr,
  );
  return formatForConsole(r.value, { redactMarked: true });
}

/** An argument of a (remaining) body, evaluated in the given context. */
function arg(body: Body, name: string, ctx: ReturnType<typeof evalContext>): string {
  const a = body.partialContent({ attributes: [{ name }] }).content.attributes[name];
  assert.ok(a, `argument ${name}`);
  return formatForConsole(a.expr.value(ctx).value);
}

/** Whether a provisioner or post-processor applies to a source, as only/except say. */
function applies(oe: OnlyExcept, source: string): boolean {
  if (oe.only.length) return oe.only.includes(source);
  return !oe.except.includes(source);
}

/** A build block's sources as `type.name` (the local name when renamed). */
function sourceNames(cfg: HCL2Config, i = 0): string[] {
  return cfg.builds[i]!.sources.map((s) => `${s.type}.${s.localName ?? s.sourceName}`);
}

function ppNames(b: CoreBuild): string[][] {
  return b.postProcessors.map((chain) => chain.map((p) => p.name || p.type));
}

const unknownVbox = (file: string, line: number) =>
  `Unknown source type virtualbox-iso @ ${file}:${line}`;

// ---------------------------------------------------------------- table

const rows: Row[] = [
  // ------------------------------------------------- hcl2template/testdata
  {
    path: `${T}/build.pkr.hcl`,
    packer:
      "parser test 'folder named build.pkr.hcl with an unknown src': a folder is read as a folder; parses, getBuilds fails on the undeclared sources",
    load: [],
    builds: [
      `Unknown post-processor type "amazon-import" @ ${T}/build.pkr.hcl/basic.pkr.hcl:87`,
      `Unknown source amazon-ebs.ubuntu-1604 @ ${T}/build.pkr.hcl/basic.pkr.hcl:3`,
      `Unknown source virtualbox-iso.ubuntu-1204 @ ${T}/build.pkr.hcl/basic.pkr.hcl:3`,
    ],
    check: ({ config }) => {
      assert.ok(config.basedir.endsWith("testdata/build.pkr.hcl"));
      assert.deepEqual(sourceNames(config), [
        "amazon-ebs.ubuntu-1604",
        "virtualbox-iso.ubuntu-1204",
      ]);
      assert.deepEqual(
        config.builds[0]!.provisioners.map((p) => p.type),
        ["shell", "file"],
      );
    },
  },
  {
    path: `${T}/build/basic.pkr.hcl`,
    packer: "TestParse_build 'basic build no src': the sources it uses are not declared",
    load: [],
    builds: [
      `Unknown post-processor type "amazon-import" @ ${T}/build/basic.pkr.hcl:103`,
      `Unknown source amazon-ebs.ubuntu-1604 @ ${T}/build/basic.pkr.hcl:3`,
      `Unknown source virtualbox-iso.ubuntu-1204 @ ${T}/build/basic.pkr.hcl:3`,
    ],
    check: ({ config }) => {
      const b = config.builds[0]!;
      assert.deepEqual(
        b.provisioners.map((p) => p.type),
        ["shell", "file"],
      );
      assert.deepEqual(
        b.postProcessorLists.map((l) => l.map((p) => p.type)),
        [["amazon-import"]],
      );
    },
  },
  {
    path: `${T}/build/invalid_build_name_variable.pkr.hcl`,
    packer:
      "TestParse_build 'invalid variable for build name': `type = int` is no type; no variable",
    load: [`Invalid type specification @ ${T}/build/invalid_build_name_variable.pkr.hcl:2`],
    check: ({ config }) => assert.equal(config.variables.size, 0),
  },
  {
    path: `${T}/build/invalid_source_reference.pkr.hcl`,
    packer: "TestParse_build 'invalid source': sources = [\"ami\"] is an error at the build block",
    load: [`Invalid source reference @ ${T}/build/invalid_source_reference.pkr.hcl:2`],
  },
  {
    path: `${T}/build/named.pkr.hcl`,
    packer: "TestParse_build 'named build': Name somebuild; its sources are not declared",
    load: [],
    builds: [
      `Unknown source amazon-ebs.ubuntu-1604 @ ${T}/build/named.pkr.hcl:1`,
      `Unknown source virtualbox-iso.ubuntu-1204 @ ${T}/build/named.pkr.hcl:1`,
    ],
    check: ({ config }) => assert.equal(config.builds[0]!.name, "somebuild"),
  },
  {
    path: `${T}/build/post-processor_build_name_interpolation.pkr.hcl`,
    packer:
      "TestParse_build 'use build.name in post-processor block': PName test-build, slice_string [version, test-build]",
    load: [],
    builds: [unknownVbox(`${T}/build/post-processor_build_name_interpolation.pkr.hcl`, 12)],
    check: ({ config }) => {
      const pp = config.builds[0]!.postProcessorLists[0]![0]!;
      assert.equal(pp.name, "test-build");
      const ctx = evalContext(config, {
        source: { type: "virtualbox-iso", name: "ubuntu-1204" },
        build: { name: Value.string(config.builds[0]!.name) },
      });
      assert.equal(arg(pp.body, "slice_string", ctx), '[\n  "1.9.4",\n  "test-build",\n]');
    },
  },
  {
    path: `${T}/build/post-processor_nonexistent.pkr.hcl`,
    packer:
      "TestParse_build 'nonexistent post-processor': unknown type is an error (kiln: at getBuilds, with the null builder's own errors: no communicator set)",
    load: [],
    builds: [
      `Unknown post-processor type "nonexistent" @ ${T}/build/post-processor_nonexistent.pkr.hcl:6`,
      `4 error(s) occurred: @ ${T}/build/post-processor_nonexistent.pkr.hcl:1`,
    ],
  },
  {
    path: `${T}/build/post-processor_onlyexcept.pkr.hcl`,
    packer:
      "TestParse_build 'post-processor with only and except': vbox gets [amazon-import, manifest], aws-ubuntu-16.04 gets [manifest, amazon-import]",
    load: [],
    builds: [
      `Unknown post-processor type "amazon-import" @ ${T}/build/post-processor_onlyexcept.pkr.hcl:11`,
      `Unknown post-processor type "amazon-import" @ ${T}/build/post-processor_onlyexcept.pkr.hcl:17`,
      unknownVbox(`${T}/build/post-processor_onlyexcept.pkr.hcl`, 25),
      `Unknown source type amazon-ebs @ ${T}/build/post-processor_onlyexcept.pkr.hcl:28`,
    ],
    check: ({ config }) => {
      assert.deepEqual(sourceNames(config), [
        "virtualbox-iso.ubuntu-1204",
        "amazon-ebs.aws-ubuntu-16.04",
      ]);
      const lists = config.builds[0]!.postProcessorLists;
      const forSource = (s: string) =>
        lists.flatMap((l) => l.filter((p) => applies(p, s)).map((p) => p.type));
      assert.deepEqual(forSource("virtualbox-iso.ubuntu-1204"), ["amazon-import", "manifest"]);
      assert.deepEqual(forSource("amazon-ebs.aws-ubuntu-16.04"), ["manifest", "amazon-import"]);
    },
  },
  {
    path: `${T}/build/post-processor_untyped.pkr.hcl`,
    packer: "TestParse_build 'untyped post-processor': parse error",
    load: [`Unsupported block type @ ${T}/build/post-processor_untyped.pkr.hcl:3`],
  },
  {
    path: `${T}/build/provisioner_build_name_interpolation.pkr.hcl`,
    packer:
      "TestParse_build 'use build.name in provisioner block': PName build-name-test, slice_string [build-name-test]",
    load: [],
    builds: [unknownVbox(`${T}/build/provisioner_build_name_interpolation.pkr.hcl`, 15)],
    check: ({ config }) => {
      const p = config.builds[0]!.provisioners[0]!;
      assert.equal(p.name, "build-name-test");
      const ctx = evalContext(config, {
        source: { type: "virtualbox-iso", name: "ubuntu-1204" },
        build: { name: Value.string(config.builds[0]!.name) },
      });
      assert.equal(arg(p.body, "slice_string", ctx), '[\n  "build-name-test",\n]');
    },
  },
  {
    path: `${T}/build/provisioner_nonexistent.pkr.hcl`,
    packer: "TestParse_build 'nonexistent provisioner': unknown type is an error",
    load: [],
    builds: [
      `Unknown provisioner type "nonexistent" @ ${T}/build/provisioner_nonexistent.pkr.hcl:6`,
      `4 error(s) occurred: @ ${T}/build/provisioner_nonexistent.pkr.hcl:1`,
    ],
  },
  {
    path: `${T}/build/provisioner_onlyexcept.pkr.hcl`,
    packer:
      "TestParse_build 'provisioner with only and except': vbox gets [shell, file], aws-ubuntu-16.04 gets [file, shell]",
    load: [],
    builds: [
      unknownVbox(`${T}/build/provisioner_onlyexcept.pkr.hcl`, 25),
      `Unknown source type amazon-ebs @ ${T}/build/provisioner_onlyexcept.pkr.hcl:28`,
    ],
    check: ({ config }) => {
      const provs = config.builds[0]!.provisioners;
      const forSource = (s: string) => provs.filter((p) => applies(p, s)).map((p) => p.type);
      assert.deepEqual(forSource("virtualbox-iso.ubuntu-1204"), ["shell", "file"]);
      assert.deepEqual(forSource("amazon-ebs.aws-ubuntu-16.04"), ["file", "shell"]);
    },
  },
  {
    path: `${T}/build/provisioner_packer_version_interpolation.pkr.hcl`,
    packer:
      "TestParse_build 'provisioner with packer_version interpolation': the Go template is the provisioner's to interpolate",
    load: [],
    builds: [unknownVbox(`${T}/build/provisioner_packer_version_interpolation.pkr.hcl`, 13)],
    check: ({ config }) => {
      const p = config.builds[0]!.provisioners[0]!;
      assert.equal(
        arg(p.body, "slice_string", evalContext(config)),
        '[\n  "{{packer_version}}",\n]',
      );
    },
  },
  {
    path: `${T}/build/provisioner_paused_before_retry.pkr.hcl`,
    packer: "provisioner tests: PauseBefore 10s, MaxRetries 5",
    load: [],
    builds: [unknownVbox(`${T}/build/provisioner_paused_before_retry.pkr.hcl`, 14)],
    check: ({ config }) => {
      const p = config.builds[0]!.provisioners[0]!;
      assert.equal(p.pauseBefore, 10_000);
      assert.equal(p.maxRetries, 5);
    },
  },
  {
    path: `${T}/build/provisioner_timeout.pkr.hcl`,
    packer: "provisioner tests: Timeout 10s",
    load: [],
    builds: [unknownVbox(`${T}/build/provisioner_timeout.pkr.hcl`, 13)],
    check: ({ config }) => assert.equal(config.builds[0]!.provisioners[0]!.timeout, 10_000),
  },
  {
    path: `${T}/build/provisioner_untyped.pkr.hcl`,
    packer: "TestParse_build 'untyped provisioner': parse error",
    load: [`Unsupported block type @ ${T}/build/provisioner_untyped.pkr.hcl:3`],
  },
  {
    path: `${T}/build/two-error-cleanup-provisioner.pkr.hcl`,
    packer: "TestParse_build 'two error-cleanup-provisioner': only one is allowed",
    load: [
      `Only one error-cleanup-provisioner is allowed @ ${T}/build/two-error-cleanup-provisioner.pkr.hcl:13`,
    ],
  },
  {
    path: `${T}/build/variables.pkr.hcl`,
    packer:
      "TestParse_build 'variable interpolation for build name and description': build-name, description from a local",
    load: [],
    builds: [unknownVbox(`${T}/build/variables.pkr.hcl`, 19)],
    check: ({ config }) => {
      assert.equal(config.builds[0]!.name, "build-name");
      assert.equal(config.builds[0]!.description, "This is the description for build-name.");
    },
  },
  {
    path: `${T}/communicator/basic.pkr.hcl`,
    packer:
      "not used by 1.9.4's tests; Packer 1.9's top-level schema still has (and ignores) communicator blocks",
    load: [],
    builds: ["Missing build block @ -"],
  },
  {
    path: `${T}/complete`,
    packer:
      "TestParser_complete: every block kind; its amazon-ami data source is a mock (kiln: a missing plugin)",
    load: [`Unknown data source type amazon-ami @ ${T}/complete/datasource.pkr.hcl:1`],
  },
  {
    path: `${T}/complete`,
    packer: "TestParser_complete, the PackerConfig it expects (loaded as kiln inspect loads it)",
    opts: INSPECT,
    load: [],
    builds: [
      `Unknown post-processor type "amazon-import" @ ${T}/complete/build.pkr.hcl:184`,
      `Unknown post-processor type "amazon-import" @ ${T}/complete/build.pkr.hcl:243`,
      `Unknown post-processor type "amazon-import" @ ${T}/complete/build.pkr.hcl:293`,
      `Unknown post-processor type "amazon-import" @ ${T}/complete/build.pkr.hcl:342`,
      `Unknown post-processor type "amazon-import" @ ${T}/complete/build.pkr.hcl:395`,
      `Unknown post-processor type "amazon-import" @ ${T}/complete/build.pkr.hcl:444`,
      unknownVbox(`${T}/complete/sources.pkr.hcl`, 15),
      `Unknown source type amazon-ebs @ ${T}/complete/sources.pkr.hcl:2`,
    ],
    check: ({ config }) => {
      assert.deepEqual(
        config.packer.requiredVersions.map((v) => v.text),
        [">= v1"],
      );
      assert.equal(show(config, "var.foo"), "value");
      assert.equal(show(config, "var.port"), "42");
      assert.equal(config.variables.get("port")!.type.friendlyName(), "number");
      assert.equal(show(config, "var.availability_zone_names"), '[\n  "A",\n  "B",\n  "C",\n]');
      assert.equal(show(config, "local.feefoo"), "value_image-id-default");
      assert.equal(show(config, "local.standard_tags.Component"), "user-service");
      assert.equal(show(config, "local.abc_map[*].id"), '[\n  "a",\n  "b",\n  "c",\n]');
      assert.equal(show(config, "local.supersecret"), "<sensitive>");
      assert.equal(config.locals.get("supersecret")!.sensitive, true);
      // The mock data source's output is unknown to kiln, and so is what uses it.
      assert.equal(show(config, "local.data_source"), "<unknown>");
      assert.deepEqual([...config.sources.keys()].sort(), [
        "amazon-ebs.ubuntu-1604",
        "virtualbox-iso.ubuntu-1204",
      ]);
      const b = config.builds[0]!;
      assert.deepEqual(sourceNames(config), [
        "virtualbox-iso.ubuntu-1204",
        "amazon-ebs.ubuntu-1604",
      ]);
      assert.deepEqual(
        b.provisioners.map((p) => [p.type, p.name]),
        [
          ["shell", "provisioner that does something"],
          ["file", ""],
        ],
      );
      assert.deepEqual(
        [b.errorCleanupProvisioner?.type, b.errorCleanupProvisioner?.name],
        ["shell", "error-cleanup-provisioner that does something"],
      );
      assert.deepEqual(
        b.postProcessorLists.map((l) => l.map((p) => [p.type, p.name, p.keepInputArtifact])),
        [
          [["amazon-import", "something", true]],
          [["amazon-import", "", undefined]],
          [
            ["amazon-import", "first-nested-post-processor", undefined],
            ["amazon-import", "second-nested-post-processor", undefined],
          ],
          [
            ["amazon-import", "third-nested-post-processor", undefined],
            ["amazon-import", "fourth-nested-post-processor", undefined],
          ],
        ],
      );
      // source.* is known where a source is decoded: "${source.name}-${source.type}".
      const vbox = config.sources.get("virtualbox-iso.ubuntu-1204")!;
      const ctx = evalContext(config, { source: { type: "virtualbox-iso", name: "ubuntu-1204" } });
      assert.equal(arg(vbox.block.body, "string", ctx), "ubuntu-1204-virtualbox-iso");
      // The build-level source block adds its own settings.
      assert.equal(arg(b.sources[1]!.body!, "string", ctx), "setting from build section");
    },
  },
  {
    path: `${T}/datasources/basic.pkr.hcl`,
    packer: "TestParse_datasource 'two basic datasources': valid with the amazon-ami mock",
    load: [`Unknown data source type amazon-ami @ ${T}/datasources/basic.pkr.hcl:1`],
  },
  {
    path: `${T}/datasources/basic.pkr.hcl`,
    packer: "TestParse_datasource 'two basic datasources', as kiln inspect loads it",
    opts: INSPECT,
    load: [],
    builds: [],
    names: ["null.test"],
    check: ({ config }) => assert.deepEqual([...config.datasources.keys()], ["amazon-ami.test"]),
  },
  {
    path: `${T}/datasources/dependency_cycle.pkr.hcl`,
    packer: "TestParse_datasource 'cyclic dependency between data sources': error",
    load: [`Cycle between locals and data sources @ ${T}/datasources/dependency_cycle.pkr.hcl:1`],
  },
  {
    path: `${T}/datasources/duplicate.pkr.hcl`,
    packer: "TestParse_datasource 'duplicate source': error at the second block",
    load: [`Duplicate data block @ ${T}/datasources/duplicate.pkr.hcl:2`],
  },
  {
    path: `${T}/datasources/nonexistent.pkr.hcl`,
    packer: "TestParse_datasource 'nonexistent source': unknown data source type",
    load: [`Unknown data source type nonexistent @ ${T}/datasources/nonexistent.pkr.hcl:1`],
  },
  {
    path: `${T}/datasources/not-allowed.pkr.hcl`,
    packer:
      "no longer used by 1.9.4's tests: a data source may use another since 'recursive datasources'",
    opts: INSPECT,
    load: [],
    check: ({ config }) =>
      assert.deepEqual([...config.datasources.keys()], ["amazon-ami.test_0", "amazon-ami.test_1"]),
  },
  {
    path: `${T}/datasources/recursive.pkr.hcl`,
    packer: "TestParse_datasource 'recursive datasources': null data sources using each other",
    load: [],
    builds: [],
    names: ["null.test"],
    check: ({ config }) => {
      assert.equal(
        show(config, "data.null.bang.output"),
        "chocolate-vanilla-swirl-with-marshmallows",
      );
      assert.equal(
        show(config, "data.null.yummy.output"),
        "chocolate-vanilla-swirl-with-marshmallows-and-sprinkles",
      );
    },
  },
  {
    path: `${T}/datasources/unnamed.pkr.hcl`,
    packer: "TestParse_datasource 'unnamed source': parse error",
    load: [`Missing name for data @ ${T}/datasources/unnamed.pkr.hcl:1`],
  },
  {
    path: `${T}/datasources/untyped.pkr.hcl`,
    packer: "TestParse_datasource 'untyped datasource': parse error",
    load: [`Missing type for data @ ${T}/datasources/untyped.pkr.hcl:1`],
  },
  {
    path: `${T}/empty`,
    packer: "parser test 'dir with no config files': error",
    load: [`Could not find any config file in ${T}/empty @ -`],
  },
  {
    path: `${T}/inexistent`,
    packer: "parser test 'inexistent dir': error",
    load: [`Could not find any config file in ${T}/inexistent @ -`],
  },
  {
    path: `${T}/format`,
    packer:
      "formatter_test: formatting fixtures (formatted, unformatted, unformatted.pkrvars.hcl); they load like build/basic",
    varFiles: [`${T}/format/unformatted.pkrvars.hcl`],
    opts: { warnUndeclared: true },
    load: [],
    warnings: [
      `Undefined variable @ ${T}/format/unformatted.pkrvars.hcl:1`,
      `Undefined variable @ ${T}/format/unformatted.pkrvars.hcl:2`,
    ],
    builds: [
      `Unknown post-processor type "amazon-import" @ ${T}/format/formatted.pkr.hcl:103`,
      `Unknown source amazon-ebs.ubuntu-1604 @ ${T}/format/formatted.pkr.hcl:3`,
      `Unknown source virtualbox-iso.ubuntu-1204 @ ${T}/format/formatted.pkr.hcl:3`,
      `Unknown post-processor type "amazon-import" @ ${T}/format/unformatted.pkr.hcl:103`,
      `Unknown source amazon-ebs.ubuntu-1604 @ ${T}/format/unformatted.pkr.hcl:3`,
      `Unknown source virtualbox-iso.ubuntu-1204 @ ${T}/format/unformatted.pkr.hcl:3`,
    ],
  },
  {
    path: `${T}/hcp_par/invalid.pkr.hcl`,
    packer:
      "Test_ParseHCPPackerRegistryBlock 'invalid hcp_packer_registry config': labels must be a map",
    load: [`Incorrect attribute value type @ ${T}/hcp_par/invalid.pkr.hcl:4`],
  },
  {
    path: `${T}/hcp_par/long-description.pkr.hcl`,
    packer:
      "Test_ParseHCPPackerRegistryBlock 'long hcp_packer_registry.description': over 255 characters",
    load: [
      `hcp_packer_registry.description should have a maximum length of 255 characters @ ${T}/hcp_par/long-description.pkr.hcl:3`,
    ],
  },
  {
    path: `${T}/hcp_par/variable-for-bucket_name.pkr.hcl`,
    packer: "Test_ParseHCPPackerRegistryBlock 'bucket_name as variable': Slug variable-bucket-slug",
    load: [],
    builds: [unknownVbox(`${T}/hcp_par/variable-for-bucket_name.pkr.hcl`, 14)],
    check: ({ config }) =>
      assert.equal(config.builds[0]!.hcpRegistry?.bucketName, "variable-bucket-slug"),
  },
  {
    path: `${T}/hcp_par/variables-for-labels.pkr.hcl`,
    packer: "Test_ParseHCPPackerRegistryBlock 'bucket_labels and build_labels as variables'",
    load: [],
    builds: [unknownVbox(`${T}/hcp_par/variables-for-labels.pkr.hcl`, 28)],
    check: ({ config }) => {
      const r = config.builds[0]!.hcpRegistry!;
      assert.equal(r.bucketName, "bucket-slug");
      assert.deepEqual(r.bucketLabels, { team: "development" });
      assert.deepEqual(r.buildLabels, { packageA: "v3.17.5", packageZ: "v0.6" });
    },
  },
  {
    path: `${T}/init/duplicate_required_plugins`,
    packer: "TestParser_no_init 'duplicate required plugin accessor fails'",
    opts: { syntaxOnly: true },
    load: [`Attribute redefined @ ${T}/init/duplicate_required_plugins/packer.pkr.hcl:8`],
  },
  {
    path: `${T}/init/imports`,
    packer: "TestParser_no_init 'working build with imports': parse only; six required plugins",
    opts: { syntaxOnly: true },
    load: [],
    check: async ({ config }) => {
      assert.deepEqual(
        config.packer.requiredPlugins.map((p) => [p.name, p.source, p.version]),
        [
          ["amazon", "github.com/hashicorp/amazon", ">= v0"],
          ["amazon-v1", "github.com/hashicorp/amazon", ">= v1"],
          ["amazon-v2", "github.com/hashicorp/amazon", ">= v2"],
          ["amazon-v3", "github.com/hashicorp/amazon", ">= v3"],
          ["amazon-v3-azr", "github.com/azr/amazon", ">= v3"],
          ["amazon-v4", "github.com/hashicorp/amazon", ">= v4"],
        ],
      );
      assert.deepEqual([...config.variables.keys()].sort(), [
        "availability_zone_names",
        "foo",
        "image_id",
        "port",
      ]);
      // kiln has no amazon plugin: validate and build say so.
      const missing = await checkRequiredPlugins(config);
      assert.deepEqual(describe(missing, "error"), [
        `Missing plugins @ ${T}/init/imports/build.pkr.hcl:6`,
      ]);
    },
  },
  {
    path: `${T}/init/invalid_inexplicit_source.pkr.hcl`,
    packer: 'TestParser_no_init: source "amazon" is not hostname/namespace/name',
    opts: { syntaxOnly: true },
    load: [`Invalid plugin source string @ ${T}/init/invalid_inexplicit_source.pkr.hcl:3`],
  },
  {
    path: `${T}/init/invalid_inexplicit_source_2.pkr.hcl`,
    packer: 'TestParser_no_init: source "hashicorp/amazon" is not hostname/namespace/name',
    opts: { syntaxOnly: true },
    load: [`Invalid plugin source string @ ${T}/init/invalid_inexplicit_source_2.pkr.hcl:3`],
  },
  {
    path: `${T}/init/invalid_short_source.pkr.hcl`,
    packer: 'TestParser_no_init: `amazon = ">= v0"` is not a requirement block',
    opts: { syntaxOnly: true },
    load: [`Invalid plugin requirement @ ${T}/init/invalid_short_source.pkr.hcl:3`],
  },
  {
    path: `${T}/sources/basic.pkr.hcl`,
    packer: "TestParse_source 'two basic sources': the unused virtualbox-iso source is fine",
    load: [],
    builds: [],
    names: ["null.test"],
  },
  {
    path: `${T}/sources/duplicate.pkr.hcl`,
    packer: "TestParse_source 'duplicate source': error at the second block",
    load: [`Duplicate source block @ ${T}/sources/duplicate.pkr.hcl:3`],
  },
  {
    path: `${T}/sources/nonexistent.pkr.hcl`,
    packer:
      "TestParse_source 'unused source with unknown type fails': its `build {}` has no source (kiln: unused unknown types are not reported)",
    load: [],
    builds: [`missing source reference @ ${T}/sources/nonexistent.pkr.hcl:6`],
  },
  {
    path: `${T}/sources/nonexistent_used.pkr.hcl`,
    packer: "TestParse_source 'used source with unknown type fails'",
    load: [],
    builds: [`Unknown source type nonexistent @ ${T}/sources/nonexistent_used.pkr.hcl:2`],
  },
  {
    path: `${T}/sources/unnamed.pkr.hcl`,
    packer: "TestParse_source 'unnamed source': parse error",
    load: [`Missing name for source @ ${T}/sources/unnamed.pkr.hcl:2`],
  },
  {
    path: `${T}/sources/untyped.pkr.hcl`,
    packer: "TestParse_source 'untyped source': parse error",
    load: [`Missing type for source @ ${T}/sources/untyped.pkr.hcl:2`],
  },
  {
    path: `${T}/unknown`,
    packer: "parser test 'unknown block type': parse error",
    load: [`Unsupported block type @ ${T}/unknown/block_type.pkr.hcl:2`],
  },
  {
    path: `${T}/variables/basic.pkr.hcl`,
    packer: "TestParse_variables 'basic variables': types, values, descriptions, sensitivity",
    load: [],
    builds: [],
    names: ["null.test"],
    check: ({ config }) => {
      const v = (n: string) => config.variables.get(n)!;
      assert.equal(show(config, "var.image_name"), "foo-image-{{user `my_secret`}}");
      assert.equal(v("image_name").type.friendlyName(), "string");
      assert.equal(v("key").type.friendlyName(), "string");
      assert.equal(show(config, "var.port"), "42");
      assert.equal(v("availability_zone_names").description, "Describing is awesome ;D\n");
      assert.equal(v("super_secret_password").sensitive, true);
      assert.equal(v("super_secret_password").description, "Handle with care plz\n");
      assert.equal(show(config, "var.super_secret_password"), "<sensitive>");
      assert.equal(show(config, "local.owner"), "Community Team");
      assert.equal(show(config, "local.service_name"), "forum");
      assert.equal(config.locals.get("supersecret")!.sensitive, true);
    },
  },
  {
    path: `${T}/variables/complicated`,
    packer: "TestParse_variables 'locals within another locals usage in different files'",
    load: [],
    builds: [],
    names: ["null.test"],
    check: ({ config }) => {
      for (const l of ["name_prefix", "foo", "bar", "for_var"]) {
        assert.equal(show(config, `local.${l}`), "foo", l);
      }
      assert.equal(show(config, "local.bar_var"), '[\n  "foo",\n  "foo",\n  "foo",\n]');
    },
  },
  {
    path: `${T}/variables/duplicate_locals`,
    packer:
      "TestParse_variables 'duplicate local block': error at the second definition's expression (Packer words it \"Duplicate local definition\")",
    load: [`Duplicate value in locals @ ${T}/variables/duplicate_locals/one_copy.pkr.hcl:3`],
  },
  {
    path: `${T}/variables/duplicate_variable.pkr.hcl`,
    packer: "TestParse_variables 'duplicate variable'",
    load: [`Duplicate variable @ ${T}/variables/duplicate_variable.pkr.hcl:6`],
  },
  {
    path: `${T}/variables/duplicate_variables.pkr.hcl`,
    packer: "TestParse_variables 'duplicate variable in variables'",
    load: [`Duplicate variable @ ${T}/variables/duplicate_variables.pkr.hcl:7`],
  },
  {
    path: `${T}/variables/empty.pkr.hcl`,
    packer:
      "TestParse_variables 'unknown variable from var-file': no diagnostic at all unless warnings are asked for",
    varFiles: [`${T}/variables/set-foo-too-wee.hcl`],
    load: [],
    warnings: [],
    builds: [],
    names: ["null.test"],
  },
  {
    path: `${T}/variables/empty.pkr.hcl`,
    packer: "TestVariables_collectVariableValues 'pkrvar file - strict mode': a warning, no error",
    varFiles: [`${T}/variables/set-foo-too-wee.hcl`],
    opts: { warnUndeclared: true },
    load: [],
    warnings: [`Undefined variable @ ${T}/variables/set-foo-too-wee.hcl:1`],
  },
  {
    path: `${T}/variables/foo-string.variable.pkr.hcl`,
    packer: "TestParse_variables 'set variable from var-file': default bar, then varfile wee",
    varFiles: [`${T}/variables/set-foo-too-wee.hcl`],
    load: [],
    builds: [],
    names: ["null.test"],
    check: ({ config }) => {
      assert.equal(show(config, "var.foo"), "wee");
      assert.equal(config.variables.get("foo")!.valueSource, "varfile");
    },
  },
  {
    path: `${T}/variables/invalid_default.pkr.hcl`,
    packer: "TestParse_variables 'invalid default type': list(string) default true",
    load: [`Invalid default value for variable @ ${T}/variables/invalid_default.pkr.hcl:5`],
  },
  {
    path: `${T}/variables/provisioner_variable_decoding.pkr.hcl`,
    packer:
      "TestParse_variables 'provisioner variable decoding': max_retries from a string and a number variable are both 1",
    load: [],
    builds: [
      `1 error(s) occurred: @ ${T}/variables/provisioner_variable_decoding.pkr.hcl:15`,
      `1 error(s) occurred: @ ${T}/variables/provisioner_variable_decoding.pkr.hcl:18`,
    ],
    check: ({ config }) => {
      assert.deepEqual(
        config.builds[0]!.provisioners.map((p) => p.maxRetries),
        [1, 1],
      );
      assert.equal(config.variables.get("max_retries")!.type.friendlyName(), "string");
      assert.equal(config.variables.get("max_retries_int")!.type.friendlyName(), "number");
    },
  },
  {
    path: `${T}/variables/recursive_locals.pkr.hcl`,
    packer: "TestParse_variables 'recursive locals': error",
    load: [`Cycle between locals and data sources @ ${T}/variables/recursive_locals.pkr.hcl:2`],
  },
  {
    path: `${T}/variables/unknown_key.pkr.hcl`,
    packer: "TestParse_variables 'unknown key'",
    load: [`Unsupported argument @ ${T}/variables/unknown_key.pkr.hcl:3`],
  },
  {
    path: `${T}/variables/unset_unused_string_variable.pkr.hcl`,
    packer: "TestParse_variables 'unset unused variable': still an error",
    load: [`Unset variable "foo" @ ${T}/variables/unset_unused_string_variable.pkr.hcl:2`],
  },
  {
    path: `${T}/variables/unset_used_string_variable.pkr.hcl`,
    packer: "TestParse_variables 'unset used variable'",
    load: [`Unset variable "foo" @ ${T}/variables/unset_used_string_variable.pkr.hcl:2`],
  },
  {
    path: `${T}/variables/validation/invalid_default.pkr.hcl`,
    packer:
      "TestParse_variables 'valid validation block - invalid default': at the default (Packer: \"Invalid value for default variable\")",
    load: [`Invalid value for variable @ ${T}/variables/validation/invalid_default.pkr.hcl:4`],
  },
  {
    path: `${T}/variables/validation/valid.pkr.hcl`,
    packer: "TestParse_variables 'valid validation block'",
    load: [],
    builds: [],
    names: ["null.test"],
  },
  {
    path: `${T}/variables/validation/valid_map`,
    packer: "(validation of an object default, set by an auto var file): the second rule fails",
    load: [
      `Invalid value for variable @ ${T}/variables/validation/valid_map/invalid_value.auto.pkrvars.hcl:2`,
    ],
    check: ({ diags }) =>
      assert.match(
        diags[0]!.detail!,
        /^The image_metadata\.something\.foo field must start with "bar"\./,
      ),
  },

  // ------------------------------------------------- command/test-fixtures
  {
    path: `${C}/build-name-and-type`,
    packer:
      "TestBuild 'source name: HCL': builds null.test and null.potato (and the named pineapple one)",
    load: [],
    builds: [],
    names: ["null.test", "null.potato", "pineapple.null.pizza"],
    check: ({ builds }) => {
      assert.deepEqual(builds[0]!.provisioners[0]!.config.inline, ["echo '' > null.test.txt"]);
      assert.deepEqual(ppNames(builds[1]!), [["manifest"]]);
    },
  },
  {
    path: `${C}/build-name-and-type/buildname.pkr.hcl`,
    packer: "TestBuild 'hcl - build.name accessible': pineapple.pizza.txt",
    load: [],
    builds: [],
    names: ["pineapple.null.pizza"],
    check: ({ builds }) =>
      assert.deepEqual(builds[0]!.provisioners[0]!.config.inline, [
        "echo '' > pineapple.pizza.txt",
      ]),
  },
  {
    path: `${C}/build-only/template.pkr.hcl`,
    packer:
      "TestBuildExceptFileCommaFlags 'HCL2': -except=file.chocolate,file.vanilla,tomato leaves cherry with apple, peach, pear, banana",
    load: [],
    filter: { except: ["file.chocolate", "file.vanilla", "tomato"] },
    builds: [],
    names: ["file.cherry"],
    check: ({ builds }) =>
      assert.deepEqual(ppNames(builds[0]!), [["apple"], ["peach"], ["pear"], ["banana"]]),
  },
  {
    path: `${C}/build-only/template.pkr.json`,
    packer:
      "TestBuildExceptFileCommaFlags 'HCL2-JSON': the same in JSON syntax (three `file` keys make three sources)",
    load: [],
    filter: { except: ["file.chocolate", "file.vanilla", "tomato"] },
    builds: [],
    names: ["file.cherry"],
    check: ({ builds }) => {
      assert.deepEqual(
        builds[0]!.provisioners.map((p) => p.name),
        ["apple"],
      );
      // "only = [sources.file.chocolate]" names no build, so that one runs nowhere.
      assert.deepEqual(ppNames(builds[0]!), [["peach"], ["pear"], ["banana"]]);
    },
  },
  {
    path: `${C}/hcl-only-except`,
    packer:
      "TestBuildCommand_HCLOnlyExceptOptions / TestBuild 'only|except a build block': globs over [build.]type.name",
    load: [],
    builds: [],
    names: ["file.cherry", "my_build.file.chocolate", "my_build.file.vanilla"],
    check: async ({ config }) => {
      const names = async (filter: Partial<BuildFilter>) =>
        (await getBuilds(config, { only: [], except: [], ...filter })).builds.map((b) => b.name);
      assert.deepEqual(await names({ only: ["my_build.*"] }), [
        "my_build.file.chocolate",
        "my_build.file.vanilla",
      ]);
      assert.deepEqual(await names({ except: ["my_build.*"] }), ["file.cherry"]);
      assert.deepEqual(await names({ only: ["chocolate"] }), []);
      assert.deepEqual(await names({ only: ["*chocolate*", "*vanilla*"] }), [
        "my_build.file.chocolate",
        "my_build.file.vanilla",
      ]);
      assert.deepEqual(await names({ except: ["*ch*"] }), ["my_build.file.vanilla"]);
      assert.deepEqual(await names({ only: ["file.cherry"] }), ["file.cherry"]);
    },
  },
  {
    path: `${C}/hcl-inspect-with-sensitive-vars`,
    packer:
      "Test_commands: inspect prints sensitive values as <sensitive>, unset ones as <unknown>",
    opts: INSPECT,
    load: [],
    check: ({ config }) =>
      assert.equal(
        inspectHCL2Text(config),
        readFileSync(join(root, C, "hcl-inspect-with-sensitive-vars/expected-output.txt"), "utf8"),
      ),
  },
  {
    path: `${C}/fmt`,
    packer:
      "fmt_test: formatting fixtures; the folder loads, its auto var file sets region, the other var file undeclared ones",
    varFiles: [`${C}/fmt/unformatted.pkrvars.hcl`],
    opts: { warnUndeclared: true },
    load: [],
    warnings: [
      `Undefined variable @ ${C}/fmt/unformatted.pkrvars.hcl:1`,
      `Undefined variable @ ${C}/fmt/unformatted.pkrvars.hcl:2`,
    ],
    builds: [`Unknown source type amazon-ebs @ ${C}/fmt/unformatted.pkr.hcl:5`],
    names: ["null.example"],
    check: ({ config }) => assert.equal(show(config, "var.region"), "us-west-2"),
  },
  {
    path: `${C}/hcl/build-var-in-pp.pkr.hcl`,
    packer: "TestBuild 'using build variables in post-processor': example.2.txt",
    load: [],
    builds: [],
    names: ["example.null.example"],
    check: ({ builds }) =>
      assert.deepEqual(builds[0]!.postProcessors[0]![0]!.config.inline, ["echo 2 > example.2.txt"]),
  },
  {
    path: `${C}/hcl/build_no_source.pkr.hcl`,
    packer:
      "TestBuildCmd 'build block without source': one error, 'missing source reference' at line 1",
    load: [],
    builds: [`missing source reference @ ${C}/hcl/build_no_source.pkr.hcl:1`],
  },
  {
    path: `${C}/hcl/data-source-validation.pkr.hcl`,
    packer: "TestValidateCommand: a data source unknown at validation time is fine",
    opts: VALIDATE,
    load: [],
    builds: [],
    names: ["file.foo"],
  },
  {
    path: `${C}/hcl/data-source-validation.pkr.hcl`,
    packer: "TestBuild 'hcl - unknown': the data source runs; its output is the secret",
    load: [],
    builds: [],
    names: ["file.foo"],
    check: ({ builds }) =>
      assert.deepEqual(builds[0]!.provisioners[0]!.config.env, { MY_SECRET: "s3cr3t" }),
  },
  {
    path: `${C}/hcl/datasource.pkr.hcl`,
    packer: "TestBuild 'execute and use datasource': a mock data source (kiln: a missing plugin)",
    load: [`Unknown data source type mock @ ${C}/hcl/datasource.pkr.hcl:1`],
  },
  {
    path: `${C}/hcl/dynamic`,
    packer:
      "TestBuild 'dynamic source blocks in a build block': dummy.txt, postgres/13.txt, and a provisioner per local.files entry",
    load: [],
    builds: [],
    names: ["file.dummy", "file.postgres"],
    check: ({ builds }) => {
      const [dummy, postgres] = builds;
      assert.deepEqual(
        [dummy!.builder.config.target, dummy!.builder.config.content],
        ["dummy.txt", "layers/base/main/files"],
      );
      assert.deepEqual(
        [postgres!.builder.config.target, postgres!.builder.config.content],
        [
          "postgres/13.txt",
          "layers/base/main/files\nlayers/base/init/files\nlayers/postgres/files",
        ],
      );
      assert.deepEqual(
        postgres!.provisioners.map((p) => p.config.inline),
        [["echo '' > postgres/13-baar.txt"], ["echo '' > postgres/13-fooo.txt"]],
      );
    },
  },
  {
    path: `${C}/hcl/empty_object`,
    packer:
      "TestBuild 'var with default value empty object/list can be set': [] and {} defaults take any value",
    load: [],
    builds: [],
    names: ["file.base"],
    check: ({ builds }) =>
      assert.deepEqual(
        [builds[0]!.builder.config.target, builds[0]!.builder.config.content],
        ["foo.txt", "yo"],
      ),
  },
  {
    path: `${C}/hcl/force.pkr.hcl`,
    packer: "TestHCL2PostProcessorForceFlag: null.potato with a manifest",
    load: [],
    builds: [],
    names: ["null.potato"],
    check: ({ builds }) => assert.deepEqual(ppNames(builds[0]!), [["manifest"]]),
  },
  {
    path: `${C}/hcl/inspect`,
    packer:
      "Test_commands inspect of the folder: undeclared sources are shown, not errors; env() defaults; unset variables <unknown>",
    vars: ["fruit=peach", "other_default_from_env=apple"],
    env: { DEFAULT_FROM_ENV: "cherry" },
    opts: INSPECT,
    load: [],
    check: ({ config }) =>
      assert.equal(
        inspectHCL2Text(config),
        `Packer Inspect: HCL2 mode

> input-variables:

var.default_from_env: "cherry"
var.fruit: "peach"
var.other_default_from_env: "apple"
var.unknown_list_of_string: "<unknown>"
var.unknown_string: "<unknown>"
var.unknown_unknown: "<unknown>"

> local-variables:


> builds:

  > aws_example_builder:

  > Description: The builder of clouds !!

Use it at will.


    sources:

      amazon-ebs.example-1

      amazon-ebs.example-2

    provisioners:

      shell

    post-processors:

      0:
        manifest

      1:
        shell-local

      2:
        manifest
        shell-local

`,
      ),
  },
  {
    path: `${C}/hcl/inspect/fruit_string.pkr.hcl`,
    packer: "Test_commands inspect with -var for typed and untyped variables",
    vars: [
      "fruit=peach",
      "unknown_string=also_peach",
      'unknown_unknown=["peach_too"]',
      'unknown_list_of_string=["first_peach", "second_peach"]',
    ],
    opts: INSPECT,
    load: [],
    check: ({ config }) =>
      assert.equal(
        inspectHCL2Text(config),
        `Packer Inspect: HCL2 mode

> input-variables:

var.default_from_env: ""
var.fruit: "peach"
var.other_default_from_env: ""
var.unknown_list_of_string: "[\\n  \\"first_peach\\",\\n  \\"second_peach\\",\\n]"
var.unknown_string: "also_peach"
var.unknown_unknown: "[\\"peach_too\\"]"

> local-variables:


> builds:

`,
      ),
  },
  {
    path: `${C}/hcl/local-ds-validate.pkr.hcl`,
    packer:
      "TestValidateCommand: fails without -evaluate-datasources on the file provisioner's unknown direction (kiln's file provisioner lets unknown values through), passes with it",
    opts: VALIDATE,
    load: [],
    builds: [],
    names: ["null.test"],
    check: async () => {
      const run = await loadHCL2Template(`${C}/hcl/local-ds-validate.pkr.hcl`, {
        cwd: root,
        env: {},
      });
      const b = await getBuilds(run.config, { only: [], except: [] });
      assert.deepEqual(describe(b.diags, "error"), []);
      assert.equal(b.builds[0]!.provisioners[0]!.config.direction, "upload");
    },
  },
  {
    path: `${C}/hcl/nil-component-crash.pkr.hcl`,
    packer: "TestBuild 'test crash #11381': a timeout without a unit fails",
    load: [`Failed to parse timeout duration @ ${C}/hcl/nil-component-crash.pkr.hcl:7`],
  },
  {
    path: `${C}/hcl/no_build.pkr.hcl`,
    packer: "TestBuildCmd 'no build block error': exactly one error",
    load: [],
    builds: ["Missing build block @ -"],
  },
  {
    path: `${C}/hcl/provisioner-override.pkr.hcl`,
    packer:
      "Test_build_output: override is keyed by source name; example1 overridden, example2 not",
    load: [],
    builds: [],
    names: ["null.example1", "null.example2"],
    check: ({ builds }) =>
      assert.deepEqual(
        builds.map((b) => b.provisioners[0]!.config.inline),
        [["echo yes overridden"], ["echo not overridden"]],
      ),
  },
  {
    path: `${C}/hcl/recipes`,
    packer:
      "TestBuild 'hcl - recipes': renamed sources, provisioners and post-processors filtered by only/except",
    load: [],
    builds: [],
    names: ["null.tiramisu", "recipes.null.spaghetti_carbonara", "recipes.null.lasagna"],
    check: async ({ config, builds }) => {
      const provs = (b: CoreBuild) => b.provisioners.map((p) => p.name);
      assert.deepEqual(builds.map(provs), [
        ["whipped_york", "mascarpone"],
        ["add_spaghetti"],
        ["add_lasagna", "add_tomato", "add_mozza"],
      ]);
      assert.deepEqual(builds.map(ppNames), [
        [["whipped_egg_white"], ["dress_with_coffeed_boudoirs"]],
        [["carbonara_it"]],
        [["cook"]],
      ]);
      const names = async (filter: Partial<BuildFilter>) =>
        (await getBuilds(config, { only: [], except: [], ...filter })).builds.map((b) => b.name);
      assert.deepEqual(await names({ except: ["recipes.null.spaghetti_carbonara"] }), [
        "null.tiramisu",
        "recipes.null.lasagna",
      ]);
      assert.deepEqual(await names({ only: ["*lasagna"] }), ["recipes.null.lasagna"]);
      assert.deepEqual(await names({ only: ["recipes.*"] }), [
        "recipes.null.spaghetti_carbonara",
        "recipes.null.lasagna",
      ]);
    },
  },
  {
    path: `${C}/hcl/recursive_local_with_input`,
    packer: "TestBuild 'recursive local using input var': hey.txt",
    load: [],
    builds: [],
    names: ["file.chocolate"],
    check: ({ builds }) => assert.equal(builds[0]!.builder.config.target, "hey.txt"),
  },
  {
    path: `${C}/hcl/recursive_local_with_unset_input`,
    packer: "TestBuild 'recursive local using an unset input var': fails",
    load: [
      `Unset variable "vms_to_build" @ ${C}/hcl/recursive_local_with_unset_input/file.pkr.hcl:2`,
    ],
  },
  {
    path: `${C}/hcl/reprepare/shell-local.pkr.hcl`,
    packer: "Test_build_output: a script under path.root, build.ID in the environment",
    load: [],
    builds: [],
    names: ["null.example"],
    check: ({ builds }) =>
      assert.equal(builds[0]!.provisioners[0]!.config.script, `./${C}/hcl/reprepare/hello.sh`),
  },
  {
    path: `${C}/hcl/reprepare/shell-local-windows.pkr.hcl`,
    packer: "Test_build_output (Windows): the same with a .cmd script",
    load: [],
    builds: [],
    names: ["null.example"],
    check: ({ builds }) =>
      assert.equal(builds[0]!.provisioners[0]!.config.script, `./${C}/hcl/reprepare/test_cmd.cmd`),
  },
  {
    path: `${C}/hcl/test_except_manifest.pkr.hcl`,
    packer: "TestBuildCmd 'exclude post-processor, expect no warning': -except=manifest drops it",
    load: [],
    filter: { except: ["manifest"] },
    builds: [],
    names: ["null.test"],
    check: ({ builds }) => assert.deepEqual(builds[0]!.postProcessors, []),
  },
  {
    path: `${C}/hcl/validation/map`,
    packer: "TestBuild 'valid validation rule for default value'",
    load: [],
    builds: [],
    names: ["null.test"],
  },
  {
    path: `${C}/hcl/validation/map`,
    packer: "TestBuild 'valid setting from varfile'",
    varFiles: [`${C}/hcl/validation/map/valid_value.pkrvars.hcl`],
    load: [],
  },
  {
    path: `${C}/hcl/validation/map`,
    packer: "TestBuild 'invalid setting from varfile': exit 1",
    varFiles: [`${C}/hcl/validation/map/invalid_value.pkrvars.hcl`],
    load: [`Invalid value for variable @ ${C}/hcl/validation/map/invalid_value.pkrvars.hcl:2`],
  },
  {
    path: `${C}/hcl/validation/map`,
    packer:
      "TestBuild 'valid cmd ( invalid varfile bypased )': -var parses as HCL, since the default gave the variable an object type",
    varFiles: [`${C}/hcl/validation/map/invalid_value.pkrvars.hcl`],
    vars: ['image_metadata={key = "new_value", something = { foo = "bar" }}'],
    load: [],
    check: ({ config }) => assert.equal(show(config, "var.image_metadata.key"), "new_value"),
  },
  {
    path: `${C}/hcl/validation/map`,
    packer: "TestBuild 'invalid cmd ( valid varfile bypased )': both rules fail",
    varFiles: [`${C}/hcl/validation/map/valid_value.pkrvars.hcl`],
    vars: ['image_metadata={key = "?", something = { foo = "wrong" }}'],
    load: [
      "Invalid value for variable @ <value for var.image_metadata from arguments>:1",
      "Invalid value for variable @ <value for var.image_metadata from arguments>:1",
    ],
  },
  {
    path: `${C}/hcl/validation/wrong_pause_before.pkr.hcl`,
    packer:
      'TestValidateCommand: pause_before = "5" has no unit; reported at the provisioner block',
    load: [
      `Failed to parse pause_before duration @ ${C}/hcl/validation/wrong_pause_before.pkr.hcl:8`,
    ],
  },
  {
    path: `${C}/hcl/var-in-pp-name.pkr.hcl`,
    packer:
      "TestBuild 'variables can be used in shared post-processor fields': name, only, except and keep_input_artifact from variables and locals",
    load: [],
    builds: [],
    names: ["null.example1", "null.example2"],
    check: ({ builds }) => {
      const [one, two] = builds;
      assert.deepEqual(ppNames(one!), [["shell-local"]]);
      assert.equal(one!.postProcessors[0]![0]!.keepInputArtifact, true);
      assert.deepEqual(one!.postProcessors[0]![0]!.config.inline, ["echo 1 > example1.1.txt"]);
      assert.deepEqual(ppNames(two!), [["bar"]]);
      assert.deepEqual(two!.postProcessors[0]![0]!.config.inline, ["echo 2 > example2.2.txt"]);
    },
  },
  {
    path: `${C}/hcl/variables/list_of_string`,
    packer: 'Test_console: var.list_of_string[0] with -var=list_of_string=["first"]',
    vars: ['list_of_string=["first"]'],
    load: [],
    check: ({ config }) => assert.equal(show(config, "var.list_of_string[0]"), "first"),
  },
  {
    path: `${C}/hcl/variables/ref_non_existing`,
    packer: "TestBuildCmd 'undefined var set in pkrvars': no warning from build, no error",
    load: [],
    warnings: [],
    builds: [],
    names: ["null.test"],
  },
  {
    path: `${C}/hcl/variables/untyped_var`,
    packer: "Test_console: an untyped variable takes the auto var file's list",
    load: [],
    check: ({ config }) => assert.equal(show(config, "var.untyped[2]"), "strings"),
  },
  {
    path: `${C}/hcl/variables/untyped_var`,
    packer: "Test_console: -var=untyped=just_a_string is a string",
    vars: ["untyped=just_a_string"],
    load: [],
    check: ({ config }) => assert.equal(show(config, "var.untyped"), "just_a_string"),
  },
  {
    path: `${C}/hcl/variables/untyped_var/var.pkr.hcl`,
    packer:
      "Test_console: unset is <unknown> in the console (which checks no values); PKR_VAR_ sets it",
    opts: { validateValues: false },
    load: [],
    check: async ({ config }) => {
      assert.equal(show(config, "var.untyped"), "<unknown>");
      const env = await loadHCL2Template(`${C}/hcl/variables/untyped_var/var.pkr.hcl`, {
        cwd: root,
        env: { PKR_VAR_untyped: "just_a_string" },
      });
      assert.deepEqual(env.diags, []);
      assert.equal(show(env.config, "var.untyped"), "just_a_string");
    },
  },
  {
    path: `${C}/hcl/vars-in-build-block.pkr.hcl`,
    packer: "TestBuild 'using variables in build block': name and description from variables",
    load: [],
    builds: [],
    names: ["example.null.example"],
    check: ({ config, builds }) => {
      assert.equal(config.builds[0]!.description, "blah blah blah");
      assert.deepEqual(builds[0]!.postProcessors[0]![0]!.config.inline, ["echo 2 > example.2.txt"]);
    },
  },
  {
    path: `${C}/hcp/build-description.pkr.hcl`,
    packer: "TestRegistrySetup 'use build description': bucket from the build name and description",
    load: [],
    builds: [],
    names: ["bucket-slug.file.test"],
    check: ({ config }) => {
      assert.deepEqual(config.builds[0]!.hcpRegistry, {
        bucketName: "",
        description: "",
        bucketLabels: {},
        buildLabels: {},
        range: config.builds[0]!.hcpPackerRegistry!.defRange,
      });
      assert.equal(config.builds[0]!.description, "Some build description");
    },
  },
  {
    path: `${C}/hcp/deprecated_labels.pkr.hcl`,
    packer: "TestRegistrySetup 'deprecated labels': labels become bucket_labels, with a warning",
    load: [],
    warnings: [
      `the argument hcp_packer_registry.labels has been deprecated and will be removed in the next minor release; please use hcp_packer_registry.bucket_labels @ ${C}/hcp/deprecated_labels.pkr.hcl:11`,
    ],
    builds: [],
    names: ["file.test"],
    check: ({ config }) =>
      assert.deepEqual(config.builds[0]!.hcpRegistry!.bucketLabels, { foo: "bar" }),
  },
  {
    path: `${C}/hcp/dup_build_blocks.pkr.hcl`,
    packer: "TestRegistrySetup 'two build blocks with hcp_registry': error",
    load: [],
    builds: [`Multiple build blocks @ ${C}/hcp/dup_build_blocks.pkr.hcl:19`],
  },
  {
    path: `${C}/hcp/duplicate.pkr.hcl`,
    packer: "TestRegistrySetup 'duplicate hcp_registry blocks': error",
    load: [`Only one hcp_packer_registry is allowed @ ${C}/hcp/duplicate.pkr.hcl:14`],
  },
  {
    path: `${C}/hcp/hcp_normal.pkr.json`,
    packer: "TestRegistrySetup 'HCL2/JSON - hcp enabled build': JSON syntax, named build",
    load: [],
    builds: [],
    names: ["test-file.file.test"],
    check: ({ config }) => assert.equal(config.builds[0]!.description, "Some build description"),
  },
  {
    path: `${C}/hcp/multiple_sources.pkr.hcl`,
    packer: "TestRegistrySetup 'hcp_registry_block and multiple sources'",
    load: [],
    builds: [],
    names: ["bucket-slug.file.test", "bucket-slug.file.other"],
    check: ({ config }) => {
      const r = config.builds[0]!.hcpRegistry!;
      assert.equal(r.description, "Some description\n");
      assert.deepEqual(r.bucketLabels, { foo: "bar" });
      assert.deepEqual(r.buildLabels, { python_version: "3.0" });
    },
  },
  {
    path: `${C}/hcp/override-build-description.pkr.hcl`,
    packer: "TestRegistrySetup 'override build description with hcp packer registry description'",
    load: [],
    builds: [],
    names: ["file.test"],
    check: ({ config }) =>
      assert.equal(config.builds[0]!.hcpRegistry!.description, "Some override description"),
  },
  {
    path: `${C}/hcp/slug.pkr.hcl`,
    packer: "TestRegistrySetup 'set slug in hcp packer registry block'",
    load: [],
    builds: [],
    names: ["bucket-slug.file.test"],
    check: ({ config }) =>
      assert.equal(config.builds[0]!.hcpRegistry!.bucketName, "real-bucket-slug"),
  },
  {
    path: `${C}/hcp/variable-for-bucket_name.pkr.hcl`,
    packer: "registry fixture: an hcp_packer_registry with a bucket name",
    load: [],
    builds: [],
    names: ["file.test"],
    check: ({ config }) => assert.equal(config.builds[0]!.hcpRegistry!.bucketName, "bucket-slug"),
  },
  {
    path: `${C}/provisioners/provisioner-only-except.pkr.hcl`,
    packer:
      "TestProvisionerAndPostProcessorOnlyExcept 'hcl - only one source build' / 'only other build'",
    load: [],
    filter: { only: ["null.packer"] },
    builds: [],
    names: ["null.packer"],
    check: async ({ config, builds }) => {
      assert.deepEqual(builds[0]!.provisioners[0]!.config.inline, [
        "echo packer provisioner {{build_name}} and {{build_type}}",
      ]);
      assert.deepEqual(builds[0]!.postProcessors[0]![0]!.config.inline, [
        "echo packer post-processor {{build_name}} and {{build_type}}",
      ]);
      const other = await getBuilds(config, { only: ["null.other"], except: [] });
      assert.deepEqual(
        other.builds.map((b) => b.name),
        ["null.other"],
      );
      assert.deepEqual(other.builds[0]!.provisioners[0]!.config.inline, [
        "echo other provisioner {{build_name}} and {{build_type}}",
      ]);
    },
  },
  {
    path: `${C}/validate-invalid/missing_build_block.pkr.hcl`,
    packer:
      "TestValidateCommand_ShowLineNumForMissing: 'Unknown source file.cho' on line 6, 'Known: [file.chocolate]'",
    load: [],
    builds: [`Unknown source file.cho @ ${C}/validate-invalid/missing_build_block.pkr.hcl:6`],
    check: async ({ config }) => {
      const b = await getBuilds(config, { only: [], except: [] });
      assert.equal(b.diags[0]!.detail, "Known: [file.chocolate]");
    },
  },
  {
    path: `${C}/validate/build.pkr.hcl`,
    packer: "TestValidateCommand: valid",
    opts: VALIDATE,
    load: [],
    builds: [],
    names: ["file.chocolate"],
  },
  {
    path: `${C}/validate/build_with_vars.pkr.hcl`,
    packer: "TestValidateCommand: valid",
    opts: VALIDATE,
    load: [],
    builds: [],
    names: ["file.chocolate"],
  },
  {
    path: `${C}/validate/circular_error.pkr.hcl`,
    packer:
      "TestValidateCommand 'Should return multiple errors': kiln reports the local that fails, not the one that depends on it",
    opts: VALIDATE,
    load: [`Invalid function argument @ ${C}/validate/circular_error.pkr.hcl:3`],
  },
  {
    path: `${C}/validate/datasource.pkr.hcl`,
    packer:
      "TestValidateCommand_SkipDatasourceExecution: a mock data source (kiln: a missing plugin)",
    opts: VALIDATE,
    load: [`Unknown data source type mock @ ${C}/validate/datasource.pkr.hcl:5`],
  },
  {
    path: `${C}/validate/invalid_packer_block.pkr.hcl`,
    packer: "TestValidateCommand 'wrong packer block': exit 1",
    opts: VALIDATE,
    load: [`Unsupported argument @ ${C}/validate/invalid_packer_block.pkr.hcl:2`],
  },
  {
    path: `${C}/validate/validate_except.pkr.hcl`,
    packer:
      "TestValidateCommandExcept 'HCL2: validate except build and post-processor': -except=file.vanilla,pear",
    opts: VALIDATE,
    load: [],
    filter: { except: ["file.vanilla", "pear"] },
    builds: [],
    names: ["file.chocolate"],
    check: ({ builds }) => assert.deepEqual(ppNames(builds[0]!), [["apple"]]),
  },
  {
    path: `${C}/validate/validate_except.pkr.hcl`,
    packer:
      "TestValidateCommandExcept 'HCL2: fail validation except build and post-processor': vanilla has no target",
    opts: VALIDATE,
    load: [],
    filter: { except: ["file.chocolate", "apple"] },
    builds: [`Missing required argument @ ${C}/validate/validate_except.pkr.hcl:5`],
  },
  {
    path: `${C}/validate/var-file-tests/basic.pkr.hcl`,
    packer: "TestValidateCommand_VarFiles 'with basic HCL var-file definition'",
    varFiles: [`${C}/validate/var-file-tests/basic.pkrvars.hcl`],
    opts: { ...VALIDATE, warnUndeclared: true },
    load: [],
    warnings: [],
    builds: [],
    check: ({ config }) => assert.equal(show(config, "var.test"), "myvalue"),
  },
  {
    path: `${C}/validate/var-file-tests/basic.pkr.hcl`,
    packer: "TestValidateCommand_VarFilesWarnOnUndeclared (HCL): a warning, exit 0",
    varFiles: [`${C}/validate/var-file-tests/undeclared.pkrvars.hcl`],
    opts: { ...VALIDATE, warnUndeclared: true },
    load: [],
    warnings: [`Undefined variable @ ${C}/validate/var-file-tests/undeclared.pkrvars.hcl:1`],
    builds: [],
    check: ({ diags }) =>
      assert.equal(
        diags[0]!.detail,
        'The variable "unused" was set but was not declared as an input variable.\nTo declare variable "unused" place this block in one of your .pkr.hcl files, such as variables.pkr.hcl\n\nvariable "unused" {\n  type    = string\n  default = null\n}',
      ),
  },
  {
    path: `${C}/validate/var-file-tests/basic.pkr.hcl`,
    packer: "TestValidateCommand_VarFilesWarnOnUndeclared (JSON): a warning, exit 0",
    varFiles: [`${C}/validate/var-file-tests/undeclared.json`],
    opts: { ...VALIDATE, warnUndeclared: true },
    load: [],
    warnings: [`Undefined variable @ ${C}/validate/var-file-tests/undeclared.json:2`],
    builds: [],
  },
  {
    path: `${C}/validate/var-file-tests/basic.pkr.hcl`,
    packer:
      "TestValidateCommand_VarFilesDisableWarnOnUndeclared: -no-warn-undeclared-var, no warning",
    varFiles: [`${C}/validate/var-file-tests/undeclared.pkrvars.hcl`],
    opts: VALIDATE,
    load: [],
    warnings: [],
    builds: [],
  },
  {
    path: `${C}/validate/var_foo_with_no_default.pkr.hcl`,
    packer: "TestValidateCommand: an unset variable fails; TestValidateCommand_SyntaxOnly: passes",
    opts: VALIDATE,
    load: [`Unset variable "foo" @ ${C}/validate/var_foo_with_no_default.pkr.hcl:2`],
    check: async () => {
      const syntax = await loadHCL2Template(`${C}/validate/var_foo_with_no_default.pkr.hcl`, {
        cwd: root,
        env: {},
        syntaxOnly: true,
      });
      assert.deepEqual(syntax.diags, []);
    },
  },
  {
    path: `${C}/var-arg`,
    packer: "TestBuild 'auto varfile sets a chocolate env var'",
    load: [],
    builds: [],
    names: ["null.builder"],
    check: ({ builds }) =>
      assert.deepEqual(builds[0]!.provisioners[0]!.config.inline, [
        "echo chocolate > chocolate.txt",
      ]),
  },
  {
    path: `${C}/var-arg`,
    packer: "TestBuild 'hcl varfile sets a apple env var' (after the auto var file)",
    varFiles: [`${C}/var-arg/apple.hcl`],
    load: [],
    check: ({ config }) => assert.equal(show(config, "local.fruit"), "apple"),
  },
  {
    path: `${C}/var-arg`,
    packer: "TestBuild 'json varfile sets a apple env var'",
    varFiles: [`${C}/var-arg/apple.json`],
    load: [],
    check: ({ config }) => assert.equal(show(config, "local.fruit"), "apple"),
  },
  {
    path: `${C}/var-arg`,
    packer: "TestBuild 'arg sets a tomato env var'",
    vars: ["fruit=tomato"],
    load: [],
    check: ({ config }) => assert.equal(show(config, "local.fruit"), "tomato"),
  },
  {
    path: `${C}/var-arg`,
    packer: "TestBuild 'nonexistent json var file errs'",
    varFiles: [`${C}/var-arg/potato.json`],
    load: ["Failed to read variables file @ -"],
  },
  {
    path: `${C}/var-arg`,
    packer: "TestBuild 'nonexistent hcl var file errs'",
    varFiles: [`${C}/var-arg/potato.hcl`],
    load: ["Failed to read variables file @ -"],
  },
  {
    path: `${C}/var-arg/fruit_builder.pkr.hcl`,
    packer: "Test_commands inspect: var.fruit and local.fruit <unknown>, or banana with -var",
    opts: INSPECT,
    load: [],
    check: async ({ config }) => {
      const text = (fruit: string) => `Packer Inspect: HCL2 mode

> input-variables:

var.fruit: "${fruit}"

> local-variables:

local.fruit: "${fruit}"

> builds:

  > <unnamed build 0>:

    sources:

      null.builder

    provisioners:

      shell-local

    post-processors:

      <no post-processor>

`;
      assert.equal(inspectHCL2Text(config), text("<unknown>"));
      const banana = await loadHCL2Template(`${C}/var-arg/fruit_builder.pkr.hcl`, {
        cwd: root,
        env: {},
        vars: [{ kind: "var", text: "fruit=banana" }],
        ...INSPECT,
      });
      assert.equal(inspectHCL2Text(banana.config), text("banana"));
    },
  },
  {
    path: `${C}/var-arg/fruit_builder.pkr.hcl`,
    packer: "Test_console: var.fruit and upper(var.fruit) with PKR_VAR_fruit=potato",
    env: { PKR_VAR_fruit: "potato" },
    load: [],
    check: ({ config }) => {
      assert.equal(show(config, "var.fruit"), "potato");
      assert.equal(show(config, "upper(var.fruit)"), "POTATO");
    },
  },
  {
    path: `${C}/var-arg/map.pkr.hcl`,
    packer: "Test_console: var.images, path.cwd, and path.root as the folder given",
    load: [],
    check: ({ config }) => {
      assert.equal(show(config, "var.images"), '{\n  "key" = "value"\n}');
      assert.equal(show(config, "path.cwd"), root);
      assert.equal(show(config, "path.root"), `${C}/var-arg`);
    },
  },
  {
    path: `${C}/version_req/base_failure`,
    packer: "TestValidateCommand 'wrong version fails': only the version is reported",
    load: [`Unsupported Packer Core version @ ${C}/version_req/base_failure/version.pkr.hcl:2`],
  },
  {
    path: `${C}/version_req/base_success`,
    packer: "TestValidateCommand: a satisfied required_version",
    load: [],
    builds: [],
    names: ["null.test"],
  },
  {
    path: `${C}/version_req/wrong_field_name`,
    packer: "TestValidateCommand 'wrong version field'",
    load: [`Unsupported argument @ ${C}/version_req/wrong_field_name/version.pkr.hcl:2`],
  },
];

/** hcl2_upgrade_test compares these with its output; each is a template of its own. */
const upgraded: Record<string, { sources: string[]; plugins: string[] }> = {
  ami_test: { sources: ["amazon-ebs.autogenerated_1"], plugins: ["amazon"] },
  "aws-access-config": {
    sources: ["amazon-ebs.autogenerated_1", "amazon-ebs.named_builder"],
    plugins: ["amazon"],
  },
  azure_shg: { sources: ["azure-arm.autogenerated_1"], plugins: ["azure"] },
  "bundled-plugin-used": {
    sources: ["amazon-ebs.autogenerated_1"],
    plugins: ["amazon", "ansible", "googlecompute"],
  },
  "complete-variables-with-template-engine": { sources: ["null.autogenerated_1"], plugins: [] },
  complete: {
    sources: ["amazon-ebs.autogenerated_1", "amazon-ebs.named_builder"],
    plugins: ["amazon"],
  },
  "error-cleanup-provisioner": { sources: ["null.autogenerated_1"], plugins: [] },
  escaping: { sources: ["null.autogenerated_1"], plugins: [] },
  minimal: { sources: ["amazon-ebs.autogenerated_1"], plugins: ["amazon"] },
  placeholders: { sources: ["null.autogenerated_1"], plugins: [] },
  "source-name": { sources: ["amazon-ebs.party_parrot"], plugins: ["amazon"] },
  "undeclared-variables": { sources: ["null.autogenerated_1"], plugins: [] },
  unknown_builder: { sources: ["potatoes.autogenerated_1"], plugins: [] },
  "varfile-with-no-variables-block": { sources: ["null.autogenerated_1"], plugins: [] },
  "variables-only": { sources: [], plugins: [] },
  "variables-with-variables": { sources: [], plugins: [] },
  vsphere_linux_options_and_network_interface: {
    sources: ["vsphere-clone.autogenerated_1"],
    plugins: ["vsphere"],
  },
  "without-annotations": {
    sources: ["amazon-ebs.autogenerated_1", "amazon-ebs.named_builder"],
    plugins: ["amazon"],
  },
};

for (const [name, want] of Object.entries(upgraded)) {
  rows.push({
    path: `${C}/hcl2_upgrade/${name}/expected.pkr.hcl`,
    packer: "Test_hcl2_upgrade: the expected output; it must parse",
    opts: { syntaxOnly: true },
    load: [],
    check: ({ config }) => {
      assert.deepEqual([...config.sources.keys()], want.sources);
      assert.deepEqual(
        config.packer.requiredPlugins.map((p) => p.name),
        want.plugins,
      );
      assert.equal(config.buildBlocks.length, want.sources.length ? 1 : 0);
    },
  });
}
rows.push(
  {
    path: `${C}/hcl2_upgrade/error-cleanup-provisioner/expected.pkr.hcl`,
    packer: "Test_hcl2_upgrade 'error-cleanup-provisioner': the upgraded template builds",
    load: [],
    builds: [],
    names: ["null.autogenerated_1"],
    check: ({ builds }) => assert.equal(builds[0]!.errorCleanupProvisioner?.type, "shell-local"),
  },
  {
    path: `${C}/hcl2_upgrade/complete/expected.pkr.hcl`,
    packer: "Test_hcl2_upgrade 'complete': needs the amazon plugin, which kiln lacks",
    opts: INSPECT,
    load: [],
    check: async ({ config }) => {
      const missing = await checkRequiredPlugins(config);
      assert.deepEqual(describe(missing, "error"), [
        `Missing plugins @ ${C}/hcl2_upgrade/complete/expected.pkr.hcl:18`,
      ]);
    },
  },
);

// ---------------------------------------------------------------- tests

for (const row of rows) {
  const extra = [...(row.varFiles ?? []), ...(row.vars ?? []).map((v) => `-var ${v}`)].join(" ");
  test(`${row.path}${extra ? ` ${extra}` : ""}: ${row.packer}`, async () => {
    await run(row);
  });
}

/** Files the table need not load (none so far; a reason is required for each). */
const skipped: Record<string, string> = {};

test("every HCL2 fixture of Packer 1.9.4 is in the table", () => {
  const isHCL2 = (p: string) =>
    (p.endsWith(".hcl") || p.endsWith(".pkr.json")) && !p.endsWith("expected-output.txt");
  const fixtures = [
    ...corpusFiles(isHCL2, join(root, T)),
    ...corpusFiles(isHCL2, join(root, C)),
  ].map((p) => relative(root, p));
  assert.ok(fixtures.length > 150, `${fixtures.length} fixtures`);
  const covered = (f: string) =>
    rows.some(
      (r) => r.path === f || f.startsWith(`${r.path}/`) || (r.varFiles ?? []).includes(f),
    ) || f in skipped;
  assert.deepEqual(
    fixtures.filter((f) => !covered(f)),
    [],
  );
});
