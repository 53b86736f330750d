import assert from "node:assert/strict";
import { test } from "node:test";
import type { Range } from "../../../src/hcl/pos.js";
import {
  builderTemplateFuncs,
  DEFERRED,
  type InterpolateContext,
  interpolate,
  validateInterpolation,
} from "../../../src/template/legacy/interpolate/index.js";

// Expected outputs and error texts below were checked against `packer console`
// (Packer 1.6.6, Go text/template) one expression at a time.

const NOW = new Date("2021-03-04T05:06:07.089Z");
const base: InterpolateContext = {
  userVariables: { x: "hello", n: "3", empty: "" },
  templatePath: "/srv/tpl/t.json",
  packerVersion: "1.9.4",
  now: NOW,
  cwd: "/work/dir",
};

function render(src: string, ctx: InterpolateContext = base): string {
  const r = interpolate(src, ctx);
  assert.deepEqual(
    r.diags.map((d) => d.detail),
    [],
    `unexpected error for ${src}`,
  );
  return r.value;
}

function failure(src: string, ctx: InterpolateContext = base): string {
  const r = interpolate(src, ctx);
  assert.equal(r.diags.length, 1, `expected one error for ${src}, got ${JSON.stringify(r.value)}`);
  return r.diags[0]?.detail as string;
}

test("syntax forms render like Go's text/template", () => {
  const cases: [string, string][] = [
    ["plain text", "plain text"],
    ["x}} {not an action}", "x}} {not an action}"],
    ['{{user "x"}}', "hello"],
    ["{{ user `x` }}", "hello"],
    ["{{user `nope`}}", ""],
    ['{{upper "a" | lower}}', "a"],
    ['{{ user "x" | upper }}', "HELLO"],
    ['{{ "x" | printf "%s-%s" "y" }}', "y-x"],
    ['{{ (upper "a") }}', "A"],
    ['{{ upper (lower "A") }}', "A"],
    ['a{{- " b " -}}c', "a b c"],
    ["a  {{- `x` }}  b", "ax  b"],
    ["a  {{ `x` -}}  \n b", "a  xb"],
    ['{{ "\\u00e9\\x41\\101" }}', "éAA"],
    ["{{ `raw \\n` }}", "raw \\n"],
    ["{{ 0x1F }}", "31"],
    ["{{ 0o17 }}", "15"],
    ["{{ 1_000 }}", "1000"],
    ["{{ 1e3 }}", "1000"],
    ["{{ 1e6 }}", "1e+06"],
    ["{{ 1.5 }}", "1.5"],
    ["{{ -3 }}", "-3"],
    ["{{ 'a' }}", "97"],
    ["{{ '\\n' }}", "10"],
    ["{{ true }}", "true"],
    ["{{ . }}", "<no value>"],
    ["{{ .Name }}", "<no value>"],
    ["{{ .Name.X }}", "<no value>"],
    ["{{ $ }}", "<no value>"],
    ["{{/* a comment */}}z", "z"],
    ["a {{- /* trimmed */ -}} b", "ab"],
    ["{{if true}}y{{else}}n{{end}}", "y"],
    ["{{if 0}}y{{else}}n{{end}}", "n"],
    ['{{if ""}}y{{else if 1}}e{{end}}', "e"],
    ['{{ with "" }}x{{ else }}y{{ end }}', "y"],
    ['{{ with "v" }}<{{ . }}>{{ end }}', "<v>"],
    ['{{ with $x := "v" }}{{ $x }}{{ end }}', "v"],
    ['{{ $x := "v" }}{{ $x }}', "v"],
    ['{{ $x := "v" }}{{ $x = "w" }}{{ $x }}', "w"],
    ["{{ range $i, $e := . }}{{ end }}", ""],
    ["{{\n  user `x`\n}}", "hello"],
  ];
  for (const [src, want] of cases) assert.equal(render(src), want, src);
});

test("data fields, range, with, break and continue", () => {
  const ctx: InterpolateContext = {
    ...base,
    data: {
      Name: "vm",
      HTTPIP: "10.0.0.1",
      Nested: { Port: 8080n },
      List: ["a", "b", "c"],
      Map: { z: "1", a: "2" },
      Empty: [],
      Nil: null,
    },
  };
  const cases: [string, string][] = [
    ["{{ .Name }}", "vm"],
    ["http://{{ .HTTPIP }}:{{ .Nested.Port }}/", "http://10.0.0.1:8080/"],
    ["{{ .Missing }}", "<no value>"],
    ["{{ range .List }}[{{ . }}]{{ end }}", "[a][b][c]"],
    ["{{ range $i, $e := .List }}{{ $i }}={{ $e }} {{ end }}", "0=a 1=b 2=c "],
    ["{{ range $k, $v := .Map }}{{ $k }}{{ $v }}{{ end }}", "a2z1"],
    ["{{ range .Empty }}x{{ else }}none{{ end }}", "none"],
    ['{{ range .List }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', "a"],
    ['{{ range .List }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', "ac"],
    ["{{ with .Nested }}{{ .Port }}{{ end }}", "8080"],
    ["{{ $.Name }}", "vm"],
    ["{{ .List }}", "[a b c]"],
    ["{{ .Map }}", "map[a:2 z:1]"],
    ["{{ .Nil }}", "<nil>"],
    ["{{ index .List 1 }}", "b"],
    ['{{ index .Map "a" }}', "2"],
    ["{{ len .List }}", "3"],
  ];
  for (const [src, want] of cases) assert.equal(render(src, ctx), want, src);
});

test("Go builtins", () => {
  const cases: [string, string][] = [
    ['{{ len "abc" }}', "3"],
    ['{{ len "é" }}', "2"],
    ['{{ index "abc" 1 }}', "98"],
    ['{{ slice "abc" 1 }}', "bc"],
    ['{{ slice "abcd" 1 3 }}', "bc"],
    ["{{ eq 1 1 }}", "true"],
    ["{{ eq 1 2 3 1 }}", "true"],
    ['{{ ne "a" "b" }}', "true"],
    ["{{ lt 1 2 }}", "true"],
    ['{{ lt "a" "b" }}', "true"],
    ["{{ le 2 2 }}", "true"],
    ["{{ gt 1.5 2.5 }}", "false"],
    ["{{ ge 3 2 }}", "true"],
    ['{{ eq .Name "x" }}', "false"],
    ["{{ and 1 0 }}", "0"],
    ['{{ and 1 "x" }}', "x"],
    ['{{ or 0 "" "z" }}', "z"],
    ['{{ and .Name "x" }}', "<no value>"],
    ["{{ not 0 }}", "true"],
    ["{{ not .Name }}", "true"],
    ["{{ not nil }}", "true"],
    ['{{ html "<a href=\\"x\\">&\'" }}', "&lt;a href=&#34;x&#34;&gt;&amp;&#39;"],
    ['{{ js "a\\"b<=>\'" }}', "a\\\"b\\u003C\\u003D\\u003E\\'"],
    ['{{ urlquery "a b&c/é" }}', "a+b%26c%2F%C3%A9"],
    ['{{ print 1 2 "a" "b" 3 }}', "1 2ab3"],
    ["{{ print .Name }}", "<nil>"],
    ["{{ print nil }}", "<nil>"],
    ['{{ println "x" 1 }}', "x 1\n"],
    [
      '{{ printf "%d %s %v %5.2f|%-4s|%04d %x %q %t %!" 3 "a" 1.5 3.14159 "ab" 7 255 "h\\"i" true }}',
      '3 a 1.5  3.14|ab  |0007 ff "h\\"i" true %!!(MISSING)',
    ],
    ['{{ printf "%d" "x" }}', "%!d(string=x)"],
    ['{{ printf "%s" }}', "%!s(MISSING)"],
    ['{{ printf "x" 1 "a" }}', "x%!(EXTRA int=1, string=a)"],
    ['{{ printf "%v" nil }}', "<nil>"],
    ['{{ printf "%T %T %e" 1 "s" 1234.5 }}', "int string 1.234500e+03"],
  ];
  for (const [src, want] of cases) assert.equal(render(src), want, src);
});

test("Packer functions", () => {
  const cases: [string, string, InterpolateContext?][] = [
    ["{{timestamp}}", String(Math.floor(NOW.getTime() / 1000))],
    ["{{isotime}}", "2021-03-04T05:06:07Z"],
    ['{{isotime "2006-01-02 15:04"}}', "2021-03-04 05:06"],
    ['{{ isotime "Jan 2 2006 MST" }}', "Mar 4 2021 UTC"],
    ['{{strftime "%Y-%m-%d %H:%M:%S"}}', "2021-03-04 05:06:07"],
    ["{{template_dir}}", "/srv/tpl"],
    ["{{pwd}}", "/work/dir"],
    ["{{packer_version}}", "1.9.4"],
    ['{{split "a-b-c" "-" 1}}', "b"],
    ['{{ split "a-b" "-" 1.0 }}', "b"],
    ['{{split "abc" "" 2}}', "c"],
    ['{{replace "a" "b" 1 "aaa"}}', "baa"],
    ['{{replace "a" "b" -1 "aaa"}}', "bbb"],
    ['{{replace_all "a" "b" "aaa"}}', "bbb"],
    ['{{upper "straße"}}', "STRAßE"],
    ['{{lower "ÀB"}}', "àb"],
    ["{{build_name}}", "my-build", { ...base, buildName: "my-build" }],
    ["{{build_type}}", "amazon-ebs", { ...base, buildType: "amazon-ebs" }],
    ['{{build "ID"}}', "i-123", { ...base, data: { ID: "i-123" } }],
    ['{{env "KILN_T"}}', "from-env", { ...base, enableEnv: true, env: { KILN_T: "from-env" } }],
    ['{{env "UNSET"}}', "", { ...base, enableEnv: true, env: {} }],
    ["{{user `x`}}", "hello", { ...base, enableEnv: true }],
  ];
  for (const [src, want, ctx] of cases) assert.equal(render(src, ctx ?? base), want, src);
  assert.match(
    render("{{uuid}}"),
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  );
  assert.equal(render("{{uuid}}", { ...base, uuid: () => "fixed" }), "fixed");
});

test("clean_resource_name follows the builder's rules", () => {
  const cases: [string, string, string][] = [
    ["amazon-ebs", "My AMI (v1.2) @x*y", "My AMI (v1.2) @x-y"],
    ["googlecompute", "My_Image.v1", "my-image-v1"],
    ["googlecompute", "already-ok-1", "already-ok-1"],
    ["azure-arm", "a b_c.d--", "a-b_c.d"],
  ];
  for (const [type, input, want] of cases) {
    const ctx = { ...base, funcs: builderTemplateFuncs(type) };
    assert.equal(render(`{{ clean_resource_name \`${input}\` }}`, ctx), want, `${type}: ${input}`);
  }
  assert.deepEqual(builderTemplateFuncs("null"), {});
  assert.equal(
    failure('{{clean_resource_name "x"}}'),
    'template: root:1: function "clean_resource_name" not defined',
  );
});

test("errors carry Go's messages", () => {
  const cases: [string, string, InterpolateContext?][] = [
    ["{{foo}}", 'template: root:1: function "foo" not defined'],
    ['{{ "abc" }', 'template: root:1: unexpected "}" in operand'],
    ["{{ /* c */ }}z", 'template: root:1: unexpected "/" in command'],
    ["{{ end }}", "template: root:1: unexpected {{end}}"],
    ["{{ else }}", "template: root:1: unexpected {{else}}"],
    ["{{ if }}", "template: root:1: missing value for if"],
    ["{{ if true }}x", "template: root:1: unexpected EOF"],
    ['{{ "a" ', "template: root:1: unclosed action"],
    ["{{", "template: root:1: unclosed action"],
    ["{{/* x", "template: root:1: unclosed comment"],
    ["{{ $y }}", 'template: root:1: undefined variable "$y"'],
    ['{{ "a".Foo }}', 'template: root:1: unexpected . after term "\\"a\\""'],
    ["{{ 1e400 }}", 'template: root:1: illegal number syntax: "1e400"'],
    ["{{ 99999999999999999999 }}", 'template: root:1: integer overflow: "99999999999999999999"'],
    ["{{ 0x }}", 'template: root:1: illegal number syntax: "0x"'],
    ["{{ 3x }}", 'template: root:1: bad number syntax: "3x"'],
    ['{{ "a\\q" }}', "template: root:1: invalid syntax"],
    ["{{ break }}", "template: root:1: {{break}} outside {{range}}"],
    ["line1\n{{ nope }}", 'template: root:2: function "nope" not defined'],
    [
      "{{ build `ID` }}",
      'template: root:1:3: executing "root" at <build `ID`>: error calling build: Error validating build variable: the given variable ID will not be passed into your plugin.',
    ],
    [
      '{{env "HOME"}}',
      'template: root:1:2: executing "root" at <env "HOME">: error calling env: env vars are not allowed here',
    ],
    [
      '{{split "a-b" "-" 5}}',
      'template: root:1:2: executing "root" at <split "a-b" "-" 5>: error calling split: the substring 5 was unavailable using the separator value, -, only 2 values were found',
    ],
    [
      '{{ split "a-b" "-" -1 }}',
      'template: root:1:3: executing "root" at <split "a-b" "-" -1>: error calling split: runtime error: index out of range [-1]',
    ],
    [
      '{{sed "a" "b"}}',
      'template: root:1:2: executing "root" at <sed "a" "b">: error calling sed: template function `sed` is deprecated use `replace` or `replace_all` instead.Documentation: https://www.packer.io/docs/templates/engine',
    ],
    [
      "{{build_name}}",
      'template: root:1:2: executing "root" at <build_name>: error calling build_name: build_name not available',
    ],
    [
      '{{vault "a" "b"}}',
      'template: root:1:2: executing "root" at <vault "a" "b">: error calling vault: Vault vars are only allowed in the variables section',
    ],
    [
      '{{consul_key "a"}}',
      'template: root:1:2: executing "root" at <consul_key "a">: error calling consul_key: consul_key is not allowed here',
    ],
    [
      '{{aws_secretsmanager "a"}}',
      'template: root:1:2: executing "root" at <aws_secretsmanager "a">: error calling aws_secretsmanager: AWS Secrets Manager is only allowed in the variables section',
    ],
    [
      "{{ upper }}",
      'template: root:1:3: executing "root" at <upper>: wrong number of args for upper: want 1 got 0',
    ],
    [
      '{{ upper "a" "b" | lower }}',
      'template: root:1:3: executing "root" at <upper>: wrong number of args for upper: want 1 got 2',
    ],
    ["{{upper 1}}", 'template: root:1:8: executing "root" at <1>: expected string; found 1'],
    [
      '{{ split "a-b" "-" "1" }}',
      'template: root:1:19: executing "root" at <"1">: expected integer; found "1"',
    ],
    [
      "{{ upper .Name }}",
      'template: root:1:9: executing "root" at <.Name>: invalid value; expected string',
    ],
    [
      "{{ . | upper }}",
      'template: root:1:7: executing "root" at <upper>: invalid value; expected string',
    ],
    [
      "{{ user nil }}",
      'template: root:1:8: executing "root" at <nil>: cannot assign nil to string',
    ],
    [
      "{{ 1 2 }}",
      'template: root:1:3: executing "root" at <1>: can\'t give argument to non-function 1',
    ],
    [
      '{{ isotime "a" "b" }}',
      'template: root:1:3: executing "root" at <isotime "a" "b">: error calling isotime: too many values, 1 needed: [a b]',
    ],
    [
      "{{ range 3 }}x{{ end }}",
      'template: root:1:9: executing "root" at <3>: range can\'t iterate over 3',
    ],
    [
      '{{ index "abc" 3 }}',
      'template: root:1:3: executing "root" at <index "abc" 3>: error calling index: reflect: string index out of range',
    ],
    [
      '{{ index "abc" 5 }}',
      'template: root:1:3: executing "root" at <index "abc" 5>: error calling index: index out of range: 5',
    ],
    [
      "{{ lt 1 2.0 }}",
      'template: root:1:3: executing "root" at <lt 1 2.0>: error calling lt: incompatible types for comparison',
    ],
    [
      '{{ eq "a" }}',
      'template: root:1:3: executing "root" at <eq "a">: error calling eq: missing argument for comparison',
    ],
    [
      "{{ len .Name }}",
      'template: root:1:3: executing "root" at <len .Name>: error calling len: reflect: call of reflect.Value.Type on zero Value',
    ],
    [
      '{{ (upper "a").Foo }}',
      'template: root:1:10: executing "root" at <"a">: can\'t evaluate field Foo in type string',
    ],
    [
      "x\n  {{ upper 1 }}",
      'template: root:2:11: executing "root" at <1>: expected string; found 1',
    ],
    [
      "{{user `nope`}}",
      'template: root:1:2: executing "root" at <user `nope`>: error calling user: Error: variable not set: nope',
      { ...base, enableEnv: true },
    ],
  ];
  for (const [src, want, ctx] of cases) assert.equal(failure(src, ctx ?? base), want, src);
});

test("secret stores are reported as unavailable offline", () => {
  const ctx = { ...base, enableEnv: true };
  for (const src of [
    '{{vault "secret/x" "k"}}',
    '{{consul_key "k"}}',
    '{{aws_secretsmanager "s"}}',
  ]) {
    const msg = failure(src, ctx);
    assert.match(msg, /is not available in kiln: .* needs network access/, src);
  }
  assert.match(failure("{{aws_secretsmanager}}", ctx), /secret name must be provided$/);
});

test("build-time values are deferred, not guessed", () => {
  const ctx: InterpolateContext = { ...base, data: DEFERRED, buildName: DEFERRED };
  const cases: [string, string][] = [
    ["http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg", "http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg"],
    ["{{ build `ID` }}", "{{ build `ID` }}"],
    ['{{ upper (build "ID") }}-{{ user `x` }}', '{{ upper (build "ID") }}-hello'],
    ["a {{- .X -}} b", "a{{ .X }}b"],
    ["{{build_name}}", "{{build_name}}"],
    ['{{ if eq build_name "x" }}y{{ end }}', '{{ if eq build_name "x" }}y{{ end }}'],
    ["{{ $b := .Foo }}x{{ $b }}", "{{ $b := .Foo }}x{{ $b }}"],
    [
      '{{ $a := user "x" }}{{ if .Foo }}{{ $a }}{{ end }}',
      '{{$a := "hello"}}{{ if .Foo }}{{ $a }}{{ end }}',
    ],
  ];
  for (const [src, want] of cases) {
    const r = interpolate(src, ctx);
    assert.deepEqual(r.diags, [], src);
    assert.equal(r.value, want, src);
    assert.equal(r.deferred, true, src);
  }
  // A deferred part can be rendered later, once the values exist.
  const later = interpolate(
    interpolate('{{ $a := user "x" }}{{ if .Foo }}{{ $a }}{{ end }}', ctx).value,
    { ...base, data: { Foo: true } },
  );
  assert.equal(later.value, "hello");
  assert.equal(interpolate("{{ user `x` }}", ctx).deferred, false);
  // Argument checks still apply to deferred calls.
  assert.match(failure("{{ upper 1 .X }}", ctx), /wrong number of args for upper: want 1 got 2/);
});

test("diagnostics point into the JSON string when it has no escapes", () => {
  const subject: Range = {
    filename: "t.json",
    start: { line: 3, column: 10, byte: 40 },
    end: { line: 3, column: 27, byte: 57 },
  };
  const src = "ab {{ nope 1 }}"; // 15 characters: the literal is 17 bytes with quotes
  const [d] = interpolate(src, base, { subject }).diags;
  assert.equal(d?.summary, 'function "nope" not defined');
  assert.equal(d?.detail, 'template: root:1: function "nope" not defined');
  assert.deepEqual(d?.subject?.start, { line: 3, column: 17, byte: 47 });
  assert.deepEqual(d?.subject?.end, { line: 3, column: 21, byte: 51 });
  assert.equal(d?.extra?.code, "template-syntax");

  const [e] = interpolate("{{ upper 1 }}", base, {
    subject: { ...subject, end: { line: 3, column: 25, byte: 55 } },
  }).diags;
  assert.equal(e?.extra?.code, "template-exec");
  assert.deepEqual(e?.subject?.start, { line: 3, column: 20, byte: 50 });

  // With escapes the positions inside are unknown: the whole string is the subject.
  const escaped: Range = { ...subject, end: { line: 3, column: 29, byte: 59 } };
  const [f] = interpolate(src, base, { subject: escaped }).diags;
  assert.deepEqual(f?.subject, escaped);
});

test("repeat renders values that contain templates, validate only parses", () => {
  const ctx = { ...base, userVariables: { a: "{{ user `b` }}", b: "B" } };
  assert.equal(interpolate("{{ user `a` }}", ctx).value, "{{ user `b` }}");
  assert.equal(interpolate("{{ user `a` }}", ctx, { repeat: true }).value, "B");
  assert.deepEqual(validateInterpolation("{{ build_name }}"), []);
  assert.equal(validateInterpolation("{{ nope }}")[0]?.summary, 'function "nope" not defined');
});
