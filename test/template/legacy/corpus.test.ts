import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { test } from "node:test";
import {
  type LoadLegacyOptions,
  loadLegacyTemplate,
  loadLegacyVarFile,
} from "../../../src/template/legacy/index.js";
import { corpusFiles, corpusRoot } from "../../support/corpus.js";

// Every legacy JSON file in Packer 1.9.4's own fixtures, and what loading it
// must give. Expectations follow Packer's tests (packer/core_test.go,
// command/*_test.go) and `packer validate` (1.6.6) on the same files. Failures
// that only a plugin can detect (an unknown builder type, an unknown key in a
// provisioner's configuration) are outside the template model: those files
// load here.

const ROOT = join(corpusRoot, "packer-1.9.4");
const REQ_AWS = "required variable not set: aws_region";
const TEMPLATE = "Unknown root level key in template";

interface Case {
  /** Path under packer-1.9.4/. */
  file: string;
  /** The first diagnostic's summary, or undefined for success. */
  error?: string;
  opts?: LoadLegacyOptions;
  /** Extra check on a successful load. */
  check?: (t: NonNullable<ReturnType<typeof loadLegacyTemplate>["template"]>) => void;
}

const vf = (p: string) => join(ROOT, p);

const CASES: Case[] = [
  { file: "command/test-fixtures/build-name-and-type/all.json" },
  { file: "command/test-fixtures/build-only/not-found.json" },
  { file: "command/test-fixtures/build-only/template.json" },
  { file: "command/test-fixtures/build-variable-sharing/template.json" },
  { file: "command/test-fixtures/cleanup-script/template.json" },
  { file: "command/test-fixtures/fix-invalid/template.json", error: `${TEMPLATE}: 'hello'` },
  { file: "command/test-fixtures/fix/template.json" },
  { file: "command/test-fixtures/hcl2_upgrade/ami_test/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/aws-access-config/input.json", error: REQ_AWS },
  {
    file: "command/test-fixtures/hcl2_upgrade/aws-access-config/input.json",
    opts: { vars: { aws_region: "us-east-1" } },
  },
  { file: "command/test-fixtures/hcl2_upgrade/azure_shg/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/bundled-plugin-used/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/complete-variables-with-template-engine/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/complete/input.json", error: REQ_AWS },
  {
    // Its defaults read AWS Secrets Manager, which kiln cannot reach...
    file: "command/test-fixtures/hcl2_upgrade/complete/input.json",
    opts: { vars: { aws_region: "us-east-1" } },
    error:
      'template: root:1:3: executing "root" at <aws_secretsmanager `sample/app/password`>: error calling aws_secretsmanager: aws_secretsmanager is not available in kiln: reading secrets from AWS Secrets Manager needs network access, and kiln does not contact AWS Secrets Manager. Pass the value with -var or -var-file instead',
  },
  {
    // ...but values given on the command line replace those defaults.
    file: "command/test-fixtures/hcl2_upgrade/complete/input.json",
    opts: { vars: { aws_region: "us-east-1", password: "p", password_key: "k" } },
    check: (t) => {
      assert.ok(t.postProcessors.length > 0 && t.provisioners.length > 0);
      assert.equal(t.userVariables?.secret_account, "\u{1F937}");
    },
  },
  {
    file: "command/test-fixtures/hcl2_upgrade/error-cleanup-provisioner/input.json",
    check: (t) => assert.ok(t.cleanupProvisioner),
  },
  { file: "command/test-fixtures/hcl2_upgrade/escaping/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/minimal/input.json", error: REQ_AWS },
  { file: "command/test-fixtures/hcl2_upgrade/placeholders/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/source-name/input.json", error: REQ_AWS },
  { file: "command/test-fixtures/hcl2_upgrade/undeclared-variables/input.json" },
  { file: "command/test-fixtures/hcl2_upgrade/unknown_builder/input.json", error: REQ_AWS },
  {
    file: "command/test-fixtures/hcl2_upgrade/varfile-with-no-variables-block/input.json",
    opts: {
      varFiles: [
        vf("command/test-fixtures/hcl2_upgrade/varfile-with-no-variables-block/variables.json"),
      ],
    },
  },
  {
    file: "command/test-fixtures/hcl2_upgrade/varfile-with-no-variables-block/variables.json",
    error: `${TEMPLATE}: 'ssh_host'`,
  },
  {
    file: "command/test-fixtures/hcl2_upgrade/variables-only/input.json",
    error: "at least one builder must be defined",
  },
  {
    file: "command/test-fixtures/hcl2_upgrade/variables-with-variables/input.json",
    error: "at least one builder must be defined",
  },
  {
    file: "command/test-fixtures/hcl2_upgrade/vsphere_linux_options_and_network_interface/input.json",
  },
  { file: "command/test-fixtures/hcl2_upgrade/without-annotations/input.json", error: REQ_AWS },
  {
    file: "command/test-fixtures/hcp/hcp_build.json",
    check: (t) => assert.equal(t.description, "Some legacy JSON build"),
  },
  {
    file: "command/test-fixtures/inspect/unset_var.json",
    error: "at least one builder must be defined",
  },
  {
    file: "command/test-fixtures/inspect/unset_var.json",
    opts: { syntaxOnly: true },
    check: (t) =>
      assert.deepEqual(
        t.variables.map((v) => [v.name, v.required]),
        [["something", true]],
      ),
  },
  { file: "command/test-fixtures/parallel/1lock-5wg.json" },
  { file: "command/test-fixtures/parallel/1lock.json" },
  { file: "command/test-fixtures/parallel/2lock-4wg.json" },
  { file: "command/test-fixtures/parallel/2lock-timeout.json" },
  { file: "command/test-fixtures/parallel/2lock.json" },
  { file: "command/test-fixtures/provisioners/provisioner-only-except.json" },
  { file: "command/test-fixtures/provisioners/provisioner-override.json" },
  {
    file: "command/test-fixtures/timeout/template.json",
    check: (t) =>
      assert.deepEqual(
        t.provisioners.map((p) => p.timeout),
        [5_000_000_000n, 0n, 1_000_000n, 0n],
      ),
  },
  // Packer rejects this one only when the file provisioner sees its unknown "comment" key.
  { file: "command/test-fixtures/validate-invalid/bad_provisioner.json" },
  {
    file: "command/test-fixtures/validate-invalid/broken.json",
    error: "'Provisioners': source data must be an array or slice, got string",
  },
  { file: "command/test-fixtures/validate/build.json" },
  {
    file: "command/test-fixtures/validate/null_var.json",
    error: "required variable not set: null_var",
  },
  { file: "command/test-fixtures/validate/null_var.json", opts: { vars: { null_var: "x" } } },
  {
    file: "command/test-fixtures/validate/template.json",
    error: "This template requires Packer version 101.0.0 or higher; using 1.9.4",
  },
  {
    file: "command/test-fixtures/validate/validate_except.json",
    error: "This template requires Packer version 101.0.0 or higher; using 1.9.4",
  },
  {
    file: "command/test-fixtures/validate/validate_except.json",
    opts: { syntaxOnly: true },
    check: (t) =>
      assert.deepEqual(
        t.postProcessors.map((c) => c.map((p) => p.name)),
        [["apple"], ["pear", "banana"]],
      ),
  },
  {
    file: "command/test-fixtures/validate/var-file-tests/undeclared.json",
    error: `${TEMPLATE}: 'unused'`,
  },
  { file: "command/test-fixtures/var-arg/apple.json", error: `${TEMPLATE}: 'fruit'` },
  {
    file: "command/test-fixtures/var-arg/fruit_builder.json",
    error: "required variable not set: fruit",
  },
  {
    file: "command/test-fixtures/var-arg/fruit_builder.json",
    opts: { varFiles: [vf("command/test-fixtures/var-arg/apple.json")] },
    check: (t) => assert.equal(t.userVariables?.fruit, "apple"),
  },
  {
    file: "command/test-fixtures/var-arg/fruit_builder.json",
    opts: { vars: { fruit: "banana" }, varFiles: [vf("command/test-fixtures/var-arg/apple.json")] },
    check: (t) => assert.equal(t.userVariables?.fruit, "banana"),
  },
  {
    file: "packer/test-fixtures/build-basic-interpolated-required.json",
    error: "required variable not set: name",
  },
  {
    // Packer's TestCore_InterpolateUserVars_VarFile
    file: "packer/test-fixtures/build-basic-interpolated-required.json",
    opts: { vars: { name: "gotta-{{user `my_var`}}", my_var: "interpolate-em-all" } },
    check: (t) =>
      assert.deepEqual(t.userVariables, {
        name: "gotta-interpolate-em-all",
        my_var: "interpolate-em-all",
      }),
  },
  {
    file: "packer/test-fixtures/build-basic-interpolated.json",
    check: (t) => assert.equal(t.builders[0]?.buildName, "NAME"),
  },
  {
    file: "packer/test-fixtures/build-basic-interpolated.json",
    opts: {
      varFiles: [
        vf("packer/test-fixtures/build-var-file-interpolate.json"),
        vf("packer/test-fixtures/build-var-file-interpolate2.json"),
      ],
    },
    check: (t) =>
      assert.deepEqual(t.userVariables, {
        name: "interpolate this, yall",
        my_var: "interpolate this, yall",
      }),
  },
  {
    file: "packer/test-fixtures/build-basic.json",
    check: (t) => assert.equal(t.builders[0]?.buildName, "test"),
  },
  {
    file: "packer/test-fixtures/build-env.json",
    opts: { env: { PACKER_TEST_ENV: "foo" } },
    check: (t) => assert.equal(t.userVariables?.var, "foo"),
  },
  {
    file: "packer/test-fixtures/build-ignore-template-variable.json",
    opts: { env: { PACKER_TEST_ENV: "env" } },
    check: (t) =>
      assert.deepEqual(t.userVariables, {
        var: "env_{{ .PACKER_TEST_TEMP }}",
        http_ip: "{{ .HTTPIP }}",
        array_var: "us-west-1,us-west-2",
      }),
  },
  // Packer's TestCoreBuild_buildNameIntepolation
  {
    file: "packer/test-fixtures/build-interpolated-name.json",
    check: (t) => assert.equal(t.builders[0]?.buildName, ""),
  },
  {
    file: "packer/test-fixtures/build-interpolated-name.json",
    opts: { vars: { something: "build-12345", build_name: "{{user `something`}}" } },
    check: (t) => assert.equal(t.builders[0]?.buildName, "build-12345"),
  },
  {
    file: "packer/test-fixtures/build-names-basic.json",
    check: (t) => assert.equal(t.builders[0]?.buildName, "something"),
  },
  {
    file: "packer/test-fixtures/build-names-func.json",
    check: (t) => assert.equal(t.builders[0]?.buildName, "TUBES"),
  },
  {
    file: "packer/test-fixtures/build-pp.json",
    check: (t) => assert.equal(t.postProcessors[0]?.[0]?.type, "test"),
  },
  { file: "packer/test-fixtures/build-prov-override.json" },
  {
    file: "packer/test-fixtures/build-prov-retry.json",
    check: (t) =>
      assert.deepEqual(
        t.provisioners.map((p) => p.maxRetries),
        ["1", "1"],
      ),
  },
  { file: "packer/test-fixtures/build-prov-skip-include.json" },
  { file: "packer/test-fixtures/build-prov-skip.json" },
  { file: "packer/test-fixtures/build-prov.json" },
  { file: "packer/test-fixtures/build-split-func.json" },
  { file: "packer/test-fixtures/build-template-path.json" },
  { file: "packer/test-fixtures/build-var-build-name.json" },
  { file: "packer/test-fixtures/build-var-build-type.json" },
  { file: "packer/test-fixtures/build-var-file-interpolate.json", error: `${TEMPLATE}: 'name'` },
  { file: "packer/test-fixtures/build-var-file-interpolate2.json", error: `${TEMPLATE}: 'my_var'` },
  {
    file: "packer/test-fixtures/build-var-packer-version.json",
    check: (t) => assert.equal(t.userVariables?.CreatedBy, "1.9.4"),
  },
  {
    // Packer's TestCore_InterpolateUserVars
    file: "packer/test-fixtures/build-variables-interpolate.json",
    check: (t) =>
      assert.deepEqual(t.userVariables, {
        foo: "bar",
        bar: "bar",
        baz: "barbaz",
        bang: "bangbarbaz",
      }),
  },
  {
    file: "packer/test-fixtures/build-variables-interpolate2.json",
    error:
      'Failed to interpolate "baz": "{{user `bar`}}baz"; error: template: root:1:2: executing "root" at <user `bar`>: error calling user: Error: variable not set: bar: Please make sure that the variable you\'re referencing has been defined; Packer treats all variables used to interpolate other user variables as required.',
  },
  { file: "packer/test-fixtures/complex-recursed-env-user-var-file.json", opts: { env: {} } },
  { file: "packer/test-fixtures/push-vars.json", error: "required variable not set: foo" },
  {
    file: "packer/test-fixtures/push-vars.json",
    opts: { vars: { foo: "bar" } },
    check: (t) => assert.deepEqual(t.push, { name: "{{user `foo`}}" }),
  },
  {
    file: "packer/test-fixtures/sensitive-variables.json",
    check: (t) => assert.deepEqual(t.secrets, ["bar_extra_sensitive_probably_a_password"]),
  },
  // Packer's TestCoreValidate
  {
    file: "packer/test-fixtures/validate-dup-builder.json",
    error: "provisioner 1: 'only' specified builder 'bar' not found",
  },
  {
    file: "packer/test-fixtures/validate-min-version-high.json",
    error: "This template requires Packer version 2.1.0 or higher; using 1.9.4",
  },
  { file: "packer/test-fixtures/validate-min-version.json", opts: { vars: { foo: "bar" } } },
  {
    file: "packer/test-fixtures/validate-req-variable.json",
    error: "required variable not set: foo",
  },
  { file: "packer/test-fixtures/validate-req-variable.json", opts: { vars: { foo: "bar" } } },
];

/** Variable files: what reading them with -var-file gives. */
const VAR_FILES: [string, Record<string, string> | string][] = [
  ["command/test-fixtures/var-arg/apple.json", { fruit: "apple" }],
  ["packer/test-fixtures/build-var-file-interpolate.json", { name: "{{ user `my_var` }}" }],
  ["packer/test-fixtures/build-var-file-interpolate2.json", { my_var: "interpolate this, yall" }],
  [
    "command/test-fixtures/hcl2_upgrade/varfile-with-no-variables-block/variables.json",
    { ssh_host: "localhost", ssh_password: "packer", ssh_username: "packer", version_tag: "1.0.0" },
  ],
  // Lists are not strings: fine for an HCL2 template, not for a legacy one.
  [
    "command/test-fixtures/validate/var-file-tests/undeclared.json",
    "json: cannot unmarshal array into Go value of type string",
  ],
];

const isLegacyJson = (p: string) => p.endsWith(".json") && !p.endsWith(".pkr.json");

test("every legacy JSON file of the corpus has an expectation", () => {
  const files = corpusFiles(isLegacyJson, ROOT).map((p) => relative(ROOT, p));
  const covered = new Set(CASES.map((c) => c.file));
  assert.ok(files.length >= 70, `found only ${files.length} files`);
  assert.deepEqual(
    files.filter((f) => !covered.has(f)),
    [],
  );
});

test("legacy JSON templates of the corpus load or fail as in Packer", () => {
  for (const c of CASES) {
    const path = join(ROOT, c.file);
    const r = loadLegacyTemplate(path, { env: {}, ...c.opts });
    const label = `${c.file} ${JSON.stringify(c.opts ?? {})}`;
    if (c.error === undefined) {
      assert.deepEqual(
        r.diags.map((d) => d.summary),
        [],
        label,
      );
      assert.ok(r.template, label);
      c.check?.(r.template);
    } else {
      assert.equal(r.diags[0]?.summary, c.error, label);
      for (const d of r.diags) {
        assert.equal(d.severity, "error", label);
        assert.equal(d.subject?.filename, path, `${label}: the diagnostic names the file`);
        assert.ok((d.subject?.start.line ?? 0) >= 1, `${label}: the diagnostic has a line`);
      }
    }
  }
});

test("variable files of the corpus", () => {
  for (const [file, want] of VAR_FILES) {
    const path = join(ROOT, file);
    const r = loadLegacyVarFile(path);
    if (typeof want === "string") {
      assert.equal(r.diags[0]?.summary, `Error reading variables in '${path}': ${want}`, file);
      assert.equal(r.diags[0]?.subject?.filename, path);
    } else {
      assert.deepEqual(r.diags, [], file);
      assert.deepEqual(r.vars, want, file);
    }
  }
});
