// The qemu builder's own steps, in the order the plugin runs them: a
// temporary directory, the output directory, the UEFI variables, the disks
// (create, copy, resize), the HTTP address, the forwarded communicator port,
// VNC, the accelerator, QEMU itself, the boot command, shutdown and the final
// conversion. Step names are the plugin's, so -debug and -on-error=ask name
// them as Packer does. Every process, port and temporary file a step makes is
// undone by its cleanup, after success, failure and Ctrl-C alike.

import { randomInt } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { extname, join, resolve } from "node:path";
import { connectVNC, type KeyDriver, typeBootCommand } from "../../engine/bootcommand/index.js";
import type { BuildContext } from "../../engine/context.js";
import {
  CANCELLED,
  ERROR,
  HALTED,
  type StateBag,
  type Step,
  type StepAction,
  stateKey,
} from "../../engine/multistep/index.js";
import { leasePort, type PortLease } from "../../engine/ports.js";
import { CD_PATH } from "../../engine/steps/cd.js";
import { SSH_TEMPORARY_KEY } from "../../engine/steps/connect.js";
import { ISO_PATH } from "../../engine/steps/download.js";
import { FLOPPY_PATH } from "../../engine/steps/floppy.js";
import { HTTP_IP, HTTP_PORT } from "../../engine/steps/http-server.js";
import { COMMUNICATOR } from "../../engine/steps/provision.js";
import { host } from "../../host/index.js";
import { type RunningProcess, start } from "../../process/index.js";
import { runWithUi } from "../../provisioners/shell/remote-cmd.js";
import { type GoValue, interpolate } from "../../template/legacy/interpolate/index.js";
import { sleep } from "../../util/sleep.js";
import { chooseAccelerator, isAutomatic, probeKVM } from "./accel.js";
import { defaultArgs, mergeQemuArgs, overridesSwitch, type RunArgsInput } from "./args.js";
import type { QemuConfig } from "./config.js";
import type { QemuDriver } from "./driver.js";
import { QMPClient } from "./qmp.js";

/** What every step of one qemu build shares. */
export interface QemuBuild {
  config: QemuConfig;
  ctx: BuildContext;
  driver: QemuDriver;
}

/** kiln's own scratch directory for this build (QMP socket, vTPM state, dropped UEFI variables). */
export const TEMP_DIR = stateKey<string>("qemu_temp_dir");
/** The VM's disks: the main one, then the additional ones. */
export const DISK_PATHS = stateKey<string[]>("qemu_disk_paths");
/** The host port forwarded to the guest's communicator port. */
export const COMM_HOST_PORT = stateKey<number>("commHostPort");
export const VNC_PORT = stateKey<number>("vnc_port");
export const VNC_PASSWORD = stateKey<string>("vnc_password");
/** The VM's writable copy of the UEFI variables. */
export const EFIVARS_PATH = stateKey<string>("EFI_VARS_FILE_PATH");
export const VTPM_SOCKET = stateKey<string>("qemu_swtpm_socket_path");
/** The accelerator the VM runs with (after choosing, when the template leaves it open). */
export const ACCELERATOR = stateKey<string>("qemu_accelerator");
/** kiln's QMP connection to the running VM (its private socket, whatever the template says). */
export const QMP = stateKey<QMPClient>("qemu_qmp");
/** The guest's address on net_bridge. */
export const GUEST_ADDRESS = stateKey<string>("guestAddress");
/** The QEMU command line the VM was started with. */
export const QEMU_ARGS = stateKey<string[]>("qemu_args");

/** Records a step's error (shown, as the plugin shows it) and halts. */
function fail(b: QemuBuild, state: StateBag, message: string, cause?: unknown): StepAction {
  state.set(ERROR, new Error(message, cause !== undefined ? { cause } : undefined));
  b.ctx.ui.error(message);
  return "halt";
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Renders a template string's `{{ .Field }}`s for this build. */
export function render(ctx: BuildContext, text: string, data: Record<string, GoValue>): string {
  if (!text.includes("{{")) return text;
  const r = interpolate(text, {
    data,
    buildName: ctx.info.sourceName,
    buildType: ctx.info.type,
    packerVersion: ctx.info.packerVersion,
    templatePath: join(ctx.info.templateDir, "template"),
  });
  const diag = r.diags[0];
  if (diag !== undefined) throw new Error(diag.detail ?? diag.summary);
  return r.value;
}

/** The `{{ .Field }}`s of boot_command and the *_content maps. */
function templateData(b: QemuBuild, state: StateBag): Record<string, GoValue> {
  return {
    HTTPIP: state.get(HTTP_IP) ?? httpIPFor(b.config),
    HTTPPort: state.get(HTTP_PORT) ?? 0,
    Name: b.config.vmName,
    SSHPublicKey: state.get(SSH_TEMPORARY_KEY)?.publicKey ?? "",
  };
}

/** A content map (cd_content, floppy_content, http_content) with its values rendered. */
export function renderContent(
  b: QemuBuild,
  state: StateBag,
  content: Record<string, string>,
): Record<string, string> {
  const data = templateData(b, state);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(content)) out[k] = render(b.ctx, v, data);
  return out;
}

/**
 * A shared step built only when it runs, from what earlier steps found (the
 * temporary key, the HTTP address), so that its options can be rendered.
 */
export class LateStep implements Step {
  private inner: Step | undefined;

  constructor(
    readonly name: string,
    private readonly make: (state: StateBag) => Step,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    this.inner = this.make(state);
    return this.inner.run(state, signal);
  }

  async cleanup(state: StateBag): Promise<void> {
    await this.inner?.cleanup?.(state);
  }
}

/** The scratch directory; removed with everything in it at the end. */
export class StepTempDir implements Step {
  readonly name = "StepTempDir";
  private dir: string | undefined;
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    try {
      this.dir = await host.makeTempDir("kiln-qemu-");
    } catch (err) {
      return fail(this.b, state, `Error making temp dir: ${errorText(err)}`, err);
    }
    state.set(TEMP_DIR, this.dir);
    return "continue";
  }

  async cleanup(): Promise<void> {
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** iso_skip_cache: QEMU reads iso_url itself, so its URL is the ISO's path. */
export class StepSetISO implements Step {
  readonly name = "stepSetISO";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const url = this.b.config.isoUrls[0];
    if (url === undefined) return fail(this.b, state, "No iso_url to use");
    state.set(ISO_PATH, url);
    return "continue";
  }
}

/**
 * The output directory: refused when it exists (unless -force, which deletes
 * it first); deleted again when the build fails or is cancelled.
 */
export class StepPrepareOutputDir implements Step {
  readonly name = "stepPrepareOutputDir";
  private created = false;
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const { config, ctx } = this.b;
    const dir = config.outputDir;
    if (await exists(dir)) {
      if (!ctx.info.force) {
        return fail(this.b, state, `Output directory '${dir}' already exists. It must not exist.`);
      }
      ctx.ui.say("Deleting previous output directory...");
      try {
        await rm(dir, { recursive: true, force: true });
      } catch (err) {
        return fail(this.b, state, errorText(err), err);
      }
    }
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
    } catch (err) {
      return fail(this.b, state, errorText(err), err);
    }
    this.created = true;
    return "continue";
  }

  async cleanup(state: StateBag): Promise<void> {
    if (!this.created) return;
    if (!state.get(CANCELLED) && !state.get(HALTED)) return;
    this.b.ctx.ui.say("Deleting output directory...");
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await rm(this.b.config.outputDir, { recursive: true, force: true });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

/** With UEFI, a writable copy of the firmware's variables (in the output directory, as Packer keeps it). */
export class StepPrepareEfivars implements Step {
  readonly name = "stepPrepareEfivars";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const { config } = this.b;
    if (!config.efiBoot) return "continue";
    const dir = config.efiDropEfivars ? state.require(TEMP_DIR) : config.outputDir;
    const target = join(dir, "efivars.fd");
    try {
      await copyFile(config.efiFirmwareVars, target);
    } catch (err) {
      return fail(
        this.b,
        state,
        `failed to read from efivars file at ${config.efiFirmwareVars}: ${errorText(err)}`,
        err,
      );
    }
    state.set(EFIVARS_PATH, target);
    return "continue";
  }
}

/** The disks qemu-img creates: the main disk (unless it is copied from disk_image) and the additional ones. */
export class StepCreateDisk implements Step {
  readonly name = "stepCreateDisk";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    const paths = [join(config.outputDir, config.vmName)];
    const sizes = [config.diskSize];
    config.diskAdditionalSize.forEach((size, i) => {
      paths.push(join(config.outputDir, `${config.vmName}-${i + 1}`));
      sizes.push(size);
    });
    let said = false;
    for (const [i, path] of paths.entries()) {
      // The copy step makes the main disk from the image.
      if (i === 0 && config.diskImage && !config.useBackingFile) continue;
      if (!said) ctx.ui.say("Creating required virtual machine disks");
      said = true;
      const args = ["create", "-f", config.format];
      if (i === 0 && config.diskImage && config.useBackingFile) {
        // qemu-img resolves a relative backing path against the new disk's folder.
        args.push("-b", resolve(state.require(ISO_PATH)), "-F", "qcow2");
      }
      args.push(...config.qemuImgArgs.create, path, sizes[i]!);
      try {
        await driver.qemuImg(args, signal);
      } catch (err) {
        if (signal.aborted) return "halt";
        return fail(this.b, state, `Error creating hard drive: ${errorText(err)}`, err);
      }
    }
    state.set(DISK_PATHS, paths);
    return "continue";
  }
}

/** disk_image: the image copied (or converted) into the output directory as the main disk. */
export class StepCopyDisk implements Step {
  readonly name = "stepCopyDisk";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    if (!config.diskImage || config.useBackingFile) return "continue";
    const source = state.require(ISO_PATH);
    const target = join(config.outputDir, config.vmName);
    const ext = extname(source).slice(1);
    if (ext === config.format && config.qemuImgArgs.convert.length === 0) {
      ctx.ui.message(
        "File extension already matches desired output format. Skipping qemu-img convert step",
      );
      try {
        await driver.copy(source, target);
      } catch (err) {
        return fail(this.b, state, errorText(err), err);
      }
      return "continue";
    }
    ctx.ui.say("Copying hard drive...");
    const args = ["convert", ...config.qemuImgArgs.convert, "-O", config.format, source, target];
    try {
      await driver.qemuImg(args, signal);
    } catch (err) {
      if (signal.aborted) return "halt";
      return fail(this.b, state, `Error creating hard drive: ${errorText(err)}`, err);
    }
    return "continue";
  }
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** A disk_size in bytes ("40960M", "20G"); undefined when it is not in that form. */
export function diskSizeBytes(size: string): number | undefined {
  const m = /^(\d+)([bkmgt]?)$/i.exec(size.trim());
  if (!m) return undefined;
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

/** disk_image: the main disk grown to disk_size (never shrunk: qemu-img would refuse). */
export class StepResizeDisk implements Step {
  readonly name = "stepResizeDisk";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    if (!config.diskImage || config.skipResizeDisk) return "continue";
    const path = join(config.outputDir, config.vmName);
    const wanted = diskSizeBytes(config.diskSize);
    if (wanted !== undefined) {
      try {
        const { virtualSize } = await driver.imageInfo(path, signal);
        if (virtualSize >= wanted) {
          ctx.ui.message(
            `The disk is already ${virtualSize} bytes, not smaller than disk_size ${config.diskSize}: not resizing it`,
          );
          return "continue";
        }
      } catch {
        // Let the resize itself report what is wrong with the image.
      }
    }
    ctx.ui.say("Resizing hard drive...");
    const args = [
      "resize",
      "-f",
      config.format,
      ...config.qemuImgArgs.resize,
      path,
      config.diskSize,
    ];
    try {
      await driver.qemuImg(args, signal);
    } catch (err) {
      if (signal.aborted) return "halt";
      return fail(this.b, state, `Error creating hard drive: ${errorText(err)}`, err);
    }
    return "continue";
  }
}

/** The address the guest reaches the host at: QEMU's user-network gateway, or the host's address on net_bridge. */
export function httpIPFor(config: QemuConfig): string {
  if (config.netBridge === "") return "10.0.2.2";
  const addrs = networkInterfaces()[config.netBridge];
  if (addrs === undefined) {
    throw new Error(
      `Error getting the bridge ${config.netBridge} interface: route ip+net: no such network interface`,
    );
  }
  const v4 = addrs.find((a) => a.family === "IPv4");
  if (v4 === undefined) {
    throw new Error(
      `Error getting an IPv4 address from the bridge ${config.netBridge}: cannot find any IPv4 address`,
    );
  }
  return v4.address;
}

export class StepHTTPIPDiscover implements Step {
  readonly name = "stepHTTPIPDiscover";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    try {
      state.set(HTTP_IP, httpIPFor(this.b.config));
    } catch (err) {
      return fail(this.b, state, errorText(err), err);
    }
    return "continue";
  }
}

/** The host port forwarded to the guest's SSH (or WinRM) port over QEMU's user network. */
export class StepPortForward implements Step {
  readonly name = "stepPortForward";
  private lease: PortLease | undefined;
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const { config, ctx } = this.b;
    if (config.communicator === "none") {
      ctx.ui.message("No communicator is set; skipping port forwarding setup.");
      return "continue";
    }
    if (config.netBridge !== "") {
      ctx.ui.message("net_bridge is set; skipping port forwarding setup.");
      return "continue";
    }
    if (config.skipNatMapping) {
      state.set(COMM_HOST_PORT, config.commPort);
      return "continue";
    }
    ctx.ui.say(
      `Looking for available communicator (SSH, WinRM, etc) port between ${config.hostPortMin} and ${config.hostPortMax}`,
    );
    try {
      this.lease = await leasePort(config.hostPortMin, config.hostPortMax, "127.0.0.1");
    } catch (err) {
      return fail(this.b, state, `Error finding port: ${errorText(err)}`, err);
    }
    ctx.ui.say(`Found port for communicator (SSH, WinRM, etc): ${this.lease.port}.`);
    state.set(COMM_HOST_PORT, this.lease.port);
    return "continue";
  }

  async cleanup(): Promise<void> {
    this.lease?.release();
    this.lease = undefined;
  }
}

const VNC_PASSWORD_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A random 8-character VNC password (VNC uses no more than 8). */
export function vncPassword(): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += VNC_PASSWORD_CHARS[randomInt(VNC_PASSWORD_CHARS.length)];
  return out;
}

/** The VNC display's port (unless disable_vnc), and its password with vnc_use_password. */
export class StepConfigureVNC implements Step {
  readonly name = "stepConfigureVNC";
  private lease: PortLease | undefined;
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const { config, ctx } = this.b;
    if (config.disableVnc) return "continue";
    ctx.ui.say(
      `Looking for available port between ${config.vncPortMin} and ${config.vncPortMax} on ${config.vncBindAddress}`,
    );
    try {
      this.lease = await leasePort(config.vncPortMin, config.vncPortMax, config.vncBindAddress);
    } catch (err) {
      return fail(this.b, state, `Error finding VNC port: ${errorText(err)}`, err);
    }
    state.set(VNC_PORT, this.lease.port);
    if (config.vncUsePassword) {
      const password = vncPassword();
      ctx.addSecret(password);
      state.set(VNC_PASSWORD, password);
    }
    return "continue";
  }

  async cleanup(): Promise<void> {
    this.lease?.release();
    this.lease = undefined;
  }
}

/** vtpm: an swtpm process the VM's TPM talks to over a socket in the scratch directory. */
export class StepCreateVTPM implements Step {
  readonly name = "stepCreatevTPM";
  private swtpm: RunningProcess | undefined;
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag): Promise<StepAction> {
    const { config } = this.b;
    if (!config.vtpm) return "continue";
    if (host.isWindows) return fail(this.b, state, "vTPM is only supported on UNIX OSes for now");
    const dir = join(state.require(TEMP_DIR), "vtpm");
    await mkdir(dir, { recursive: true });
    const socket = join(dir, "vtpm.sock");
    const args = ["socket", "--tpmstate", `dir=${dir}`, "--ctrl", `type=unixio,path=${socket}`];
    if (!config.useTpm1) args.push("--tpm2");
    this.swtpm = start("swtpm", args, { reject: false });
    try {
      await this.swtpm.ready();
    } catch (err) {
      return fail(
        this.b,
        state,
        `failed to locate swtpm (${errorText(err)}), this is required for vTPM support`,
        err,
      );
    }
    // QEMU connects as soon as it starts: wait for the socket.
    for (let i = 0; i < 100 && !(await exists(socket)); i++) {
      if (!this.swtpm.running) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!(await exists(socket))) {
      const r = await this.swtpm.stop();
      return fail(this.b, state, `failed to start swtpm: ${r.stderr.trim() || "no socket"}`);
    }
    state.set(VTPM_SOCKET, socket);
    return "continue";
  }

  async cleanup(): Promise<void> {
    await this.swtpm?.stop({ timeoutMs: 1000 });
    this.swtpm = undefined;
  }
}

/** The accelerator, chosen (and KVM checked) when the template leaves it to the builder. */
export class StepChooseAccelerator implements Step {
  readonly name = "stepChooseAccelerator";
  constructor(
    private readonly b: QemuBuild,
    private readonly probe = probeKVM,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx } = this.b;
    const automatic = isAutomatic(config.accelerator) && !host.isWindows;
    const found = automatic ? await this.probe(config.qemuBinary, signal) : undefined;
    if (signal.aborted) return "halt";
    const choice = chooseAccelerator(config.accelerator, found);
    if (choice.warning !== undefined) ctx.ui.error(`Warning: ${choice.warning}`);
    state.set(ACCELERATOR, choice.accelerator);
    return "continue";
  }
}

/** What the VM's headless console message says (Packer's wording). */
export function vncConnectionMessage(
  headless: boolean,
  address: string | undefined,
  password: string | undefined,
): string {
  if (!headless) return "";
  if (address === undefined) {
    return (
      "The VM will be run headless, without a GUI, as configured.\n" +
      "If the run isn't succeeding as you expect, please enable the GUI\n" +
      "to inspect the progress of the build."
    );
  }
  if (password !== undefined && password !== "") {
    return (
      "The VM will be run headless, without a GUI. If you want to\n" +
      `view the screen of the VM, connect via VNC to vnc://${address}\n` +
      `with the password: ${password}`
    );
  }
  return (
    "The VM will be run headless, without a GUI. If you want to\n" +
    "view the screen of the VM, connect via VNC without a password to\n" +
    `vnc://${address}`
  );
}

/** The last lines QEMU wrote to stderr, for an error message. */
function qemuOutput(result: { stderr: string; stdout: string }): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-10).join("\n");
  return text;
}

/**
 * Starts QEMU with the default switches and qemuargs merged over them, plus
 * a QMP socket of kiln's own in the scratch directory (Packer has none: it
 * kills QEMU to stop it). The VM counts as started once that socket answers;
 * QEMU exiting first is reported with what it printed.
 */
export class StepRun implements Step {
  readonly name = "stepRun";
  private qmp: QMPClient | undefined;
  constructor(private readonly b: QemuBuild) {}

  /** The full QEMU argument list for the current state. */
  commandLine(state: StateBag, controlSocket: string): string[] {
    const { config, ctx } = this.b;
    const vncPort = state.get(VNC_PORT);
    const efivars = state.get(EFIVARS_PATH);
    const vtpm = state.get(VTPM_SOCKET);
    const input: RunArgsInput = {
      vmName: config.vmName,
      machineType: config.machineType,
      accelerator: state.require(ACCELERATOR),
      cpuModel: config.cpuModel,
      smp: {
        cpus: config.cpus,
        sockets: config.sockets,
        cores: config.cores,
        threads: config.threads,
      },
      memory: config.memory,
      firmware: config.firmware,
      usePflash: config.usePflash,
      diskImage: config.diskImage,
      diskPaths: state.get(DISK_PATHS) ?? [],
      diskInterface: config.diskInterface,
      diskCache: config.diskCache,
      diskDiscard: config.diskDiscard,
      detectZeroes: config.detectZeroes,
      format: config.format,
      netDevice: config.netDevice,
      netBridge: config.netBridge,
      communicator: config.communicator,
      commPort: config.commPort,
      cdromInterface: config.cdromInterface,
      headless: config.headless,
      display: config.display,
      useDefaultDisplay: config.useDefaultDisplay,
    };
    const commHostPort = state.get(COMM_HOST_PORT);
    if (commHostPort !== undefined) input.commHostPort = commHostPort;
    const iso = state.get(ISO_PATH);
    if (iso !== undefined) input.isoPath = iso;
    const cd = state.get(CD_PATH);
    if (cd !== undefined) input.cdPath = cd;
    const floppy = state.get(FLOPPY_PATH);
    if (floppy !== undefined) input.floppyPath = floppy;
    if (vncPort !== undefined) {
      input.vnc = {
        address: config.vncBindAddress,
        port: vncPort,
        password: config.vncUsePassword,
      };
    }
    if (config.qmpEnable) input.qmpSocketPath = config.qmpSocketPath;
    if (config.efiBoot && efivars !== undefined) {
      input.efi = { code: config.efiFirmwareCode, vars: efivars };
    }
    if (vtpm !== undefined) input.vtpm = { socketPath: vtpm, deviceType: config.tpmDeviceType };

    let user: string[][] = [];
    if (config.qemuArgs.length > 0) {
      ctx.ui.say("Overriding default Qemu arguments with qemuargs template option...");
      const data = {
        HTTPIP: state.get(HTTP_IP) ?? "",
        HTTPPort: state.get(HTTP_PORT) ?? 0,
        HTTPDir: config.httpDirectory,
        HTTPContent: config.httpContent,
        OutputDir: config.outputDir,
        Name: config.vmName,
        SSHHostPort: config.communicator !== "none" ? (commHostPort ?? 0) : 0,
      };
      user = config.qemuArgs.map((row) => row.map((arg) => render(ctx, arg, data)));
    }
    const args = mergeQemuArgs(defaultArgs(input), user, config.netDevice);
    args.push("-qmp", `unix:${controlSocket},server=on,wait=off`);
    return args;
  }

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    ctx.ui.say(
      config.diskImage ? "Starting VM, booting disk image" : "Starting VM, booting from CD-ROM",
    );
    const accelerator = state.require(ACCELERATOR);
    if (accelerator === "none") {
      ctx.ui.message(
        "WARNING: The VM will be started with no hardware acceleration.\n" +
          "The installation may take considerably longer to finish.\n",
      );
    }
    const vncPort = state.get(VNC_PORT);
    const message = vncConnectionMessage(
      config.headless,
      vncPort !== undefined ? `${config.vncBindAddress}:${vncPort}` : undefined,
      state.get(VNC_PASSWORD),
    );
    if (message !== "") ctx.ui.message(message);

    const controlSocket = join(state.require(TEMP_DIR), "qmp.sock");
    let args: string[];
    try {
      args = this.commandLine(state, controlSocket);
    } catch (err) {
      return fail(this.b, state, `Error processing QemuArgs: ${errorText(err)}`, err);
    }
    state.set(QEMU_ARGS, args);

    const vm = driver.startVM(args);
    try {
      await vm.ready();
    } catch (err) {
      return fail(this.b, state, `Error launching VM: ${errorText(err)}`, err);
    }
    // Connecting stops when the build is cancelled or QEMU exits, whichever comes first.
    const giveUp = new AbortController();
    const onAbort = () => giveUp.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const connecting = QMPClient.connect(controlSocket, giveUp.signal, { timeoutMs: 60_000 });
    const outcome = await Promise.race([
      connecting.then(
        (qmp) => ({ qmp }) as const,
        (error: unknown) => ({ error }) as const,
      ),
      vm.exited().then((result) => ({ result }) as const),
    ]);
    signal.removeEventListener("abort", onAbort);
    if ("result" in outcome) {
      giveUp.abort();
      connecting.then((q) => q.close()).catch(() => {});
      const output = qemuOutput(outcome.result);
      return fail(
        this.b,
        state,
        `Error launching VM: Qemu failed to start${output !== "" ? `:\n${output}` : "."}`,
      );
    }
    if ("error" in outcome) {
      if (signal.aborted) return "halt";
      return fail(this.b, state, `Error launching VM: ${errorText(outcome.error)}`, outcome.error);
    }
    this.qmp = outcome.qmp;
    state.set(QMP, outcome.qmp);

    const password = state.get(VNC_PASSWORD);
    if (password !== undefined) {
      try {
        await outcome.qmp.execute("change-vnc-password", { password });
      } catch (err) {
        return fail(this.b, state, `Error setting the VNC password: ${errorText(err)}`, err);
      }
    }
    if (config.qmpEnable) ctx.ui.say(`QMP socket at: ${config.qmpSocketPath}`);
    return "continue";
  }

  async cleanup(): Promise<void> {
    const { config, driver } = this.b;
    await this.qmp?.close().catch(() => {});
    this.qmp = undefined;
    await driver.stop();
    if (config.qmpEnable) await rm(config.qmpSocketPath, { force: true }).catch(() => {});
  }
}

/** The MAC address of the VM's network card, from QMP. */
async function guestMAC(qmp: QMPClient): Promise<string | undefined> {
  const filters = (await qmp.execute("query-rx-filter")) as {
    name?: string;
    "main-mac"?: string;
  }[];
  return filters.find((f) => f.name === "user.0")?.["main-mac"];
}

/** The IPv4 address /proc/net/arp knows for `mac` on `device` (complete entries only). */
export function arpAddress(table: string, device: string, mac: string): string | undefined {
  const ATF_COM = 0x02;
  for (const line of table.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [ip, , flags, hw, , dev] = f as [string, string, string, string, string, string];
    if (device !== "" && dev !== device) continue;
    if (hw.toLowerCase() !== mac.toLowerCase()) continue;
    if ((Number.parseInt(flags, 16) & ATF_COM) === ATF_COM) return ip;
  }
  return undefined;
}

/** net_bridge: waits for the guest to appear in the host's ARP table, for StepConnect's address. */
export class StepWaitGuestAddress implements Step {
  readonly name = "stepWaitGuestAddress";
  constructor(
    private readonly b: QemuBuild,
    private readonly timeoutMs: number,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx } = this.b;
    if (config.communicator === "none" || config.netBridge === "") return "continue";
    ctx.ui.say(
      `Waiting for the guest address to become available in the ${config.netBridge} network bridge...`,
    );
    const qmp = state.require(QMP);
    const deadline = Date.now() + this.timeoutMs;
    while (!signal.aborted) {
      try {
        const mac = await guestMAC(qmp);
        const table = await readFile("/proc/net/arp", "utf8");
        const ip = mac !== undefined ? arpAddress(table, config.netBridge, mac) : undefined;
        if (ip !== undefined) {
          state.set(GUEST_ADDRESS, ip);
          return "continue";
        }
      } catch {
        // Not there yet; try again.
      }
      if (Date.now() >= deadline) {
        return fail(
          this.b,
          state,
          `Timeout waiting for the guest address in the ${config.netBridge} network bridge`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    return "halt";
  }
}

/** A host to connect to for a bind address (a VNC server bound to every address is reached on loopback). */
function connectHost(address: string): string {
  if (address === "0.0.0.0" || address === "") return "127.0.0.1";
  if (address === "::") return "::1";
  return address;
}

/**
 * Types boot_command: after boot_wait, over VNC, or over QMP when the VM has
 * no VNC display of kiln's (disable_vnc, or a -vnc in qemuargs). Nothing to
 * type means no wait at all.
 */
export class StepTypeBootCommand implements Step {
  readonly name = "stepTypeBootCommand";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx } = this.b;
    if (config.bootCommand.length === 0) return "continue";
    if (config.bootWaitMs > 0) {
      ctx.ui.say(`Waiting ${config.bootWaitText} for boot...`);
      if (!(await sleep(config.bootWaitMs, signal))) return "halt";
    }
    let command: string[];
    try {
      const data = templateData(this.b, state);
      command = config.bootCommand.map((entry) => render(ctx, entry, data));
    } catch (err) {
      return fail(this.b, state, `Error preparing boot command: ${errorText(err)}`, err);
    }

    const vncPort = state.get(VNC_PORT);
    let driver: KeyDriver;
    if (vncPort !== undefined && !overridesSwitch(config.qemuArgs, "-vnc")) {
      const address = connectHost(config.vncBindAddress);
      ctx.ui.say(`Connecting to VM via VNC (${address}:${vncPort})`);
      try {
        const password = state.get(VNC_PASSWORD);
        driver = await connectVNC({
          host: address,
          port: vncPort,
          signal,
          ...(password !== undefined ? { password } : {}),
        });
      } catch (err) {
        if (signal.aborted) return "halt";
        return fail(this.b, state, `Error connecting to VNC: ${errorText(err)}`, err);
      }
    } else {
      driver = state.require(QMP).keyDriver();
    }
    try {
      await typeBootCommand({
        driver,
        command,
        keyIntervalMs: config.bootKeyIntervalMs,
        ...(config.bootGroupIntervalMs !== undefined
          ? { groupIntervalMs: config.bootGroupIntervalMs }
          : {}),
        signal,
        ui: ctx.ui,
      });
    } catch (err) {
      if (signal.aborted) return "halt";
      return fail(this.b, state, `Error running boot command: ${errorText(err)}`, err);
    } finally {
      await driver.close().catch(() => {});
    }
    return "continue";
  }
}

/**
 * Stops the guest: shutdown_command over the communicator, or without one an
 * ACPI power-button press over QMP; then waits up to shutdown_timeout for
 * QEMU to exit. A VM still running then fails the build (StepRun's cleanup
 * kills it).
 */
export class StepShutdown implements Step {
  readonly name = "stepShutdown";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    if (config.shutdownCommand !== "" && config.communicator !== "none") {
      const comm = state.require(COMMUNICATOR);
      ctx.ui.say("Gracefully halting virtual machine...");
      try {
        await runWithUi(comm, config.shutdownCommand, ctx.ui, signal);
      } catch (err) {
        if (signal.aborted) return "halt";
        return fail(this.b, state, `Failed to send shutdown command: ${errorText(err)}`, err);
      }
    } else {
      ctx.ui.say("Halting the virtual machine...");
      try {
        await state.require(QMP).execute("system_powerdown");
      } catch (err) {
        if (!driver.running) return "continue";
        return fail(this.b, state, `Error stopping VM: ${errorText(err)}`, err);
      }
    }
    const stopped = await driver.waitForExit(config.shutdownTimeoutMs, signal);
    if (signal.aborted) return "halt";
    if (!stopped) return fail(this.b, state, "Timeout while waiting for machine to shut down.");
    return "continue";
  }
}

/** The main disk rewritten by qemu-img convert (compacted, compressed with disk_compression). */
export class StepConvertDisk implements Step {
  readonly name = "stepConvertDisk";
  constructor(private readonly b: QemuBuild) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { config, ctx, driver } = this.b;
    if (config.skipCompaction && !config.diskCompression) return "continue";
    const source = join(config.outputDir, config.vmName);
    const target = join(config.outputDir, `${config.vmName}.convert`);
    const args = ["convert"];
    if (config.diskCompression) args.push("-c");
    args.push(...config.qemuImgArgs.convert, "-O", config.format, source, target);
    ctx.ui.say("Converting hard drive...");
    // QEMU may hold its lock on the disk for a moment after it exited.
    for (let attempt = 1; ; attempt++) {
      try {
        await driver.qemuImg(args, signal);
        break;
      } catch (err) {
        await rm(target, { force: true });
        if (signal.aborted) return "halt";
        const locked = errorText(err).includes('Failed to get shared "write" lock');
        if (!locked) {
          return fail(this.b, state, `Error converting hard drive: ${errorText(err)}`, err);
        }
        if (attempt >= 10) {
          return fail(
            this.b,
            state,
            `Exhausted retries for getting file lock: ${errorText(err)}`,
            err,
          );
        }
        ctx.ui.say("Error getting file lock for conversion; retrying...");
        if (!(await sleep(Math.min(attempt * 1000, 10_000), signal))) return "halt";
      }
    }
    try {
      await rename(target, source);
    } catch (err) {
      await rm(target, { force: true });
      return fail(this.b, state, `Error moving converted hard drive: ${errorText(err)}`, err);
    }
    return "continue";
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
