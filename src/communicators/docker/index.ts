// The docker communicator: reaches a running container through the Docker
// engine's API. Commands run as `docker exec` runs them (`/bin/sh -c
// "(command)"`, as the exec_user), with their output streamed and their exit
// status returned; files and directories travel both ways as tar streams
// through the archive endpoints (what `docker cp` uses), so nothing is held
// in memory and nothing is needed inside the container but a shell.

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import {
  chmod,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rm,
  symlink,
  utimes,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix, resolve, sep } from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Communicator, RemoteCommand, UploadInfo } from "../communicator.js";
import { EngineClient, EngineError } from "./engine.js";
import { readTar, type TarEntryInput, writeTar } from "./tar.js";

export { EngineClient, EngineError, resolveEndpoint } from "./engine.js";

export interface DockerCommunicatorOptions {
  containerId: string;
  /** The engine connection (one is made from DOCKER_HOST / the docker context otherwise). */
  client?: EngineClient;
  /** exec_user: who runs the commands ("UID", "UID:GID", a name); the container's user when empty. */
  execUser?: string;
  /** Allocate a pseudo-terminal for commands (output then arrives on stdout only). */
  pty?: boolean;
  /** fix_upload_owner: uploaded files belong to the container's user instead of root (default true). */
  fixUploadOwner?: boolean;
  /** The user the container runs as (its Config.User), for fix_upload_owner. */
  containerUser?: string;
  /** The container's working directory: where relative remote paths start (default "/"). */
  workingDir?: string;
  /** What runs a command line (default ["/bin/sh", "-c"]). */
  entryPoint?: string[];
}

/** Uploads are sent in pieces of about this size: the engine takes 64 KiB pieces at half the speed. */
const SEND_CHUNK = 1024 * 1024;

/** Bytes of an upload of unknown size kept in memory before it is spooled to a temporary file. */
const SPOOL_IN_MEMORY = 1024 * 1024;

interface Owner {
  uid: number;
  gid: number;
}

interface PathStat {
  name: string;
  size: number;
  mode: number;
  linkTarget: string;
}

export class DockerCommunicator implements Communicator {
  readonly containerId: string;
  private readonly client: EngineClient;
  private ownsClient: boolean;
  private readonly opts: DockerCommunicatorOptions;
  private owner: Promise<Owner> | undefined;

  constructor(opts: DockerCommunicatorOptions) {
    this.containerId = opts.containerId;
    this.ownsClient = opts.client === undefined;
    this.client = opts.client ?? new EngineClient();
    this.opts = opts;
  }

  /** A communicator for a running container, with its user and working directory read from the engine. */
  static async connect(
    containerId: string,
    opts: Omit<DockerCommunicatorOptions, "containerId" | "containerUser" | "workingDir"> = {},
  ): Promise<DockerCommunicator> {
    const client = opts.client ?? new EngineClient();
    let info: { Id: string; Config?: { User?: string; WorkingDir?: string } };
    try {
      info = await client.json("GET", `/containers/${encodeURIComponent(containerId)}/json`);
    } catch (err) {
      if (opts.client === undefined) client.close();
      throw err;
    }
    const comm = new DockerCommunicator({
      ...opts,
      client,
      containerId: info.Id,
      containerUser: info.Config?.User ?? "",
      workingDir: info.Config?.WorkingDir || "/",
    });
    comm.ownsClient = opts.client === undefined;
    return comm;
  }

  /** Lets go of the engine connection (when this communicator made it). */
  close(): void {
    if (this.ownsClient) this.client.close();
  }

  async run(cmd: RemoteCommand, signal?: AbortSignal): Promise<{ exitStatus: number }> {
    const entry = this.opts.entryPoint ?? ["/bin/sh", "-c"];
    // In a subshell, as Packer runs it; the newline keeps a trailing comment from eating the ")".
    return this.exec([...entry, `(${cmd.command}\n)`], cmd, this.opts.execUser ?? "", signal);
  }

  async upload(dst: string, src: Readable, info: UploadInfo = {}): Promise<void> {
    const target = this.remotePath(dst);
    const sized = await withSize(src, info.size);
    try {
      const owner = await this.uploadOwner();
      const entry: TarEntryInput = {
        name: "",
        type: "file",
        mode: info.mode ?? 0o644,
        size: sized.size,
        body: sized.stream,
        mtime: Math.floor(Date.now() / 1000),
        ...owner,
      };
      try {
        await this.putArchive(target, (base) => [{ ...entry, name: base }]);
      } catch (err) {
        throw new Error(`Failed to upload to '${dst}' in container: ${(err as Error).message}`, {
          cause: err,
        });
      }
    } finally {
      sized.stream.destroy();
      await sized.cleanup();
    }
  }

  async uploadDir(dst: string, src: string, exclude: string[] = []): Promise<void> {
    const contents = src.endsWith("/") || src.endsWith(sep);
    const local = resolve(src);
    const st = await lstat(local);
    if (!st.isDirectory()) throw new Error(`${src} is not a directory`);
    const owner = await this.uploadOwner();
    const target = this.remotePath(dst);
    const excluded = new Set(exclude.map((e) => e.replace(/^\.?\/+|\/+$/g, "")));
    try {
      // The whole of the directory lands in dst: its contents with a trailing slash, itself without.
      await this.putArchive(
        target,
        (base) =>
          walk(
            local,
            contents ? base : posix.join(base, basename(local)),
            !contents,
            owner,
            excluded,
          ),
        true,
      );
    } catch (err) {
      throw new Error(`Failed to upload to '${dst}' in container: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async download(src: string, dst: Writable): Promise<void> {
    let target = this.remotePath(src);
    let stat = await this.statPath(target).catch((err) => {
      throw new Error(`Error downloading file: ${(err as Error).message}`, { cause: err });
    });
    // A symlink is followed to the file it names, as `docker cp -L` does.
    for (let hops = 0; stat.linkTarget !== "" && hops < 40; hops++) {
      target = posix.resolve(posix.dirname(target), stat.linkTarget);
      stat = await this.statPath(target);
    }
    if ((stat.mode & 0x80000000) !== 0)
      throw new Error(`Error downloading file: ${src} is a directory`);
    const res = await this.client.request("GET", this.archivePath(), { query: { path: target } });
    try {
      for await (const entry of readTar(res)) {
        if (entry.header.type !== "file") {
          throw new Error(`Error downloading file: ${src} is not a regular file`);
        }
        for await (const chunk of entry.body()) {
          if (!dst.write(chunk)) await once(dst, "drain");
        }
        break;
      }
    } finally {
      res.destroy();
    }
  }

  async downloadDir(src: string, dst: string, exclude: string[] = []): Promise<void> {
    // A pattern in the last component (`/var/log/*.log`) names the matching
    // entries of its directory: the directory's contents, filtered.
    const last = src.replace(/\/+$/, "").split("/").pop() ?? "";
    const pattern = /[*?[]/.test(last) ? globRegExp(last) : undefined;
    if (pattern) src = `${src.replace(/\/+$/, "").slice(0, -last.length) || "./"}`;
    const contents = pattern !== undefined || src.endsWith("/");
    const target = this.remotePath(src);
    const root = resolve(dst);
    const excluded = new Set(exclude.map((e) => e.replace(/^\.?\/+|\/+$/g, "")));
    let res: import("node:http").IncomingMessage;
    try {
      res = await this.client.request("GET", this.archivePath(), { query: { path: target } });
    } catch (err) {
      throw new Error(`Failed to download '${src}' from container: ${(err as Error).message}`, {
        cause: err,
      });
    }
    await mkdir(root, { recursive: true });
    // Directory modes and times are applied last (deepest first): a read-only
    // directory must not stop its own contents from being written.
    const dirs: { path: string; mode: number; mtime: number }[] = [];
    // Symlinks made so far: nothing is written through one (it could point anywhere).
    const links: string[] = [];
    for await (const entry of readTar(res)) {
      const h = entry.header;
      const parts = h.name.split("/").filter((p) => p !== "" && p !== ".");
      if (parts.includes("..")) throw new Error(`refusing to extract ${h.name}: it leaves ${dst}`);
      const rel = (contents ? parts.slice(1) : parts).join("/");
      // With a trailing slash (or a pattern) the source directory itself is not copied, nor its mode.
      if (rel === "" && contents) continue;
      if (pattern && !pattern.test(parts[1] ?? "")) continue;
      if (isExcluded(contents ? rel : parts.slice(1).join("/"), excluded)) continue;
      const path = join(root, ...rel.split("/"));
      if (links.some((l) => path.startsWith(l + sep))) {
        throw new Error(`refusing to extract ${h.name}: it is inside a symlink`);
      }
      switch (h.type) {
        case "directory":
          await mkdir(path, { recursive: true });
          dirs.push({ path, mode: h.mode, mtime: h.mtime });
          break;
        case "file": {
          await mkdir(dirname(path), { recursive: true });
          await rm(path, { force: true });
          await pipeline(
            Readable.from(entry.body()),
            createWriteStream(path, { mode: h.mode & 0o7777 }),
          );
          await chmod(path, h.mode & 0o7777);
          await utimes(path, h.mtime, h.mtime);
          break;
        }
        case "symlink":
          await mkdir(dirname(path), { recursive: true });
          await rm(path, { force: true });
          await symlink(h.linkname, path);
          links.push(path);
          break;
        case "hardlink": {
          const linkParts = h.linkname.split("/").filter((p) => p !== "" && p !== ".");
          const existing = join(root, ...(contents ? linkParts.slice(1) : linkParts));
          await rm(path, { force: true });
          await link(existing, path);
          break;
        }
        default:
          // Devices, fifos: not something a build downloads.
          break;
      }
    }
    for (const d of dirs.reverse()) {
      await chmod(d.path, d.mode & 0o7777);
      await utimes(d.path, d.mtime, d.mtime);
    }
  }

  /** Runs argv in the container; resolves with its exit status. */
  private async exec(
    argv: string[],
    io: Omit<RemoteCommand, "command">,
    user: string,
    signal?: AbortSignal,
  ): Promise<{ exitStatus: number }> {
    signal?.throwIfAborted();
    const pty = this.opts.pty ?? false;
    const created = await this.client.json<{ Id: string }>(
      "POST",
      `/containers/${this.containerId}/exec`,
      {
        json: {
          AttachStdin: io.stdin !== undefined,
          AttachStdout: true,
          AttachStderr: true,
          Tty: pty,
          User: user,
          Cmd: argv,
        },
        signal,
      },
    );
    const socket = await this.client.hijack(
      `/exec/${created.Id}/start`,
      { Detach: false, Tty: pty },
      signal,
    );
    await new Promise<void>((resolvePromise, reject) => {
      const onAbort = () => {
        socket.destroy();
        reject(signal!.reason ?? new Error("cancelled"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const demux = pty ? undefined : new Demuxer(io.onStdout, io.onStderr);
      socket.on("data", (chunk: Buffer) => {
        if (demux) demux.push(chunk);
        else io.onStdout?.(chunk);
      });
      socket.on("error", (err: NodeJS.ErrnoException) => {
        signal?.removeEventListener("abort", onAbort);
        // A command that ends without reading all its input closes the
        // connection under the input still being written: not a failure.
        if (io.stdin && (err.code === "EPIPE" || err.code === "ECONNRESET")) {
          io.stdin.unpipe(socket);
          resolvePromise();
        } else reject(err);
      });
      socket.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        socket.destroy();
        resolvePromise();
      });
      if (io.stdin) {
        io.stdin.on("error", () => socket.end());
        io.stdin.pipe(socket);
      } else {
        socket.end();
      }
    });
    return { exitStatus: await this.exitCode(created.Id) };
  }

  /** The exit code of a finished exec (the engine may record it a moment after the stream ends). */
  private async exitCode(execId: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const info = await this.client.json<{ Running: boolean; ExitCode: number | null }>(
        "GET",
        `/exec/${execId}/json`,
      );
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      if (attempt >= 500) throw new Error("the command's exit code never became known");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Extracts the archive made by `entries` into `dir` (which must be a
   * directory). When `dir` does not exist yet, the archive is put at "/"
   * with the full path in its names, and the engine makes the missing
   * directories (owned by root, mode 0755).
   */
  private async putArchive(
    dir: string,
    entries: (base: string) => AsyncIterable<TarEntryInput> | Iterable<TarEntryInput>,
    isDirTarget = false,
  ): Promise<void> {
    const parent = isDirTarget ? posix.normalize(dir) : posix.dirname(dir);
    const leaf = isDirTarget ? "" : posix.basename(dir);
    const exists = await this.statPath(parent).then(
      (s) => (s.mode & 0x80000000) !== 0,
      (err) => {
        if (err instanceof EngineError && err.statusCode === 404) return false;
        throw err;
      },
    );
    const [at, base] = exists ? [parent, leaf] : ["/", posix.join(parent.slice(1), leaf)];
    const body = Readable.from(coalesce(writeTar(entries(base)), SEND_CHUNK), {
      objectMode: false,
    });
    try {
      const res = await this.client.request("PUT", this.archivePath(), {
        // As `docker cp`: a file never replaces a directory (the engine would delete the directory).
        query: { path: at, noOverwriteDirNonDir: "true" },
        body,
        headers: { "Content-Type": "application/x-tar" },
      });
      res.resume();
      await once(res, "end");
    } finally {
      body.destroy();
    }
  }

  private async statPath(path: string): Promise<PathStat> {
    const res = await this.client
      .request("HEAD", this.archivePath(), { query: { path } })
      .catch((err: unknown) => {
        // A HEAD answer has no body to carry the engine's message: say it here.
        if (err instanceof EngineError && err.statusCode === 404) {
          throw new EngineError(
            404,
            `Could not find the file ${path} in container ${this.containerId}`,
          );
        }
        throw err;
      });
    res.resume();
    const header = res.headers["x-docker-container-path-stat"];
    if (typeof header !== "string") throw new Error(`no information about ${path} from the engine`);
    return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
  }

  private archivePath(): string {
    return `/containers/${this.containerId}/archive`;
  }

  /** A remote path made absolute against the container's working directory. */
  private remotePath(p: string): string {
    return posix.resolve(this.opts.workingDir || "/", p);
  }

  /** Who uploaded files belong to: the container's user with fix_upload_owner, else root. */
  private uploadOwner(): Promise<Owner> {
    this.owner ??= this.resolveOwner();
    return this.owner;
  }

  private async resolveOwner(): Promise<Owner> {
    if (this.opts.fixUploadOwner === false) return { uid: 0, gid: 0 };
    const spec = this.opts.containerUser || "root";
    const [user = "root", group] = spec.split(":");
    const numeric = (s: string | undefined) =>
      s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
    let uid = user === "root" ? 0 : numeric(user);
    // As `chown USER` leaves the group alone, files keep root's group unless one is named.
    let gid = group === undefined || group === "root" ? 0 : numeric(group);
    if (uid !== undefined && gid !== undefined) return { uid, gid };
    const script = [
      uid === undefined ? 'id -u -- "$1"' : "echo",
      gid === undefined ? 'getent group "$2" | cut -d: -f3' : "echo",
    ].join("; ");
    let out = "";
    let err = "";
    const { exitStatus } = await this.exec(
      ["/bin/sh", "-c", script, "sh", user, group ?? ""],
      {
        onStdout: (c) => {
          out += c.toString("utf8");
        },
        onStderr: (c) => {
          err += c.toString("utf8");
        },
      },
      "0",
    );
    const [u, g] = out.split("\n");
    uid ??= numeric(u?.trim());
    gid ??= numeric(g?.trim());
    if (exitStatus !== 0 || uid === undefined || gid === undefined) {
      throw new Error(
        `Failed to set owner of the uploaded file: no such user or group "${spec}" in the container. ${err.trim()}`,
      );
    }
    return { uid, gid };
  }
}

/** Splits the engine's multiplexed exec stream (8-byte frame headers) into stdout and stderr. */
class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onStdout?: (chunk: Buffer) => void,
    private readonly onStderr?: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) return;
      const payload = this.pending.subarray(8, 8 + size);
      const stream = this.pending[0];
      this.pending = this.pending.subarray(8 + size);
      if (payload.length === 0) continue;
      if (stream === 2) this.onStderr?.(payload);
      else this.onStdout?.(payload);
    }
  }
}

/** The entries of a local directory tree, parents before children, in name order. */
async function* walk(
  dir: string,
  name: string,
  includeTop: boolean,
  owner: Owner,
  excluded: Set<string>,
  rel = "",
): AsyncGenerator<TarEntryInput> {
  if (includeTop) {
    const st = await lstat(dir);
    yield {
      name,
      type: "directory",
      mode: st.mode,
      mtime: Math.floor(st.mtimeMs / 1000),
      ...owner,
    };
  }
  const children = (await readdir(dir)).sort();
  for (const child of children) {
    const childRel = rel === "" ? child : `${rel}/${child}`;
    if (isExcluded(childRel, excluded)) continue;
    const path = join(dir, child);
    const childName = name === "" ? child : `${name}/${child}`;
    const st = await lstat(path);
    const mtime = Math.floor(st.mtimeMs / 1000);
    if (st.isDirectory()) {
      yield* walk(path, childName, true, owner, excluded, childRel);
    } else if (st.isFile()) {
      yield {
        name: childName,
        type: "file",
        mode: st.mode,
        size: st.size,
        mtime,
        body:
          st.size > 0
            ? createReadStream(path, { start: 0, end: st.size - 1, highWaterMark: SEND_CHUNK })
            : undefined,
        ...owner,
      };
    } else if (st.isSymbolicLink()) {
      yield {
        name: childName,
        type: "symlink",
        mode: st.mode,
        linkname: await readlink(path),
        mtime,
        ...owner,
      };
    }
  }
}

/** The chunks of `source` joined into pieces of at least `size` bytes (the last may be smaller). */
async function* coalesce(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of source) {
    if (chunk.length >= size && bytes === 0) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    bytes += chunk.length;
    if (bytes >= size) {
      yield Buffer.concat(held, bytes);
      held = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield Buffer.concat(held, bytes);
}

/** A shell pattern (`*`, `?`, `[...]`) for one path component, as a regular expression. */
function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) re += "\\[";
      else {
        const body = pattern
          .slice(i + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function isExcluded(rel: string, excluded: Set<string>): boolean {
  if (excluded.size === 0 || rel === "") return false;
  for (let p = rel; p !== ""; p = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "") {
    if (excluded.has(p)) return true;
  }
  return false;
}

interface SizedStream {
  stream: Readable;
  size: number;
  cleanup(): Promise<void>;
}

/**
 * A tar header needs the size before the content: a stream of unknown size
 * is read into memory up to 1 MiB, and beyond that spooled to a temporary
 * file, so a large upload is never held in memory.
 */
async function withSize(src: Readable, size: number | undefined): Promise<SizedStream> {
  const none = async () => {};
  if (size !== undefined) return { stream: src, size, cleanup: none };
  const path = (src as Readable & { path?: unknown }).path;
  if (typeof path === "string" || Buffer.isBuffer(path)) {
    const st = await lstat(path).catch(() => undefined);
    if (st?.isFile() && (src as { start?: number }).start === undefined) {
      return { stream: src, size: st.size, cleanup: none };
    }
  }
  const chunks: Buffer[] = [];
  let held = 0;
  const iterator = src[Symbol.asyncIterator]();
  for (;;) {
    const r = await iterator.next();
    if (r.done) {
      return { stream: Readable.from(chunks), size: held, cleanup: none };
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(chunk);
    held += chunk.length;
    if (held > SPOOL_IN_MEMORY) break;
  }
  const dir = await mkdtemp(join(tmpdir(), "kiln-upload-"));
  const file = join(dir, "spool");
  const rest = Readable.from(
    (async function* () {
      yield* chunks;
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })(),
  );
  await pipeline(rest, createWriteStream(file));
  const spooledSize = (await lstat(file)).size;
  return {
    stream: createReadStream(file),
    size: spooledSize,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
