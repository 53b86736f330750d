// The Debian base disk kiln's qemu tests boot (made by scripts/base-disk.sh,
// cached per machine), and a way to boot a disk under QEMU (TCG) for a test:
// through a copy-on-write overlay, so the disk itself is never written, with
// SSH forwarded to a local port, a serial log and a QMP socket.

import { existsSync, readFileSync } from "node:fs";
import { connect as connectSocket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ssh2 from "ssh2";
import { type RunningProcess, run, start } from "../../src/process/index.js";
import { freePort } from "./sshd.js";

export const BASE_DISK_USER = "kiln";
export const BASE_DISK_PASSWORD = "kiln";

/** Debian bookworm's OVMF (package ovmf): firmware code, and the variable store each guest copies. */
export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
export const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";

export const BASE_DISK_SCRIPT = fileURLToPath(
  new URL("../../scripts/base-disk.sh", import.meta.url),
);

let pending: Promise<string> | undefined;

/** Path of the cached base disk (qcow2) — builds it with scripts/base-disk.sh if missing. Login: user "kiln", password "kiln" (passwordless sudo). */
export async function baseDisk(): Promise<string> {
  pending ??= run("bash", [BASE_DISK_SCRIPT, "ensure"], {
    timeoutMs: 30 * 60_000,
    // Building takes minutes; say what it is doing.
    onStderr: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (r) => {
      const path = r.stdout.trim().split("\n").pop() ?? "";
      if (!existsSync(path)) throw new Error(`base-disk.sh printed no disk path: ${r.stdout}`);
      return path;
    },
    (err: unknown) => {
      pending = undefined;
      throw err;
    },
  );
  return pending;
}

export interface GuestOptions {
  /** The qcow2 disk to boot; the guest writes to an overlay in `dir`. */
  disk: string;
  /** A scratch directory for the overlay, logs and sockets. */
  dir: string;
  firmware?: "bios" | "uefi";
  /** An ISO attached as a CD-ROM (e.g. a cidata seed). */
  cdrom?: string;
  memoryMB?: number;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type GuestLogin =
  | { username: string; password: string }
  | { username: string; privateKey: string };

export interface Guest {
  readonly sshPort: number;
  readonly serialLog: string;
  readonly qmpSocket: string;
  readonly process: RunningProcess;
  /** When QEMU was started (performance.now()). */
  readonly startedAt: number;
  /** Waits until `login` gets a shell over SSH; resolves with the milliseconds since QEMU started. */
  waitForSSH(timeoutMs: number, login?: GuestLogin): Promise<number>;
  /** Runs a command over SSH (default: kiln with its password). */
  exec(command: string, login?: GuestLogin): Promise<ExecResult>;
  /** Presses the ACPI power button over QMP. */
  powerdown(): Promise<void>;
  /** Resolves true when QEMU ends by itself within `timeoutMs`, false otherwise. */
  exited(timeoutMs: number): Promise<boolean>;
  /** Stops QEMU (idempotent). */
  kill(): Promise<void>;
  /** The end of the serial console log, for failure messages. */
  serialTail(bytes?: number): string;
}

const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

const PASSWORD_LOGIN: GuestLogin = { username: BASE_DISK_USER, password: BASE_DISK_PASSWORD };

/** Boots `disk` under QEMU with TCG (one vCPU). The caller must `kill()` it (in `after` or `finally`). */
export async function bootGuest(opts: GuestOptions): Promise<Guest> {
  const overlay = join(opts.dir, "overlay.qcow2");
  const serialLog = join(opts.dir, "serial.log");
  const qmpSocket = join(opts.dir, "qmp.sock");
  await run("qemu-img", ["create", "-q", "-f", "qcow2", "-b", opts.disk, "-F", "qcow2", overlay]);
  const firmware: string[] = [];
  if (opts.firmware === "uefi") {
    const vars = join(opts.dir, "OVMF_VARS.fd");
    await run("cp", [OVMF_VARS, vars]);
    firmware.push(
      "-drive",
      `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
      "-drive",
      `if=pflash,format=raw,unit=1,file=${vars}`,
    );
  }
  const cdrom =
    opts.cdrom === undefined ? [] : ["-drive", `file=${opts.cdrom},media=cdrom,readonly=on`];
  const sshPort = await freePort();
  const args = [
    "-accel",
    "tcg",
    "-smp",
    "1",
    "-m",
    String(opts.memoryMB ?? 768),
    ...firmware,
    "-drive",
    `file=${overlay},if=virtio,format=qcow2`,
    ...cdrom,
    "-netdev",
    `user,id=n0,hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
    "-device",
    "virtio-net,netdev=n0",
    "-display",
    "none",
    "-serial",
    `file:${serialLog}`,
    "-qmp",
    `unix:${qmpSocket},server,nowait`,
  ];
  const startedAt = performance.now();
  const proc = start("qemu-system-x86_64", args, { killGraceMs: 3000 });
  let ended = false;
  const outcome = proc.wait().then(
    (r) => {
      ended = true;
      return r;
    },
    (err: unknown) => {
      ended = true;
      throw err;
    },
  );
  outcome.catch(() => {});

  const serialTail = (bytes = 3000) => {
    try {
      const text = readFileSync(serialLog, "latin1");
      // Drop terminal escape sequences (GRUB's menu) to keep the tail readable.
      return text
        .slice(-bytes * 4)
        .replace(ESCAPE_SEQUENCE, "")
        .slice(-bytes);
    } catch {
      return "(no serial log)";
    }
  };

  const exec = (command: string, login: GuestLogin = PASSWORD_LOGIN) =>
    sshExec(sshPort, login, command, 60_000);

  return {
    sshPort,
    serialLog,
    qmpSocket,
    process: proc,
    startedAt,
    async waitForSSH(timeoutMs, login = PASSWORD_LOGIN) {
      const deadline = startedAt + timeoutMs;
      let last = "";
      while (performance.now() < deadline) {
        if (ended) {
          const r = await outcome.catch((err: Error) => ({ stderr: err.message }));
          throw new Error(`QEMU ended before SSH answered: ${r.stderr}\n${serialTail()}`);
        }
        try {
          const r = await sshExec(sshPort, login, "true", 10_000);
          if (r.code === 0) return performance.now() - startedAt;
          last = `exit code ${r.code}`;
        } catch (err) {
          last = (err as Error).message;
        }
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error(`no SSH login within ${timeoutMs} ms (last: ${last})\n${serialTail()}`);
    },
    exec,
    powerdown: () => qmpPowerdown(qmpSocket),
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((res) => {
        timer = setTimeout(() => res(false), timeoutMs);
      });
      const done = outcome.then(
        () => true as const,
        () => true as const,
      );
      try {
        return await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (!ended) await proc.stop({ timeoutMs: 3000 }).catch(() => {});
    },
    serialTail,
  };
}

/** Runs one command over SSH on 127.0.0.1:`port`. */
export function sshExec(
  port: number,
  login: GuestLogin,
  command: string,
  timeoutMs: number,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (err: Error | undefined, result?: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A connection that never got going is dropped at once: QEMU's user networking holds
      // half-open ones, and sshd refuses logins past its limit of pending ones.
      if (err) client.destroy();
      else client.end();
      if (err) reject(err);
      else resolve(result as ExecResult);
    };
    const timer = setTimeout(
      () => finish(new Error(`SSH command timed out after ${timeoutMs} ms: ${command}`)),
      timeoutMs,
    );
    client
      .on("ready", () => {
        client.exec(command, (err, stream) => {
          if (err) return finish(err);
          stream.on("data", (d: Buffer) => {
            stdout += d.toString();
          });
          stream.stderr.on("data", (d: Buffer) => {
            stderr += d.toString();
          });
          stream.on("close", (code: number | null) => finish(undefined, { code, stdout, stderr }));
        });
      })
      .on("error", (err) => finish(err))
      .on("close", () => finish(new Error("SSH connection closed")));
    client.connect({
      host: "127.0.0.1",
      port,
      username: login.username,
      ...("password" in login ? { password: login.password } : { privateKey: login.privateKey }),
      readyTimeout: Math.min(timeoutMs, 20_000),
      tryKeyboard: false,
    });
  });
}

/** A minimal QMP exchange: capabilities, then system_powerdown. */
export function qmpPowerdown(socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connectSocket(socketPath);
    let buffer = "";
    let stage = 0; // 0: greeting, 1: capabilities sent, 2: powerdown sent
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("QMP did not answer within 10 s"));
    }, 10_000);
    const send = (command: string) => sock.write(`${JSON.stringify({ execute: command })}\n`);
    sock.on("data", (chunk) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        if (line === "") continue;
        const msg = JSON.parse(line) as {
          QMP?: unknown;
          return?: unknown;
          error?: { desc: string };
        };
        if (msg.error) {
          clearTimeout(timer);
          sock.destroy();
          reject(new Error(`QMP error: ${msg.error.desc}`));
          return;
        }
        if (stage === 0 && msg.QMP !== undefined) {
          stage = 1;
          send("qmp_capabilities");
        } else if (stage === 1 && msg.return !== undefined) {
          stage = 2;
          send("system_powerdown");
        } else if (stage === 2 && msg.return !== undefined) {
          clearTimeout(timer);
          sock.end();
          resolve();
          return;
        }
      }
    });
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
