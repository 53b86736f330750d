// Filesystem functions: abspath, basename, dirname, file, filebase64,
// fileexists, fileset, pathexpand. Relative paths given to file, filebase64,
// fileexists and fileset are resolved against the template's base directory.

import { readFileSync, type Stats, statSync } from "node:fs";
import { resolve } from "node:path";
import { FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { goQuote } from "../cty/quote.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import {
  BadPatternError,
  doublestarGlob,
  expandHome,
  FsError,
  goBase,
  goClean,
  goDir,
  goJoin,
} from "./filesystem-glob.js";

function str(args: Value[], i: number): string {
  return (args[i] as Value).asString();
}

function errCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** Expand "~", then resolve against baseDir and clean, as Packer does. */
function resolvePath(baseDir: string, path: string): string {
  let p: string;
  try {
    p = expandHome(path);
  } catch (e) {
    if (e instanceof FsError) throw new FunctionError(`failed to expand ~: ${e.message}`);
    throw e;
  }
  if (!p.startsWith("/")) p = goJoin(baseDir, p);
  return goClean(p);
}

function readFileBytes(baseDir: string, path: string): Buffer {
  const p = resolvePath(baseDir, path);
  try {
    return readFileSync(p);
  } catch (e) {
    if (errCode(e) === "ENOENT") throw new FunctionError(`no file exists at ${p}`);
    throw new FunctionError(`failed to read ${p}`);
  }
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Go's os.FileMode.String for a stat result, e.g. "drwxr-xr-x". */
export function goFileModeString(st: Stats): string {
  let out = "";
  const m = st.mode;
  if (st.isDirectory()) out += "d";
  if (st.isSymbolicLink()) out += "L";
  if (st.isBlockDevice() || st.isCharacterDevice()) out += "D";
  if (st.isFIFO()) out += "p";
  if (st.isSocket()) out += "S";
  if (m & 0o4000) out += "u";
  if (m & 0o2000) out += "g";
  if (st.isCharacterDevice()) out += "c";
  if (m & 0o1000) out += "t";
  if (out === "") out = "-";
  const rwx = "rwxrwxrwx";
  for (let i = 0; i < 9; i++) out += m & (1 << (8 - i)) ? rwx[i] : "-";
  return out;
}

/** The filesystem functions, resolving relative paths against `baseDir`. */
export function filesystemFunctions(baseDir: string): Record<string, FunctionImpl> {
  const file = new FunctionImpl({
    description: "Reads the contents of a file as a UTF-8 string.",
    params: [{ name: "path", type: Type.string }],
    type: staticReturnType(Type.string),
    impl: (args) => {
      const path = str(args, 0);
      const src = readFileBytes(baseDir, path);
      try {
        return Value.string(utf8Strict.decode(src));
      } catch {
        throw new FunctionError(
          `contents of ${path} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead`,
        );
      }
    },
  });

  const filebase64 = new FunctionImpl({
    description: "Reads the contents of a file and returns them base64-encoded.",
    params: [{ name: "path", type: Type.string }],
    type: staticReturnType(Type.string),
    impl: (args) => Value.string(readFileBytes(baseDir, str(args, 0)).toString("base64")),
  });

  const fileexists = new FunctionImpl({
    description: "Determines whether a regular file exists at the given path.",
    params: [{ name: "path", type: Type.string }],
    type: staticReturnType(Type.bool),
    impl: (args) => {
      const p = resolvePath(baseDir, str(args, 0));
      let st: Stats;
      try {
        st = statSync(p);
      } catch (e) {
        if (errCode(e) === "ENOENT") return Value.false;
        throw new FunctionError(`failed to stat ${p}`);
      }
      if (st.isFile()) return Value.true;
      throw new FunctionError(`${p} is not a regular file, but ${goQuote(goFileModeString(st))}`);
    },
  });

  const fileset = new FunctionImpl({
    description: "Enumerates the regular files under a directory that match a glob pattern.",
    params: [
      { name: "path", type: Type.string },
      { name: "pattern", type: Type.string },
    ],
    type: staticReturnType(Type.set(Type.string)),
    impl: (args) => {
      let path = str(args, 0);
      if (!path.startsWith("/")) path = goJoin(baseDir, path);
      const pattern = goJoin(path, str(args, 1));
      let matches: string[];
      try {
        matches = doublestarGlob(pattern);
      } catch (e) {
        if (e instanceof BadPatternError) {
          throw new FunctionError(`failed to glob pattern (${pattern}): ${e.message}`);
        }
        throw e;
      }
      const out: Value[] = [];
      for (const match of matches) {
        let st: Stats;
        try {
          st = statSync(match);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          throw new FunctionError(`failed to stat (${match}): ${why}`);
        }
        if (!st.isFile()) continue;
        out.push(Value.string(relPath(path, match)));
      }
      if (out.length === 0) return Value.setEmpty(Type.string);
      return Value.set(out);
    },
  });

  return {
    abspath,
    basename,
    dirname,
    file,
    filebase64,
    fileexists,
    fileset,
    pathexpand,
  };
}

/** Go's filepath.Rel for the lexical case fileset needs (target under or near base). */
function relPath(base: string, target: string): string {
  const b = goClean(base);
  const t = goClean(target);
  if (b === t) return ".";
  if (b === ".") return t;
  if (t.startsWith(`${b}/`)) return t.slice(b.length + 1);
  if (b === "/") return t.slice(1);
  const bp = b.split("/");
  const tp = t.split("/");
  let i = 0;
  while (i < bp.length && i < tp.length && bp[i] === tp[i]) i++;
  return [...new Array(bp.length - i).fill(".."), ...tp.slice(i)].join("/");
}

const abspath = new FunctionImpl({
  description: "Converts a path to an absolute path (relative to the working directory).",
  params: [{ name: "path", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => {
    const p = str(args, 0);
    return Value.string(p.startsWith("/") ? goClean(p) : goClean(resolve(p)));
  },
});

const basename = new FunctionImpl({
  description: "Returns the last element of a path.",
  params: [{ name: "path", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => Value.string(goBase(str(args, 0))),
});

const dirname = new FunctionImpl({
  description: "Returns all but the last element of a path.",
  params: [{ name: "path", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => Value.string(goDir(str(args, 0))),
});

const pathexpand = new FunctionImpl({
  description: "Expands a leading ~ in a path to the current user's home directory.",
  params: [{ name: "path", type: Type.string }],
  type: staticReturnType(Type.string),
  impl: (args) => {
    try {
      return Value.string(expandHome(str(args, 0)));
    } catch (e) {
      if (e instanceof FsError) throw new FunctionError(e.message);
      throw e;
    }
  },
});
