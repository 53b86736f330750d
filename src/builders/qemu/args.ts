// The QEMU command line: the builder's default switches (what Packer's qemu
// plugin passes for each option), then the template's `qemuargs` merged over
// them as the plugin merges them. Pure functions of their inputs, so every
// rule is unit-tested without starting a VM.

/** Everything the default switches depend on, resolved by the steps before QEMU starts. */
export interface RunArgsInput {
  vmName: string;
  machineType: string;
  /** The chosen accelerator ("none" adds none to -machine). */
  accelerator: string;
  cpuModel: string;
  smp: SMPConfig;
  memory: number;
  firmware: string;
  usePflash: boolean;
  /** Boot from the disk (disk_image) rather than the CD-ROM. */
  diskImage: boolean;
  diskPaths: string[];
  diskInterface: string;
  diskCache: string;
  diskDiscard: string;
  detectZeroes: string;
  format: string;
  netDevice: string;
  netBridge: string;
  /** "none" leaves the communicator port unforwarded. */
  communicator: string;
  /** The host port forwarded to `commPort` in the guest. */
  commHostPort?: number;
  commPort: number;
  /** The installation ISO (attached unless diskImage). */
  isoPath?: string;
  /** The CD made from cd_files / cd_content. */
  cdPath?: string;
  cdromInterface: string;
  floppyPath?: string;
  /** VNC's address and port (5900 + display); undefined when VNC is disabled. */
  vnc?: { address: string; port: number; password: boolean };
  headless: boolean;
  display: string;
  useDefaultDisplay: boolean;
  /** The user's QMP socket (qmp_enable). */
  qmpSocketPath?: string;
  efi?: { code: string; vars: string };
  vtpm?: { socketPath: string; deviceType: string };
}

export interface SMPConfig {
  cpus: number;
  sockets: number;
  cores: number;
  threads: number;
}

/** The default switches, each with its values (a switch with no value has an empty list). */
export type ArgMap = Map<string, string[]>;

/**
 * The -smp value: the CPU count capped by the topology (sockets × cores ×
 * threads, counting only what is given), followed by the topology itself.
 */
export function smpValue(c: SMPConfig): string {
  let topology = c.sockets;
  if (c.cores > 0 && topology > 0) topology *= c.cores;
  if (topology === 0) topology = c.cores;
  if (c.threads > 0 && topology !== 0) topology *= c.threads;
  if (topology === 0) topology = c.threads;
  if (topology === 0 && c.cpus === 0) return "1";
  let cpus = c.cpus === 0 ? topology : c.cpus;
  if (topology !== 0 && cpus > topology) cpus = topology;
  let out = String(cpus);
  if (c.sockets > 0) out += `,sockets=${c.sockets}`;
  if (c.cores > 0) out += `,cores=${c.cores}`;
  if (c.threads > 0) out += `,threads=${c.threads}`;
  return out;
}

/** The -device and -drive values for the disks, CDs, network card, firmware and TPM. */
function devicesAndDrives(i: RunArgsInput): { devices: string[]; drives: string[] } {
  const devices: string[] = [];
  const drives: string[] = [];
  let scsiIndex = 0;
  i.diskPaths.forEach((path, n) => {
    let drive = `file=${path},if=${i.diskInterface},cache=${i.diskCache},discard=${i.diskDiscard},format=${i.format}`;
    if (i.diskInterface === "virtio-scsi") {
      // One controller for every disk, as the plugin does.
      if (scsiIndex === 0) devices.push("virtio-scsi-pci,id=scsi0");
      devices.push(`scsi-hd,bus=scsi0.0,drive=drive${n}`);
      drive = `if=none,file=${path},id=drive${n},cache=${i.diskCache},discard=${i.diskDiscard},format=${i.format}`;
      scsiIndex++;
    }
    if (i.detectZeroes !== "off") drive += `,detect-zeroes=${i.detectZeroes}`;
    drives.push(drive);
  });

  devices.push(`${i.netDevice},netdev=user.0`);

  const cds: string[] = [];
  if (!i.diskImage && i.isoPath !== undefined) cds.push(i.isoPath);
  if (i.cdPath !== undefined && i.cdPath !== "") cds.push(i.cdPath);
  cds.forEach((path, n) => {
    if (i.cdromInterface === "") {
      drives.push(`file=${path},media=cdrom`);
    } else if (i.cdromInterface === "virtio-scsi") {
      if (scsiIndex === 0) devices.push("virtio-scsi-pci,id=scsi0");
      drives.push(`file=${path},if=none,index=${scsiIndex},id=cdrom${n},media=cdrom`);
      devices.push("virtio-scsi-device", `scsi-cd,drive=cdrom${n}`);
      scsiIndex++;
    } else {
      drives.push(`file=${path},if=${i.cdromInterface},index=${n},id=cdrom${n},media=cdrom`);
    }
  });

  if (i.firmware !== "" && i.usePflash) {
    drives.push(`file=${i.firmware},if=pflash,format=raw,readonly=on`);
  }
  if (i.efi !== undefined) {
    drives.push(`file=${i.efi.code},if=pflash,unit=0,format=raw,readonly=on`);
    drives.push(`file=${i.efi.vars},if=pflash,unit=1,format=raw`);
  }
  if (i.vtpm !== undefined) devices.push(`${i.vtpm.deviceType},tpmdev=tpm0`);
  return { devices, drives };
}

/** The switches the builder passes before `qemuargs` are applied, in the order kiln passes them. */
export function defaultArgs(i: RunArgsInput): ArgMap {
  const args: ArgMap = new Map();
  const set = (key: string, ...values: string[]) => args.set(key, values);

  set("-name", i.vmName);
  set(
    "-machine",
    i.accelerator === "none"
      ? `type=${i.machineType}`
      : `type=${i.machineType},accel=${i.accelerator}`,
  );
  if (i.cpuModel !== "") set("-cpu", i.cpuModel);
  set("-smp", smpValue(i.smp));
  set("-m", `${i.memory}M`);
  if (i.firmware !== "" && !i.usePflash) set("-bios", i.firmware);
  set("-boot", i.diskImage ? "c" : "once=d");

  const { devices, drives } = devicesAndDrives(i);
  if (drives.length > 0) set("-drive", ...drives);
  set("-device", ...devices);

  if (i.netBridge !== "") {
    set("-netdev", `bridge,id=user.0,br=${i.netBridge}`);
  } else if (i.communicator !== "none" && i.commHostPort !== undefined) {
    set("-netdev", `user,id=user.0,hostfwd=tcp::${i.commHostPort}-:${i.commPort}`);
  } else {
    set("-netdev", "user,id=user.0");
  }

  if (i.floppyPath !== undefined) set("-fda", i.floppyPath);

  if (i.vnc !== undefined) {
    const display = `${i.vnc.address}:${i.vnc.port - 5900}`;
    // Packer writes ",password" and ",server,nowait": short-form booleans QEMU deprecated (7.x).
    set("-vnc", i.vnc.password ? `${display},password=on` : display);
  }

  if (!i.headless) {
    // Packer reads display = "none" as "let QEMU choose", like use_default_display.
    if (i.display !== "" && i.display !== "none") set("-display", i.display);
    else if (!i.useDefaultDisplay) set("-display", "gtk");
  } else if (i.vnc === undefined) {
    // Headless without VNC: QEMU would otherwise open its default window.
    set("-display", "none");
  }

  if (i.qmpSocketPath !== undefined) set("-qmp", `unix:${i.qmpSocketPath},server=on,wait=off`);

  if (i.vtpm !== undefined) {
    set("-chardev", `socket,id=vtpm,path=${i.vtpm.socketPath}`);
    set("-tpmdev", "emulator,id=tpm0,chardev=vtpm");
  }
  return args;
}

/**
 * Applies `qemuargs` over the defaults as Packer does: each row is a switch
 * and values joined with no separator (an empty value adds the switch alone);
 * a switch the template names replaces every default value of that switch;
 * the defaults of the other switches stay. If -device no longer mentions the
 * network card, it is added back. Switches keep the defaults' order, the
 * template's new ones follow in its order.
 */
export function mergeQemuArgs(defaults: ArgMap, qemuArgs: string[][], netDevice: string): string[] {
  const user: ArgMap = new Map();
  for (const row of qemuArgs) {
    const key = row[0];
    if (key === undefined || key === "") continue;
    const value = row.slice(1).join("");
    const values = user.get(key) ?? [];
    if (value !== "") values.push(value);
    user.set(key, values);
  }

  const merged: ArgMap = new Map();
  for (const [key, values] of defaults) merged.set(key, user.get(key) ?? values);
  for (const [key, values] of user) if (!merged.has(key)) merged.set(key, values);

  const devices = merged.get("-device");
  if (devices !== undefined && !devices.join("").includes(netDevice)) {
    merged.set("-device", [...devices, `${netDevice},netdev=user.0`]);
  }

  const out: string[] = [];
  for (const [key, values] of merged) {
    if (values.length === 0) out.push(key);
    for (const v of values) out.push(key, v);
  }
  return out;
}

/** Whether the template replaced a default switch (e.g. -vnc, so the builder's VNC port is not used). */
export function overridesSwitch(qemuArgs: string[][], key: string): boolean {
  return qemuArgs.some((row) => row[0] === key);
}
