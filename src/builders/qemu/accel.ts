// Choosing the accelerator when the template leaves it to the builder
// (accelerator unset or "auto"). Packer picks kvm whenever /dev/kvm opens;
// but a /dev/kvm that opens does not mean KVM runs guests (nested
// virtualization often fails with emulation errors), so kiln boots the
// firmware of an empty machine under KVM and only keeps KVM when the
// firmware gets as far as looking for a boot device.

import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { start } from "../../process/index.js";

/** What kiln found out about KVM on this host. */
export type KVMProbe =
  /** /dev/kvm could not be opened: no KVM (the usual case on macOS, Windows, containers). */
  | { device: false; detail: string }
  /** /dev/kvm opens and a guest ran under KVM (or the binary cannot be checked). */
  | { device: true; runsGuest: true }
  /** /dev/kvm opens but the test guest did not run. */
  | { device: true; runsGuest: false; detail: string };

export interface AcceleratorChoice {
  accelerator: string;
  /** Why kiln chose differently from what Packer would (shown as a warning). */
  warning?: string;
}

/** Whether the accelerator is for kiln to choose. */
export function isAutomatic(requested: string): boolean {
  return requested === "" || requested === "auto";
}

/** The accelerator to run with, given what the template asked for and what the probe found. */
export function chooseAccelerator(
  requested: string,
  probe: KVMProbe | undefined,
  platform: NodeJS.Platform = process.platform,
): AcceleratorChoice {
  if (!isAutomatic(requested)) return { accelerator: requested };
  if (platform === "win32") return { accelerator: "tcg" };
  if (probe === undefined || !probe.device) return { accelerator: "tcg" };
  if (probe.runsGuest) return { accelerator: "kvm" };
  return {
    accelerator: "tcg",
    warning:
      `/dev/kvm is present but KVM could not run a guest (${probe.detail}); ` +
      "using TCG (software emulation) instead, which is much slower. " +
      'Set accelerator = "tcg" to skip this check, or "kvm" to use KVM anyway.',
  };
}

/** How long the firmware of an empty machine gets to reach its boot menu under KVM. */
const PROBE_TIMEOUT_MS = 2500;

/** SeaBIOS's debug console lines that show it ran to the point of booting. */
const BOOTED = /Booting from|No bootable device|Boot failed/;

/** QEMU's messages when KVM cannot run the guest. */
const KVM_FAILURE = /KVM internal error|emulation failure|kvm run failed|failed to initialize kvm/i;

/** Binaries whose firmware is SeaBIOS with its debug console at port 0x402. */
const isX86 = (binary: string) => /x86_64|i386|qemu-kvm/.test(binary);

/**
 * Finds out whether KVM works here: /dev/kvm must open read-write, and an
 * x86 machine with no disks must get through its BIOS under KVM within a
 * couple of seconds (SeaBIOS reports on its debug console; a working KVM
 * gets there in well under a second, TCG in about a third of one).
 */
export async function probeKVM(
  qemuBinary: string,
  signal?: AbortSignal,
  device = "/dev/kvm",
): Promise<KVMProbe> {
  try {
    const fh = await open(device, constants.O_RDWR);
    await fh.close();
  } catch (err) {
    return { device: false, detail: (err as Error).message };
  }
  if (!isX86(qemuBinary)) return { device: true, runsGuest: true };

  let booted = false;
  let failure = "";
  const vm = start(
    qemuBinary,
    [
      "-accel",
      "kvm",
      "-machine",
      "pc",
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-m",
      "16",
      "-chardev",
      "stdio,id=kiln-probe",
      "-device",
      "isa-debugcon,iobase=0x402,chardev=kiln-probe",
    ],
    {
      ...(signal !== undefined ? { signal } : {}),
      killGraceMs: 500,
      reject: false,
      maxOutputBytes: 64 * 1024,
      onStdout: (line) => {
        if (BOOTED.test(line)) {
          booted = true;
          vm.kill("SIGKILL");
        }
      },
      onStderr: (line) => {
        if (failure === "" && KVM_FAILURE.test(line)) {
          failure = line.trim();
          vm.kill("SIGKILL");
        }
      },
    },
  );
  const timer = setTimeout(() => vm.kill("SIGKILL"), PROBE_TIMEOUT_MS);
  const result = await vm.exited();
  clearTimeout(timer);
  if (booted) return { device: true, runsGuest: true };
  if (vm.pid === undefined) {
    return { device: true, runsGuest: false, detail: `${qemuBinary} could not be started` };
  }
  if (failure !== "") return { device: true, runsGuest: false, detail: failure };
  if (result.exitCode !== null && result.exitCode !== 0) {
    const last = result.stderr.trim().split("\n").pop() ?? "";
    return {
      device: true,
      runsGuest: false,
      detail: `QEMU exited with code ${result.exitCode}${last !== "" ? `: ${last}` : ""}`,
    };
  }
  return {
    device: true,
    runsGuest: false,
    detail: `the test machine's firmware did not run within ${PROBE_TIMEOUT_MS / 1000}s`,
  };
}
