// A client for QEMU's machine protocol (QMP): JSON messages over a unix
// socket or TCP. It reads the greeting, leaves capabilities-negotiation mode,
// runs commands (each with an id, its return or its error), hands out the
// asynchronous events QEMU sends, and types keys (`send-key`, or a KeyDriver
// built on `input-send-event` so that boot_command can be typed without VNC).

import { connect, type Socket } from "node:net";
import { keyLabel, qcode } from "../../engine/bootcommand/keys.js";
import type { Key } from "../../engine/bootcommand/parse.js";
import type { KeyDriver } from "../../engine/bootcommand/type.js";

export interface QMPEvent {
  event: string;
  data: unknown;
  /** When QEMU sent it. */
  timestamp?: { seconds: number; microseconds: number };
}

export interface QMPConnectOptions {
  /**
   * How long to keep trying while the socket does not exist or refuses
   * connections (QEMU is still starting), plus the wait for the greeting
   * (default 10 s).
   */
  timeoutMs?: number;
}

/** QEMU's version, from the greeting. */
export interface QEMUVersion {
  major: number;
  minor: number;
  micro: number;
  package: string;
}

/** A command QEMU answered with an error. */
export class QMPError extends Error {
  constructor(
    readonly command: string,
    /** QMP's error class: "GenericError", "CommandNotFound", "DeviceNotFound"... */
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP command "${command}" failed: ${errorClass}: ${desc}`);
    this.name = "QMPError";
  }
}

type Endpoint = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

/** "tcp:HOST:PORT" (an IPv6 host in brackets) is TCP; "unix:PATH" or any other text is a socket path. */
function parseEndpoint(address: string): Endpoint {
  const tcp = /^tcp:(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
  if (tcp) return { kind: "tcp", host: tcp[1]!.replace(/^\[|\]$/g, ""), port: Number(tcp[2]) };
  return { kind: "unix", path: address.replace(/^unix:/, "") };
}

const DEFAULT_TIMEOUT_MS = 10_000;
const RETRY_MS = 50;

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** Delivers events to one `events()` iterator. */
class EventQueue implements AsyncIterator<QMPEvent> {
  private readonly queued: QMPEvent[] = [];
  private waiting: ((r: IteratorResult<QMPEvent>) => void) | null = null;
  private ended = false;

  constructor(private readonly detach: () => void) {}

  push(e: QMPEvent): void {
    if (this.ended) return;
    const w = this.waiting;
    this.waiting = null;
    if (w) w({ value: e, done: false });
    else this.queued.push(e);
  }

  end(): void {
    this.ended = true;
    const w = this.waiting;
    this.waiting = null;
    w?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<QMPEvent>> {
    const e = this.queued.shift();
    if (e !== undefined) return Promise.resolve({ value: e, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<QMPEvent>> {
    this.detach();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }
}

export class QMPClient {
  /** QEMU's version, from its greeting. */
  readonly version: QEMUVersion;
  /** The optional capabilities QEMU offered (kiln enables none). */
  readonly capabilities: string[];
  /** Resolves when the connection ends (QEMU quit, or `close()`). */
  readonly closed: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private readonly subscribers = new Set<EventQueue>();
  private nextId = 1;
  private closedBecause: string | undefined;

  /** Connects, reads QEMU's greeting and leaves capabilities-negotiation mode. */
  static async connect(
    socketPath: string,
    signal?: AbortSignal,
    opts: QMPConnectOptions = {},
  ): Promise<QMPClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const endpoint = parseEndpoint(socketPath);
    const socket = await openSocket(endpoint, socketPath, deadline, signal);
    const lines = new LineReader(socket);
    let greeting: Record<string, unknown>;
    try {
      greeting = await withDeadline(
        lines.next(),
        deadline,
        signal,
        `QEMU sent no QMP greeting on ${socketPath} within ${timeoutMs / 1000}s`,
      );
    } catch (err) {
      socket.destroy();
      throw err;
    }
    const qmp = greeting.QMP as
      | { version?: { qemu?: Partial<QEMUVersion>; package?: string }; capabilities?: string[] }
      | undefined;
    if (qmp === undefined) {
      socket.destroy();
      throw new Error(`${socketPath} is not a QMP socket (it sent ${JSON.stringify(greeting)})`);
    }
    const client = new QMPClient(
      socket,
      socketPath,
      lines,
      {
        major: qmp.version?.qemu?.major ?? 0,
        minor: qmp.version?.qemu?.minor ?? 0,
        micro: qmp.version?.qemu?.micro ?? 0,
        package: qmp.version?.package ?? "",
      },
      qmp.capabilities ?? [],
    );
    try {
      await client.execute("qmp_capabilities");
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  private constructor(
    private readonly socket: Socket,
    /** The socket path or address, for messages. */
    readonly address: string,
    lines: LineReader,
    version: QEMUVersion,
    capabilities: string[],
  ) {
    this.version = version;
    this.capabilities = capabilities;
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.shutDown("the connection was closed");
        resolve();
      });
    });
    socket.on("error", (err) => this.shutDown(err.message));
    lines.listen((msg) => this.dispatch(msg));
  }

  /** Runs a QMP command and resolves with its return value; rejects with a QMPError when QEMU refuses it. */
  execute(command: string, args?: object): Promise<unknown> {
    if (this.closedBecause !== undefined) {
      return Promise.reject(
        new Error(
          `Cannot run QMP command "${command}": the QMP connection to ${this.address} is closed (${this.closedBecause})`,
        ),
      );
    }
    const id = this.nextId++;
    const msg: Record<string, unknown> = { execute: command, id };
    if (args !== undefined) msg.arguments = args;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { command, resolve, reject });
      this.socket.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /**
   * Presses keys together with `send-key` (QEMU holds them `holdMs`, default
   * 100 ms, then releases them in reverse order): ["ctrl", "alt", "delete"].
   */
  async sendKeys(qcodes: string[], holdMs?: number): Promise<void> {
    const args: Record<string, unknown> = {
      keys: qcodes.map((data) => ({ type: "qcode", data })),
    };
    if (holdMs !== undefined) args["hold-time"] = holdMs;
    await this.execute("send-key", args);
  }

  /** Types keys as separate down and up events through `input-send-event`. */
  keyDriver(): KeyDriver {
    const send = async (key: Key, down: boolean) => {
      const code = qcode(key);
      if (code === undefined) {
        throw new Error(`QEMU has no key that types ${keyLabel(key)} on a US keyboard`);
      }
      await this.execute("input-send-event", {
        events: [{ type: "key", data: { down, key: { type: "qcode", data: code } } }],
      });
    };
    return {
      transport: "QMP",
      keyDown: (key) => send(key, true),
      keyUp: (key) => send(key, false),
      // Each event waits for QEMU's answer before the next is sent.
      flush: async () => {},
      // The QMP connection outlives typing; the builder closes it.
      close: async () => {},
    };
  }

  /**
   * QEMU's asynchronous events (STOP, RESUME, SHUTDOWN, POWERDOWN...) from
   * now on; the iteration ends when the connection does.
   */
  events(): AsyncIterable<QMPEvent> {
    const queue: EventQueue = new EventQueue(() => this.subscribers.delete(queue));
    if (this.closedBecause !== undefined) queue.end();
    else this.subscribers.add(queue);
    return { [Symbol.asyncIterator]: () => queue };
  }

  /** Closes the connection (QEMU keeps running). */
  async close(): Promise<void> {
    if (!this.socket.destroyed) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 2000);
      await this.closed;
      clearTimeout(timer);
    }
    this.shutDown("kiln closed it");
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg.event === "string") {
      const e: QMPEvent = { event: msg.event, data: msg.data };
      if (msg.timestamp !== undefined) e.timestamp = msg.timestamp as QMPEvent["timestamp"];
      for (const s of this.subscribers) s.push(e);
      return;
    }
    if (typeof msg.id !== "number") return;
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    if ("error" in msg) {
      const err = (msg.error ?? {}) as { class?: string; desc?: string };
      p.reject(new QMPError(p.command, err.class ?? "GenericError", err.desc ?? "unknown error"));
    } else {
      p.resolve(msg.return);
    }
  }

  private shutDown(why: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = why;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      // QEMU may close the socket as it quits, before its answer is read.
      if (p.command === "quit") p.resolve({});
      else {
        p.reject(
          new Error(
            `QMP connection to ${this.address} ended before "${p.command}" returned (${why})`,
          ),
        );
      }
    }
    for (const s of this.subscribers) s.end();
    this.subscribers.clear();
  }
}

/** Splits the byte stream into JSON messages, one a line. */
class LineReader {
  private text = "";
  private readonly queued: Record<string, unknown>[] = [];
  private listener: ((msg: Record<string, unknown>) => void) | undefined;
  private waiter: {
    resolve: (m: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  } | null = null;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.text += chunk;
      for (let nl = this.text.indexOf("\n"); nl >= 0; nl = this.text.indexOf("\n")) {
        const line = this.text.slice(0, nl).trim();
        this.text = this.text.slice(nl + 1);
        if (line !== "") this.deliver(line);
      }
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      const w = this.waiter;
      this.waiter = null;
      w?.reject(this.failure);
    };
    socket.on("error", (err) => fail(new Error(`QMP connection failed: ${err.message}`)));
    socket.on("close", () => fail(new Error("QEMU closed the QMP connection")));
  }

  /** The next message (the greeting), before a listener takes them all. */
  next(): Promise<Record<string, unknown>> {
    const m = this.queued.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Hands every message from now on (and any already read) to `fn`. */
  listen(fn: (msg: Record<string, unknown>) => void): void {
    this.listener = fn;
    for (const m of this.queued.splice(0)) fn(m);
  }

  private deliver(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // Not JSON: nothing QEMU sends; ignored rather than failing the build.
    }
    const w = this.waiter;
    this.waiter = null;
    if (w) w.resolve(msg);
    else if (this.listener) this.listener(msg);
    else this.queued.push(msg);
  }
}

/** Connects, retrying while QEMU has not created or opened the socket yet. */
async function openSocket(
  endpoint: Endpoint,
  address: string,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket =
          endpoint.kind === "unix"
            ? connect({ path: endpoint.path })
            : connect({ host: endpoint.host, port: endpoint.port });
        const onAbort = () => {
          socket.destroy();
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        socket.once("connect", () => {
          signal?.removeEventListener("abort", onAbort);
          socket.removeAllListeners("error");
          resolve(socket);
        });
        socket.once("error", (err) => {
          signal?.removeEventListener("abort", onAbort);
          socket.destroy();
          reject(err);
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const retry = code === "ENOENT" || code === "ECONNREFUSED";
      if (!retry || Date.now() + RETRY_MS > deadline) {
        if (signal?.aborted) throw signal.reason;
        const why =
          code === "ENOENT"
            ? "no such socket"
            : code === "ECONNREFUSED"
              ? "connection refused"
              : (err as Error).message;
        throw new Error(`Error connecting to QMP at ${address}: ${why}`);
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

/** Waits for a promise until a deadline or the signal, whichever comes first. */
function withDeadline<T>(
  p: Promise<T>,
  deadline: number,
  signal: AbortSignal | undefined,
  timeoutMessage: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => done(() => reject(new Error(timeoutMessage))),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => done(() => reject(signal!.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    p.then(
      (v) => done(() => resolve(v)),
      (e) => done(() => reject(e)),
    );
  });
}
