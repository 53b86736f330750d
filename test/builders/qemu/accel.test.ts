import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { chooseAccelerator, type KVMProbe, probeKVM } from "../../../src/builders/qemu/accel.js";
import { scratchDir } from "../../support/engine.js";

// The accelerator when the template leaves it open: Packer takes kvm when
// /dev/kvm opens; kiln also checks that KVM runs a guest, and falls back to
// TCG with a warning that says why.

describe("chooseAccelerator", () => {
  const works: KVMProbe = { device: true, runsGuest: true };
  const fails: KVMProbe = {
    device: true,
    runsGuest: false,
    detail: "KVM internal error. Suberror: 1",
  };
  const absent: KVMProbe = { device: false, detail: "ENOENT: no such file or directory" };

  test("an accelerator the template names is used as it is, whatever KVM does", () => {
    for (const a of ["kvm", "tcg", "none", "hvf"]) {
      assert.deepEqual(chooseAccelerator(a, fails, "linux"), { accelerator: a });
    }
  });

  test("unset or auto: kvm when it runs a guest", () => {
    assert.deepEqual(chooseAccelerator("", works, "linux"), { accelerator: "kvm" });
    assert.deepEqual(chooseAccelerator("auto", works, "linux"), { accelerator: "kvm" });
  });

  test("no /dev/kvm: tcg, quietly (as Packer)", () => {
    assert.deepEqual(chooseAccelerator("", absent, "linux"), { accelerator: "tcg" });
  });

  test("/dev/kvm opens but no guest runs: tcg, with a warning naming the failure", () => {
    const c = chooseAccelerator("", fails, "linux");
    assert.equal(c.accelerator, "tcg");
    assert.match(c.warning ?? "", /\/dev\/kvm is present but KVM could not run a guest/);
    assert.match(c.warning ?? "", /KVM internal error\. Suberror: 1/);
    assert.match(c.warning ?? "", /accelerator = "tcg"/);
  });

  test("Windows: tcg", () => {
    assert.deepEqual(chooseAccelerator("", works, "win32"), { accelerator: "tcg" });
  });
});

describe("probeKVM", () => {
  const dir = scratchDir("kiln-qemu-accel-");
  /** A stand-in QEMU (a real program) that behaves as QEMU does in one situation. */
  const fakeQemu = (name: string, script: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    const p = join(d, "qemu-system-x86_64");
    writeFileSync(p, `#!/bin/sh\n${script}\n`);
    chmodSync(p, 0o755);
    return p;
  };

  test("a device that does not open: no KVM", async () => {
    const r = await probeKVM("qemu-system-x86_64", undefined, join(dir, "no-kvm"));
    assert.equal(r.device, false);
  });

  test("firmware that reaches its boot menu: KVM runs guests", async () => {
    const q = fakeQemu(
      "boots",
      'echo "SeaBIOS (version 1.16)"; echo "Booting from Hard Disk..."; sleep 30',
    );
    const began = Date.now();
    assert.deepEqual(await probeKVM(q, undefined, "/dev/null"), { device: true, runsGuest: true });
    assert.ok(Date.now() - began < 2000, "the probe stops QEMU as soon as it knows");
  });

  test("an emulation failure: KVM does not run guests, and the reason is QEMU's", async () => {
    const q = fakeQemu(
      "fails",
      'echo "KVM internal error. Suberror: 1" >&2; echo "emulation failure" >&2; sleep 30',
    );
    const r = await probeKVM(q, undefined, "/dev/null");
    assert.deepEqual(r, {
      device: true,
      runsGuest: false,
      detail: "KVM internal error. Suberror: 1",
    });
  });

  test("QEMU refusing to start: the exit code and its last words", async () => {
    const q = fakeQemu(
      "exits",
      'echo "qemu-system-x86_64: failed to initialise accel" >&2; exit 1',
    );
    const r = await probeKVM(q, undefined, "/dev/null");
    assert.equal(r.device, true);
    assert.equal(r.device && r.runsGuest, false);
    assert.match(
      (r as { detail: string }).detail,
      /exited with code 1: .*failed to initialise accel/,
    );
  });

  test("firmware that never gets anywhere: the probe gives up after a few seconds", async () => {
    const q = fakeQemu("hangs", 'echo "SeaBIOS (version 1.16)"; sleep 30');
    const began = Date.now();
    const r = await probeKVM(q, undefined, "/dev/null");
    assert.match((r as { detail: string }).detail, /did not run within 2.5s/);
    assert.ok(Date.now() - began < 5000);
  });

  test("this host, with the real QEMU: an answer either way, within seconds", async () => {
    const began = Date.now();
    const r = await probeKVM("qemu-system-x86_64");
    assert.ok(Date.now() - began < 6000);
    if (r.device && !r.runsGuest) assert.notEqual(r.detail, "");
    // With TCG the same empty machine reaches its boot menu: the probe's test is sound here.
    const tcg = await probeTCG();
    assert.equal(tcg, true, "SeaBIOS reaches its boot menu under TCG");
  });
});

/** The probe's machine under TCG: whether its firmware reports looking for a boot device. */
async function probeTCG(): Promise<boolean> {
  const { start } = await import("../../../src/process/index.js");
  let booted = false;
  const vm = start(
    "qemu-system-x86_64",
    [
      "-accel",
      "tcg",
      "-nodefaults",
      "-display",
      "none",
      "-m",
      "16",
      "-chardev",
      "stdio,id=c",
      "-device",
      "isa-debugcon,iobase=0x402,chardev=c",
    ],
    {
      reject: false,
      onStdout: (line) => {
        if (/Booting from/.test(line)) {
          booted = true;
          vm.kill("SIGKILL");
        }
      },
    },
  );
  const timer = setTimeout(() => vm.kill("SIGKILL"), 10_000);
  await vm.exited();
  clearTimeout(timer);
  return booted;
}
