// File transfer over the SFTP subsystem (ssh_file_transfer_method = "sftp"):
// uploads keep several writes in flight, so a large file is not slowed down
// by one round trip per chunk, yet only a few chunks are ever in memory.

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, realpath, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { SFTPWrapper, Stats } from "ssh2";

/** Writes in flight at once; with 32 KiB chunks, 2 MiB buffered at most. */
const IN_FLIGHT = 64;
const CHUNK = 32 * 1024;

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

function sftpError(what: string, path: string, err: unknown): Error {
  const e = err as Error & { code?: number };
  const text =
    e.code === 2 ? "no such file or directory" : e.code === 3 ? "permission denied" : e.message;
  return new Error(`sftp: ${what} ${path}: ${text}`, { cause: err });
}

/** Streams `src` into the remote file `dst` and gives it `mode`. */
export async function sftpUpload(
  sftp: SFTPWrapper,
  dst: string,
  src: Readable,
  mode: number,
): Promise<void> {
  let handle: Buffer;
  try {
    handle = await call<Buffer>((cb) => sftp.open(dst, "w", { mode }, cb));
  } catch (err) {
    src.destroy();
    throw sftpError("cannot create", dst, err);
  }
  let offset = 0;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  try {
    for await (const raw of src as AsyncIterable<Buffer | string>) {
      const data = typeof raw === "string" ? Buffer.from(raw) : raw;
      for (let i = 0; i < data.length; i += CHUNK) {
        const piece = data.subarray(i, i + CHUNK);
        const at = offset;
        offset += piece.length;
        const p = call<void>((cb) => sftp.write(handle, piece, 0, piece.length, at, cb)).then(
          () => {
            pending.delete(p);
          },
          (err) => {
            pending.delete(p);
            failure ??= err;
          },
        );
        pending.add(p);
        if (pending.size >= IN_FLIGHT) await Promise.race(pending);
        if (failure !== undefined) throw failure;
      }
    }
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
  } catch (err) {
    src.destroy();
    await Promise.allSettled(pending);
    await call<void>((cb) => sftp.close(handle, cb)).catch(() => {});
    throw sftpError("cannot write", dst, err);
  }
  await call<void>((cb) => sftp.close(handle, cb));
  try {
    await call<void>((cb) => sftp.chmod(dst, mode & 0o7777, cb));
  } catch (err) {
    throw sftpError("cannot chmod", dst, err);
  }
}

/** Streams the remote file `src` into `dst` (which is not ended). */
export async function sftpDownload(sftp: SFTPWrapper, src: string, dst: Writable): Promise<void> {
  let st: Stats;
  try {
    st = await call<Stats>((cb) => sftp.stat(src, cb));
  } catch (err) {
    throw sftpError("cannot open", src, err);
  }
  if (st.isDirectory()) throw new Error(`sftp: ${src} is a directory`);
  const rs = sftp.createReadStream(src);
  // The handle is closed after the last chunk: wait for that before the session may end.
  const closed = once(rs, "close").catch(() => {});
  for await (const chunk of rs as AsyncIterable<Buffer>) {
    if (!dst.write(chunk)) await once(dst, "drain");
  }
  await closed;
}

async function remoteMkdir(sftp: SFTPWrapper, path: string, mode: number): Promise<void> {
  try {
    await call<void>((cb) => sftp.mkdir(path, { mode }, cb));
  } catch (err) {
    // An existing directory is fine.
    const st = await call<Stats>((cb) => sftp.lstat(path, cb)).catch(() => undefined);
    if (st === undefined || !st.isDirectory())
      throw sftpError("cannot create the directory", path, err);
  }
  await call<void>((cb) => sftp.chmod(path, mode & 0o7777, cb));
}

/** Uploads the local directory `src` into the remote `dst` (as `dst` itself when `asRoot`). */
export async function sftpUploadTree(
  sftp: SFTPWrapper,
  src: string,
  dst: string,
  excluded: Set<string>,
  rel = "",
  visited = new Set<string>(),
): Promise<void> {
  const real = await realpath(src);
  if (visited.has(real)) return;
  visited.add(real);
  for (const name of (await readdir(src)).sort()) {
    const relPath = rel === "" ? name : `${rel}/${name}`;
    if (excluded.has(relPath)) continue;
    const local = join(src, name);
    const remote = posix.join(dst, name);
    const st = await stat(local);
    if (st.isDirectory()) {
      await remoteMkdir(sftp, remote, st.mode);
      await sftpUploadTree(sftp, local, remote, excluded, relPath, visited);
    } else if (st.isFile()) {
      await sftpUpload(sftp, remote, createReadStream(local), st.mode);
    }
  }
}

export { remoteMkdir as sftpMkdir };

/** Downloads the remote directory `src`'s entries into the local `dst`. */
export async function sftpDownloadTree(
  sftp: SFTPWrapper,
  src: string,
  dst: string,
  excluded: Set<string>,
  rel = "",
): Promise<void> {
  let entries: { filename: string; attrs: Stats }[];
  try {
    entries = await call((cb) => sftp.readdir(src, cb));
  } catch (err) {
    throw sftpError("cannot read the directory", src, err);
  }
  await mkdir(dst, { recursive: true });
  const dirs: { path: string; mode: number }[] = [];
  for (const e of entries.sort((a, b) => (a.filename < b.filename ? -1 : 1))) {
    const relPath = rel === "" ? e.filename : `${rel}/${e.filename}`;
    if (excluded.has(relPath)) continue;
    const remote = posix.join(src, e.filename);
    const local = join(dst, e.filename);
    let attrs = e.attrs;
    if (attrs.isSymbolicLink()) attrs = await call<Stats>((cb) => sftp.stat(remote, cb));
    if (attrs.isDirectory()) {
      await sftpDownloadTree(sftp, remote, local, excluded, relPath);
      dirs.push({ path: local, mode: attrs.mode });
    } else if (attrs.isFile()) {
      const out = createWriteStream(local, { mode: attrs.mode & 0o7777 });
      try {
        await sftpDownload(sftp, remote, out);
      } finally {
        out.end();
        await once(out, "close");
      }
      await chmod(local, attrs.mode & 0o7777);
    }
  }
  for (const d of dirs) await chmod(d.path, d.mode & 0o7777);
}
