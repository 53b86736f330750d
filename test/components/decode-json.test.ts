import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  decodeJSONConfig,
  goMultiErrorText,
  parseGoInt,
} from "../../src/components/decode-json.js";
import { formatGoDuration } from "../../src/components/prepare.js";
import { loadSchema } from "../../src/components/registry.js";
import { type ComponentKind, type ConfigSchema, field } from "../../src/components/schema.js";

// Legacy JSON configurations decode as Packer 1.6.6's decoder decodes them.
// packer-1.6.6-json.json holds what `packer validate` printed for each case
// (captured once; its UI wraps long lines, so whitespace is compared loosely).

interface Case {
  name: string;
  kind: ComponentKind;
  type: string;
  config: Record<string, unknown>;
  valid?: true;
  packer?: string;
  note?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL("./packer-1.6.6-json.json", import.meta.url), "utf8"),
) as { cases: Case[] };

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

for (const c of fixture.cases) {
  test(`1.6.6 parity: ${c.name} (${c.kind} ${c.type})`, async () => {
    const schema = await loadSchema(c.kind, c.type);
    assert.ok(schema, `no schema for ${c.kind} ${c.type}`);
    const r = decodeJSONConfig(c.config, schema.config);
    if (c.valid) {
      assert.deepEqual(r.errors, [], r.message);
      return;
    }
    assert.ok(r.errors.length > 0, "expected errors");
    if (c.note) {
      assert.ok(squash(c.packer!).includes(squash(r.errors[0]!)), r.errors[0]);
      return;
    }
    assert.equal(squash(r.message!), squash(c.packer!));
  });
}

test("weak decoding turns strings, numbers and bools into the option's type", async () => {
  const docker = (await loadSchema("builder", "docker"))!;
  const r = decodeJSONConfig(
    { image: 5, commit: "true", privileged: 1, changes: "USER x", Pty: true, ssh_port: "0x16" },
    docker.config,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.config.image, "5");
  assert.equal(r.config.commit, true);
  assert.equal(r.config.privileged, true);
  assert.deepEqual(r.config.changes, ["USER x"]);
  assert.equal(r.config.pty, true);
  assert.equal(r.config.ssh_port, 22);
  // Defaults apply to what was not given.
  assert.equal(r.config.pull, true);
  assert.equal(r.config.communicator, "docker");
  assert.deepEqual(r.config.run_command, [
    "-d",
    "-i",
    "-t",
    "--entrypoint=/bin/sh",
    "--",
    "{{.Image}}",
  ]);
});

test("a JSON number for a duration counts nanoseconds, kept as Go's duration string", async () => {
  const qemu = (await loadSchema("builder", "qemu"))!;
  const r = decodeJSONConfig(
    {
      iso_url: "x.iso",
      iso_checksum: "none",
      ssh_username: "u",
      boot_wait: 1500000000,
      shutdown_timeout: "2m",
    },
    qemu.config,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.config.boot_wait, "1.5s");
  assert.equal(r.config.shutdown_timeout, "2m");
  assert.deepEqual(r.warnings, [
    "A checksum of 'none' was specified. Since ISO files are so big,\na checksum is highly recommended.",
  ]);
});

test("nested blocks decode as objects; a list of maps merges into a map", async () => {
  const qemu = (await loadSchema("builder", "qemu"))!;
  const r = decodeJSONConfig(
    {
      iso_url: "x.iso",
      iso_checksum: "sha256:abc",
      ssh_username: "u",
      qemu_img_args: { convert: "-c" },
      http_content: [{ "/a": "1" }, { "/b": 2 }],
      qemuargs: [["-m", 1024]],
    },
    qemu.config,
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.config.qemu_img_args, { convert: ["-c"] });
  assert.deepEqual(r.config.http_content, { "/a": "1", "/b": "2" });
  assert.deepEqual(r.config.qemuargs, [["-m", "1024"]]);
});

test("deprecated aliases map to their option with Packer's warning", async () => {
  const qemu = (await loadSchema("builder", "qemu"))!;
  const r = decodeJSONConfig(
    { iso_url: "x.iso", iso_checksum: "md5:abc", ssh_username: "u", ssh_host_port_min: 3000 },
    qemu.config,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.config.host_port_min, 3000);
  assert.match(
    r.warnings[0]!,
    /^ssh_host_port_min is deprecated and is being replaced by host_port_min\./,
  );
});

test("errors from the decoder stop before unknown keys and checks, as in Packer", () => {
  const schema: ConfigSchema = {
    fields: { a: field.number("a") },
    check: () => ["never reached"],
  };
  const r = decodeJSONConfig({ a: "x", zzz: 1 }, schema);
  assert.equal(r.stage, "decode");
  assert.deepEqual(r.errors, [
    `cannot parse 'a' as int: strconv.ParseInt: parsing "x": invalid syntax`,
  ]);
  const u = decodeJSONConfig({ a: 1, zzz: 1, type: "x", packer_build_name: "b" }, schema);
  assert.equal(u.stage, "unknown-keys");
  assert.deepEqual(u.errors, [`unknown configuration key: '"zzz"'`]);
  const p = decodeJSONConfig({ a: 1 }, schema);
  assert.equal(p.stage, "prepare");
  assert.equal(p.message, "1 error(s) occurred:\n\n* never reached");
});

test("values of sensitive options are listed for redaction", async () => {
  const push = (await loadSchema("post-processor", "docker-push"))!;
  const r = decodeJSONConfig(
    { login: true, login_password: "hunter2", aws_secret_key: "k" },
    push.config,
  );
  assert.deepEqual(r.sensitive.sort(), ["hunter2", "k"]);
});

test("null leaves an option unset; null list items are zero values", () => {
  const schema: ConfigSchema = {
    fields: {
      s: field.string("s", { default: "d" }),
      l: field.stringList("l"),
      m: field.stringMap("m"),
    },
  };
  const r = decodeJSONConfig({ s: null, l: ["a", null], m: { k: null } }, schema);
  assert.deepEqual(r.config, { s: "d", l: ["a", ""], m: { k: "" } });
});

test("go-multierror and strconv details", () => {
  assert.equal(goMultiErrorText(["a"]), "1 error occurred:\n\t* a\n\n");
  assert.equal(goMultiErrorText(["a", "b"]), "2 errors occurred:\n\t* a\n\t* b\n\n");
  assert.equal(parseGoInt("0x1F"), 31);
  assert.equal(parseGoInt("010"), 8);
  assert.equal(parseGoInt("-0b101"), -5);
  assert.equal(parseGoInt("1_000"), 1000);
  assert.deepEqual(parseGoInt("1__0"), { error: "invalid syntax" });
  assert.equal(parseGoInt("0x_1_0"), 16);
  assert.deepEqual(parseGoInt("9223372036854775808"), { error: "value out of range" });
  assert.deepEqual(parseGoInt("08"), { error: "invalid syntax" });
  assert.equal(formatGoDuration(0n), "0s");
  assert.equal(formatGoDuration(5n), "5ns");
  assert.equal(formatGoDuration(1_500n), "1.5µs");
  assert.equal(formatGoDuration(300_000_000n), "300ms");
  assert.equal(formatGoDuration(90_000_000_000n), "1m30s");
  assert.equal(formatGoDuration(3_723_500_000_000n), "1h2m3.5s");
  assert.equal(formatGoDuration(-2_000_000_000n), "-2s");
});
