import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { run } from "../../src/process/index.js";
import {
  BASE_DISK_PASSWORD,
  BASE_DISK_SCRIPT,
  BASE_DISK_USER,
  baseDisk,
  bootGuest,
  type Guest,
} from "../support/base-disk.js";
import { scratchDir } from "../support/engine.js";

// The base disk from scripts/base-disk.sh booted for real under QEMU (TCG), one
// guest at a time: BIOS and UEFI firmware paths, SSH logins, the kiln-seed
// service's cidata convention, and ACPI shutdown.

const scratch = scratchDir("kiln-base-disk-");
// Generous: a loaded 2-core machine boots a TCG guest far slower than the usual 10-20 s.
const SSH_TIMEOUT_MS = 8 * 60_000;
const BOOT_TEST_TIMEOUT_MS = 12 * 60_000;
const guests: Guest[] = [];
let disk = "";

before(async () => {
  disk = await baseDisk();
});

after(async () => {
  for (const g of guests) await g.kill();
});

let dirCount = 0;
function guestDir(): string {
  const dir = join(scratch, `guest-${++dirCount}`);
  mkdirSync(dir);
  return dir;
}

async function boot(opts: { firmware: "bios" | "uefi"; cdrom?: string }): Promise<Guest> {
  const guest = await bootGuest({ disk, dir: guestDir(), ...opts });
  guests.push(guest);
  return guest;
}

/** A cidata ISO (the NoCloud convention) holding `user-data`. */
async function seedIso(userData: string): Promise<string> {
  const dir = guestDir();
  const content = join(dir, "content");
  mkdirSync(content);
  writeFileSync(join(content, "user-data"), userData);
  writeFileSync(join(content, "meta-data"), "instance-id: kiln-test\n");
  const iso = join(dir, "seed.iso");
  await run("xorriso", [
    "-as",
    "mkisofs",
    "-quiet",
    "-V",
    "cidata",
    "-J",
    "-r",
    "-o",
    iso,
    content,
  ]);
  return iso;
}

async function keyPair(name: string): Promise<{ privateKey: string; publicKey: string }> {
  const path = join(scratch, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return {
    privateKey: readFileSync(path, "utf8"),
    publicKey: readFileSync(`${path}.pub`, "utf8").trim(),
  };
}

async function shell(guest: Guest, command: string): Promise<string> {
  const r = await guest.exec(command);
  assert.equal(r.code, 0, `${command} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Powers the guest down over QMP and checks that QEMU ends by itself. */
async function powerdown(guest: Guest): Promise<void> {
  await guest.powerdown();
  assert.ok(
    await guest.exited(60_000),
    `QEMU did not exit within 60 s of system_powerdown\n${guest.serialTail()}`,
  );
  const r = await guest.process.wait();
  assert.equal(r.exitCode, 0, `QEMU exited with ${r.exitCode}: ${r.stderr}`);
}

describe("the cached disk", () => {
  test("is a 3 GiB qcow2 with a record of what went in", async () => {
    const info = JSON.parse((await run("qemu-img", ["info", "--output=json", disk])).stdout) as {
      format: string;
      "virtual-size": number;
    };
    assert.equal(info.format, "qcow2");
    assert.equal(info["virtual-size"], 3 * 1024 ** 3);
    const record = readFileSync(`${disk}.info`, "utf8");
    assert.match(record, /^recipe: \d+$/m);
    assert.match(record, /^root-uuid: [0-9a-f-]{36}$/m);
    for (const pkg of ["linux-image-amd64", "openssh-server", "systemd-sysv", "sudo", "dbus"]) {
      assert.match(record, new RegExp(`^ {2}${pkg} \\S+$`, "m"), `${pkg} is not in the record`);
    }
  });

  test("`path` prints it and `ensure` returns it again without rebuilding", async () => {
    const before = statSync(disk).mtimeMs;
    const path = await run("bash", [BASE_DISK_SCRIPT, "path"]);
    assert.equal(path.stdout.trim(), disk);
    const again = await run("bash", [BASE_DISK_SCRIPT, "ensure"]);
    assert.equal(again.stdout.trim(), disk);
    assert.equal(again.stderr, "");
    assert.ok(again.durationMs < 10_000, `ensure took ${again.durationMs} ms`);
    assert.equal(statSync(disk).mtimeMs, before);
    assert.equal(await baseDisk(), disk);
  });
});

describe("booting the base disk", () => {
  test("UEFI: boots through OVMF and the EFI system partition, runs a #! user-data as root", {
    timeout: BOOT_TEST_TIMEOUT_MS,
  }, async (t) => {
    const iso = await seedIso(
      '#!/bin/sh\necho "seeded by $(id -un) from $KILN_SEED_DIR" > /root/seed-marker\n',
    );
    const guest = await boot({ firmware: "uefi", cdrom: iso });
    try {
      const ms = await guest.waitForSSH(SSH_TIMEOUT_MS);
      t.diagnostic(`UEFI boot (with a cidata CD) to SSH: ${(ms / 1000).toFixed(1)} s`);
      assert.equal(
        (await shell(guest, "test -d /sys/firmware/efi && echo uefi || echo bios")).trim(),
        "uefi",
      );
      assert.match(
        await shell(guest, "sudo -n cat /root/seed-marker"),
        /^seeded by root from \/run\/kiln-seed\.\w+$/m,
      );
      // The seed volume is unmounted afterwards.
      assert.doesNotMatch(await shell(guest, "cat /proc/mounts"), /kiln-seed|iso9660/);
      assert.equal((await shell(guest, "systemctl --failed --no-legend --plain")).trim(), "");
      await powerdown(guest);
    } finally {
      await guest.kill();
    }
  });

  test("BIOS: kiln-seed installs a cloud-config's keys for kiln and root; password, sudo, DHCP, ACPI shutdown", {
    timeout: BOOT_TEST_TIMEOUT_MS,
  }, async (t) => {
    const first = await keyPair("first");
    const second = await keyPair("second");
    const iso = await seedIso(
      [
        "#cloud-config",
        "hostname: ignored",
        "ssh_authorized_keys:",
        `  - ${first.publicKey}`,
        "  # a comment between items",
        `  - "${second.publicKey}"`,
        "packages: []",
        "",
      ].join("\r\n"),
    );
    const guest = await boot({ firmware: "bios", cdrom: iso });
    try {
      const kilnKey = { username: BASE_DISK_USER, privateKey: first.privateKey };
      const ms = await guest.waitForSSH(SSH_TIMEOUT_MS, kilnKey);
      t.diagnostic(
        `BIOS boot (with a cidata CD) to SSH with a seeded key: ${(ms / 1000).toFixed(1)} s`,
      );
      const rootKey = { username: "root", privateKey: second.privateKey };
      const asRoot = await guest.exec(
        "id -un; stat -c '%a %U' /root/.ssh /root/.ssh/authorized_keys",
        rootKey,
      );
      assert.equal(asRoot.code, 0, asRoot.stderr);
      assert.equal(asRoot.stdout, "root\n700 root\n600 root\n");
      const asKiln = await guest.exec(
        "id -un; stat -c '%a %U' ~/.ssh ~/.ssh/authorized_keys; cat ~/.ssh/authorized_keys",
        kilnKey,
      );
      assert.equal(asKiln.code, 0, asKiln.stderr);
      assert.equal(
        asKiln.stdout,
        `kiln\n700 kiln\n600 kiln\n${first.publicKey}\n${second.publicKey}\n`,
      );
      // The password still works beside the keys.
      assert.equal(
        (
          await guest.exec("id -un", { username: BASE_DISK_USER, password: BASE_DISK_PASSWORD })
        ).stdout.trim(),
        BASE_DISK_USER,
      );
      // A wrong key is refused.
      await assert.rejects(
        guest.exec("true", {
          username: "root",
          privateKey: (await keyPair("stranger")).privateKey,
        }),
      );
      // The rest of a BIOS boot: sudo, hostname, firmware, kernel line, no failed
      // unit, DHCP, root locked, and the ACPI power button stops the guest.
      assert.equal(
        (await shell(guest, "id -un; sudo -n id -un; hostname")).trim(),
        `${BASE_DISK_USER}\nroot\nkiln-base`,
      );
      assert.equal(
        (await shell(guest, "test -d /sys/firmware/efi && echo uefi || echo bios")).trim(),
        "bios",
      );
      const cmdline = await shell(guest, "cat /proc/cmdline");
      assert.match(cmdline, /root=UUID=[0-9a-f-]{36} ro console=ttyS0,115200 console=tty0 quiet/);
      assert.equal((await shell(guest, "systemctl --failed --no-legend --plain")).trim(), "");
      assert.match(await shell(guest, "ip -4 -o addr show scope global"), /inet 10\.0\.2\.15\//);
      assert.match(await shell(guest, "sudo -n passwd --status root"), /^root L /);
      await powerdown(guest);
    } finally {
      await guest.kill();
    }
  });
});
