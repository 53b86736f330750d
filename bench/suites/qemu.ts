import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// A real VM image build, kiln against Debian's packer 1.6.6, interleaved run by
// run: the same template boots the local Debian base disk (scripts/base-disk.sh)
// under QEMU with TCG (KVM does not boot guests on these machines), connects
// over SSH with a password, runs two shell provisioners and a 20 MB file
// upload, shuts the guest down and compacts the disk to qcow2. Nothing is typed
// at boot, so the default boot_wait (10 s) is a fixed wait kiln skips.

const root = resolve(import.meta.dirname, "../..");
const kilnBin = join(root, "bin/kiln.js");

function template(base: string, out: string): string {
  return `source "qemu" "bench" {
  iso_url          = "${base}"
  iso_checksum     = "none"
  disk_image       = true
  format           = "qcow2"
  accelerator      = "tcg"
  memory           = 768
  headless         = true
  qemuargs         = [["-smp", "1"]]
  ssh_username     = "kiln"
  ssh_password     = "kiln"
  ssh_timeout      = "10m"
  shutdown_command = "sudo shutdown -P now"
  output_directory = "${out}"
  vm_name          = "bench.qcow2"
}

build {
  sources = ["source.qemu.bench"]
  provisioner "shell" {
    inline = ["echo one | sudo tee /etc/kiln-bench", "uname -a"]
  }
  provisioner "file" {
    source      = "payload.bin"
    destination = "/tmp/payload.bin"
  }
  provisioner "shell" {
    inline = ["sha256sum /tmp/payload.bin", "sudo sync"]
  }
}
`;
}

function sh(cmd: string, args: string[], cwd = root): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function build(cmd: string, args: string[], dir: string, name: string): number {
  writeFileSync(join(dir, `${name}.pkr.hcl`), template(baseDiskPath, join(dir, `out-${name}`)));
  const t0 = performance.now();
  sh(cmd, [...args, "build", "-color=false", `${name}.pkr.hcl`], dir);
  const ms = performance.now() - t0;
  rmSync(join(dir, `out-${name}`), { recursive: true, force: true });
  return ms;
}

let baseDiskPath = "";

export async function qemuSuite(): Promise<BenchRow[]> {
  baseDiskPath = sh("bash", ["scripts/base-disk.sh", "ensure"]).trim().split("\n").pop() ?? "";
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-qemu-"));
  try {
    spawnSync("sh", ["-c", "head -c 20M /dev/urandom > payload.bin"], { cwd: dir });
    const runs = Number(process.env.KILN_BENCH_QEMU_RUNS ?? 3);
    const kiln: number[] = [];
    const packer: number[] = [];
    for (let i = 0; i < runs; i++) {
      kiln.push(build(process.execPath, [kilnBin], dir, `kiln${i}`));
      packer.push(build("packer", [], dir, `packer${i}`));
    }
    return [
      {
        name: "qemu build (TCG): base disk, SSH, 2 shell + 20 MB upload, shutdown, qcow2",
        kiln: median(kiln),
        packer: median(packer),
        note: `median of ${runs}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
