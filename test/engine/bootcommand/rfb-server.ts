// A small VNC (RFB) server for tests: it speaks RFB 3.3, 3.7 or 3.8, offers
// the security types it is told to, checks VNC Authentication responses, and
// records every KeyEvent it receives, with the time it arrived.

import { createServer, type Server, type Socket } from "node:net";
import { vncAuthResponse } from "../../../src/engine/bootcommand/des.js";

export interface RecordedKey {
  keysym: number;
  down: boolean;
  at: number;
}

export interface RFBServerOptions {
  version?: "3.3" | "3.7" | "3.8";
  /** Offered security types (3.7/3.8), or the one imposed (3.3: the first). Default [1] (None). */
  security?: number[];
  /** The password VNC Authentication expects. */
  password?: string;
  /** Refuse every client with this reason (no security types offered). */
  refuse?: string;
  /** Accept connections but never send the greeting. */
  silent?: boolean;
  /** Called once a client is through ServerInit, e.g. to send it server messages. */
  afterInit?: (socket: Socket) => void;
}

export class RFBTestServer {
  readonly keys: RecordedKey[] = [];
  /** The shared flag of each ClientInit received. */
  readonly sharedFlags: number[] = [];
  /** The RFB version each client answered with. */
  readonly clientVersions: string[] = [];
  readonly sockets = new Set<Socket>();
  private keyListeners: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(opts: RFBServerOptions = {}): Promise<RFBTestServer> {
    let self: RFBTestServer | undefined;
    const server = createServer((socket) => {
      self!.sockets.add(socket);
      socket.on("close", () => self!.sockets.delete(socket));
      socket.on("error", () => {});
      if (!opts.silent) void self!.serve(socket, opts).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    self = new RFBTestServer(server, address.port);
    return self;
  }

  /** Resolves once at least `n` key events arrived. */
  async waitForKeys(n: number, timeoutMs = 5000): Promise<RecordedKey[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.keys.length < n) {
      if (Date.now() > deadline) {
        throw new Error(`only ${this.keys.length} of ${n} key events arrived`);
      }
      await new Promise<void>((resolve) => {
        this.keyListeners.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.keys;
  }

  /** The key events as [keysym, down] pairs. */
  pairs(): Array<[number, boolean]> {
    return this.keys.map((k) => [k.keysym, k.down]);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(socket: Socket, opts: RFBServerOptions): Promise<void> {
    const read = reader(socket);
    const version = opts.version ?? "3.8";
    socket.write(`RFB 003.00${version.slice(2)}\n`);
    const answer = (await read(12)).toString("latin1");
    this.clientVersions.push(answer.trim());
    const offered = opts.security ?? [1];
    let chosen: number;
    if (version === "3.3") {
      chosen = opts.refuse !== undefined ? 0 : offered[0]!;
      const b = Buffer.alloc(4);
      b.writeUInt32BE(chosen);
      socket.write(b);
      if (chosen === 0) {
        socket.end(rfbString(opts.refuse!));
        return;
      }
    } else {
      if (opts.refuse !== undefined) {
        socket.end(Buffer.concat([Buffer.of(0), rfbString(opts.refuse)]));
        return;
      }
      socket.write(Buffer.from([offered.length, ...offered]));
      chosen = (await read(1))[0]!;
      if (!offered.includes(chosen)) {
        socket.destroy();
        return;
      }
    }
    let ok = true;
    if (chosen === 2) {
      const challenge = Buffer.from("0123456789abcdeffedcba9876543210", "hex");
      socket.write(challenge);
      const response = await read(16);
      ok = response.equals(vncAuthResponse(opts.password ?? "", challenge));
    }
    if (chosen === 2 || version === "3.8") {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(ok ? 0 : 1);
      socket.write(b);
      if (!ok) {
        if (version === "3.8") socket.end(rfbString("Authentication failed"));
        else socket.end();
        return;
      }
    }
    this.sharedFlags.push((await read(1))[0]!);
    const init = Buffer.alloc(24);
    init.writeUInt16BE(800, 0);
    init.writeUInt16BE(600, 2);
    const name = Buffer.from("kiln test desktop");
    init.writeUInt32BE(name.length, 20);
    socket.write(Buffer.concat([init, name]));
    opts.afterInit?.(socket);
    for (;;) {
      const type = (await read(1))[0]!;
      if (type !== 4) throw new Error(`unexpected client message ${type}`);
      const msg = await read(7);
      this.keys.push({ keysym: msg.readUInt32BE(3), down: msg[0] === 1, at: performance.now() });
      for (const l of this.keyListeners.splice(0)) l();
    }
  }
}

function rfbString(text: string): Buffer {
  const b = Buffer.from(text);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** Exact-length reads from a socket. */
function reader(socket: Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  const deliver = () => {
    if (want && buffered.length >= want.n) {
      const w = want;
      want = null;
      const out = buffered.subarray(0, w.n);
      buffered = buffered.subarray(w.n);
      w.resolve(out);
    }
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    deliver();
  });
  socket.on("close", () => want?.reject(new Error("closed")));
  return (n) =>
    new Promise((resolve, reject) => {
      want = { n, resolve, reject };
      deliver();
    });
}
