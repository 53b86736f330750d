import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { resolveConfig } from "../../../src/builders/qemu/config.js";
import qemu from "../../../src/builders/qemu/index.js";
import { decodeHCLConfig } from "../../../src/components/decode-hcl.js";
import { loadSchema } from "../../../src/components/registry.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { parseConfig } from "../../../src/hcl/syntax/index.js";
import { scratchDir } from "../../support/engine.js";

// The qemu builder's configuration: the schema's decoded values with the
// build-dependent defaults (output-NAME, packer-NAME, the QMP socket), and
// Prepare's checks that need the file system, worded as Packer words them.

const iso = `iso_url = "base.qcow2"\niso_checksum = "none"\nssh_username = "kiln"`;

async function decode(src: string): Promise<{ config: PlainConfig; errors: string[] }> {
  const schema = await loadSchema("builder", "qemu");
  assert.ok(schema);
  const { file, diags } = parseConfig(src, "t.pkr.hcl");
  assert.deepEqual(diags, []);
  const r = decodeHCLConfig(file.body, schema.config, {});
  return {
    config: r.config,
    errors: r.diags.filter((d) => d.severity === "error").map((d) => d.summary),
  };
}

test("defaults that depend on the build: output directory, VM name; Packer's others", async () => {
  const { config, errors } = await decode(iso);
  assert.deepEqual(errors, []);
  const c = resolveConfig(config, "example", {});
  assert.equal(c.outputDir, "output-example");
  assert.equal(c.vmName, "packer-example");
  assert.equal(c.qmpSocketPath, "");
  assert.equal(c.diskSize, "40960M");
  assert.equal(c.format, "qcow2");
  assert.equal(c.memory, 512);
  assert.equal(c.machineType, "pc");
  assert.equal(c.netDevice, "virtio-net");
  assert.equal(c.diskInterface, "virtio");
  assert.equal(c.vncPortMin, 5900);
  assert.equal(c.vncPortMax, 6000);
  assert.equal(c.hostPortMin, 2222);
  assert.equal(c.hostPortMax, 4444);
  assert.equal(c.commPort, 22);
  assert.equal(c.bootWaitMs, 10_000);
  assert.equal(c.bootKeyIntervalMs, 100);
  assert.equal(c.shutdownTimeoutMs, 300_000);
  assert.equal(c.accelerator, "");
  assert.deepEqual(c.isoUrls, ["base.qcow2"]);
});

test("options as given: sizes, QMP socket, UEFI defaults, key interval from PACKER_KEY_INTERVAL", async () => {
  const { config, errors } = await decode(
    `${iso}\ndisk_size = "2048"\nqmp_enable = true\nvm_name = "vm.qcow2"\noutput_directory = "out"\nefi_boot = true\nboot_wait = "2s"\nshutdown_timeout = "30s"\nmemory = 4\nqemu_img_args {\n  convert = ["-o", "preallocation=off"]\n}`,
  );
  assert.deepEqual(errors, []);
  const c = resolveConfig(config, "x", { PACKER_KEY_INTERVAL: "10ms" });
  assert.equal(c.diskSize, "2048M", "a bare number means megabytes");
  assert.equal(c.qmpSocketPath, join("out", "vm.qcow2.monitor"));
  assert.equal(c.efiFirmwareCode, "/usr/share/OVMF/OVMF_CODE.fd");
  assert.equal(c.efiFirmwareVars, "/usr/share/OVMF/OVMF_VARS.fd");
  assert.equal(c.memory, 512, "under 10 MB means the default");
  assert.equal(c.bootWaitMs, 2000);
  assert.equal(c.shutdownTimeoutMs, 30_000);
  assert.equal(c.bootKeyIntervalMs, 10);
  assert.deepEqual(c.qemuImgArgs.convert, ["-o", "preallocation=off"]);
  // vnc_use_password and net_bridge turn QMP on, as in Packer.
  const vnc = resolveConfig((await decode(`${iso}\nvnc_use_password = true`)).config, "x", {});
  assert.equal(vnc.qmpEnable, true);
  assert.equal(vnc.qmpSocketPath, join("output-x", "packer-x.monitor"));
});

test("format raw skips compaction; use_backing_file skips it too", async () => {
  const raw = resolveConfig(
    (await decode(`${iso}\nformat = "raw"\ndisk_compression = true`)).config,
    "x",
    {},
  );
  assert.equal(raw.skipCompaction, true);
  assert.equal(raw.diskCompression, false);
  const backing = resolveConfig(
    (await decode(`${iso}\ndisk_image = true\nuse_backing_file = true`)).config,
    "x",
    {},
  );
  assert.equal(backing.skipCompaction, true);
});

test('accelerator = "auto" is accepted (kiln picks, checking that KVM runs a guest); nonsense is not', async () => {
  assert.deepEqual((await decode(`${iso}\naccelerator = "auto"`)).errors, []);
  const bad = await decode(`${iso}\naccelerator = "fast"`);
  assert.match(bad.errors.join("\n"), /invalid accelerator/);
});

test("prepare: floppy and CD files that do not exist, in Packer's words", async () => {
  const dir = scratchDir("kiln-qemu-config-");
  mkdirSync(join(dir, "there"));
  writeFileSync(join(dir, "there", "f.txt"), "x");
  const missing = join(dir, "missing.txt");
  const { config } = await decode(
    `${iso}\nfloppy_files = ["${missing}", "${dir}/there/f.txt", "${dir}/*.nothing"]\nfloppy_dirs = ["${dir}/nodir"]\ncd_files = ["${dir}/there", "${dir}/gone.iso"]`,
  );
  const r = qemu.create(config).prepare();
  assert.deepEqual(r.errors, [
    `Bad Floppy disk file '${missing}': stat ${missing}: no such file or directory`,
    `Bad Floppy disk directory '${dir}/nodir': stat ${dir}/nodir: no such file or directory`,
    `Bad CD disk file '${dir}/gone.iso': stat ${dir}/gone.iso: no such file or directory`,
  ]);
  assert.deepEqual(qemu.create((await decode(iso)).config).prepare().errors, []);
});

test("prepare: winrm is refused before any VM starts", async () => {
  const { config } = await decode(
    `iso_url = "a.iso"\niso_checksum = "none"\ncommunicator = "winrm"\nwinrm_username = "u"`,
  );
  assert.match(qemu.create(config).prepare().errors.join("\n"), /winrm.*not supported/);
});
