// Fetching the image a builder boots from (Packer's StepDownload): iso_url
// or iso_urls tried in order, each checked against iso_checksum. Remote files
// go into Packer's cache, named after a hash of the checksum (or URL), and
// are reused while their checksum matches; local files are used where they
// are. A lock file beside the cached file lets several builds, in this kiln
// or in others, fetch the same URL with a single download.

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, mkdir, open, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { host } from "../../host/index.js";
import { type ProgressOptions, trackProgress } from "../../ui/progress.js";
import { sleep as wait } from "../../util/sleep.js";
import type { BuildContext } from "../context.js";
import {
  ERROR,
  type StateBag,
  type StateKey,
  type Step,
  type StepAction,
  stateKey,
} from "../multistep/index.js";

export interface DownloadOptions {
  /** iso_urls, or [iso_url]; plain paths and file:// URLs allowed (relative to baseDir (Packer: the current directory)). */
  urls: string[];
  /** iso_checksum in any form: "sha256:HEX", bare HEX, "file:URL-or-path", "none". */
  checksum: string;
  /** iso_target_path. */
  targetPath?: string;
  /** iso_target_extension ("iso"). */
  extension: string;
  /** What is fetched, for messages: "ISO". */
  description: string;
  baseDir: string;
  /** How the download's progress is shown (default: a bar on a terminal's stderr, else lines). */
  progress?: ProgressOptions;
}

/** The key builders use for the ISO or disk image. */
export const ISO_PATH = stateKey<string>("iso_path");
/** The URL (or path) the file finally came from. */
export const SOURCE_IMAGE_URL = stateKey<string>("SourceImageURL");

export type HashType = "md5" | "sha1" | "sha256" | "sha512";

export interface Checksum {
  type: HashType;
  /** Lower-case hex. */
  value: string;
}

/** What iso_checksum asks for. */
export type ChecksumSpec =
  | { kind: "none" }
  | { kind: "hash"; checksum: Checksum }
  /** A checksum file (SHA256SUMS and the like) to look the file's name up in. */
  | { kind: "file"; location: string };

const HEX_LENGTHS: Record<number, HashType> = {
  32: "md5",
  40: "sha1",
  64: "sha256",
  128: "sha512",
};
const HASH_LENGTHS: Record<HashType, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/** Parses iso_checksum; throws on a value that is none of the accepted forms. */
export function parseChecksumSpec(text: string): ChecksumSpec {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "none") return { kind: "none" };
  if (/^file:/i.test(trimmed)) {
    const location = trimmed.slice("file:".length);
    if (location === "") throw new Error(`invalid checksum "${text}": no checksum file given`);
    return { kind: "file", location };
  }
  const colon = trimmed.indexOf(":");
  if (colon >= 0) {
    const type = trimmed.slice(0, colon).toLowerCase();
    if (!(type in HASH_LENGTHS)) {
      throw new Error(
        `invalid checksum "${text}": unknown checksum type "${type}" (use md5, sha1, sha256, sha512, file or none)`,
      );
    }
    return { kind: "hash", checksum: checkHex(trimmed.slice(colon + 1), type as HashType, text) };
  }
  const type = HEX_LENGTHS[trimmed.length];
  if (type === undefined) {
    throw new Error(
      `invalid checksum "${text}": cannot tell its type from its length (${trimmed.length} characters)`,
    );
  }
  return { kind: "hash", checksum: checkHex(trimmed, type, text) };
}

function checkHex(value: string, type: HashType, original: string): Checksum {
  if (!/^[0-9a-fA-F]+$/.test(value)) {
    throw new Error(`invalid checksum "${original}": "${value}" is not hexadecimal`);
  }
  if (value.length !== HASH_LENGTHS[type]) {
    throw new Error(
      `invalid checksum "${original}": a ${type} checksum has ${HASH_LENGTHS[type]} hex digits, not ${value.length}`,
    );
  }
  return { type, value: value.toLowerCase() };
}

const BSD_LINE = /^([A-Za-z0-9-]+)\s*\((.*)\)\s*=\s*([0-9a-fA-F]+)$/;
const GNU_LINE = /^([0-9a-fA-F]+)\s+\*?(.+)$/;

function bsdHashType(tag: string): HashType | undefined {
  const t = tag.toLowerCase().replace(/^sha2-/, "sha");
  return t in HASH_LENGTHS ? (t as HashType) : undefined;
}

/** The name in a checksum file reduced to what is compared: its last path element. */
function entryName(name: string): string {
  const slash = Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\"));
  return name.slice(slash + 1);
}

/**
 * Finds the checksum of `fileName` in the text of a checksum file: GNU lines
 * (`HEX  name`, `HEX *name`), BSD lines (`SHA256 (name) = HEX`), or a file
 * holding a single bare hash.
 */
export function findChecksum(text: string, fileName: string, source = "checksum file"): Checksum {
  const wanted = entryName(fileName);
  const bare: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const bsd = BSD_LINE.exec(line);
    if (bsd) {
      const type = bsdHashType(bsd[1]!);
      if (type !== undefined && entryName(bsd[2]!) === wanted) {
        return checkHex(bsd[3]!, type, line);
      }
      continue;
    }
    const gnu = GNU_LINE.exec(line);
    if (gnu) {
      if (entryName(gnu[2]!.trim()) === wanted) return byLength(gnu[1]!, line);
      continue;
    }
    if (/^[0-9a-fA-F]+$/.test(line)) bare.push(line);
  }
  if (bare.length === 1) return byLength(bare[0]!, bare[0]!);
  throw new Error(`no checksum for "${wanted}" in ${source}`);
}

function byLength(hex: string, line: string): Checksum {
  const type = HEX_LENGTHS[hex.length];
  if (type === undefined) throw new Error(`unrecognised checksum "${hex}" in "${line}"`);
  return { type, value: hex.toLowerCase() };
}

/** Where a file comes from: a URL to fetch, or a file on this machine. */
export type Source =
  | { kind: "remote"; url: URL; checksum?: string }
  | { kind: "local"; path: string };

/**
 * Classifies an iso_url: http(s) URLs are fetched (a `checksum` query
 * parameter overrides iso_checksum, as go-getter does); `file:` URLs and plain
 * paths are local files, relative ones resolved against `baseDir`.
 */
export function parseSource(raw: string, baseDir: string): Source {
  if (/^https?:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`invalid URL: ${raw}`);
    }
    const checksum = url.searchParams.get("checksum") ?? undefined;
    if (checksum !== undefined) url.searchParams.delete("checksum");
    return checksum === undefined ? { kind: "remote", url } : { kind: "remote", url, checksum };
  }
  if (/^file:/i.test(raw)) {
    let p = raw.replace(/^file:(\/\/)?/i, "");
    try {
      p = decodeURIComponent(p);
    } catch {
      // Left as written: a path with a literal '%'.
    }
    // file:///C:/x on Windows names C:/x.
    if (host.isWindows && /^\/[A-Za-z]:/.test(p)) p = p.slice(1);
    return { kind: "local", path: host.path.resolve(baseDir, host.fromSlash(p)) };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//.exec(raw);
  if (scheme) {
    throw new Error(
      `unsupported URL scheme "${scheme[1]}" in ${raw} (kiln downloads http, https and file URLs)`,
    );
  }
  return { kind: "local", path: host.path.resolve(baseDir, host.expandHome(raw)) };
}

/** A file's name as a checksum file would list it. */
function sourceFileName(source: Source): string {
  if (source.kind === "local") return host.path.basename(source.path);
  const segments = source.url.pathname.split("/");
  return decodeURIComponent(segments[segments.length - 1] ?? "");
}

/** Where a download is stored: iso_target_path, or the cache named after the checksum (or URL). */
export function downloadTarget(
  opts: Pick<DownloadOptions, "targetPath" | "extension" | "baseDir">,
  checksum: string,
  url: string,
): string {
  const keyed = checksum !== "" && checksum.toLowerCase() !== "none" ? checksum : url;
  const name = createHash("sha1").update(keyed).digest("hex");
  const target = opts.targetPath ?? "";
  if (target === "") {
    return host.cachePath(opts.extension !== "" ? `${name}.${opts.extension}` : name);
  }
  const resolved = host.path.resolve(opts.baseDir, host.expandHome(target));
  // A target without an extension is a directory to put the file in, as in Packer.
  if (host.path.extname(resolved) === "") {
    return host.path.join(resolved, `${name}.${opts.extension !== "" ? opts.extension : "iso"}`);
  }
  return resolved;
}

/** The file's checksum did not match the expected one. */
export class ChecksumMismatchError extends Error {
  override readonly name = "ChecksumMismatchError";
  constructor(
    readonly file: string,
    readonly expected: Checksum,
    readonly actual: string,
  ) {
    super(
      `checksum mismatch for ${file}: expected ${expected.type} ${expected.value}, got ${actual}`,
    );
  }
}

/** The hex digest of a file. */
export async function hashFile(
  path: string,
  type: HashType,
  signal?: AbortSignal,
): Promise<string> {
  const hash = createHash(type);
  await pipeline(createReadStream(path), hash, signal ? { signal } : {});
  return hash.digest("hex");
}

const LOCK_POLL_MS = 200;
/** A lock file still empty after this long was left by a process that died while creating it. */
const EMPTY_LOCK_GRACE_MS = 10_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(await wait(ms, signal))) throw signal?.reason;
}

/**
 * Takes an exclusive lock: creates `lockPath` (O_EXCL) holding this process's
 * pid. While a live process holds it, waits; a lock whose holder is dead is
 * taken over. Resolves with the function that releases it.
 */
export async function acquireLock(
  lockPath: string,
  signal?: AbortSignal,
  onWait?: (holder: number) => void,
): Promise<() => Promise<void>> {
  const token = `${process.pid} ${Math.random().toString(36).slice(2)}\n`;
  let told = false;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const fh = await open(lockPath, "wx");
      try {
        await fh.writeFile(token);
      } finally {
        await fh.close();
      }
      return async () => {
        const now = await readFile(lockPath, "utf8").catch(() => "");
        if (now === token) await unlink(lockPath).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const held = await readLock(lockPath);
    if (held === undefined) continue;
    if (held.live) {
      if (!told) {
        told = true;
        onWait?.(held.pid);
      }
      await sleep(LOCK_POLL_MS, signal);
      continue;
    }
    await stealLock(lockPath, held.text);
  }
}

/** Who holds a lock file: undefined when it vanished meanwhile. */
async function readLock(
  lockPath: string,
): Promise<{ text: string; pid: number; live: boolean } | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 0) return { text, pid, live: processAlive(pid) };
  // Empty while its creator is still writing it, or garbage left behind.
  return { text, pid: 0, live: Date.now() - mtimeMs < EMPTY_LOCK_GRACE_MS };
}

/**
 * Removes a dead holder's lock. It is moved aside first and checked, so that a
 * lock another process took over meanwhile is put back instead of removed.
 */
async function stealLock(lockPath: string, seen: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = await readFile(aside, "utf8").catch(() => seen);
  if (moved !== seen) await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** Thrown when the build was cancelled during a download. */
class Cancelled extends Error {}

export class StepDownload implements Step {
  readonly name = "StepDownload";

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: DownloadOptions,
    private readonly result: StateKey<string>,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { ui } = this.ctx;
    const { description } = this.opts;
    if (this.opts.urls.length === 0) return "continue";
    ui.say(`Retrieving ${description}`);
    const failures: string[] = [];
    for (const raw of this.opts.urls) {
      if (signal.aborted) return "halt";
      ui.say(`Trying ${raw}`);
      try {
        const path = await this.fetchOne(raw, signal);
        state.set(this.result, path);
        state.set(SOURCE_IMAGE_URL, raw);
        return "continue";
      } catch (err) {
        if (signal.aborted || err instanceof Cancelled) return "halt";
        const message = describeError(err);
        if (!(err instanceof ChecksumMismatchError)) ui.say(`Download failed ${message}`);
        failures.push(`${raw}: ${message}`);
      }
    }
    const err = new Error(`error downloading ${description}: ${failures.join("; ")}`);
    ui.error(err.message);
    state.set(ERROR, err);
    return "halt";
  }

  /** Fetches or finds one URL and verifies it; resolves with the local path. */
  private async fetchOne(raw: string, signal: AbortSignal): Promise<string> {
    const source = parseSource(raw, this.opts.baseDir);
    const checksumText =
      source.kind === "remote" && source.checksum !== undefined
        ? source.checksum
        : this.opts.checksum;
    const spec = parseChecksumSpec(checksumText);
    const expected = await this.expectedChecksum(spec, source, signal);

    if (source.kind === "local") {
      const info = await stat(source.path).catch(() => undefined);
      if (info === undefined) throw new Error(`file not found: ${source.path}`);
      if (!info.isFile()) throw new Error(`not a file: ${source.path}`);
      if ((this.opts.targetPath ?? "") === "") {
        this.ctx.ui.say(`Using file in place: ${source.path}`);
        if (expected !== undefined) await this.verify(source.path, expected, signal);
        return source.path;
      }
    }

    const target = downloadTarget(this.opts, checksumText, raw);
    await mkdir(host.path.dirname(target), { recursive: true });
    const release = await acquireLock(`${target}.lock`, signal, (pid) =>
      this.ctx.ui.message(`Waiting for process ${pid}, which is fetching ${target}...`),
    ).catch((err: unknown) => {
      if (signal.aborted) throw new Cancelled();
      throw err;
    });
    try {
      if (await this.reusable(target, spec, expected, signal)) {
        this.ctx.ui.say(`${raw} => ${target}`);
        return target;
      }
      await this.transfer(source, target, expected, signal);
      this.ctx.ui.say(`${raw} => ${target}`);
      return target;
    } finally {
      await release();
    }
  }

  /** The checksum the file must have; undefined for "none". */
  private async expectedChecksum(
    spec: ChecksumSpec,
    source: Source,
    signal: AbortSignal,
  ): Promise<Checksum | undefined> {
    if (spec.kind === "none") return undefined;
    if (spec.kind === "hash") return spec.checksum;
    const where = parseSource(spec.location, this.opts.baseDir);
    let text: string;
    try {
      text =
        where.kind === "local"
          ? await readFile(where.path, "utf8")
          : await fetchText(where.url, signal);
    } catch (err) {
      if (signal.aborted) throw new Cancelled();
      throw new Error(`cannot read checksum file ${spec.location}: ${describeError(err)}`);
    }
    return findChecksum(text, sourceFileName(source), spec.location);
  }

  /** Whether a file already at the target can be used: present, and its checksum matches. */
  private async reusable(
    target: string,
    spec: ChecksumSpec,
    expected: Checksum | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const info = await stat(target).catch(() => undefined);
    if (info === undefined || !info.isFile()) return false;
    if (spec.kind === "none" || expected === undefined) return true;
    const actual = await hashFile(target, expected.type, signal).catch((err: unknown) => {
      if (signal.aborted) throw new Cancelled();
      throw err;
    });
    if (actual === expected.value) return true;
    this.ctx.ui.message(`The file at ${target} does not match the checksum: fetching it again`);
    await rm(target, { force: true });
    return false;
  }

  private async verify(path: string, expected: Checksum, signal: AbortSignal): Promise<void> {
    let actual: string;
    try {
      actual = await hashFile(path, expected.type, signal);
    } catch (err) {
      if (signal.aborted) throw new Cancelled();
      throw err;
    }
    if (actual !== expected.value) throw new ChecksumMismatchError(path, expected, actual);
  }

  /** Downloads (or copies) into `<target>.part`, hashing as it goes, then renames it into place. */
  private async transfer(
    source: Source,
    target: string,
    expected: Checksum | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const { ui } = this.ctx;
    const part = `${target}.part`;
    const hash = expected ? createHash(expected.type) : undefined;
    let progress: ReturnType<typeof trackProgress> | undefined;
    try {
      let input: Readable;
      let total: number | undefined;
      if (source.kind === "remote") {
        const res = await fetch(source.url, { signal, redirect: "follow" });
        if (!res.ok || res.body === null) {
          await res.body?.cancel().catch(() => {});
          throw new Error(`bad response code: ${res.status}`);
        }
        const length = Number(res.headers.get("content-length"));
        total = Number.isFinite(length) && length > 0 ? length : undefined;
        input = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      } else {
        ui.message(`Copying ${source.path} to ${target}`);
        total = (await stat(source.path)).size;
        input = createReadStream(source.path);
      }
      progress = trackProgress(ui, this.opts.description, total, this.opts.progress);
      let received = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          hash?.update(chunk);
          progress?.add(chunk.length);
          done(null, chunk);
        },
      });
      await pipeline(input, meter, createWriteStream(part), { signal });
      if (total !== undefined && received < total) {
        throw new Error(`the transfer ended after ${received} of ${total} bytes`);
      }
      progress.finish();
      if (expected && hash) {
        const actual = hash.digest("hex");
        if (actual !== expected.value) {
          ui.say(`Checksum did not match, removing ${target}`);
          throw new ChecksumMismatchError(
            source.kind === "remote" ? source.url.href : source.path,
            expected,
            actual,
          );
        }
      }
      await rename(part, target);
    } catch (err) {
      progress?.finish();
      await rm(part, { force: true });
      if (signal.aborted) throw new Cancelled();
      throw err;
    }
  }
}

/**
 * An error's message, with its cause's when it says little alone (fetch's
 * "fetch failed" and "terminated" keep the reason in the cause).
 */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error && !err.message.includes(cause.message)) {
    return `${err.message}: ${cause.message}`;
  }
  return err.message;
}

/** The body of a small remote file (a checksum file). */
async function fetchText(url: URL, signal: AbortSignal): Promise<string> {
  const res = await fetch(url, { signal, redirect: "follow" });
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`bad response code: ${res.status}`);
  }
  return res.text();
}
