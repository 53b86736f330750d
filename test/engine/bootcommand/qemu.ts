// A real QEMU for the VNC and QMP tests: no disk, TCG, a VGA card (so that
// VNC key events go to the guest's keyboard), QMP on a unix socket, and the
// `input_event_key_qcode` trace written to a file, which shows every key
// that reaches the emulated keyboard, by QEMU key code.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leasePort, type PortLease } from "../../../src/engine/ports.js";
import { type RunningProcess, start } from "../../../src/process/index.js";

export interface TestQemuOptions {
  /** Start a VNC server, with or without a password (set over QMP). */
  vnc?: "plain" | "password";
  /** Start with the CPU stopped (-S). */
  paused?: boolean;
  /** QMP on TCP instead of a unix socket. */
  qmpTcp?: boolean;
  /** Where QMP's unix socket goes (default: in the QEMU's own temporary folder). */
  qmpSocket?: string;
}

export class TestQemu {
  private constructor(
    readonly process: RunningProcess,
    readonly dir: string,
    /** What QMPClient.connect takes: the socket path, or tcp:HOST:PORT. */
    readonly qmpAddress: string,
    readonly vncPort: number | undefined,
    private readonly leases: PortLease[],
  ) {}

  static async start(opts: TestQemuOptions = {}): Promise<TestQemu> {
    const dir = mkdtempSync(join(tmpdir(), "kiln-qemu-test-"));
    const leases: PortLease[] = [];
    const args = [
      "-accel",
      "tcg",
      "-machine",
      "pc",
      "-smp",
      "1",
      "-m",
      "128",
      "-nodefaults",
      "-vga",
      "std",
      "-display",
      "none",
      "-trace",
      "input_event_key_qcode",
      "-D",
      join(dir, "trace.log"),
    ];
    let vncPort: number | undefined;
    if (opts.vnc) {
      const lease = await leasePort(5900, 6000, "127.0.0.1");
      leases.push(lease);
      vncPort = lease.port;
      const password = opts.vnc === "password" ? ",password=on" : "";
      args.push("-vnc", `127.0.0.1:${vncPort - 5900}${password}`);
    }
    let qmpAddress: string;
    if (opts.qmpTcp) {
      const lease = await leasePort(20000, 30000, "127.0.0.1");
      leases.push(lease);
      qmpAddress = `tcp:127.0.0.1:${lease.port}`;
      args.push("-qmp", `${qmpAddress},server=on,wait=off`);
    } else {
      qmpAddress = opts.qmpSocket ?? join(dir, "qmp.sock");
      args.push("-qmp", `unix:${qmpAddress},server=on,wait=off`);
    }
    if (opts.paused) args.push("-S");
    const proc = start("qemu-system-x86_64", args, { killGraceMs: 2000 });
    await proc.ready();
    return new TestQemu(proc, dir, qmpAddress, vncPort, leases);
  }

  /** The keys that reached the emulated keyboard so far: "a down", "shift up", ... */
  keysReceived(): string[] {
    let text: string;
    try {
      text = readFileSync(join(this.dir, "trace.log"), "utf8");
    } catch {
      return [];
    }
    return [...text.matchAll(/input_event_key_qcode con -?\d+, key qcode (\S+), down (\d)/g)].map(
      (m) => `${m[1]} ${m[2] === "1" ? "down" : "up"}`,
    );
  }

  /** Waits until at least `n` keys reached the keyboard (QEMU delivers them at its own pace). */
  async waitForKeys(n: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const keys = this.keysReceived();
      if (keys.length >= n) return keys;
      if (Date.now() > deadline) {
        throw new Error(
          `only ${keys.length} of ${n} keys reached QEMU's keyboard: ${keys.join(", ")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Stops QEMU (if it still runs) and removes its files. */
  async stop(): Promise<void> {
    await this.process.stop({ timeoutMs: 2000 });
    for (const l of this.leases) l.release();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
