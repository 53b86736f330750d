import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  compareGoVersions,
  DEFERRED,
  formatGoVersion,
  type InterpolateContext,
  interpolateConfig,
  type LegacyTemplate,
  legacyCoreContext,
  loadLegacyTemplate,
  loadLegacyVarFile,
  parseGoVersion,
  parseJSONDocument,
  parseLegacyTemplate,
} from "../../../src/template/legacy/index.js";

// Error texts below are Packer's, checked against `packer validate` (1.6.6).

const dir = mkdtempSync(join(tmpdir(), "kiln-legacy-"));
let counter = 0;
function file(content: string, name?: string): string {
  const p = join(dir, name ?? `t${counter++}.json`);
  writeFileSync(p, content);
  return p;
}

function parseMessages(src: string): string[] {
  return parseLegacyTemplate(src, "t.json").diags.map((d) => d.summary);
}

function parsed(src: string): LegacyTemplate {
  const r = parseLegacyTemplate(src, "t.json");
  assert.deepEqual(
    r.diags.map((d) => d.summary),
    [],
  );
  return r.template as LegacyTemplate;
}

const B = '"builders":[{"type":"null"}]';

test("JSON syntax errors are Go's, at the offending byte", () => {
  const cases: [string, string, number, number][] = [
    [`{${B},}`, "invalid character '}' looking for beginning of object key string", 1, 31],
    [`{${B}\n x`, "invalid character 'x' after object key:value pair", 2, 2],
    ['{"a" 1}', "invalid character '1' after object key", 1, 6],
    ["[1 2]", "invalid character '2' after array element", 1, 4],
    ["{} x", "invalid character 'x' after top-level value", 1, 4],
    ['{"a": tru}', "invalid character '}' in literal true (expecting 'e')", 1, 10],
    ['{"a": nul}', "invalid character '}' in literal null (expecting 'l')", 1, 10],
    ['{"a": -x}', "invalid character 'x' in numeric literal", 1, 8],
    ['{"a": 1.}', "invalid character '}' after decimal point in numeric literal", 1, 9],
    ['{"a": 1e}', "invalid character '}' in exponent of numeric literal", 1, 9],
    ['{"a": "\\q"}', "invalid character 'q' in string escape code", 1, 9],
    ['{"a": "\\u12x4"}', "invalid character 'x' in \\u hexadecimal character escape", 1, 12],
    ['{"a": "x\ty"}', "invalid character '\\t' in string literal", 1, 9],
    ["{'a': 1}", "invalid character '\\'' looking for beginning of object key string", 1, 2],
    ['{"a": 1', "unexpected end of JSON input", 1, 8],
    ["", "unexpected end of JSON input", 1, 1],
  ];
  for (const [src, msg, line, column] of cases) {
    const r = parseJSONDocument(src, "t.json");
    assert.equal(r.ok, false, src);
    if (r.ok) continue;
    assert.equal(r.error.message, msg, src);
    assert.deepEqual([r.error.range.start.line, r.error.range.start.column], [line, column], src);
    const [d] = parseLegacyTemplate(src, "t.json").diags;
    assert.equal(d?.summary, `Error parsing JSON: ${msg}`);
    assert.equal(d?.subject?.filename, "t.json");
  }
  // Go's offset counts the bad byte.
  const r = parseJSONDocument(`{${B},}`, "t.json");
  assert.equal(r.ok ? -1 : r.error.offset, 31);
  const ok = parseJSONDocument('{"a": ["\\u00e9\\ud83d\\ude00", 1.5e3, true, null]}', "t.json");
  assert.ok(ok.ok);
  if (ok.ok && ok.node.kind === "object") {
    const arr = ok.node.props[0]?.value;
    assert.equal(
      arr?.kind === "array" && arr.items[0]?.kind === "string" && arr.items[0].value,
      "é😀",
    );
  }
});

test("template structure errors match Packer's", () => {
  const cases: [string, string[]][] = [
    ['{"builders":[{"type":"null"}],"builders":[]}', ["template has duplicate field: builders"]],
    ['{"builders":[{"type":"null", "a":1, "a":2}]}', ["template has duplicate field: a"]],
    ["[1]", ["'' expected a map, got 'slice'"]],
    ['"x"', ["'' expected a map, got 'string'"]],
    [
      `{${B},"description":5}`,
      ["'Description' expected type 'string', got unconvertible type 'float64', value: '5'"],
    ],
    [
      `{${B},"min_packer_version":5}`,
      ["'min_packer_version' expected type 'string', got unconvertible type 'float64', value: '5'"],
    ],
    [`{${B},"push":5}`, ["'Push' expected a map, got 'float64'"]],
    [`{${B},"variables":[]}`, ["'Variables' expected a map, got 'slice'"]],
    [
      `{"builders":[{"type":"null"}],"provisioners":"x"}`,
      ["'Provisioners': source data must be an array or slice, got string"],
    ],
    [
      `{${B},"sensitive-variables":"x"}`,
      ["'sensitive-variables': source data must be an array or slice, got string"],
    ],
    [
      `{${B},"sensitive-variables":["x", 5]}`,
      [
        "'sensitive-variables[1]' expected type 'string', got unconvertible type 'float64', value: '5'",
      ],
    ],
    [
      `{${B},"_d":5,"zzz":1}`,
      ['Failed to cast root level comment value in comment "_d" to string.'],
    ],
    [
      `{${B},"zzz":1,"aaa":{},"_ok":"c"}`,
      ["Unknown root level key in template: 'aaa'", "Unknown root level key in template: 'zzz'"],
    ],
    [`{${B},"Builders":[]}`, ["Unknown root level key in template: 'Builders'"]],
    [
      '{"variables":{"a":1,"b":true,"c":[1],"d":{"x":1e6}},"builders":[{"type":"null"}]}',
      [
        "variable a: '' expected type 'string', got unconvertible type 'float64', value: '1'",
        "variable b: '' expected type 'string', got unconvertible type 'bool', value: 'true'",
        "variable c: '' expected type 'string', got unconvertible type '[]interface {}', value: '[1]'",
        "variable d: '' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[x:1e+06]'",
      ],
    ],
    [
      '{"builders":[{"type":"null"},{"type":"null"},{"name":"x"},{"type":5},{"type":"null","name":["a"]}, "str", 5]}',
      [
        "builder 2: builder with name 'null' already exists",
        "builder 3: missing 'type'",
        "builder 5: 'Name' expected type 'string', got unconvertible type '[]interface {}', value: '[a]'",
        "builder 6: '' expected a map, got 'string'",
        "builder 7: '' expected a map, got 'float64'",
      ],
    ],
    [
      `{${B},"provisioners":[{"type":"shell"},{"only":["x"]},{"type":"s","only":"x"},{"type":"s","pause_before":"5x"},{"type":"s","pause_before":5},{"type":"s","timeout":"bad"},"str",{"type":"s","max_retries":3}]}`,
      [
        "provisioner 2: Provisioner missing 'type'",
        'provisioner 4: Error decoding provisioner: error decoding \'pause_before\': time: unknown unit "x" in duration "5x"',
        "provisioner 6: Error decoding provisioner: error decoding 'timeout': time: invalid duration \"bad\"",
        "provisioner 7: Error decoding provisioner: '' expected a map, got 'string'",
      ],
    ],
    [
      `{${B},"post-processors":["a",{"type":"b"},["c",{"type":"d"},["e"],5],7,{"name":"x"},[{"keep_input_artifact":"yes","type":"z"}],[{"only":"x","type":"z"}]]}`,
      [
        "post-processor 3.3: sequence not allowed to be nested in a sequence",
        "post-processor 3.4: unknown format",
        "post-processor 4: bad format",
        "post-processor 5.1: type is required",
        "post-processor 6.1: 'keep_input_artifact' expected type 'bool', got unconvertible type 'string', value: 'yes'",
        "post-processor 7.1: 'Only': source data must be an array or slice, got string",
      ],
    ],
    [
      `{${B},"error-cleanup-provisioner":{"only":["x"]}}`,
      ["On Error Cleanup Provisioner error: Provisioner missing 'type'"],
    ],
    [
      `{${B},"error-cleanup-provisioner":"x"}`,
      [
        "On Error Cleanup Provisioner error: Error decoding provisioner: '' expected a map, got 'string'",
      ],
    ],
    ['{"a": 1e400}', ["json: cannot unmarshal number 1e400 into Go value of type float64"]],
  ];
  for (const [src, want] of cases) assert.deepEqual(parseMessages(src), want, src);
});

test("diagnostics name the file and the line of the problem", () => {
  const src =
    '{\n  "builders": [\n    {"type": "null"},\n    {"type": "null"}\n  ],\n  "bogus": 1\n}';
  const [d] = parseLegacyTemplate(src, "dir/t.json").diags;
  assert.equal(d?.summary, "Unknown root level key in template: 'bogus'");
  assert.deepEqual(
    [d?.subject?.filename, d?.subject?.start.line, d?.subject?.start.column],
    ["dir/t.json", 6, 3],
  );
  const dup = parseLegacyTemplate(src.replace(',\n  "bogus": 1', ""), "t.json").diags[0];
  assert.equal(dup?.summary, "builder 2: builder with name 'null' already exists");
  assert.equal(dup?.subject?.start.line, 4);
});

test("the model: builders, provisioners, post-processor chains, variables, comments", () => {
  const t = parsed(`{
    "_comment": "ignored",
    "description": "desc",
    "min_packer_version": "1.5.0",
    "comments": [{"c1": "one"}],
    "variables": {"region": "us-east-1", "secret": null, "home": "{{env \`HOME\`}}"},
    "sensitive-variables": ["secret", "nonexistent"],
    "builders": [
      {"type": "amazon-ebs", "name": "aws", "ami_name": "x-{{timestamp}}"},
      {"type": "docker", "image": "ubuntu"}
    ],
    "provisioners": [
      {"type": "shell", "inline": ["echo"], "only": ["aws"], "pause_before": "10s",
       "max_retries": 3, "timeout": "5m", "override": {"aws": {"inline": ["x"]}}},
      {"type": "file", "except": "docker", "source": "a", "destination": "b"}
    ],
    "error-cleanup-provisioner": {"type": "shell-local", "inline": ["cleanup"]},
    "post-processors": [
      "compress",
      {"type": "manifest", "name": "m", "keep_input_artifact": true, "output": "o.json"},
      [{"type": "docker-tag", "repository": "r"}, "docker-push"]
    ],
    "push": {"name": "p"}
  }`);
  assert.equal(t.description, "desc");
  assert.equal(t.minVersion, "1.5.0");
  assert.deepEqual(t.comments, { c1: "one", _comment: "ignored" });
  assert.deepEqual(
    t.variables.map((v) => [v.name, v.default, v.required, v.sensitive]),
    [
      ["region", "us-east-1", false, false],
      ["secret", "", true, true],
      ["home", "{{env `HOME`}}", false, false],
    ],
  );
  assert.deepEqual(
    t.builders.map((b) => [b.index, b.name, b.type, b.config]),
    [
      [1, "aws", "amazon-ebs", { ami_name: "x-{{timestamp}}" }],
      [2, "docker", "docker", { image: "ubuntu" }],
    ],
  );
  const [p1, p2] = t.provisioners;
  assert.deepEqual(
    [p1?.type, p1?.only, p1?.pauseBefore, p1?.maxRetries, p1?.timeout, p1?.override, p1?.config],
    [
      "shell",
      ["aws"],
      10_000_000_000n,
      "3",
      300_000_000_000n,
      { aws: { inline: ["x"] } },
      { inline: ["echo"] },
    ],
  );
  assert.deepEqual([p2?.except, p2?.config], [["docker"], { source: "a", destination: "b" }]);
  assert.equal(t.cleanupProvisioner?.type, "shell-local");
  assert.deepEqual(
    t.postProcessors.map((c) =>
      c.map((p) => [p.chain, p.index, p.name, p.type, p.keepInputArtifact, p.config]),
    ),
    [
      [[1, 1, "compress", "compress", undefined, {}]],
      [[2, 1, "m", "manifest", true, { output: "o.json" }]],
      [
        [3, 1, "docker-tag", "docker-tag", undefined, { repository: "r" }],
        [3, 2, "docker-push", "docker-push", undefined, {}],
      ],
    ],
  );
  assert.deepEqual(t.push, { name: "p" });
});

test("validation: builders, only/except/override, min_packer_version, required variables", () => {
  const cases: [string, string[], Record<string, string>?][] = [
    ["{}", ["at least one builder must be defined"]],
    ["null", ["at least one builder must be defined"]],
    [
      `{"builders":[{"type":"null"}],"provisioners":[{"type":"s","only":["a"],"except":["b"]},{"type":"s","override":{"nope":{}},"except":["q"]}],"post-processors":[{"type":"m","only":["zz"]}]}`,
      [
        "provisioner 1: only one of 'only' or 'except' may be specified",
        "provisioner 2: 'except' specified builder 'q' not found",
        "provisioner 2: override 'nope' doesn't exist",
        "post-processor 1.1: 'only' specified builder 'zz' not found",
      ],
    ],
    [
      `{${B},"min_packer_version":"2.1.0"}`,
      ["This template requires Packer version 2.1.0 or higher; using 1.9.4"],
    ],
    [
      `{${B},"min_packer_version":"v3"}`,
      ["This template requires Packer version 3.0.0 or higher; using 1.9.4"],
    ],
    [`{${B},"min_packer_version":"1.9.4"}`, []],
    [`{${B},"min_packer_version":"1.9.4-beta"}`, []],
    [`{${B},"min_packer_version":"abc"}`, ["min_version is invalid: Malformed version: abc"]],
    [`{${B},"variables":{"foo":null}}`, ["required variable not set: foo"]],
    [`{${B},"variables":{"foo":null}}`, [], { foo: "bar" }],
  ];
  for (const [src, want, vars] of cases) {
    const r = loadLegacyTemplate(file(src), vars ? { vars } : {});
    assert.deepEqual(
      r.diags.map((d) => d.summary),
      want,
      src,
    );
    assert.ok(r.template, "the parsed template comes back even when validation fails");
  }
});

test("go-version parsing and comparison", () => {
  const cases: [string, string, number][] = [
    ["1.9.4", "1.9.4", 0],
    ["1.9.4", "1.9.5", -1],
    ["1.10.0", "1.9.4", 1],
    ["1.9.4-beta", "1.9.4", -1],
    ["1.9.4-beta.2", "1.9.4-beta.10", -1],
    ["1.9.4-alpha", "1.9.4-beta", -1],
    ["1.9.4", "1.9.4.0", 0],
    ["1.9.4", "1.9.4.0.1", -1],
    ["v1.2", "1.2.0", 0],
    ["1.9.4+meta", "1.9.4", 0],
  ];
  for (const [a, b, want] of cases) {
    const va = parseGoVersion(a).version;
    const vb = parseGoVersion(b).version;
    assert.ok(va && vb, `${a} ${b}`);
    assert.equal(compareGoVersions(va, vb), want, `${a} vs ${b}`);
  }
  assert.equal(formatGoVersion(parseGoVersion("3.0.0-beta+abc").version!), "3.0.0-beta+abc");
  assert.equal(formatGoVersion(parseGoVersion("01.2").version!), "1.2.0");
  assert.equal(parseGoVersion("1..2").error, "Malformed version: 1..2");
  assert.equal(parseGoVersion("1.2 ").error, "Malformed version: 1.2 ");
});

test("user variables: defaults, env, references between variables, -var and -var-file", () => {
  const tpl = file(
    JSON.stringify({
      variables: {
        foo: "bar",
        bar: "{{user `foo`}}",
        baz: "{{user `bar`}}baz",
        bang: "bang{{user `baz`}}",
        home: "{{env `KILN_TEST_HOME`}}",
        ip: "{{ .HTTPIP }}",
        mixed: "{{env `KILN_TEST_HOME`}}_{{ .PACKER_TEST_TEMP }}",
        req: null,
      },
      builders: [{ type: "null", name: "{{user `foo`}}-{{user `req`}}" }],
    }),
  );
  const vf1 = file('{"req": "from-file-1", "extra": "e"}');
  const vf2 = file('{"req": "from-file-2"} trailing text is ignored like Go\'s json.Decoder');
  const r = loadLegacyTemplate(tpl, { varFiles: [vf1, vf2], env: { KILN_TEST_HOME: "/home/k" } });
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.template?.userVariables, {
    foo: "bar",
    bar: "bar",
    baz: "barbaz",
    bang: "bangbarbaz",
    home: "/home/k",
    ip: "{{ .HTTPIP }}",
    mixed: "/home/k_{{ .PACKER_TEST_TEMP }}",
    req: "from-file-2",
    extra: "e",
  });
  assert.equal(r.template?.builders[0]?.buildName, "bar-from-file-2");
  // -var beats every -var-file, whatever the order.
  const r2 = loadLegacyTemplate(tpl, {
    vars: [
      ["req", "one"],
      ["req", "cli"],
    ],
    varFiles: [vf1],
    env: {},
  });
  assert.equal(r2.template?.userVariables?.req, "cli");
  assert.equal(r2.template?.builders[0]?.buildName, "bar-cli");
});

test("variables given on the command line are rendered too (Packer's TestEnvAndFileVars)", () => {
  const tpl = file(
    JSON.stringify({
      variables: {
        env_1: "{{ env `INTERPOLATE_TEST_ENV_1` }}",
        env_2: "{{ env `INTERPOLATE_TEST_ENV_2` }}",
        env_3: "{{ env `INTERPOLATE_TEST_ENV_3` }}",
        env_4: "{{ env `INTERPOLATE_TEST_ENV_4` }}",
      },
      builders: [{ type: "test" }],
    }),
  );
  const r = loadLegacyTemplate(tpl, {
    env: {
      INTERPOLATE_TEST_ENV_1: "bulbasaur",
      INTERPOLATE_TEST_ENV_2: "5",
      INTERPOLATE_TEST_ENV_3: "/path/to/nowhere",
      INTERPOLATE_TEST_ENV_4: "bananas",
    },
    vars: {
      var_1: "partyparrot",
      var_2: "{{user `env_1`}}-{{user `env_2`}}{{user `env_3`}}-{{user `var_1`}}",
      final_var:
        "{{user `env_1`}}/{{user `env_2`}}/{{user `env_4`}}{{user `env_3`}}-{{user `var_1`}}/vmware/{{user `var_2`}}.vmx",
    },
  });
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.template?.userVariables, {
    var_1: "partyparrot",
    var_2: "bulbasaur-5/path/to/nowhere-partyparrot",
    final_var:
      "bulbasaur/5/bananas/path/to/nowhere-partyparrot/vmware/bulbasaur-5/path/to/nowhere-partyparrot.vmx",
    env_1: "bulbasaur",
    env_2: "5",
    env_3: "/path/to/nowhere",
    env_4: "bananas",
  });
});

test("variable rendering errors match Packer's", () => {
  const cases: [Record<string, string | null>, string][] = [
    [
      { a: "{{ user `b` }}" },
      'Failed to interpolate "a": "{{ user `b` }}"; error: template: root:1:3: executing "root" at <user `b`>: error calling user: Error: variable not set: b: Please make sure that the variable you\'re referencing has been defined; Packer treats all variables used to interpolate other user variables as required.',
    ],
    [
      { a: "{{ nope }}" },
      "error interpolating default value for 'a': template: root:1: function \"nope\" not defined",
    ],
    [
      { a: "{{ env }}" },
      'template: root:1:3: executing "root" at <env>: wrong number of args for env: want 1 got 0',
    ],
    [
      { a: "{{ upper .X }}" },
      'template: root:1:9: executing "root" at <.X>: invalid value; expected string',
    ],
    [
      { a: "{{build_name}}" },
      'template: root:1:2: executing "root" at <build_name>: error calling build_name: build_name not available',
    ],
    [
      { a: "{{vault `secret/x` `k`}}" },
      'template: root:1:2: executing "root" at <vault `secret/x` `k`>: error calling vault: vault is not available in kiln: reading secrets from Vault needs network access, and kiln does not contact Vault. Pass the value with -var or -var-file instead',
    ],
  ];
  for (const [variables, want] of cases) {
    const r = loadLegacyTemplate(file(JSON.stringify({ variables, builders: [{ type: "null" }] })));
    assert.deepEqual(
      r.diags.map((d) => d.summary),
      [want],
    );
    assert.equal(r.diags[0]?.subject?.start.line, 1);
  }
  const named = loadLegacyTemplate(
    file('{"variables":{"a":"x"},"builders":[{"type":"null","name":"{{user `a`}}-{{ nope }}"}]}'),
  );
  assert.equal(
    named.diags[0]?.summary,
    "Error interpolating builder '{{user `a`}}-{{ nope }}': template: root:1: function \"nope\" not defined",
  );
  assert.equal(named.diags[0]?.subject?.start.column, 75, "points at `nope` inside the name");
});

test("sensitive variables and their values", () => {
  const tpl = file(
    '{"variables":{"foo":"bar_secret","bang":"{{ user `foo` }}"},"sensitive-variables":["bang"],"builders":[{"type":"test"}]}',
  );
  const r = loadLegacyTemplate(tpl);
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.template?.secrets, ["bar_secret"]);
  assert.deepEqual(
    r.template?.variables.map((v) => [v.name, v.sensitive]),
    [
      ["foo", false],
      ["bang", true],
    ],
  );
});

test("-var-file errors match Packer's", () => {
  const cases: [string, string][] = [
    ['{"a": 1}', "json: cannot unmarshal number into Go value of type string"],
    ['{"a": [1]}', "json: cannot unmarshal array into Go value of type string"],
    ["[]", "json: cannot unmarshal array into Go value of type kvflag.FlagJSON"],
    ['{"a": "1",}', "invalid character '}' looking for beginning of object key string"],
    ['{"a": "1"', "unexpected EOF"],
  ];
  for (const [content, msg] of cases) {
    const p = file(content);
    const r = loadLegacyVarFile(p);
    assert.deepEqual(
      r.diags.map((d) => d.summary),
      [`Error reading variables in '${p}': ${msg}`],
      content,
    );
  }
  assert.deepEqual(loadLegacyVarFile(file('{"a": null, "b": "x"}')).vars, { a: "", b: "x" });
  const missing = join(dir, "missing.json");
  assert.deepEqual(
    loadLegacyVarFile(missing).diags.map((d) => d.summary),
    [`open ${missing}: no such file or directory`],
  );
  const tpl = file(`{${B}}`);
  const r = loadLegacyTemplate(tpl, { varFiles: [file('{"a": 1}')], syntaxOnly: true });
  assert.equal(r.diags.length, 1, "-syntax-only still reads the variable files");
});

test("syntaxOnly stops after parsing", () => {
  const tpl = file('{"variables":{"x":null},"min_packer_version":"99.0.0"}');
  assert.deepEqual(loadLegacyTemplate(tpl, { syntaxOnly: true }).diags, []);
  assert.deepEqual(
    loadLegacyTemplate(tpl).diags.map((d) => d.summary),
    ["at least one builder must be defined"],
  );
});

test("interpolating a configuration with the core context", () => {
  const t = parsed(`{${B},"variables":{"v":"x"}}`);
  const ctx: InterpolateContext = {
    ...legacyCoreContext(t, { v: "val" }, { templatePath: "/a/b/t.json" }),
    data: DEFERRED,
  };
  const r = interpolateConfig(
    {
      "{{user `v`}}_key": ["{{ template_dir }}", 3, { deep: "{{ .HTTPIP }}/{{user `v`}}" }],
      n: null,
    },
    ctx,
  );
  assert.deepEqual(r.diags, []);
  assert.equal(r.deferred, true);
  assert.deepEqual(r.value, { val_key: ["/a/b", 3, { deep: "{{ .HTTPIP }}/val" }], n: null });
  const bad = interpolateConfig({ a: "{{ env `HOME` }}" }, ctx);
  assert.equal(bad.diags[0]?.summary, "error calling env: env vars are not allowed here");
});
