// What the qemu builder asks of QEMU outside the guest: qemu-img for the
// disks, and the QEMU process itself — started, watched, waited for and
// stopped through kiln's process layer.

import { constants } from "node:fs";
import { copyFile } from "node:fs/promises";
import {
  ProcessError,
  type ProcessResult,
  type RunningProcess,
  run,
  start,
} from "../../process/index.js";

/** How long QEMU gets to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 3000;

export interface ImageInfo {
  format: string;
  virtualSize: number;
}

/** The last non-empty lines of a command's stderr, for error messages. */
function tail(text: string, lines = 10): string {
  return text
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .join("\n");
}

export class QemuDriver {
  private vm: RunningProcess | undefined;

  constructor(
    readonly qemuBinary: string,
    /** The detailed log (PACKER_LOG): commands and QEMU's output, as the plugin logs them. */
    private readonly log: (line: string) => void = () => {},
    readonly qemuImgBinary = "qemu-img",
  ) {}

  /** Runs qemu-img; rejects with "QemuImg error: <stderr>" as the plugin words it. */
  async qemuImg(args: string[], signal?: AbortSignal): Promise<ProcessResult> {
    this.log(`Executing qemu-img: ${JSON.stringify(args)}`);
    try {
      return await run(this.qemuImgBinary, args, {
        ...(signal !== undefined ? { signal } : {}),
        onStderr: (line) => this.log(`qemu-img stderr: ${line}`),
      });
    } catch (err) {
      if (err instanceof ProcessError && err.failure === "exit-code") {
        throw new Error(`QemuImg error: ${tail(err.stderr) || err.message}`, { cause: err });
      }
      throw err;
    }
  }

  /** The format and virtual size of a disk image. */
  async imageInfo(path: string, signal?: AbortSignal): Promise<ImageInfo> {
    const r = await this.qemuImg(["info", "--output=json", path], signal);
    const info = JSON.parse(r.stdout) as { format?: string; "virtual-size"?: number };
    return { format: info.format ?? "", virtualSize: info["virtual-size"] ?? 0 };
  }

  /** Copies an image that needs no conversion (a reflink where the file system allows). */
  async copy(source: string, target: string): Promise<void> {
    try {
      await copyFile(source, target, constants.COPYFILE_FICLONE);
    } catch (err) {
      throw new Error(`Error copying iso to output dir: ${(err as Error).message}`, { cause: err });
    }
  }

  /** QEMU's version ("7.2.22"), from `-version`. */
  async version(): Promise<string> {
    const r = await run(this.qemuBinary, ["-version"], { timeoutMs: 30_000 });
    const m = /(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout);
    if (!m?.[1]) throw new Error(`No version found: ${r.stdout.trim()}`);
    return m[1];
  }

  /** Starts the VM; the process runs until it exits, `stop` kills it, or the signal fires. */
  startVM(args: string[], signal?: AbortSignal): RunningProcess {
    if (this.vm?.running) throw new Error("internal error: the VM is already running");
    this.log(`Executing ${this.qemuBinary}: ${JSON.stringify(args)}`);
    this.vm = start(this.qemuBinary, args, {
      ...(signal !== undefined ? { signal } : {}),
      reject: false,
      killGraceMs: STOP_GRACE_MS,
      maxOutputBytes: 256 * 1024,
      onStdout: (line) => this.log(`Qemu stdout: ${line}`),
      onStderr: (line) => this.log(`Qemu stderr: ${line}`),
    });
    if (this.vm.pid !== undefined) this.log(`Started Qemu. Pid: ${this.vm.pid}`);
    return this.vm;
  }

  /** The VM's process, while there is one. */
  get process(): RunningProcess | undefined {
    return this.vm;
  }

  get running(): boolean {
    return this.vm?.running ?? false;
  }

  /**
   * Waits for the VM to exit, at most `timeoutMs`. Resolves true when it has
   * exited (or never ran), false on timeout or when the signal fires.
   */
  async waitForExit(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const vm = this.vm;
    if (vm === undefined || !vm.running) return true;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      onAbort = () => resolve(false);
      if (signal?.aborted) resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([vm.exited().then(() => true), stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Stops the VM if it still runs: SIGTERM (QEMU exits cleanly on it), then SIGKILL. */
  async stop(): Promise<void> {
    const vm = this.vm;
    if (vm === undefined) return;
    if (vm.running) await vm.stop({ timeoutMs: STOP_GRACE_MS });
    else await vm.exited();
  }
}
