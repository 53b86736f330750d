import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { resolveConfig } from "../../../src/builders/qemu/config.js";
import { QemuDriver } from "../../../src/builders/qemu/driver.js";
import {
  ACCELERATOR,
  arpAddress,
  COMM_HOST_PORT,
  DISK_PATHS,
  diskSizeBytes,
  type QemuBuild,
  QMP,
  StepConvertDisk,
  StepCopyDisk,
  StepCreateDisk,
  StepPrepareOutputDir,
  StepResizeDisk,
  StepRun,
  StepShutdown,
  StepTypeBootCommand,
  TEMP_DIR,
  vncConnectionMessage,
} from "../../../src/builders/qemu/steps.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { ERROR, HALTED, StateBag } from "../../../src/engine/multistep/index.js";
import { ISO_PATH } from "../../../src/engine/steps/download.js";
import { HTTP_IP, HTTP_PORT } from "../../../src/engine/steps/http-server.js";
import { RecordingUi, scratchDir, testBuildContext } from "../../support/engine.js";

// The qemu builder's steps on their own: disks made, copied, resized and
// converted by the real qemu-img; the output directory's rules; the command
// line with qemuargs rendered; QEMU started, failing to start, and not
// stopping when asked (all with the real QEMU, no guest OS needed).

const root = scratchDir("kiln-qemu-steps-");
let n = 0;

function build(over: PlainConfig = {}, info: { force?: boolean } = {}) {
  const dir = join(root, `b${n++}`);
  mkdirSync(dir);
  const ui = new RecordingUi();
  const ctx = testBuildContext({
    ui,
    info: { type: "qemu", sourceName: "t", templateDir: dir, ...info },
  });
  const config = resolveConfig(
    {
      iso_url: "x",
      iso_checksum: "none",
      ssh_username: "kiln",
      output_directory: join(dir, "out"),
      vm_name: "disk",
      disk_size: "64M",
      ...over,
    },
    "t",
    {},
  );
  const b: QemuBuild = { config, ctx, driver: new QemuDriver(config.qemuBinary) };
  return { b, ui, dir, state: new StateBag(), signal: new AbortController().signal };
}

function qemuImg(...args: string[]): string {
  const r = spawnSync("qemu-img", args, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const info = (path: string) =>
  JSON.parse(qemuImg("info", "--output=json", path)) as {
    format: string;
    "virtual-size": number;
    "backing-filename"?: string;
  };

describe("disks", () => {
  test("ISO install: the main disk and the additional ones are created at their sizes", async () => {
    const { b, state, signal, ui } = build({ disk_additional_size: ["32M", "16M"], format: "raw" });
    mkdirSync(b.config.outputDir);
    assert.equal(await new StepCreateDisk(b).run(state, signal), "continue");
    const out = b.config.outputDir;
    assert.deepEqual(state.get(DISK_PATHS), [
      join(out, "disk"),
      join(out, "disk-1"),
      join(out, "disk-2"),
    ]);
    assert.deepEqual(
      [info(join(out, "disk")), info(join(out, "disk-1")), info(join(out, "disk-2"))].map((i) => [
        i.format,
        i["virtual-size"],
      ]),
      [
        ["raw", 64 << 20],
        ["raw", 32 << 20],
        ["raw", 16 << 20],
      ],
    );
    assert.deepEqual(ui.texts("say"), ["Creating required virtual machine disks"]);
  });

  test("disk_image: converted into the output directory, then grown to disk_size (never shrunk)", async () => {
    const { b, state, signal, ui, dir } = build({ disk_image: true, disk_size: "96M" });
    const src = join(dir, "src.img");
    qemuImg("create", "-f", "raw", src, "32M");
    mkdirSync(b.config.outputDir);
    state.set(ISO_PATH, src);
    for (const step of [new StepCreateDisk(b), new StepCopyDisk(b), new StepResizeDisk(b)]) {
      assert.equal(await step.run(state, signal), "continue", ui.transcript().join("\n"));
    }
    const disk = info(join(b.config.outputDir, "disk"));
    assert.equal(disk.format, "qcow2");
    assert.equal(disk["virtual-size"], 96 << 20);
    assert.deepEqual(ui.texts("say"), ["Copying hard drive...", "Resizing hard drive..."]);

    const small = build({ disk_image: true, disk_size: "16M" });
    mkdirSync(small.b.config.outputDir);
    small.state.set(ISO_PATH, src);
    for (const step of [new StepCopyDisk(small.b), new StepResizeDisk(small.b)]) {
      assert.equal(await step.run(small.state, small.signal), "continue");
    }
    assert.equal(info(join(small.b.config.outputDir, "disk"))["virtual-size"], 32 << 20);
    assert.match(
      small.ui.texts("message").join("\n"),
      /not smaller than disk_size 16M: not resizing/,
    );
  });

  test("disk_image with a .qcow2 image of the output format: copied, not converted", async () => {
    const { b, state, signal, ui, dir } = build({ disk_image: true, skip_resize_disk: true });
    const src = join(dir, "base.qcow2");
    qemuImg("create", "-f", "qcow2", src, "8M");
    mkdirSync(b.config.outputDir);
    state.set(ISO_PATH, src);
    assert.equal(await new StepCopyDisk(b).run(state, signal), "continue");
    assert.match(
      ui.texts("message")[0] ?? "",
      /File extension already matches desired output format/,
    );
    assert.equal(info(join(b.config.outputDir, "disk"))["virtual-size"], 8 << 20);
  });

  test("use_backing_file: a qcow2 overlay on the image, by absolute path", async () => {
    const { b, state, signal, dir } = build({ disk_image: true, use_backing_file: true });
    const src = join(dir, "base.qcow2");
    qemuImg("create", "-f", "qcow2", src, "8M");
    mkdirSync(b.config.outputDir);
    state.set(ISO_PATH, src);
    for (const step of [new StepCreateDisk(b), new StepCopyDisk(b)]) {
      assert.equal(await step.run(state, signal), "continue");
    }
    assert.equal(info(join(b.config.outputDir, "disk"))["backing-filename"], src);
  });

  test("qemu-img's refusal is the step's error", async () => {
    const { b, state, signal, ui } = build({
      disk_size: "64M",
      qemu_img_args: { create: ["-o", "nonsense=1"] },
    });
    mkdirSync(b.config.outputDir);
    assert.equal(await new StepCreateDisk(b).run(state, signal), "halt");
    assert.match(
      state.get(ERROR)?.message ?? "",
      /^Error creating hard drive: QemuImg error: .*nonsense/s,
    );
    assert.equal(ui.texts("error").length, 1);
  });

  test("convert: compacted (and compressed) through a temporary name, then renamed over", async () => {
    const { b, state, signal, ui } = build({ disk_compression: true });
    mkdirSync(b.config.outputDir);
    const disk = join(b.config.outputDir, "disk");
    qemuImg("create", "-f", "qcow2", disk, "64M");
    assert.equal(await new StepConvertDisk(b).run(state, signal), "continue");
    assert.deepEqual(readdirSync(b.config.outputDir), ["disk"]);
    assert.equal(info(disk).format, "qcow2");
    assert.deepEqual(ui.texts("say"), ["Converting hard drive..."]);
    // skip_compaction without compression leaves the disk alone.
    const skip = build({ skip_compaction: true });
    assert.equal(await new StepConvertDisk(skip.b).run(skip.state, skip.signal), "continue");
    assert.deepEqual(skip.ui.calls, []);
  });

  test("disk sizes in bytes", () => {
    assert.equal(diskSizeBytes("40960M"), 40960 * 1024 ** 2);
    assert.equal(diskSizeBytes("3g"), 3 * 1024 ** 3);
    assert.equal(diskSizeBytes("512"), 512);
    assert.equal(diskSizeBytes("1.5G"), undefined);
  });
});

describe("output directory", () => {
  test("an existing one is refused, and left alone", async () => {
    const { b, state } = build();
    mkdirSync(b.config.outputDir);
    writeFileSync(join(b.config.outputDir, "keep"), "x");
    const step = new StepPrepareOutputDir(b);
    assert.equal(await step.run(state), "halt");
    assert.equal(
      state.get(ERROR)?.message,
      `Output directory '${b.config.outputDir}' already exists. It must not exist.`,
    );
    state.set(HALTED, true);
    await step.cleanup(state);
    assert.ok(existsSync(join(b.config.outputDir, "keep")));
  });

  test("-force deletes it first; a failed build deletes the new one; a good build keeps it", async () => {
    const { b, state, ui } = build({}, { force: true });
    mkdirSync(b.config.outputDir);
    writeFileSync(join(b.config.outputDir, "old"), "x");
    const step = new StepPrepareOutputDir(b);
    assert.equal(await step.run(state), "continue");
    assert.deepEqual(readdirSync(b.config.outputDir), []);
    await step.cleanup(state);
    assert.ok(existsSync(b.config.outputDir), "kept after success");
    state.set(HALTED, true);
    await step.cleanup(state);
    assert.ok(!existsSync(b.config.outputDir), "removed after failure");
    assert.deepEqual(ui.texts("say"), [
      "Deleting previous output directory...",
      "Deleting output directory...",
    ]);
  });
});

describe("QEMU", () => {
  function vmState(over: PlainConfig = {}) {
    const t = build({ headless: true, accelerator: "tcg", ...over });
    const tmp = join(t.dir, "tmp");
    mkdirSync(tmp);
    t.state.set(TEMP_DIR, tmp);
    t.state.set(ACCELERATOR, "tcg");
    t.state.set(ISO_PATH, "/nonexistent.iso");
    t.state.set(DISK_PATHS, []);
    return t;
  }

  test("qemuargs are rendered with the build's values before they are merged", () => {
    const { b, state } = vmState({
      qemuargs: [
        ["-netdev", "user,hostfwd=tcp::{{ .SSHHostPort }}-:22,id=forward"],
        ["-device", "virtio-net,netdev=forward,id=net0"],
        ["-smbios", "type=1,serial={{ .Name }}-{{ .HTTPIP }}:{{ .HTTPPort }}"],
      ],
      http_directory: "web",
    });
    state.set(COMM_HOST_PORT, 3333);
    state.set(HTTP_IP, "10.0.2.2");
    state.set(HTTP_PORT, 8123);
    const args = new StepRun(b).commandLine(state, "/tmp/q.sock");
    const at = (k: string) => args[args.indexOf(k) + 1];
    assert.equal(at("-netdev"), "user,hostfwd=tcp::3333-:22,id=forward");
    assert.equal(at("-device"), "virtio-net,netdev=forward,id=net0");
    assert.equal(at("-smbios"), "type=1,serial=disk-10.0.2.2:8123");
    // kiln's own QMP socket comes last, whatever the template says.
    assert.deepEqual(args.slice(-2), ["-qmp", "unix:/tmp/q.sock,server=on,wait=off"]);
  });

  test("a VM that cannot start: the error says what QEMU said", async () => {
    const { b, state, signal, ui } = vmState({ qemuargs: [["-machine", "no-such-machine"]] });
    const step = new StepRun(b);
    try {
      assert.equal(await step.run(state, signal), "halt");
      assert.match(
        state.get(ERROR)?.message ?? "",
        /^Error launching VM: Qemu failed to start:\n.*unsupported machine type/s,
      );
      assert.ok(ui.texts("say").includes("Starting VM, booting from CD-ROM"));
    } finally {
      await step.cleanup();
    }
  });

  test("started, found over QMP; keys typed over QMP without VNC; a guest that ignores the power button times out; cleanup kills QEMU", async () => {
    // An empty disk, no OS: the firmware runs and nothing answers ACPI.
    const { b, state, signal, ui, dir } = vmState({
      shutdown_timeout: "1s",
      disk_image: true,
      disable_vnc: true,
      boot_wait: "0s",
      boot_key_interval: "5ms",
      boot_command: ["Hi <enter><f12>"],
    });
    const disk = join(dir, "empty.qcow2");
    qemuImg("create", "-f", "qcow2", disk, "8M");
    state.set(DISK_PATHS, [disk]);
    const run = new StepRun(b);
    try {
      assert.equal(await run.run(state, signal), "continue", ui.transcript().join("\n"));
      const pid = b.driver.process?.pid;
      assert.ok(pid !== undefined && b.driver.running);
      const status = (await state.require(QMP).execute("query-status")) as { status: string };
      assert.equal(status.status, "running");

      assert.equal(
        await new StepTypeBootCommand(b).run(state, signal),
        "continue",
        ui.transcript().join("\n"),
      );
      assert.ok(ui.texts("say").includes("Typing the boot command over QMP..."));
      assert.ok(
        !ui.texts("say").some((t) => t.startsWith("Waiting")),
        "boot_wait 0s waits for nothing",
      );

      const began = Date.now();
      assert.equal(await new StepShutdown(b).run(state, signal), "halt");
      assert.equal(state.get(ERROR)?.message, "Timeout while waiting for machine to shut down.");
      assert.ok(Date.now() - began < 5000);
      assert.ok(ui.texts("say").includes("Halting the virtual machine..."));
    } finally {
      await run.cleanup();
    }
    assert.equal(b.driver.running, false, "QEMU is gone after the cleanup");
  });

  test("an empty boot_command waits for nothing", async () => {
    const { b, state, signal, ui } = vmState({ boot_wait: "1h" });
    const began = Date.now();
    assert.equal(await new StepTypeBootCommand(b).run(state, signal), "continue");
    assert.ok(Date.now() - began < 100);
    assert.deepEqual(ui.calls, []);
  });
});

describe("small pieces", () => {
  test("the guest's address on a bridge, from /proc/net/arp", () => {
    const table = [
      "IP address       HW type     Flags       HW address            Mask     Device",
      "192.168.121.5    0x1         0x0         52:54:00:12:34:56     *        virbr0",
      "192.168.121.111  0x1         0x2         52:54:00:12:34:56     *        virbr0",
      "10.0.0.9         0x1         0x2         52:54:00:12:34:56     *        br1",
    ].join("\n");
    assert.equal(arpAddress(table, "virbr0", "52:54:00:12:34:56"), "192.168.121.111");
    assert.equal(arpAddress(table, "br1", "52:54:00:12:34:56"), "10.0.0.9");
    assert.equal(arpAddress(table, "virbr0", "52:54:00:aa:bb:cc"), undefined);
  });

  test("the headless console message, in Packer's words", () => {
    assert.equal(vncConnectionMessage(false, "127.0.0.1:5901", undefined), "");
    assert.match(
      vncConnectionMessage(true, "127.0.0.1:5901", undefined),
      /connect via VNC without a password to\nvnc:\/\/127\.0\.0\.1:5901$/,
    );
    assert.match(vncConnectionMessage(true, "127.0.0.1:5901", "abc"), /with the password: abc$/);
    assert.match(
      vncConnectionMessage(true, undefined, undefined),
      /run headless, without a GUI, as configured/,
    );
  });
});
