// A CD image attached to the machine at boot (Packer's StepCreateCD): the
// cd_files (files, directories, globs) and cd_content (path -> text) gathered
// in a staging directory, then written as an ISO 9660 image with Joliet and
// Rock Ridge names by whichever ISO tool the host has. cloud-init's "cidata"
// seed is the usual use. Also the file-gathering helpers the floppy shares.

import { copyFile, mkdir, readdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import { host } from "../../host/index.js";
import { run } from "../../process/index.js";
import type { BuildContext } from "../context.js";
import { ERROR, type StateBag, type Step, type StepAction, stateKey } from "../multistep/index.js";

export interface CDOptions {
  /** cd_files: files, directories and globs, relative to baseDir (Packer: the current directory). */
  files: string[];
  /** cd_content: path on the CD -> contents; wins over a cd_files file of the same path. */
  content: Record<string, string>;
  /** cd_label ("" for Packer's default, "packer"). */
  label: string;
  baseDir: string;
}

/** The path of the CD image; set only when one was made. */
export const CD_PATH = stateKey<string>("cd_path");

export const DEFAULT_CD_LABEL = "packer";

/** A program and its arguments. */
export interface CommandLine {
  command: string;
  args: string[];
}

/** The ISO tools Packer knows, in the order it prefers them, with how each is called. */
const ISO_TOOLS: {
  name: string;
  args: (label: string, source: string, dest: string) => string[];
}[] = [
  {
    name: "xorriso",
    args: (label, source, dest) => [
      "-as",
      "mkisofs",
      "-rock",
      "-joliet",
      "-volid",
      label,
      "-output",
      dest,
      source,
    ],
  },
  {
    name: "mkisofs",
    args: (label, source, dest) => ["-rock", "-joliet", "-volid", label, "-o", dest, source],
  },
  {
    name: "genisoimage",
    args: (label, source, dest) => ["-rock", "-joliet", "-volid", label, "-o", dest, source],
  },
  // macOS.
  {
    name: "hdiutil",
    args: (label, source, dest) => [
      "makehybrid",
      "-o",
      dest,
      "-hfs",
      "-joliet",
      "-iso",
      "-default-volume-name",
      label,
      source,
    ],
  },
  // Windows (the Windows ADK).
  {
    name: "oscdimg",
    args: (label, source, dest) => ["-j1", "-o", "-m", `-l${label}`, source, dest],
  },
];

/**
 * The command that writes the directory `source` as an ISO image `dest`
 * labelled `label`, with the first ISO tool found on PATH. Throws when there
 * is none, naming the tools and the package that brings one.
 */
export async function isoCommand(
  label: string,
  source: string,
  dest: string,
): Promise<CommandLine> {
  for (const tool of ISO_TOOLS) {
    const command = await findProgram(tool.name);
    if (command !== undefined) return { command, args: tool.args(label, source, dest) };
  }
  const names = ISO_TOOLS.map((t) => t.name).join(", ");
  throw new Error(
    `could not find a program to create a CD image (kiln uses one of: ${names}); on Debian or Ubuntu, install one with "apt-get install xorriso"`,
  );
}

/**
 * The full path of a program found on PATH (with PATHEXT's extensions on
 * Windows) or in `extraDirs`, or undefined.
 */
export async function findProgram(
  name: string,
  extraDirs: string[] = [],
): Promise<string | undefined> {
  const dirs = (host.getenv("PATH") ?? "").split(host.pathListSeparator).filter((d) => d !== "");
  const exts = host.isWindows
    ? ["", ...(host.getenv("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "")]
    : [""];
  for (const dir of [...dirs, ...extraDirs]) {
    for (const ext of exts) {
      const candidate = host.path.join(dir, name + ext);
      try {
        const info = await stat(candidate);
        if (info.isFile() && (host.isWindows || (info.mode & 0o111) !== 0)) return candidate;
      } catch {
        // Not there.
      }
    }
  }
  return undefined;
}

const GLOB_META = /[*?[]/;

/** Whether a path is a glob pattern (as Packer decides: it holds `*`, `?` or `[`). */
export function isGlob(p: string): boolean {
  return GLOB_META.test(p);
}

/**
 * The paths matching a glob, as Go's filepath.Glob: `*` and `?` within one
 * path element, `[a-z]`/`[^a]` classes, `\` escaping (not on Windows); sorted
 * within each directory. Relative patterns resolve against `baseDir`; no
 * match is an empty list.
 */
export async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const abs = host.path.resolve(baseDir, pattern);
  return globAbsolute(abs);
}

async function globAbsolute(pattern: string): Promise<string[]> {
  if (!isGlob(pattern)) {
    return (await exists(pattern)) ? [pattern] : [];
  }
  const dir = host.path.dirname(pattern);
  const leaf = host.path.basename(pattern);
  const dirs = isGlob(dir) ? await globAbsolute(dir) : [dir];
  const re = segmentPattern(leaf);
  const out: string[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (re.test(name)) out.push(host.path.join(d, name));
  }
  return out;
}

/** One path element of a glob as a regular expression. */
function segmentPattern(p: string): RegExp {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && !host.isWindows && i + 1 < p.length) {
      out += escapeRe(p[++i]!);
    } else if (c === "*") {
      out += ".*";
    } else if (c === "?") {
      out += ".";
    } else if (c === "[") {
      const end = p.indexOf("]", i + 2);
      if (end < 0) throw new Error(`syntax error in pattern: ${p}`);
      let body = p.slice(i + 1, end);
      const negated = body.startsWith("^");
      if (negated) body = body.slice(1);
      out += `[${negated ? "^" : ""}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else {
      out += escapeRe(c);
    }
  }
  return new RegExp(`^${out}$`, "su");
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The files and directories a cd_files/floppy_files entry names: the glob's
 * matches (none is not an error, as in Packer), or the path itself, which
 * must exist.
 */
export async function entryPaths(entry: string, baseDir: string): Promise<string[]> {
  if (isGlob(entry)) return expandGlob(entry, baseDir);
  const p = host.path.resolve(baseDir, entry);
  await stat(p).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === "ENOENT" ? `no such file or directory: ${entry}` : err.message);
  });
  return [p];
}

/**
 * Copies a file or a directory tree, following symlinks (their targets are
 * copied where the links were). A symlink loop is an error.
 */
export async function copyTree(src: string, dst: string, seen: string[] = []): Promise<void> {
  const info = await stat(src);
  if (!info.isDirectory()) {
    await copyFile(src, dst);
    return;
  }
  const real = await realpath(src);
  if (seen.includes(real)) throw new Error(`symlink loop at ${src}`);
  await mkdir(dst, { recursive: true });
  for (const name of (await readdir(src)).sort()) {
    await copyTree(host.path.join(src, name), host.path.join(dst, name), [...seen, real]);
  }
}

/**
 * A *_content key made a relative path inside the image, or an error for one
 * that would leave it ("../x").
 */
export function contentPath(key: string): string {
  const parts: string[] = [];
  for (const part of key.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) throw new Error(`content path ${key} is outside the image`);
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  if (parts.length === 0) throw new Error(`content path "${key}" names no file`);
  return parts.join("/");
}

export class StepCreateCD implements Step {
  readonly name = "StepCreateCD";
  private tempDir: string | undefined;

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: CDOptions,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { ui } = this.ctx;
    const contentKeys = Object.keys(this.opts.content);
    if (this.opts.files.length === 0 && contentKeys.length === 0) return "continue";
    ui.say("Creating CD disk...");
    const label = this.opts.label || DEFAULT_CD_LABEL;
    try {
      this.tempDir = await host.makeTempDir("kiln-cd-");
      const stage = host.path.join(this.tempDir, "root");
      await mkdir(stage);
      for (const entry of this.opts.files) await this.addEntry(stage, entry);
      for (const key of contentKeys) {
        const dest = host.path.join(stage, ...contentPath(key).split("/"));
        await mkdir(host.path.dirname(dest), { recursive: true });
        await writeFile(dest, this.opts.content[key]!);
      }
      const iso = host.path.join(this.tempDir, "cd.iso");
      const cmd = await isoCommand(label, stage, iso);
      await run(cmd.command, cmd.args, {
        signal,
        onStdout: (line) => ui.message(line),
        onStderr: (line) => ui.message(line),
      });
      await rm(stage, { recursive: true, force: true });
      ui.message("Done copying paths from CD_dirs");
      state.set(CD_PATH, iso);
      return "continue";
    } catch (err) {
      if (signal.aborted) return "halt";
      state.set(ERROR, new Error(`Error creating CD: ${(err as Error).message}`, { cause: err }));
      return "halt";
    }
  }

  async cleanup(): Promise<void> {
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }

  /**
   * Puts one cd_files entry into the staging root: a file at the root under
   * its name; a directory at the root with its name, or only its contents
   * when written with a trailing slash ("dir/"); a glob, each match so.
   */
  private async addEntry(stage: string, entry: string): Promise<void> {
    const contentsOnly = !isGlob(entry) && /[/\\]$/.test(entry);
    const paths = await entryPaths(entry, this.opts.baseDir);
    if (paths.length === 0) this.ctx.ui.message(`No file matches ${entry}`);
    for (const p of paths) {
      if (contentsOnly && (await stat(p)).isDirectory()) {
        for (const name of (await readdir(p)).sort()) {
          await copyTree(host.path.join(p, name), host.path.join(stage, name));
        }
      } else {
        await copyTree(p, host.path.join(stage, host.path.basename(p)));
      }
    }
  }
}
