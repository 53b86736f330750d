import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  defaultArgs,
  mergeQemuArgs,
  overridesSwitch,
  type RunArgsInput,
  smpValue,
} from "../../../src/builders/qemu/args.js";

// The QEMU command line: the default switches for each option (as Packer's
// qemu plugin passes them) and qemuargs merged over them by Packer's rules.

/** Defaults as a build of the default configuration gets them (ISO install, SSH). */
function input(over: Partial<RunArgsInput> = {}): RunArgsInput {
  return {
    vmName: "packer-test",
    machineType: "pc",
    accelerator: "tcg",
    cpuModel: "",
    smp: { cpus: 0, sockets: 0, cores: 0, threads: 0 },
    memory: 512,
    firmware: "",
    usePflash: false,
    diskImage: false,
    diskPaths: ["output-test/packer-test"],
    diskInterface: "virtio",
    diskCache: "writeback",
    diskDiscard: "ignore",
    detectZeroes: "off",
    format: "qcow2",
    netDevice: "virtio-net",
    netBridge: "",
    communicator: "ssh",
    commHostPort: 3456,
    commPort: 22,
    isoPath: "/cache/abc.iso",
    cdromInterface: "",
    vnc: { address: "127.0.0.1", port: 5907, password: false },
    headless: true,
    display: "",
    useDefaultDisplay: false,
    ...over,
  };
}

/** The merged command line as switch → values, to compare without caring about order between switches. */
function bySwitch(args: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i++) {
    const key = args[i]!;
    const next = args[i + 1];
    out[key] ??= [];
    if (next !== undefined && !next.startsWith("-")) {
      out[key].push(next);
      i++;
    }
  }
  return out;
}

const line = (over: Partial<RunArgsInput> = {}, qemuargs: string[][] = []) =>
  mergeQemuArgs(defaultArgs(input(over)), qemuargs, input(over).netDevice);

describe("default switches", () => {
  test("an ISO install with the default options", () => {
    assert.deepEqual(line(), [
      "-name",
      "packer-test",
      "-machine",
      "type=pc,accel=tcg",
      "-smp",
      "1",
      "-m",
      "512M",
      "-boot",
      "once=d",
      "-drive",
      "file=output-test/packer-test,if=virtio,cache=writeback,discard=ignore,format=qcow2",
      "-drive",
      "file=/cache/abc.iso,media=cdrom",
      "-device",
      "virtio-net,netdev=user.0",
      "-netdev",
      "user,id=user.0,hostfwd=tcp::3456-:22",
      "-vnc",
      "127.0.0.1:7",
    ]);
  });

  test("disk_image boots the disk and attaches no ISO; cd_files adds a CD", () => {
    const s = bySwitch(line({ diskImage: true, cdPath: "/tmp/x/cd.iso" }));
    assert.deepEqual(s["-boot"], ["c"]);
    assert.deepEqual(s["-drive"], [
      "file=output-test/packer-test,if=virtio,cache=writeback,discard=ignore,format=qcow2",
      "file=/tmp/x/cd.iso,media=cdrom",
    ]);
  });

  test("machine type, accelerator none, cpu model, memory", () => {
    const s = bySwitch(
      line({ machineType: "q35", accelerator: "none", cpuModel: "host", memory: 2048 }),
    );
    assert.deepEqual(s["-machine"], ["type=q35"]);
    assert.deepEqual(s["-cpu"], ["host"]);
    assert.deepEqual(s["-m"], ["2048M"]);
    assert.equal(bySwitch(line())["-cpu"], undefined);
  });

  test("disk options: interface, cache, discard, detect-zeroes, format, additional disks", () => {
    const s = bySwitch(
      line({
        diskPaths: ["o/vm", "o/vm-1"],
        diskInterface: "ide",
        diskCache: "unsafe",
        diskDiscard: "unmap",
        detectZeroes: "unmap",
        format: "raw",
      }),
    );
    assert.deepEqual(s["-drive"]?.slice(0, 2), [
      "file=o/vm,if=ide,cache=unsafe,discard=unmap,format=raw,detect-zeroes=unmap",
      "file=o/vm-1,if=ide,cache=unsafe,discard=unmap,format=raw,detect-zeroes=unmap",
    ]);
  });

  test("virtio-scsi disks share one controller; CDs on virtio-scsi and ide", () => {
    const scsi = bySwitch(
      line({
        diskPaths: ["o/a", "o/b"],
        diskInterface: "virtio-scsi",
        cdromInterface: "virtio-scsi",
      }),
    );
    assert.deepEqual(scsi["-device"], [
      "virtio-scsi-pci,id=scsi0",
      "scsi-hd,bus=scsi0.0,drive=drive0",
      "scsi-hd,bus=scsi0.0,drive=drive1",
      "virtio-net,netdev=user.0",
      "virtio-scsi-device",
      "scsi-cd,drive=cdrom0",
    ]);
    assert.deepEqual(scsi["-drive"], [
      "if=none,file=o/a,id=drive0,cache=writeback,discard=ignore,format=qcow2",
      "if=none,file=o/b,id=drive1,cache=writeback,discard=ignore,format=qcow2",
      "file=/cache/abc.iso,if=none,index=2,id=cdrom0,media=cdrom",
    ]);
    const ide = bySwitch(line({ cdromInterface: "ide", cdPath: "/c.iso" }));
    assert.deepEqual(ide["-drive"]?.slice(1), [
      "file=/cache/abc.iso,if=ide,index=0,id=cdrom0,media=cdrom",
      "file=/c.iso,if=ide,index=1,id=cdrom1,media=cdrom",
    ]);
  });

  test("network: forwarded port, no communicator, bridge; net_device", () => {
    assert.deepEqual(bySwitch(line({ communicator: "none" }))["-netdev"], ["user,id=user.0"]);
    assert.deepEqual(bySwitch(line({ netBridge: "virbr0" }))["-netdev"], [
      "bridge,id=user.0,br=virbr0",
    ]);
    assert.deepEqual(bySwitch(line({ commHostPort: 2222, commPort: 2200 }))["-netdev"], [
      "user,id=user.0,hostfwd=tcp::2222-:2200",
    ]);
    assert.deepEqual(bySwitch(line({ netDevice: "e1000" }))["-device"], ["e1000,netdev=user.0"]);
  });

  test("VNC with a password, VNC disabled, and the display", () => {
    assert.deepEqual(
      bySwitch(line({ vnc: { address: "0.0.0.0", port: 5999, password: true } }))["-vnc"],
      ["0.0.0.0:99,password=on"],
    );
    const noVnc = bySwitch(line({ vnc: undefined }));
    assert.equal(noVnc["-vnc"], undefined);
    assert.deepEqual(noVnc["-display"], ["none"], "headless without VNC shows nothing");
    assert.deepEqual(bySwitch(line({ headless: false }))["-display"], ["gtk"]);
    assert.deepEqual(bySwitch(line({ headless: false, display: "sdl" }))["-display"], ["sdl"]);
    // display = "none" is read as unset, as in Packer.
    assert.deepEqual(bySwitch(line({ headless: false, display: "none" }))["-display"], ["gtk"]);
    assert.equal(
      bySwitch(line({ headless: false, useDefaultDisplay: true }))["-display"],
      undefined,
    );
    assert.equal(bySwitch(line())["-display"], undefined, "headless with VNC passes no -display");
  });

  test("floppy, QMP socket, firmware by -bios or pflash", () => {
    const s = bySwitch(
      line({ floppyPath: "/t/floppy.img", qmpSocketPath: "o/vm.monitor", firmware: "/fw.bin" }),
    );
    assert.deepEqual(s["-fda"], ["/t/floppy.img"]);
    assert.deepEqual(s["-qmp"], ["unix:o/vm.monitor,server=on,wait=off"]);
    assert.deepEqual(s["-bios"], ["/fw.bin"]);
    const pflash = bySwitch(line({ firmware: "/fw.bin", usePflash: true }));
    assert.equal(pflash["-bios"], undefined);
    assert.ok(pflash["-drive"]?.includes("file=/fw.bin,if=pflash,format=raw,readonly=on"));
  });

  test("UEFI: OVMF code read-only on unit 0, the VM's own copy of the variables on unit 1", () => {
    const s = bySwitch(
      line({ efi: { code: "/usr/share/OVMF/OVMF_CODE.fd", vars: "output-test/efivars.fd" } }),
    );
    assert.deepEqual(s["-drive"]?.slice(-2), [
      "file=/usr/share/OVMF/OVMF_CODE.fd,if=pflash,unit=0,format=raw,readonly=on",
      "file=output-test/efivars.fd,if=pflash,unit=1,format=raw",
    ]);
  });

  test("vTPM: the swtpm socket, the TPM backend and device", () => {
    const s = bySwitch(line({ vtpm: { socketPath: "/t/vtpm.sock", deviceType: "tpm-tis" } }));
    assert.deepEqual(s["-chardev"], ["socket,id=vtpm,path=/t/vtpm.sock"]);
    assert.deepEqual(s["-tpmdev"], ["emulator,id=tpm0,chardev=vtpm"]);
    assert.ok(s["-device"]?.includes("tpm-tis,tpmdev=tpm0"));
  });
});

describe("-smp from cpus, sockets, cores, threads", () => {
  const cases: [Partial<Parameters<typeof smpValue>[0]>, string][] = [
    [{}, "1"],
    [{ cpus: 2 }, "2"],
    [{ sockets: 2 }, "2,sockets=2"],
    [{ cores: 4 }, "4,cores=4"],
    [{ threads: 2 }, "2,threads=2"],
    [{ sockets: 2, cores: 2, threads: 2 }, "8,sockets=2,cores=2,threads=2"],
    [{ cpus: 2, sockets: 1, cores: 4 }, "2,sockets=1,cores=4"],
    [{ cpus: 16, sockets: 1, cores: 4 }, "4,sockets=1,cores=4"],
    [{ cores: 2, threads: 2 }, "4,cores=2,threads=2"],
  ];
  for (const [given, want] of cases) {
    test(`${JSON.stringify(given)} -> ${want}`, () => {
      assert.equal(smpValue({ cpus: 0, sockets: 0, cores: 0, threads: 0, ...given }), want);
    });
  }
});

describe("qemuargs merged over the defaults", () => {
  test("Packer's documented example: -m, --no-acpi, -netdev and -device replace the defaults", () => {
    const args = line({}, [
      ["-m", "1024M"],
      ["--no-acpi", ""],
      ["-netdev", "user,id=mynet0,", "hostfwd=hostip:hostport-guestip:guestport", ""],
      ["-device", "virtio-net,netdev=mynet0"],
    ]);
    const s = bySwitch(args);
    assert.deepEqual(s["-m"], ["1024M"]);
    assert.deepEqual(s["--no-acpi"], []);
    assert.deepEqual(s["-netdev"], ["user,id=mynet0,hostfwd=hostip:hostport-guestip:guestport"]);
    // The card is still virtio-net: no second one is added.
    assert.deepEqual(s["-device"], ["virtio-net,netdev=mynet0"]);
    // The other defaults stay.
    assert.deepEqual(s["-name"], ["packer-test"]);
    assert.deepEqual(s["-boot"], ["once=d"]);
    assert.equal(s["-drive"]?.length, 2);
    // Switches keep the defaults' order; the template's new ones follow.
    assert.equal(args.indexOf("-m"), 6);
    assert.equal(args.at(-1), "--no-acpi");
  });

  test("a switch given twice keeps both values; -device without the net card gets it back", () => {
    const s = bySwitch(
      mergeQemuArgs(
        defaultArgs(input({ netDevice: "mynetdevice" })),
        [
          ["-device", "somerandomdevice"],
          ["-device", "usb-tablet"],
        ],
        "mynetdevice",
      ),
    );
    assert.deepEqual(s["-device"], ["somerandomdevice", "usb-tablet", "mynetdevice,netdev=user.0"]);
  });

  test("-display overrides the default; a -drive override drops every default drive", () => {
    const s = bySwitch(
      line({ headless: false }, [
        ["-display", "partydisplay"],
        ["-drive", "file=mine.qcow2,if=virtio"],
      ]),
    );
    assert.deepEqual(s["-display"], ["partydisplay"]);
    assert.deepEqual(s["-drive"], ["file=mine.qcow2,if=virtio"]);
  });

  test("values after the switch are joined without a separator; empty rows are ignored", () => {
    const args = line({}, [["-machine", "type=q35", ",accel=kvm"], [], ["-S"]]);
    assert.deepEqual(bySwitch(args)["-machine"], ["type=q35,accel=kvm"]);
    assert.equal(args.at(-1), "-S");
  });

  test("overridesSwitch tells whether the template replaced a default switch", () => {
    assert.equal(overridesSwitch([["-vnc", "none"]], "-vnc"), true);
    assert.equal(overridesSwitch([["-m", "1G"]], "-vnc"), false);
  });
});
