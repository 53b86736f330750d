// A VNC (RFB 3.3, 3.7 and 3.8) client that does what typing a boot_command
// needs and nothing more: the handshake with no security or with VNC
// Authentication, a shared-session ClientInit, and KeyEvent messages. It
// never asks for the screen; whatever the server still sends is read and
// dropped so that the connection never stalls.

import { connect, type Socket } from "node:net";
import { vncAuthResponse } from "./des.js";
import { keysym } from "./keys.js";
import type { Key } from "./parse.js";
import type { KeyDriver } from "./type.js";

export interface VNCConnectOptions {
  host: string;
  port: number;
  /** The VNC password (only its first 8 bytes count); needed when the server asks for one. */
  password?: string;
  /** Cancels connecting (not the connection once it is made: `close()` ends that). */
  signal?: AbortSignal;
  /** How long connecting and the handshake may take (default 10 s). */
  timeoutMs?: number;
}

export type RFBVersion = "3.3" | "3.7" | "3.8";

const SECURITY_INVALID = 0;
const SECURITY_NONE = 1;
const SECURITY_VNC_AUTH = 2;
const CLIENT_KEY_EVENT = 4;
const DEFAULT_TIMEOUT_MS = 10_000;

const SECURITY_NAMES: Record<number, string> = {
  1: "None",
  2: "VNC Authentication",
  5: "RA2",
  6: "RA2ne",
  16: "Tight",
  17: "Ultra",
  18: "TLS",
  19: "VeNCrypt",
  20: "SASL",
  30: "Apple Remote Desktop",
};

/** Connects to a VNC server and completes the handshake. */
export async function connectVNC(opts: VNCConnectOptions): Promise<VNCClient> {
  const where = `${opts.host}:${opts.port}`;
  opts.signal?.throwIfAborted();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const socket = connect({ host: opts.host, port: opts.port });
  socket.setNoDelay(true);
  const reader = new HandshakeReader(socket, where);

  const fail = (err: unknown) => {
    reader.fail(err);
    socket.destroy();
  };
  const timer = setTimeout(
    () =>
      fail(
        new Error(
          `VNC server at ${where} did not complete the handshake within ${timeoutMs / 1000}s`,
        ),
      ),
    timeoutMs,
  );
  const onAbort = () => fail(opts.signal!.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const info = await handshake(socket, reader, where, opts.password);
    reader.detach();
    return new VNCClient(socket, where, info);
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

interface ServerInfo {
  version: RFBVersion;
  width: number;
  height: number;
  desktopName: string;
}

async function handshake(
  socket: Socket,
  reader: HandshakeReader,
  where: string,
  password: string | undefined,
): Promise<ServerInfo> {
  const greeting = (await reader.read(12)).toString("latin1");
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(greeting);
  if (!m) throw new Error(`${where} is not a VNC server (it sent ${JSON.stringify(greeting)})`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 3 || (major === 3 && minor < 3)) {
    throw new Error(`VNC server at ${where} speaks RFB ${major}.${minor}, older than 3.3`);
  }
  const version: RFBVersion = major > 3 || minor >= 8 ? "3.8" : minor === 7 ? "3.7" : "3.3";
  await write(socket, Buffer.from(`RFB 003.00${version.slice(2)}\n`, "latin1"));

  let security: number;
  if (version === "3.3") {
    security = (await reader.read(4)).readUInt32BE(0);
    if (security === SECURITY_INVALID) {
      throw new Error(`VNC server at ${where} refused the connection: ${await reader.string()}`);
    }
    if (security !== SECURITY_NONE && security !== SECURITY_VNC_AUTH) {
      throw new Error(
        `VNC server at ${where} asks for security type ${securityName(security)}, which kiln does not support`,
      );
    }
  } else {
    const count = (await reader.read(1))[0]!;
    if (count === 0) {
      throw new Error(`VNC server at ${where} refused the connection: ${await reader.string()}`);
    }
    const offered = [...(await reader.read(count))];
    security = chooseSecurity(offered, password !== undefined && password !== "");
    if (security === SECURITY_INVALID) {
      if (offered.includes(SECURITY_VNC_AUTH)) {
        throw new Error(`VNC server at ${where} requires a password, and none was given`);
      }
      throw new Error(
        `VNC server at ${where} offers no security type kiln supports (it offers ${offered.map(securityName).join(", ")})`,
      );
    }
    await write(socket, Buffer.of(security));
  }

  if (security === SECURITY_VNC_AUTH) {
    if (password === undefined || password === "") {
      throw new Error(`VNC server at ${where} requires a password, and none was given`);
    }
    const challenge = await reader.read(16);
    await write(socket, vncAuthResponse(password, challenge));
  }
  // RFB 3.8 reports the result of every security type; 3.3 and 3.7 only of VNC Authentication.
  if (security === SECURITY_VNC_AUTH || version === "3.8") {
    const result = (await reader.read(4)).readUInt32BE(0);
    if (result !== 0) {
      const reason = version === "3.8" ? await reader.string().catch(() => "") : "";
      const detail = reason !== "" ? ` (${reason})` : "";
      throw new Error(
        security === SECURITY_VNC_AUTH
          ? `VNC server at ${where} refused the password${detail}`
          : `VNC server at ${where} refused the connection${detail}`,
      );
    }
  }

  // ClientInit: share the desktop with other clients rather than take it over.
  await write(socket, Buffer.of(1));
  const init = await reader.read(24);
  const nameLength = init.readUInt32BE(20);
  const desktopName = (await reader.read(nameLength)).toString("utf8");
  return { version, width: init.readUInt16BE(0), height: init.readUInt16BE(2), desktopName };
}

/** VNC Authentication when there is a password and the server offers it, else None. */
function chooseSecurity(offered: number[], havePassword: boolean): number {
  if (havePassword && offered.includes(SECURITY_VNC_AUTH)) return SECURITY_VNC_AUTH;
  if (offered.includes(SECURITY_NONE)) return SECURITY_NONE;
  return SECURITY_INVALID;
}

function securityName(type: number): string {
  const name = SECURITY_NAMES[type];
  return name === undefined ? String(type) : `${type} (${name})`;
}

function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

function connectErrorMessage(where: string, err: NodeJS.ErrnoException): string {
  const why =
    err.code === "ECONNREFUSED"
      ? "connection refused"
      : err.code === "EHOSTUNREACH"
        ? "host unreachable"
        : err.code === "ENOTFOUND"
          ? "host not found"
          : err.message;
  return `Error connecting to VNC server at ${where}: ${why}`;
}

/** Reads exact byte counts from the socket during the handshake. */
class HandshakeReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private waiting: {
    n: number;
    resolve: (b: Buffer) => void;
    reject: (e: unknown) => void;
  } | null = null;
  private failure: unknown;
  private connected = false;
  private readonly onData = (chunk: Buffer) => {
    this.buffered.push(chunk);
    this.size += chunk.length;
    this.deliver();
  };
  private readonly onError = (err: NodeJS.ErrnoException) => {
    this.fail(
      new Error(
        this.connected
          ? `VNC connection to ${this.where} failed during the handshake: ${err.message}`
          : connectErrorMessage(this.where, err),
      ),
    );
  };
  private readonly onClose = () => {
    this.fail(new Error(`VNC server at ${this.where} closed the connection during the handshake`));
  };
  private readonly onConnect = () => {
    this.connected = true;
  };

  constructor(
    private readonly socket: Socket,
    private readonly where: string,
  ) {
    socket.on("data", this.onData);
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
    socket.once("connect", this.onConnect);
  }

  read(n: number): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.deliver();
    });
  }

  /** An RFB string: a 32-bit length, then that many bytes. */
  async string(): Promise<string> {
    const length = (await this.read(4)).readUInt32BE(0);
    // Some servers (QEMU) count a C string's terminating NUL in the length.
    return (await this.read(length)).toString("utf8").replace(/[\0\s]+$/, "");
  }

  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }

  /** Stops reading for the handshake; what is left over is discarded. */
  detach(): void {
    this.socket.off("data", this.onData);
    this.socket.off("error", this.onError);
    this.socket.off("close", this.onClose);
    this.socket.off("connect", this.onConnect);
    this.buffered = [];
  }

  private deliver(): void {
    const w = this.waiting;
    if (w === null || this.size < w.n) return;
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    this.buffered = all.length > w.n ? [all.subarray(w.n)] : [];
    this.size = all.length - w.n;
    this.waiting = null;
    w.resolve(all.subarray(0, w.n));
  }
}

/** A VNC connection that types keys: a KeyDriver. */
export class VNCClient implements KeyDriver {
  readonly transport = "VNC";
  /** The RFB version both sides agreed on. */
  readonly version: RFBVersion;
  readonly width: number;
  readonly height: number;
  readonly desktopName: string;
  private closedBecause: string | undefined;
  private readonly closed: Promise<void>;

  /** @internal Use `connectVNC`. */
  constructor(
    private readonly socket: Socket,
    /** host:port, for messages. */
    readonly address: string,
    info: ServerInfo,
  ) {
    this.version = info.version;
    this.width = info.width;
    this.height = info.height;
    this.desktopName = info.desktopName;
    // The server may still send bells, clipboard text or colour maps: drop them.
    socket.on("data", () => {});
    socket.on("error", (err) => {
      this.closedBecause ??= err.message;
    });
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.closedBecause ??= "the server closed it";
        resolve();
      }),
    );
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.closedBecause === undefined;
  }

  /** Sends one KeyEvent: an X11 keysym going down or up. */
  async keyEvent(sym: number, down: boolean): Promise<void> {
    if (this.closedBecause !== undefined) {
      throw new Error(`VNC connection to ${this.address} is closed: ${this.closedBecause}`);
    }
    const msg = Buffer.alloc(8);
    msg[0] = CLIENT_KEY_EVENT;
    msg[1] = down ? 1 : 0;
    msg.writeUInt32BE(sym >>> 0, 4);
    try {
      await write(this.socket, msg);
    } catch (err) {
      throw new Error(
        `Error sending a key to the VNC server at ${this.address}: ${(err as Error).message}`,
      );
    }
  }

  keyDown(key: Key): Promise<void> {
    return this.keyEvent(keysym(key), true);
  }

  keyUp(key: Key): Promise<void> {
    return this.keyEvent(keysym(key), false);
  }

  /** Every key event is written before its promise resolves, so there is nothing to wait for. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    this.closedBecause ??= "kiln closed it";
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    await this.closed;
    clearTimeout(timer);
  }
}
