// The qemu builder's configuration as its steps use it: the decoded options
// (schema.ts) with the defaults that depend on the build (output directory,
// VM name, QMP socket path) filled in and the durations parsed; plus the
// Prepare-time checks that read the file system.

import { statSync } from "node:fs";
import { join } from "node:path";
import { flag, list, map, num, type PlainConfig, str } from "../../components/schema.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";

export interface QemuImgArgs {
  convert: string[];
  create: string[];
  resize: string[];
}

export interface QemuConfig {
  /** The decoded options, for the shared steps that read them by name (StepConnect, key generation). */
  raw: PlainConfig;
  isoUrls: string[];
  isoChecksum: string;
  isoTargetPath: string;
  isoTargetExtension: string;
  isoSkipCache: boolean;
  /** "" or "auto": chosen at run time (accel.ts). */
  accelerator: string;
  diskAdditionalSize: string[];
  cpus: number;
  sockets: number;
  cores: number;
  threads: number;
  cpuModel: string;
  firmware: string;
  usePflash: boolean;
  efiBoot: boolean;
  efiFirmwareCode: string;
  efiFirmwareVars: string;
  efiDropEfivars: boolean;
  diskInterface: string;
  diskSize: string;
  skipResizeDisk: boolean;
  diskCache: string;
  diskDiscard: string;
  detectZeroes: string;
  skipCompaction: boolean;
  diskCompression: boolean;
  format: string;
  headless: boolean;
  diskImage: boolean;
  useBackingFile: boolean;
  machineType: string;
  memory: number;
  netDevice: string;
  netBridge: string;
  outputDir: string;
  qemuArgs: string[][];
  qemuImgArgs: QemuImgArgs;
  qemuBinary: string;
  qmpEnable: boolean;
  /** The user's QMP socket ("" unless qmp_enable). */
  qmpSocketPath: string;
  useDefaultDisplay: boolean;
  display: string;
  vncBindAddress: string;
  vncUsePassword: boolean;
  vncPortMin: number;
  vncPortMax: number;
  vmName: string;
  cdromInterface: string;
  vtpm: boolean;
  useTpm1: boolean;
  tpmDeviceType: string;
  hostPortMin: number;
  hostPortMax: number;
  skipNatMapping: boolean;
  /** "ssh", "winrm" or "none". */
  communicator: string;
  /** The guest port the communicator listens on (ssh_port or winrm_port). */
  commPort: number;
  /** ssh_host / winrm_host: where to connect instead of the forwarded port. */
  commHost: string;
  bootCommand: string[];
  /** How long to wait before typing; 0 or less: no wait. */
  bootWaitMs: number;
  bootWaitText: string;
  bootKeyIntervalMs: number;
  bootGroupIntervalMs: number | undefined;
  disableVnc: boolean;
  httpDirectory: string;
  httpContent: Record<string, string>;
  httpPortMin: number;
  httpPortMax: number;
  httpBindAddress: string;
  cdFiles: string[];
  cdContent: Record<string, string>;
  cdLabel: string;
  floppyFiles: string[];
  floppyDirs: string[];
  floppyContent: Record<string, string>;
  floppyLabel: string;
  shutdownCommand: string;
  shutdownTimeoutMs: number;
  shutdownTimeoutText: string;
}

/** The default key interval of Packer's VNC typing, unless PACKER_KEY_INTERVAL says otherwise. */
const DEFAULT_KEY_INTERVAL_MS = 100;

function strings(c: PlainConfig, key: string): string[] {
  return list(c, key).map((v) => String(v));
}

function stringMap(c: PlainConfig, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map(c, key))) out[k] = String(v);
  return out;
}

/** A Go duration in milliseconds; 0 for "". */
export function goDurationMs(text: string): number {
  if (text === "") return 0;
  return Number(parseGoDuration(text) / 1_000_000n);
}

/** boot_key_interval, else PACKER_KEY_INTERVAL, else 100ms (the SDK's VNC driver rule). */
function keyInterval(c: PlainConfig, env: NodeJS.ProcessEnv): number {
  const given = str(c, "boot_key_interval");
  if (given !== "") return goDurationMs(given);
  const fromEnv = env.PACKER_KEY_INTERVAL;
  if (fromEnv) {
    try {
      return goDurationMs(fromEnv);
    } catch {
      // An unparsable value is ignored, as the SDK ignores it.
    }
  }
  return DEFAULT_KEY_INTERVAL_MS;
}

/** The configuration a build runs with; `sourceName` names the defaults (output-NAME, packer-NAME). */
export function resolveConfig(
  raw: PlainConfig,
  sourceName: string,
  env: NodeJS.ProcessEnv = process.env,
): QemuConfig {
  const c = raw;
  const isoUrl = str(c, "iso_url");
  const communicator = str(c, "communicator") || "ssh";
  const outputDir = str(c, "output_directory") || `output-${sourceName}`;
  const vmName = str(c, "vm_name") || `packer-${sourceName}`;
  const qmpEnable = flag(c, "qmp_enable");
  const imgArgs = map(c, "qemu_img_args") as PlainConfig;
  const bootWaitText = str(c, "boot_wait") || "10s";
  const shutdownTimeoutText = str(c, "shutdown_timeout") || "5m";
  const groupInterval = str(c, "boot_keygroup_interval");
  return {
    raw,
    isoUrls: isoUrl !== "" ? [isoUrl] : strings(c, "iso_urls"),
    isoChecksum: str(c, "iso_checksum"),
    isoTargetPath: str(c, "iso_target_path"),
    isoTargetExtension: str(c, "iso_target_extension") || "iso",
    isoSkipCache: flag(c, "iso_skip_cache"),
    accelerator: str(c, "accelerator"),
    diskAdditionalSize: strings(c, "disk_additional_size"),
    cpus: num(c, "cpus"),
    sockets: num(c, "sockets"),
    cores: num(c, "cores"),
    threads: num(c, "threads"),
    cpuModel: str(c, "cpu_model"),
    firmware: str(c, "firmware"),
    usePflash: flag(c, "use_pflash"),
    efiBoot: flag(c, "efi_boot"),
    efiFirmwareCode: str(c, "efi_firmware_code"),
    efiFirmwareVars: str(c, "efi_firmware_vars"),
    efiDropEfivars: flag(c, "efi_drop_efivars"),
    diskInterface: str(c, "disk_interface") || "virtio",
    diskSize: str(c, "disk_size") || "40960M",
    skipResizeDisk: flag(c, "skip_resize_disk"),
    diskCache: str(c, "disk_cache") || "writeback",
    diskDiscard: str(c, "disk_discard") || "ignore",
    detectZeroes: str(c, "disk_detect_zeroes") || "off",
    skipCompaction: flag(c, "skip_compaction"),
    diskCompression: flag(c, "disk_compression"),
    format: str(c, "format") || "qcow2",
    headless: flag(c, "headless"),
    diskImage: flag(c, "disk_image"),
    useBackingFile: flag(c, "use_backing_file"),
    machineType: str(c, "machine_type") || "pc",
    memory: num(c, "memory") || 512,
    netDevice: str(c, "net_device") || "virtio-net",
    netBridge: str(c, "net_bridge"),
    outputDir,
    qemuArgs: list(c, "qemuargs").map((row) =>
      Array.isArray(row) ? row.map((v) => (v === null ? "" : String(v))) : [],
    ),
    qemuImgArgs: {
      convert: strings(imgArgs, "convert"),
      create: strings(imgArgs, "create"),
      resize: strings(imgArgs, "resize"),
    },
    qemuBinary: str(c, "qemu_binary") || "qemu-system-x86_64",
    qmpEnable,
    qmpSocketPath: qmpEnable
      ? str(c, "qmp_socket_path") || join(outputDir, `${vmName}.monitor`)
      : "",
    useDefaultDisplay: flag(c, "use_default_display"),
    display: str(c, "display"),
    vncBindAddress: str(c, "vnc_bind_address") || "127.0.0.1",
    vncUsePassword: flag(c, "vnc_use_password"),
    vncPortMin: num(c, "vnc_port_min") || 5900,
    vncPortMax: num(c, "vnc_port_max") || 6000,
    vmName,
    cdromInterface: str(c, "cdrom_interface"),
    vtpm: flag(c, "vtpm"),
    useTpm1: flag(c, "use_tpm1"),
    tpmDeviceType: str(c, "tpm_device_type") || "tpm-tis",
    hostPortMin: num(c, "host_port_min") || 2222,
    hostPortMax: num(c, "host_port_max") || 4444,
    skipNatMapping: flag(c, "skip_nat_mapping"),
    communicator,
    commPort: communicator === "winrm" ? num(c, "winrm_port") || 5985 : num(c, "ssh_port") || 22,
    commHost: communicator === "winrm" ? str(c, "winrm_host") : str(c, "ssh_host"),
    bootCommand: strings(c, "boot_command"),
    bootWaitMs: goDurationMs(bootWaitText),
    bootWaitText,
    bootKeyIntervalMs: keyInterval(c, env),
    bootGroupIntervalMs: groupInterval !== "" ? goDurationMs(groupInterval) : undefined,
    disableVnc: flag(c, "disable_vnc"),
    httpDirectory: str(c, "http_directory"),
    httpContent: stringMap(c, "http_content"),
    httpPortMin: num(c, "http_port_min") || 8000,
    httpPortMax: num(c, "http_port_max") || 9000,
    httpBindAddress: str(c, "http_bind_address") || "0.0.0.0",
    cdFiles: strings(c, "cd_files"),
    cdContent: stringMap(c, "cd_content"),
    cdLabel: str(c, "cd_label"),
    floppyFiles: strings(c, "floppy_files"),
    floppyDirs: strings(c, "floppy_dirs"),
    floppyContent: stringMap(c, "floppy_content"),
    floppyLabel: str(c, "floppy_label"),
    shutdownCommand: str(c, "shutdown_command"),
    shutdownTimeoutMs: goDurationMs(shutdownTimeoutText),
    shutdownTimeoutText,
  };
}

/** Go's os.Stat error text for a path ("stat x: no such file or directory"), or undefined when it exists. */
function statError(path: string): string | undefined {
  try {
    statSync(path);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file or directory"
        : code === "EACCES"
          ? "permission denied"
          : code === "ENOTDIR"
            ? "not a directory"
            : (err as Error).message;
    return `stat ${path}: ${reason}`;
  }
}

const hasGlob = (p: string) => /[*?[]/.test(p);

/**
 * The Prepare errors and warnings that need the file system (or the
 * accelerator's choice), worded as the plugin words them: floppy and CD files
 * that do not exist, and the combinations kiln runs differently.
 */
export function prepareChecks(raw: PlainConfig): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const path of strings(raw, "floppy_files")) {
    if (hasGlob(path)) continue;
    const err = statError(path);
    if (err !== undefined) errors.push(`Bad Floppy disk file '${path}': ${err}`);
  }
  for (const path of strings(raw, "floppy_dirs")) {
    if (hasGlob(path)) continue;
    const err = statError(path);
    if (err !== undefined) errors.push(`Bad Floppy disk directory '${path}': ${err}`);
  }
  for (const path of strings(raw, "cd_files")) {
    if (hasGlob(path)) continue;
    const err = statError(path);
    if (err !== undefined) errors.push(`Bad CD disk file '${path}': ${err}`);
  }
  const communicator = str(raw, "communicator") || "ssh";
  if (communicator === "winrm") {
    errors.push(
      'communicator = "winrm" is not supported by kiln yet: the qemu builder connects over "ssh" or "none"',
    );
  }
  if (flag(raw, "run_once")) warnings.push("run_once is deprecated and has no effect");
  return { errors, warnings };
}
