// The SSH communicator: commands run through exec channels with their output
// streamed and their exit status returned (a pty when ssh_pty asks), files
// move through scp or sftp, and local/remote tunnels live as long as the
// connection. When the machine drops the connection (a reboot), the command
// that was running reports Packer's CmdDisconnect status, and the next
// operation reconnects; if that fails it rejects with SSHDisconnectedError,
// which callers retrying until start_retry_timeout recognise.

import { once } from "node:events";
import { createReadStream, createWriteStream, ReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Client, ClientChannel, ExecOptions, SFTPWrapper } from "ssh2";
import type { Communicator, RemoteCommand, UploadInfo } from "../communicator.js";
import { CMD_DISCONNECT } from "../communicator.js";
import type { SSHSettings, TunnelSpec } from "./config.js";
import {
  closeReason,
  type LoginAuth,
  type OpenConnection,
  openConnection,
  SSHConnectError,
  type WaitOptions,
  waitForSSH,
} from "./connect.js";
import {
  ScpReader,
  scpReceiveFile,
  scpReceiveTree,
  scpSendDir,
  scpSendDirItself,
  scpSendFile,
} from "./scp.js";
import {
  FILE_READ_BYTES,
  sftpDownload,
  sftpDownloadTree,
  sftpMkdir,
  sftpUpload,
  sftpUploadTree,
} from "./sftp.js";

export { CMD_DISCONNECT };

/** The connection is gone and could not be opened again (yet): retry later. */
export class SSHDisconnectedError extends Error {
  override readonly name = "SSHDisconnectedError";
  readonly code = "KILN_SSH_DISCONNECTED";
  readonly disconnected = true;
}

/** A command was stopped because the build was cancelled. */
export class SSHCancelledError extends Error {
  override readonly name = "SSHCancelledError";
  readonly code = "KILN_SSH_CANCELLED";
}

const SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  ABRT: 6,
  FPE: 8,
  KILL: 9,
  SEGV: 11,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  USR1: 10,
  USR2: 12,
};

/** Quotes a path for the remote POSIX shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class SSHCommunicator implements Communicator {
  private conn: OpenConnection | undefined;
  private reconnecting: Promise<OpenConnection> | undefined;
  private closed = false;
  /** Why the last connection ended, when known (a timeout): said when reconnecting fails. */
  private lastCloseReason: string | undefined;
  /** The server refused to forward the SSH agent: commands stop asking. */
  private agentForwardingRefused = false;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly settings: SSHSettings,
    private readonly auth: LoginAuth,
    conn: OpenConnection,
  ) {
    this.attach(conn);
  }

  /** Waits for SSH (see waitForSSH), then opens the tunnels; the result is connected. */
  static async connect(
    settings: SSHSettings,
    auth: LoginAuth,
    opts: WaitOptions,
  ): Promise<SSHCommunicator> {
    const conn = await waitForSSH(settings, auth, opts);
    const comm = new SSHCommunicator(settings, auth, conn);
    try {
      await comm.openTunnels();
    } catch (err) {
      comm.close();
      throw err;
    }
    return comm;
  }

  /** Whether a connection is currently open. */
  get connected(): boolean {
    return this.conn !== undefined;
  }

  /** Closes the connection, the tunnels and anything they carry. */
  close(): void {
    this.closed = true;
    const c = this.conn;
    this.conn = undefined;
    c?.close();
    for (const s of this.servers) s.close();
    this.servers.length = 0;
    for (const s of this.sockets) s.destroy();
  }

  private attach(conn: OpenConnection): void {
    this.conn = conn;
    const drop = () => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      this.lastCloseReason = closeReason(conn.client);
      conn.close();
    };
    conn.client.on("close", drop);
    conn.client.on("end", drop);
    conn.client.on("error", drop);
    conn.client.on("tcp connection", (info, accept, reject) => {
      const t = this.settings.tunnels.find(
        (x) => x.direction === "remote" && x.listenPort === info.destPort,
      );
      if (t === undefined) return reject();
      const ch = accept();
      const sock = tcpConnect({ host: t.forwardHost, port: t.forwardPort });
      this.splice(sock, ch);
    });
  }

  private splice(sock: Socket, ch: ClientChannel): void {
    this.sockets.add(sock);
    sock.on("close", () => this.sockets.delete(sock));
    sock.on("error", () => ch.close());
    ch.on("error", () => sock.destroy());
    sock.pipe(ch).pipe(sock);
  }

  /** Opens the local listeners and asks the server for the remote ones. */
  private async openTunnels(): Promise<void> {
    for (const t of this.settings.tunnels.filter((x) => x.direction === "local")) {
      this.servers.push(await this.localTunnel(t));
    }
    if (this.conn) await this.remoteTunnels(this.conn.client);
  }

  private async localTunnel(t: TunnelSpec): Promise<Server> {
    const server = createServer((sock) => {
      this.client()
        .then((client) => {
          client.forwardOut(
            sock.remoteAddress ?? "127.0.0.1",
            sock.remotePort ?? 0,
            t.forwardHost,
            t.forwardPort,
            (err, ch) => {
              if (err) sock.destroy();
              else this.splice(sock, ch);
            },
          );
        })
        .catch(() => sock.destroy());
    });
    server.listen(t.listenPort, t.listenHost);
    try {
      await once(server, "listening");
    } catch (err) {
      throw new Error(
        `Tunnel: Failed to bind local ${t.listenHost}:${t.listenPort}: ${errorText(err)}`,
        { cause: err },
      );
    }
    return server;
  }

  private async remoteTunnels(client: Client): Promise<void> {
    for (const t of this.settings.tunnels.filter((x) => x.direction === "remote")) {
      await new Promise<void>((resolve, reject) => {
        client.forwardIn(t.listenHost, t.listenPort, (err) =>
          err
            ? reject(
                new Error(
                  `Tunnel: Failed to bind remote ${t.listenHost}:${t.listenPort}: ${err.message}`,
                ),
              )
            : resolve(),
        );
      });
    }
  }

  /** The open connection, reconnecting once if it dropped. */
  private async client(): Promise<Client> {
    if (this.closed) throw new SSHDisconnectedError("ssh: the communicator is closed");
    if (this.conn) return this.conn.client;
    this.reconnecting ??= openConnection(this.settings, this.auth, {
      keepAliveIntervalMs: this.settings.keepAliveIntervalMs,
      readWriteTimeoutMs: this.settings.readWriteTimeoutMs,
    }).finally(() => {
      this.reconnecting = undefined;
    });
    let conn: OpenConnection;
    try {
      conn = await this.reconnecting;
    } catch (err) {
      const why = err instanceof SSHConnectError ? err.message : errorText(err);
      const before = this.lastCloseReason ? ` (the connection ended: ${this.lastCloseReason})` : "";
      throw new SSHDisconnectedError(
        `ssh: disconnected${before}, and reconnecting failed: ${why}`,
        { cause: err },
      );
    }
    if (this.closed) {
      conn.close();
      throw new SSHDisconnectedError("ssh: the communicator is closed");
    }
    // Another caller may have attached a connection meanwhile (TypeScript cannot see that).
    const current = this.conn as OpenConnection | undefined;
    if (current !== undefined) {
      conn.close();
      return current.client;
    }
    this.attach(conn);
    // A new connection restores the remote tunnels (local listeners outlive connections);
    // one the server refuses now is not worth failing the command for.
    await this.remoteTunnels(conn.client).catch(() => {});
    return conn.client;
  }

  /** Opens a channel; when the connection turns out to be dead, reconnects once and tries again. */
  private async channel<T>(
    open: (client: Client, cb: (err: Error | undefined, value: T) => void) => void,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.client();
      try {
        return await new Promise<T>((resolve, reject) => {
          open(client, (err, value) => (err ? reject(err) : resolve(value)));
        });
      } catch (err) {
        if (attempt > 0 || this.closed)
          throw new SSHDisconnectedError(`ssh: ${errorText(err)}`, { cause: err });
        // The server may have gone without us noticing yet: drop the connection and reconnect.
        const dead = this.conn;
        this.conn = undefined;
        dead?.close();
      }
    }
  }

  private exec(command: string, opts: ExecOptions = {}): Promise<ClientChannel> {
    return this.channel<ClientChannel>((client, cb) => {
      client.exec(command, opts, (err, ch) => cb(err, ch));
    });
  }

  /** Opens a command channel, forwarding the SSH agent unless the server refused that before. */
  private async execCommand(
    command: string,
    opts: ExecOptions,
  ): Promise<{ ch: ClientChannel; client: Client }> {
    const forward = this.auth.forwardAgent !== undefined && !this.agentForwardingRefused;
    let used: Client | undefined;
    const open = (agentForward: boolean) =>
      this.channel<ClientChannel>((client, cb) => {
        used = client;
        client.exec(
          command,
          agentForward ? ({ ...opts, agentForward } as ExecOptions) : opts,
          (err, ch) => cb(err, ch),
        );
      });
    try {
      const ch = await open(forward);
      return { ch, client: used! };
    } catch (err) {
      if (!forward || !/agent forwarding/i.test(errorText(err))) throw err;
      // As Packer does, a server that does not forward agents still runs the command.
      this.agentForwardingRefused = true;
      const ch = await open(false);
      return { ch, client: used! };
    }
  }

  /**
   * Runs a command. When the connection drops before the command reports how
   * it ended (a reboot, or a dead connection found by the keep-alives or
   * ssh_read_write_timeout), the exit status is CMD_DISCONNECT and
   * `disconnectReason` says why, when known.
   */
  async run(
    cmd: RemoteCommand,
    signal?: AbortSignal,
  ): Promise<{ exitStatus: number; disconnectReason?: string }> {
    if (signal?.aborted) throw new SSHCancelledError(`Cancelled: ${cmd.command}`);
    const opts: ExecOptions = this.settings.pty
      ? {
          pty: {
            term: "xterm",
            rows: 40,
            cols: 80,
            modes: { ECHO: 0, TTY_OP_ISPEED: 14400, TTY_OP_OSPEED: 14400 },
          },
        }
      : {};
    let ch: ClientChannel;
    let client: Client;
    try {
      ({ ch, client } = await this.execCommand(cmd.command, opts));
    } catch (err) {
      cmd.stdin?.destroy();
      throw err;
    }
    return new Promise((resolve, reject) => {
      let status: number | undefined;
      let cancelled = false;
      const onAbort = () => {
        // Ask the server to kill the command, close the channel, and stop waiting for either.
        cancelled = true;
        try {
          ch.signal("KILL");
        } catch {}
        ch.close();
        reject(new SSHCancelledError(`Cancelled: ${cmd.command}`));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      ch.on("exit", (code: number | null, sig?: string) => {
        if (typeof code === "number") status = code;
        else if (sig !== undefined) status = 128 + (SIGNALS[sig.replace(/^SIG/, "")] ?? 0);
      });
      ch.on("data", (chunk: Buffer) => cmd.onStdout?.(chunk));
      ch.stderr.on("data", (chunk: Buffer) => cmd.onStderr?.(chunk));
      ch.on("error", () => {});
      ch.on("close", () => {
        signal?.removeEventListener("abort", onAbort);
        if (cancelled) return;
        if (status !== undefined) return resolve({ exitStatus: status });
        // The channel can close just before the client notices the connection is gone.
        setImmediate(() => {
          const reason = closeReason(client);
          resolve({
            exitStatus: CMD_DISCONNECT,
            ...(reason !== undefined ? { disconnectReason: reason } : {}),
          });
        });
      });
      if (cmd.stdin) {
        cmd.stdin.on("error", () => ch.end());
        cmd.stdin.pipe(ch);
      } else ch.end();
    });
  }

  /** Runs an scp command and speaks its protocol through `fn`; fails with what scp said. */
  private async scp(
    command: string,
    fn: (ch: ClientChannel, r: ScpReader) => Promise<void>,
  ): Promise<void> {
    const ch = await this.exec(command);
    const r = new ScpReader(ch);
    let stderr = "";
    ch.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-4000);
    });
    ch.on("error", () => {});
    const ended = new Promise<number | undefined>((resolve) => {
      let code: number | undefined;
      ch.on("exit", (c: number | null) => {
        code = c ?? 255;
      });
      ch.on("close", () => resolve(code));
    });
    try {
      await fn(ch, r);
    } catch (err) {
      ch.close();
      const code = await ended;
      throw this.scpError(err, code, stderr);
    }
    ch.end();
    const code = await ended;
    if (code !== 0) throw this.scpError(undefined, code, stderr);
  }

  private scpError(err: unknown, code: number | undefined, stderr: string): Error {
    if (code === 127) {
      return new Error(
        "SCP failed to start. This usually means that SCP is not\nproperly installed on the remote system.",
      );
    }
    if (code === undefined && !this.conn) {
      const why = this.lastCloseReason ?? (err ? errorText(err) : undefined);
      return new SSHDisconnectedError(
        `ssh: disconnected during the transfer${why !== undefined ? `: ${why}` : ""}`,
      );
    }
    const detail = stderr
      .split("\n")
      .filter(
        (l) =>
          l.trim() !== "" &&
          !/^(Sink|Sending|Executing|debug\d?|File mtime|Entering|Leaving)/.test(l),
      )
      .join("\n");
    const base = err ? errorText(err) : `scp exited with status ${code}`;
    return new Error(detail && !base.includes(detail) ? `${base}\n${detail}` : base, {
      cause: err,
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    return this.channel<SFTPWrapper>((client, cb) => client.sftp((err, s) => cb(err, s)));
  }

  private async withSftp(fn: (s: SFTPWrapper) => Promise<void>): Promise<void> {
    const s = await this.sftp();
    try {
      await fn(s);
    } catch (err) {
      // A transfer cut off by a dead connection says why the connection died.
      if (this.conn === undefined && this.lastCloseReason !== undefined) {
        throw new SSHDisconnectedError(
          `ssh: disconnected during the transfer: ${this.lastCloseReason}`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      s.end();
    }
  }

  async upload(dst: string, src: Readable, info: UploadInfo = {}): Promise<void> {
    const mode = info.mode ?? 0o644;
    // A whole local file is read again in larger chunks (and its size is known for scp).
    const file = await wholeFile(src);
    if (file !== undefined) {
      src.destroy();
      src = createReadStream(file.path, { highWaterMark: FILE_READ_BYTES });
    }
    if (this.settings.fileTransferMethod === "sftp") {
      return this.withSftp((s) => sftpUpload(s, dst, src, mode));
    }
    let size = info.size ?? file?.size;
    let spool: string | undefined;
    if (size === undefined) {
      // scp announces the size first: a stream of unknown length is spooled to a temporary file.
      spool = await mkdtemp(join(tmpdir(), "kiln-upload-"));
      const path = join(spool, "data");
      await pipeline(src, createWriteStream(path));
      size = (await stat(path)).size;
      src = createReadStream(path, { highWaterMark: FILE_READ_BYTES });
    }
    const dir = posix.dirname(dst);
    try {
      await this.scp(`scp -vt ${shellQuote(dir)}`, (ch, r) =>
        scpSendFile(ch, r, posix.basename(dst), src, size, mode),
      );
    } finally {
      src.destroy();
      if (spool) await rm(spool, { recursive: true, force: true });
    }
  }

  async uploadDir(dst: string, src: string, exclude: string[] = []): Promise<void> {
    const contents = src.endsWith("/");
    const st = await stat(src);
    if (!st.isDirectory()) throw new Error(`${src} is not a directory`);
    const excluded = excludeSet(exclude);
    const status = await this.run({ command: `mkdir -p ${shellQuote(dst)}` });
    if (status.exitStatus !== 0)
      throw new Error(`Could not create the directory ${dst} on the remote machine`);
    if (this.settings.fileTransferMethod === "sftp") {
      return this.withSftp(async (s) => {
        let root = dst;
        if (!contents) {
          root = posix.join(dst, basename(src));
          await sftpMkdir(s, root, st.mode);
        }
        await sftpUploadTree(s, src, root, excluded);
      });
    }
    await this.scp(`scp -rvt ${shellQuote(dst)}`, (ch, r) =>
      contents ? scpSendDir(ch, r, src, "", excluded) : scpSendDirItself(ch, r, src, excluded),
    );
  }

  async download(src: string, dst: Writable): Promise<void> {
    if (this.settings.fileTransferMethod === "sftp") {
      return this.withSftp((s) => sftpDownload(s, src, dst));
    }
    await this.scp(`scp -vf ${shellQuote(src)}`, (ch, r) => scpReceiveFile(ch, r, dst));
  }

  async downloadDir(src: string, dst: string, exclude: string[] = []): Promise<void> {
    const contents = src.endsWith("/");
    const excluded = excludeSet(exclude);
    await mkdir(dst, { recursive: true });
    if (this.settings.fileTransferMethod === "sftp") {
      const target = contents ? dst : join(dst, posix.basename(src));
      return this.withSftp((s) =>
        sftpDownloadTree(s, src.replace(/\/+$/, "") || "/", target, excluded),
      );
    }
    await this.scp(`scp -vrf ${shellQuote(src.replace(/\/+$/, "") || "/")}`, (ch, r) =>
      scpReceiveTree(ch, r, dst, contents, excluded),
    );
  }
}

function excludeSet(exclude: string[]): Set<string> {
  return new Set(exclude.map((e) => e.replace(/^\.?\/+|\/+$/g, "")));
}

/** The path and size of a read stream over a whole regular file that has not been read yet. */
async function wholeFile(src: Readable): Promise<{ path: string; size: number } | undefined> {
  if (!(src instanceof ReadStream)) return undefined;
  const s = src as ReadStream & { start?: number; end?: number };
  if (
    typeof s.path !== "string" ||
    s.bytesRead > 0 ||
    s.readableLength > 0 ||
    (s.start ?? 0) !== 0 ||
    (s.end !== undefined && s.end !== Number.POSITIVE_INFINITY)
  ) {
    return undefined;
  }
  try {
    const st = await stat(s.path);
    // Reading may have begun while stat ran.
    if (!st.isFile() || s.bytesRead > 0 || s.readableLength > 0) return undefined;
    return { path: s.path, size: st.size };
  } catch {
    return undefined;
  }
}
