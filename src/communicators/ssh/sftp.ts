// File transfer over the SFTP subsystem (ssh_file_transfer_method = "sftp"):
// uploads keep several writes in flight, so a large file is not slowed down
// by one round trip per chunk, yet only a few chunks are ever in memory.

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, realpath, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { SFTPWrapper, Stats } from "ssh2";

/** Read size for local files: fewer, larger chunks cost less CPU per byte than the default 64 KiB. */
export const FILE_READ_BYTES = 1024 * 1024;

/** Bytes of writes in flight at once (what the transfer holds in memory, besides the source's buffer). */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** Write size when the server announces no limit (what every SFTP server must take). */
const DEFAULT_CHUNK = 32 * 1024;
/** Largest write asked for, even when the server takes more. */
const MAX_CHUNK = 256 * 1024;

/**
 * The write size: the largest the server accepts in one request (OpenSSH
 * announces 255 KiB through limits@openssh.com, which ssh2 records). Larger
 * writes would be split by ssh2 into requests sent one after another.
 */
function chunkSize(sftp: SFTPWrapper): number {
  const max = (sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
  return typeof max === "number" && max > 0 ? Math.min(max, MAX_CHUNK) : DEFAULT_CHUNK;
}

/** Rejects when the SFTP session closes (ssh2 then drops new requests without answering them). */
function closedSession(sftp: SFTPWrapper): { promise: Promise<never>; dispose(): void } {
  let onClose: () => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error("the SFTP session closed"));
    sftp.once("end", onClose);
    sftp.once("close", onClose);
  });
  promise.catch(() => {});
  return {
    promise,
    dispose: () => {
      sftp.off("end", onClose);
      sftp.off("close", onClose);
    },
  };
}

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
  const closed = closedSession(sftp);
  try {
    await upload(sftp, dst, src, mode, closed.promise);
  } finally {
    closed.dispose();
  }
}

async function upload(
  sftp: SFTPWrapper,
  dst: string,
  src: Readable,
  mode: number,
  closed: Promise<never>,
): Promise<void> {
  let handle: Buffer;
  try {
    handle = await Promise.race([call<Buffer>((cb) => sftp.open(dst, "w", { mode }, cb)), closed]);
  } catch (err) {
    src.destroy();
    throw sftpError("cannot create", dst, err);
  }
  const chunk = chunkSize(sftp);
  const maxPending = Math.max(2, Math.floor(IN_FLIGHT_BYTES / chunk));
  let offset = 0;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  const send = (piece: Buffer) => {
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
  };
  try {
    // Source chunks are gathered into writes of the server's largest size.
    let held: Buffer[] = [];
    let heldBytes = 0;
    for await (const raw of src as AsyncIterable<Buffer | string>) {
      let data = typeof raw === "string" ? Buffer.from(raw) : raw;
      while (data.length > 0) {
        const take = Math.min(chunk - heldBytes, data.length);
        held.push(data.subarray(0, take));
        heldBytes += take;
        data = data.subarray(take);
        if (heldBytes < chunk) break;
        send(held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes));
        held = [];
        heldBytes = 0;
        if (pending.size >= maxPending) await Promise.race([Promise.race(pending), closed]);
        if (failure !== undefined) throw failure;
      }
    }
    if (heldBytes > 0) send(held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes));
    await Promise.race([Promise.all(pending), closed]);
    if (failure !== undefined) throw failure;
  } catch (err) {
    src.destroy();
    await Promise.race([Promise.allSettled(pending), closed]).catch(() => {});
    await Promise.race([call<void>((cb) => sftp.close(handle, cb)), closed]).catch(() => {});
    throw sftpError("cannot write", dst, err);
  }
  try {
    await Promise.race([call<void>((cb) => sftp.close(handle, cb)), closed]);
  } catch (err) {
    throw sftpError("cannot write", dst, err);
  }
  try {
    await Promise.race([call<void>((cb) => sftp.chmod(dst, mode & 0o7777, cb)), closed]);
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
      await sftpUpload(
        sftp,
        remote,
        createReadStream(local, { highWaterMark: FILE_READ_BYTES }),
        st.mode,
      );
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
