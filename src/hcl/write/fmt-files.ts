import * as fs from "node:fs";
import * as path from "node:path";
import type { Diagnostic } from "../diagnostic.js";
import { formatRange } from "../pos.js";
import { formatSource } from "./format.js";
import { unifiedDiff } from "./udiff.js";

// The file-handling layer of `packer fmt` (Packer 1.9.4's HCL2Formatter):
// which files are formatted, what is printed, what is written, exit codes.
//
// - A path that is not a directory (or cannot be stat'ed) is formatted as a
//   file, whatever its name; "-" means standard input.
// - A directory contributes its `*.pkr.hcl` and `*.pkrvars.hcl` entries in
//   name order; subdirectories only with `recursive`.
// - For each file that changes, its path is printed; with `write` the file is
//   rewritten (for stdin the formatted text is printed instead); with `diff`
//   a `diff -u` with labels old/<path> and new/<path> follows. Unchanged stdin
//   input is echoed. Diffs are never shown for stdin.
// - Files with syntax errors are left alone and reported as
//   "encountered an error while formatting <path>".
// - Exit status: 1 on any error, else 3 with `check` when something would
//   change, else 0. `check` implies no writing.

export const HCL2_FILE_EXT = ".pkr.hcl";
export const HCL2_VAR_FILE_EXT = ".pkrvars.hcl";

export interface FmtOptions {
  /** Report (exit status 3) instead of writing when files are not formatted. Implies write=false. */
  check?: boolean;
  /** Print a unified diff for each changed file. */
  diff?: boolean;
  /** Rewrite changed files in place (default true). */
  write?: boolean;
  /** Descend into subdirectories. */
  recursive?: boolean;
  /** Provides standard input for the path "-" (default: reads file descriptor 0). */
  readStdin?: () => Buffer;
}

export interface FmtFileResult {
  /** The path as Packer displays it (directory entries joined and cleaned). */
  path: string;
  /** Whether formatting changed the content. */
  changed: boolean;
  /** Whether the file was rewritten on disk. */
  written: boolean;
  original: Buffer;
  /** The formatted bytes (equal to `original` when unchanged or not formattable). */
  formatted: Buffer;
  /** The `diff -u` text printed for this file ("" when none was requested or nothing changed). */
  diff: string;
  /** Problems with this file (syntax errors, I/O errors). */
  diags: Diagnostic[];
}

export interface FmtResult {
  files: FmtFileResult[];
  /** Exactly what `packer fmt` writes to standard output, in order. */
  stdout: string;
  /** Errors to render after the output, as Packer does. */
  diags: Diagnostic[];
  /** Total length of the formatted content of changed files (Packer's "bytes modified"). */
  bytesModified: number;
  /** 0, 1 (errors) or 3 (check mode and some file is not formatted). */
  exitCode: number;
}

export function isHclFmtFile(name: string): boolean {
  return name.endsWith(HCL2_FILE_EXT) || name.endsWith(HCL2_VAR_FILE_EXT);
}

/** Format the given files and directories as `packer fmt [options] PATH` does, for each path in turn. */
export function fmtPaths(paths: readonly string[], opts: FmtOptions = {}): FmtResult {
  const state: State = {
    check: opts.check ?? false,
    showDiff: opts.diff ?? false,
    write: opts.check ? false : (opts.write ?? true),
    recursive: opts.recursive ?? false,
    readStdin: opts.readStdin ?? (() => fs.readFileSync(0)),
    out: [],
    files: [],
    diags: [],
    bytesModified: 0,
  };
  for (const p of paths) formatPath(state, p);
  const hasErr = state.diags.some((d) => d.severity === "error");
  return {
    files: state.files,
    stdout: state.out.join(""),
    diags: state.diags,
    bytesModified: state.bytesModified,
    exitCode: hasErr ? 1 : state.check && state.bytesModified > 0 ? 3 : 0,
  };
}

interface State {
  check: boolean;
  showDiff: boolean;
  write: boolean;
  recursive: boolean;
  readStdin: () => Buffer;
  out: string[];
  files: FmtFileResult[];
  diags: Diagnostic[];
  bytesModified: number;
}

function formatPath(st: State, p: string): void {
  if (p === "") {
    st.diags.push({
      severity: "error",
      summary: "path is empty, cannot format",
      detail: "path is empty, cannot format",
    });
    return;
  }
  let isDir = false;
  try {
    isDir = fs.statSync(p).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    formatFile(st, p);
    return;
  }
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(p, { withFileTypes: true });
  } catch (e) {
    st.diags.push({
      severity: "error",
      summary: "Cannot read hcl directory",
      detail: goError("open", p, e),
    });
    return;
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  for (const ent of entries) {
    const name = path.join(p, ent.name);
    if (ent.isDirectory()) {
      if (st.recursive) formatPath(st, name);
      continue;
    }
    if (isHclFmtFile(name)) formatFile(st, name);
  }
}

function formatFile(st: State, filename: string): void {
  const res = processFile(st, filename);
  if (res.error !== undefined) {
    const d: Diagnostic = {
      severity: "error",
      summary: `encountered an error while formatting ${filename}`,
      detail: res.error,
    };
    st.diags.push(d);
    res.file?.diags.push(d);
  }
  if (res.file) st.files.push(res.file);
  st.bytesModified += res.bytes;
}

interface Processed {
  file?: FmtFileResult;
  error?: string;
  bytes: number;
}

function processFile(st: State, filename: string): Processed {
  const stdin = filename === "-";
  let src: Buffer;
  if (stdin) {
    st.showDiff = false;
    try {
      src = st.readStdin();
    } catch (e) {
      return { error: `failed to read ${filename}: ${goError("read", "/dev/stdin", e)}`, bytes: 0 };
    }
  } else {
    try {
      src = fs.readFileSync(filename);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const what = code === "EISDIR" ? "read" : "open";
      const prefix = what === "read" ? "failed to read" : "failed to open";
      return { error: `${prefix} ${filename}: ${goError(what, filename, e)}`, bytes: 0 };
    }
  }

  const file: FmtFileResult = {
    path: filename,
    changed: false,
    written: false,
    original: src,
    formatted: src,
    diff: "",
    diags: [],
  };
  const { output, diags } = formatSource(src, filename);
  const errors = diags.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    file.diags.push(...diags);
    return { file, error: multiErrorText(errors.map(hclErrorText)), bytes: 0 };
  }
  const out = Buffer.from(output, "utf8");
  file.formatted = out;
  if (out.equals(src)) {
    if (stdin) st.out.push(output);
    return { file, bytes: 0 };
  }
  file.changed = true;
  if (!stdin) st.out.push(`${filename}\n`);
  if (st.write) {
    if (stdin) {
      st.out.push(output);
    } else {
      try {
        fs.writeFileSync(filename, out);
        file.written = true;
      } catch (e) {
        return { file, error: goError("open", filename, e), bytes: 0 };
      }
    }
  }
  if (st.showDiff) {
    file.diff = unifiedDiff(src.toString("utf8"), output, `old/${filename}`, `new/${filename}`);
    st.out.push(file.diff);
  }
  return { file, bytes: out.length };
}

/** hcl.Diagnostic.Error(): "<subject>: <summary>; <detail>". */
function hclErrorText(d: Diagnostic): string {
  const where = d.subject ? formatRange(d.subject) : "<nil>";
  return `${where}: ${d.summary}; ${d.detail ?? ""}`;
}

/** go-multierror's default list format. */
function multiErrorText(errs: string[]): string {
  if (errs.length === 1) return `1 error occurred:\n\t* ${errs[0]}\n\n`;
  return `${errs.length} errors occurred:\n\t${errs.map((e) => `* ${e}`).join("\n\t")}\n\n`;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
};

/** Go's *PathError text for a failed filesystem operation: "<op> <path>: <errno text>". */
function goError(op: string, p: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text =
    (err.code && ERRNO_TEXT[err.code]) ?? (err instanceof Error ? err.message : String(e));
  return `${op} ${p}: ${text}`;
}
