// The scp protocol, spoken to a remote `scp -t` (sink) or `scp -f` (source)
// over an SSH channel: files are streamed in both directions, never held in
// memory; directories travel as D/E records with their modes.

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, realpath, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Readable, Writable } from "node:stream";
import type { ClientChannel } from "ssh2";
import { FILE_READ_BYTES } from "./sftp.js";

/** Reads the scp peer's replies: status bytes, record lines and file bodies. */
export class ScpReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(stream: Readable) {
    stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      // Bounded memory: stop reading until the consumer catches up.
      if (this.buffered > 1 << 20) stream.pause();
      this.notify();
    });
    stream.on("end", () => {
      this.ended = true;
      this.notify();
    });
    stream.on("close", () => {
      this.ended = true;
      this.notify();
    });
    watchClose(stream);
    stream.on("error", (err: Error) => {
      this.error = err;
      this.notify();
    });
    this.resume = () => stream.resume();
  }

  private readonly resume: () => void;

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async fill(): Promise<boolean> {
    while (this.buffered === 0) {
      if (this.error) throw this.error;
      if (this.ended) return false;
      this.resume();
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
    return true;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length <= n) {
      this.chunks.shift();
      this.buffered -= first.length;
      if (this.buffered < 1 << 19) this.resume();
      return first;
    }
    this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return first.subarray(0, n);
  }

  async byte(): Promise<number | undefined> {
    if (!(await this.fill())) return undefined;
    return this.take(1)[0];
  }

  async line(): Promise<string> {
    const parts: Buffer[] = [];
    for (;;) {
      if (!(await this.fill()))
        throw new Error("scp: the connection ended in the middle of a reply");
      const first = this.chunks[0]!;
      const nl = first.indexOf(10);
      if (nl === -1) {
        parts.push(this.take(first.length));
        continue;
      }
      parts.push(this.take(nl + 1));
      return Buffer.concat(parts).toString("utf8").replace(/\n$/, "");
    }
  }

  /** Copies exactly `size` bytes to `dst`, honouring its backpressure. */
  async copyTo(dst: Writable, size: number): Promise<void> {
    let left = size;
    while (left > 0) {
      if (!(await this.fill()))
        throw new Error("scp: the connection ended in the middle of a file");
      const chunk = this.take(Math.min(left, this.chunks[0]!.length));
      left -= chunk.length;
      if (!dst.write(chunk)) await once(dst, "drain");
    }
  }

  /** Reads the status the peer answers each record with; throws its message on an error. */
  async status(): Promise<void> {
    const code = await this.byte();
    if (code === undefined) throw new Error("scp: the remote scp ended without answering");
    if (code === 0) return;
    const message = await this.line();
    throw new Error(message || `scp: error ${code}`);
  }
}

/** Channels that have closed (a dead connection closes them without a "drain"). */
const closedChannels = new WeakSet<object>();

function watchClose(stream: Readable): void {
  stream.once("close", () => closedChannels.add(stream));
}

/** Writes to the channel, waiting for room; rejects when the channel closes meanwhile. */
async function write(ch: Writable, data: string | Buffer): Promise<void> {
  if (closedChannels.has(ch)) throw new Error("scp: the connection closed");
  if (ch.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      ch.off("drain", onDrain);
      ch.off("close", onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("scp: the connection closed"));
    ch.once("drain", onDrain);
    ch.once("close", onClose);
  });
}

/** Streams exactly `size` bytes of `src` into the channel; fails if the source is shorter or longer. */
async function sendBody(ch: Writable, src: Readable, size: number): Promise<void> {
  let sent = 0;
  for await (const raw of src as AsyncIterable<Buffer | string>) {
    const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    sent += chunk.length;
    if (sent > size) throw new Error(`scp: the source is longer than its announced ${size} bytes`);
    await write(ch, chunk);
  }
  if (sent !== size) throw new Error(`scp: the source ended after ${sent} of ${size} bytes`);
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

/** Sends one file record (`C<mode> <size> <name>`) and its body. */
export async function scpSendFile(
  ch: ClientChannel,
  r: ScpReader,
  name: string,
  src: Readable,
  size: number,
  mode: number,
): Promise<void> {
  await write(ch, `C${octal(mode)} ${size} ${name}\n`);
  await r.status();
  await sendBody(ch, src, size);
  await write(ch, Buffer.from([0]));
  await r.status();
}

/** Sends a local directory's entries (files, then directories recursively); symlinks are followed. */
export async function scpSendDir(
  ch: ClientChannel,
  r: ScpReader,
  dir: string,
  rel: string,
  excluded: Set<string>,
  visited = new Set<string>(),
): Promise<void> {
  const real = await realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const path = join(dir, name);
    const relPath = rel === "" ? name : `${rel}/${name}`;
    if (excluded.has(relPath)) continue;
    const st = await stat(path);
    if (st.isDirectory()) {
      await write(ch, `D${octal(st.mode)} 0 ${name}\n`);
      await r.status();
      await scpSendDir(ch, r, path, relPath, excluded, visited);
      await write(ch, "E\n");
      await r.status();
    } else if (st.isFile()) {
      await scpSendFile(
        ch,
        r,
        name,
        createReadStream(path, { highWaterMark: FILE_READ_BYTES }),
        st.size,
        st.mode,
      );
    }
  }
}

/** Sends `dir` itself as a D record wrapping its entries. */
export async function scpSendDirItself(
  ch: ClientChannel,
  r: ScpReader,
  dir: string,
  excluded: Set<string>,
): Promise<void> {
  const st = await stat(dir);
  await write(ch, `D${octal(st.mode)} 0 ${basename(dir)}\n`);
  await r.status();
  await scpSendDir(ch, r, dir, "", excluded);
  await write(ch, "E\n");
  await r.status();
}

interface Record_ {
  kind: "C" | "D" | "E";
  mode: number;
  size: number;
  name: string;
}

/** Reads the next record from a remote `scp -f`; undefined at the end of the transfer. */
async function nextRecord(ch: ClientChannel, r: ScpReader): Promise<Record_ | undefined> {
  await write(ch, Buffer.from([0]));
  for (;;) {
    const first = await r.byte();
    if (first === undefined) return undefined;
    const c = String.fromCharCode(first);
    if (first === 1 || first === 2) throw new Error((await r.line()).trim() || "scp: remote error");
    if (c === "T") {
      // Times record (scp -p); acknowledge and read the next one.
      await r.line();
      await write(ch, Buffer.from([0]));
      continue;
    }
    if (c === "E") {
      await r.line();
      return { kind: "E", mode: 0, size: 0, name: "" };
    }
    if (c !== "C" && c !== "D")
      throw new Error(`scp: unexpected server response (${first.toString(16)})`);
    const line = await r.line();
    const m = /^([0-7]+) (\d+) (.+)$/.exec(line);
    if (!m) throw new Error(`scp: can't parse server response (${c}${line})`);
    const name = m[3]!;
    if (name === ".." || name === "." || name.includes("/")) {
      throw new Error(`scp: refusing the unsafe name ${JSON.stringify(name)}`);
    }
    return { kind: c, mode: Number.parseInt(m[1]!, 8), size: Number(m[2]), name };
  }
}

/** Receives one file from `scp -f` into `dst`. */
export async function scpReceiveFile(
  ch: ClientChannel,
  r: ScpReader,
  dst: Writable,
): Promise<void> {
  const rec = await nextRecord(ch, r);
  if (rec === undefined) throw new Error("scp: empty response from server");
  if (rec.kind === "D") throw new Error("scp: remote file is a directory");
  if (rec.kind !== "C") throw new Error("scp: unexpected end of transfer");
  await write(ch, Buffer.from([0]));
  await r.copyTo(dst, rec.size);
  await r.status();
  await write(ch, Buffer.from([0]));
}

/**
 * Receives a tree from `scp -rf` into `dst`. With `contents`, the top
 * directory's entries land in `dst` itself, otherwise in `dst/<name>`.
 */
export async function scpReceiveTree(
  ch: ClientChannel,
  r: ScpReader,
  dst: string,
  contents: boolean,
  excluded: Set<string>,
): Promise<void> {
  const stack: string[] = [];
  const dirModes: { path: string; mode: number }[] = [];
  await mkdir(dst, { recursive: true });
  for (;;) {
    const rec = await nextRecord(ch, r);
    if (rec === undefined) break;
    if (rec.kind === "E") {
      stack.pop();
      if (stack.length === 0) {
        await write(ch, Buffer.from([0]));
        break;
      }
      continue;
    }
    const parts = contents ? stack.slice(1) : stack;
    const relDir = parts.join("/");
    const rel = relDir === "" ? rec.name : `${relDir}/${rec.name}`;
    const skip = excluded.has(rel) || [...excluded].some((e) => rel.startsWith(`${e}/`));
    const local = contents && stack.length === 0 ? dst : join(dst, ...parts, rec.name);
    if (rec.kind === "D") {
      const top = contents && stack.length === 0;
      stack.push(rec.name);
      if (!skip && !top) {
        await mkdir(local, { recursive: true });
        dirModes.push({ path: local, mode: rec.mode });
      }
      continue;
    }
    await write(ch, Buffer.from([0]));
    if (skip) {
      await r.copyTo(new Writable({ write: (_c, _e, cb) => cb() }), rec.size);
    } else {
      const out = createWriteStream(local, { mode: rec.mode });
      await r.copyTo(out, rec.size);
      out.end();
      await once(out, "close");
      await chmod(local, rec.mode & 0o7777);
    }
    await r.status();
  }
  // Directory modes last, deepest first: a read-only directory must not block its own contents.
  for (const d of dirModes.reverse()) await chmod(d.path, d.mode & 0o7777);
}
