// A floppy disk image attached to the machine at boot (Packer's
// StepCreateFloppy): a 1.44 MB FAT12 image holding floppy_files (flattened
// into the root, as Packer does), floppy_dirs (trees kept) and floppy_content.
// Made without mounting anything: mkfs.vfat (or mformat) formats the image,
// mtools' mmd and mcopy fill it.

import { readdir, rm, stat, writeFile } from "node:fs/promises";
import { host } from "../../host/index.js";
import { run } from "../../process/index.js";
import type { BuildContext } from "../context.js";
import { ERROR, type StateBag, type Step, type StepAction, stateKey } from "../multistep/index.js";
import { contentPath, entryPaths, findProgram, isGlob } from "./cd.js";

export interface FloppyOptions {
  /** floppy_files: files, directories and globs; every file lands in the root. */
  files: string[];
  /** floppy_dirs: directories (and globs) copied with their structure. */
  directories: string[];
  /** floppy_content: path on the floppy -> contents. */
  content: Record<string, string>;
  /** floppy_label ("" for Packer's default, "packer"). */
  label: string;
  baseDir: string;
}

/** The path of the floppy image; set only when one was made. */
export const FLOPPY_PATH = stateKey<string>("floppy_path");

export const DEFAULT_FLOPPY_LABEL = "packer";
/** A FAT volume label holds at most 11 characters. */
const MAX_LABEL = 11;
/** Where distributions put mkfs.vfat, often not on a user's PATH. */
const SBIN = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

/** The programs that make a floppy image. */
interface FloppyTools {
  /** mkfs.vfat / mkfs.fat, or undefined to format with mformat. */
  mkfs?: string;
  mformat?: string;
  mmd: string;
  mcopy: string;
}

async function floppyTools(): Promise<FloppyTools> {
  const [mkfs, mformat, mmd, mcopy] = await Promise.all([
    findProgram("mkfs.vfat", SBIN).then(async (p) => p ?? findProgram("mkfs.fat", SBIN)),
    findProgram("mformat"),
    findProgram("mmd"),
    findProgram("mcopy"),
  ]);
  if (mmd === undefined || mcopy === undefined || (mkfs === undefined && mformat === undefined)) {
    throw new Error(
      'creating a floppy image needs mtools (mmd, mcopy) and mkfs.vfat or mformat; on Debian or Ubuntu: "apt-get install mtools dosfstools"',
    );
  }
  return { mkfs, mformat, mmd, mcopy };
}

/** mtools reads its configuration too; this keeps it from refusing an image it thinks odd. */
const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: "1" };

/** Writes into a FAT image with mtools, creating directories as needed. */
class FloppyImage {
  private readonly dirs = new Set<string>([""]);

  constructor(
    readonly path: string,
    private readonly tools: FloppyTools,
    private readonly signal: AbortSignal,
  ) {}

  /** Formats a new 1.44 MB FAT12 image. */
  async format(label: string): Promise<void> {
    if (this.tools.mkfs !== undefined) {
      await run(this.tools.mkfs, ["-C", "-F", "12", "-n", label, this.path, "1440"], {
        signal: this.signal,
      });
    } else {
      await run(this.tools.mformat!, ["-i", this.path, "-C", "-f", "1440", "-v", label, "::"], {
        signal: this.signal,
        env: MTOOLS_ENV,
      });
    }
  }

  /** Creates `rel` ("a/b") and its parents. */
  async mkdir(rel: string): Promise<void> {
    const parts = rel.split("/").filter((p) => p !== "");
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (this.dirs.has(dir)) continue;
      await run(this.tools.mmd, ["-i", this.path, `::/${dir}`], {
        signal: this.signal,
        env: MTOOLS_ENV,
      });
      this.dirs.add(dir);
    }
  }

  /** Copies the local file `src` to `rel` ("a/b/name"), replacing what is there. */
  async copy(src: string, rel: string): Promise<void> {
    const slash = rel.lastIndexOf("/");
    if (slash > 0) await this.mkdir(rel.slice(0, slash));
    await run(this.tools.mcopy, ["-i", this.path, "-o", src, `::/${rel}`], {
      signal: this.signal,
      env: MTOOLS_ENV,
    });
  }
}

/** Every file under a directory (following symlinks), with its path relative to it. */
async function walkFiles(dir: string, rel = ""): Promise<{ path: string; rel: string }[]> {
  const out: { path: string; rel: string }[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const p = host.path.join(dir, name);
    const r = rel === "" ? name : `${rel}/${name}`;
    if ((await stat(p)).isDirectory()) out.push(...(await walkFiles(p, r)));
    else out.push({ path: p, rel: r });
  }
  return out;
}

export class StepCreateFloppy implements Step {
  readonly name = "StepCreateFloppy";
  private tempDir: string | undefined;

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: FloppyOptions,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const { files, directories, content } = this.opts;
    const contentKeys = Object.keys(content);
    if (files.length === 0 && directories.length === 0 && contentKeys.length === 0) {
      return "continue";
    }
    const { ui } = this.ctx;
    ui.say("Creating floppy disk...");
    const label = (this.opts.label || DEFAULT_FLOPPY_LABEL).slice(0, MAX_LABEL);
    try {
      const tools = await floppyTools();
      this.tempDir = await host.makeTempDir("kiln-floppy-");
      const floppy = new FloppyImage(host.path.join(this.tempDir, "floppy.img"), tools, signal);
      await floppy.format(label);

      ui.message("Copying files flatly from floppy_files");
      for (const entry of files) {
        for (const p of await this.paths(entry)) {
          if ((await stat(p)).isDirectory()) {
            ui.message(`Copying directory: ${p}`);
            for (const f of await walkFiles(p)) {
              ui.message(`Adding file: ${f.path}`);
              await floppy.copy(f.path, host.path.basename(f.path));
            }
          } else {
            ui.message(`Copying file: ${p}`);
            await floppy.copy(p, host.path.basename(p));
          }
        }
      }
      ui.message("Done copying files from floppy_files");

      ui.message("Collecting paths from floppy_dirs");
      const queue: string[] = [];
      for (const entry of directories) queue.push(...(await this.paths(entry)));
      ui.message(`Resulting paths from floppy_dirs : [${queue.join(" ")}]`);
      for (const p of queue) {
        ui.message(`Recursively copying : ${p}`);
        const base = host.path.basename(p);
        if ((await stat(p)).isDirectory()) {
          await floppy.mkdir(base);
          for (const f of await walkFiles(p)) await floppy.copy(f.path, `${base}/${f.rel}`);
        } else {
          await floppy.copy(p, base);
        }
      }
      ui.message("Done copying paths from floppy_dirs");

      if (contentKeys.length > 0) {
        ui.message("Copying files from floppy_content");
        let n = 0;
        for (const key of contentKeys) {
          const rel = contentPath(key);
          const staged = host.path.join(this.tempDir, `content-${n++}`);
          await writeFile(staged, content[key]!);
          await floppy.copy(staged, rel);
          await rm(staged, { force: true });
        }
        ui.message("Done copying files from floppy_content");
      }

      state.set(FLOPPY_PATH, floppy.path);
      return "continue";
    } catch (err) {
      if (signal.aborted) return "halt";
      state.set(
        ERROR,
        new Error(`Error creating floppy: ${(err as Error).message}`, { cause: err }),
      );
      return "halt";
    }
  }

  async cleanup(): Promise<void> {
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }

  private async paths(entry: string): Promise<string[]> {
    const paths = await entryPaths(entry, this.opts.baseDir);
    if (paths.length === 0 && isGlob(entry)) this.ctx.ui.message(`No file matches ${entry}`);
    return paths;
  }
}
