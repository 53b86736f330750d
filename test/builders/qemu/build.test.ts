import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { before, test } from "node:test";
import {
  BASE_DISK_PASSWORD,
  BASE_DISK_USER,
  baseDisk,
  bootGuest,
} from "../../support/base-disk.js";
import { kilnBin } from "../../support/cli.js";
import { scratchDir } from "../../support/engine.js";

// The qemu builder end to end, through the real CLI, under TCG, one guest at
// a time: a build from the base disk (temporary key handed over on a cidata
// CD, cd_files, shell and file provisioners, a reboot, shutdown, qcow2
// output that then boots on its own); a boot_command typed into GRUB's
// editor that changes the kernel command line and makes the guest fetch a
// file from the HTTP server; and a failed and an interrupted build, after
// which no QEMU, no port, no output directory and no temporary file remain.

const root = scratchDir("kiln-qemu-e2e-");
let disk = "";
let n = 0;

before(async () => {
  disk = await baseDisk();
});

interface Run {
  status: number | null;
  output: string;
  ms: number;
}

/** A folder with the given files and an empty TMPDIR for kiln, so leftovers can be seen. */
function folder(files: Record<string, string>): { dir: string; tmp: string } {
  const dir = join(root, `b${n++}`);
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, tmp };
}

/**
 * Runs `kiln build` in `dir`. `onOutput` sees the output as it grows and may
 * return true to interrupt the build (SIGINT), once.
 */
function build(
  dir: string,
  tmp: string,
  onOutput?: (text: string) => boolean,
  timeoutMs = 8 * 60_000,
): Promise<Run> {
  const began = Date.now();
  const child = spawn(process.execPath, [kilnBin, "build", "-color=false", "t.pkr.hcl"], {
    cwd: dir,
    env: {
      ...process.env,
      KILN_FROM_SOURCE: "1",
      TMPDIR: tmp,
      PACKER_CACHE_DIR: join(root, "cache"),
    },
  });
  let output = "";
  let interrupted = false;
  const take = (chunk: Buffer) => {
    output += chunk.toString();
    if (!interrupted && onOutput?.(output)) {
      interrupted = true;
      child.kill("SIGINT");
    }
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output, ms: Date.now() - began });
    });
  });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest("hex");
}

/** The QEMU processes whose command line names this VM. */
function qemuProcesses(vmName: string): string[] {
  const r = spawnSync("pgrep", ["-f", `-name ${vmName}`], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.trim() !== "");
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

const forwardedPort = (output: string) =>
  Number(/Found port for communicator \(SSH, WinRM, etc\): (\d+)\./.exec(output)?.[1]);

/** What kiln left in its TMPDIR (tsx, which runs kiln from source here, keeps its cache there). */
const leftovers = (tmp: string) => readdirSync(tmp).filter((f) => !f.startsWith("tsx-"));

/** What every build must leave behind when it failed: nothing. */
async function assertNothingLeft(r: Run, vmName: string, dir: string, tmp: string) {
  const port = forwardedPort(r.output);
  assert.ok(port > 0, r.output);
  assert.deepEqual(qemuProcesses(vmName), [], "no QEMU left running");
  assert.equal(await listening(port), false, `nothing listens on the forwarded port ${port}`);
  assert.equal(existsSync(join(dir, "out")), false, "the output directory is gone");
  assert.deepEqual(leftovers(tmp), [], "no temporary file is left");
}

test("from the base disk: temporary key on a cidata CD, cd_files, provisioners, reboot, shutdown, qcow2 output that boots", async () => {
  const vmName = `qe2e-${process.pid}-base`;
  const checksum = await sha256(disk);
  const { dir, tmp } = folder({
    "cdfile.txt": "read from the CD\n",
    "upload.txt": "uploaded by the file provisioner\n",
    "t.pkr.hcl": `
source "qemu" "base" {
  iso_url          = "${disk}"
  iso_checksum     = "sha256:${checksum}"
  disk_image       = true
  format           = "qcow2"
  disk_size        = "4G"
  accelerator      = "tcg"
  headless         = true
  memory           = 768
  vm_name          = "${vmName}"
  output_directory = "out"
  ssh_username     = "${BASE_DISK_USER}"
  ssh_timeout      = "5m"
  cd_label         = "cidata"
  cd_content       = { "user-data" = "#cloud-config\\nssh_authorized_keys:\\n  - {{ .SSHPublicKey }}\\n" }
  cd_files         = ["cdfile.txt"]
  shutdown_command = "sudo shutdown -P now"
}
build {
  sources = ["source.qemu.base"]
  provisioner "shell" {
    inline = [
      "dev=$(sudo blkid -L cidata)",
      "sudo mount -o ro $dev /mnt",
      "echo \\"cd says: $(cat /mnt/cdfile.txt)\\"",
      "sudo umount /mnt",
      "echo provisioned | sudo tee /etc/qe2e-provisioned",
    ]
  }
  provisioner "file" {
    source      = "upload.txt"
    destination = "/home/${BASE_DISK_USER}/upload.txt"
  }
  provisioner "shell" {
    inline            = ["sudo cp /proc/sys/kernel/random/boot_id /var/lib/qe2e-boot1", "sudo reboot"]
    expect_disconnect = true
  }
  provisioner "shell" {
    pause_before = "2s"
    inline       = ["test \\"$(cat /proc/sys/kernel/random/boot_id)\\" != \\"$(cat /var/lib/qe2e-boot1)\\" && echo booted again"]
  }
}
`,
  });
  const r = await build(dir, tmp);
  console.log(`base disk build: ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /Creating temporary RSA SSH key for instance/);
  assert.match(r.output, /Starting VM, booting disk image/);
  assert.match(r.output, /cd says: read from the CD/);
  assert.match(r.output, /booted again/);
  assert.match(r.output, /Gracefully halting virtual machine\.\.\./);
  assert.match(r.output, /Converting hard drive\.\.\./);
  assert.doesNotMatch(r.output, /Waiting \d+s for boot/, "nothing to type, no boot_wait");
  assert.match(r.output, /--> qemu\.base: VM files in directory: out/);
  assert.deepEqual(readdirSync(join(dir, "out")), [vmName]);
  assert.deepEqual(leftovers(tmp), [], "no temporary file is left");
  assert.deepEqual(qemuProcesses(vmName), []);
  const info = JSON.parse(
    spawnSync("qemu-img", ["info", "--output=json", join(dir, "out", vmName)], { encoding: "utf8" })
      .stdout,
  ) as { format: string; "virtual-size": number; "backing-filename"?: string };
  assert.equal(info.format, "qcow2");
  assert.equal(info["virtual-size"], 4 * 1024 ** 3);
  assert.equal(info["backing-filename"], undefined, "a standalone image");

  // The output disk boots on its own, with what the provisioners left on it.
  const vmDir = join(dir, "verify");
  mkdirSync(vmDir);
  const guest = await bootGuest({ disk: join(dir, "out", vmName), dir: vmDir });
  try {
    const bootMs = await guest.waitForSSH(300_000);
    console.log(`output disk booted to SSH in ${(bootMs / 1000).toFixed(1)} s`);
    const check = await guest.exec(`cat /etc/qe2e-provisioned /home/${BASE_DISK_USER}/upload.txt`, {
      username: BASE_DISK_USER,
      password: BASE_DISK_PASSWORD,
    });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stdout, "provisioned\nuploaded by the file provisioner\n");
  } finally {
    await guest.kill();
  }
});

test("boot_command typed into GRUB's editor changes the kernel command line; the guest fetches from the HTTP server", async () => {
  const vmName = `qe2e-${process.pid}-grub`;
  // GRUB waits 1 s: any key stops the countdown, and <up> on the only entry does nothing else.
  const ups = "<up><wait400ms>".repeat(25);
  const { dir, tmp } = folder({
    "t.pkr.hcl": `
source "qemu" "grub" {
  iso_url           = "${disk}"
  iso_checksum      = "none"
  disk_image        = true
  skip_resize_disk  = true
  skip_compaction   = true
  accelerator       = "tcg"
  headless          = true
  memory            = 768
  vm_name           = "${vmName}"
  output_directory  = "out"
  ssh_username      = "${BASE_DISK_USER}"
  ssh_password      = "${BASE_DISK_PASSWORD}"
  ssh_timeout       = "5m"
  http_content      = { "/hello.txt" = "hello over http" }
  boot_wait         = "1s"
  boot_command = [
    "${ups}",
    "e<wait500ms><down><down><end> qe2e.url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/hello.txt<leftCtrlOn>x<leftCtrlOff>",
  ]
}
build {
  sources = ["source.qemu.grub"]
  provisioner "shell" {
    inline = [
      "url=$(tr ' ' '\\\\n' < /proc/cmdline | sed -n 's/^qe2e\\\\.url=//p')",
      "echo \\"url: $url\\"",
      "echo \\"fetched: $(curl -fsS $url)\\"",
    ]
  }
}
`,
  });
  const r = await build(dir, tmp);
  console.log(`GRUB boot_command build: ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /Starting HTTP server on port \d+/);
  assert.match(r.output, /Waiting 1s for boot\.\.\./);
  assert.match(r.output, /Typing the boot command over VNC\.\.\./);
  assert.match(r.output, /url: http:\/\/10\.0\.2\.2:\d+\/hello\.txt/);
  assert.match(r.output, /fetched: hello over http/);
  // No shutdown_command: the ACPI power button stops the guest.
  assert.match(r.output, /Halting the virtual machine\.\.\./);
  assert.deepEqual(readdirSync(join(dir, "out")), [vmName]);
  assert.deepEqual(leftovers(tmp), []);
  assert.deepEqual(qemuProcesses(vmName), []);
});

/** A build that boots the base disk with a password and runs `inline`. */
function failingFolder(vmName: string, inline: string[]) {
  return folder({
    "t.pkr.hcl": `
source "qemu" "f" {
  iso_url          = "${disk}"
  iso_checksum     = "none"
  disk_image       = true
  skip_resize_disk = true
  accelerator      = "tcg"
  headless         = true
  memory           = 768
  vm_name          = "${vmName}"
  output_directory = "out"
  ssh_username     = "${BASE_DISK_USER}"
  ssh_password     = "${BASE_DISK_PASSWORD}"
  ssh_timeout      = "5m"
}
build {
  sources = ["source.qemu.f"]
  provisioner "shell" {
    inline = ${JSON.stringify(inline)}
  }
}
`,
  });
}

test("a failing provisioner: exit 1, and no QEMU, port, output directory or temporary file left", async () => {
  const vmName = `qe2e-${process.pid}-fail`;
  const { dir, tmp } = failingFolder(vmName, ["echo about to fail", "exit 3"]);
  const r = await build(dir, tmp);
  console.log(`failing build: ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /about to fail/);
  assert.match(r.output, /Script exited with non-zero exit status: 3/);
  assert.match(r.output, /Deleting output directory\.\.\./);
  await assertNothingLeft(r, vmName, dir, tmp);
});

test("Ctrl-C while waiting for SSH: exit 1, and no QEMU, port, output directory or temporary file left", async () => {
  const vmName = `qe2e-${process.pid}-int`;
  const { dir, tmp } = failingFolder(vmName, ["echo never here"]);
  const r = await build(dir, tmp, (out) => out.includes("Waiting for SSH to become available..."));
  console.log(`interrupted build: ${(r.ms / 1000).toFixed(1)} s`);
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /Cancelling builds/);
  assert.doesNotMatch(r.output, /never here/);
  await assertNothingLeft(r, vmName, dir, tmp);
});
