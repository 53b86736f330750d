// Go path helpers (path/filepath Clean/Join/Base/Dir, go-homedir's Expand) and
// the doublestar (v1) glob matcher that Packer's fileset function uses.

import { readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";

/** A filesystem-function problem; the message is the one Packer reports. */
export class FsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FsError";
  }
}

/** Go's filepath.Clean (Unix). */
export function goClean(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** Go's filepath.Join: non-empty elements joined with "/" and cleaned. */
export function goJoin(...elems: string[]): string {
  const parts = elems.filter((e) => e !== "");
  if (parts.length === 0) return "";
  return goClean(parts.join("/"));
}

/** Go's filepath.Base. */
export function goBase(p: string): string {
  if (p === "") return ".";
  let s = p.replace(/\/+$/, "");
  if (s === "") return "/";
  const i = s.lastIndexOf("/");
  if (i >= 0) s = s.slice(i + 1);
  return s;
}

/** Go's filepath.Dir. */
export function goDir(p: string): string {
  const i = p.lastIndexOf("/");
  return goClean(p.slice(0, i + 1));
}

/** go-homedir's Expand: a leading "~" or "~/" becomes the home directory. */
export function expandHome(p: string): string {
  if (p.length === 0 || p[0] !== "~") return p;
  if (p.length > 1 && p[1] !== "/" && p[1] !== "\\") {
    throw new FsError("cannot expand user-specific home dir");
  }
  const home = process.env.HOME || homedir();
  return goJoin(home, p.slice(1));
}

// ---------------------------------------------------------------------------
// doublestar v1

export class BadPatternError extends Error {
  constructor() {
    super("syntax error in pattern");
    this.name = "BadPatternError";
  }
}

/** Index of `r` in `s`, skipping occurrences escaped with a backslash. */
function indexWithEscaping(s: string, r: string): number {
  const end = s.indexOf(r);
  if (end === -1) return -1;
  if (end > 0 && s[end - 1] === "\\") {
    const start = end + r.length;
    const next = indexWithEscaping(s.slice(start), r);
    return next === -1 ? -1 : next + start;
  }
  return end;
}

/** Split on a separator, honouring backslash escapes. */
function splitWithEscaping(p: string, sep: string): string[] {
  if (!p.includes(sep)) return [p];
  const out: string[] = [];
  let start = 0;
  while (start < p.length) {
    let end = indexWithEscaping(p.slice(start), sep);
    end = end === -1 ? p.length : end + start;
    out.push(p.slice(start, end));
    start = end + sep.length;
  }
  return out;
}

/** Match one path component against one pattern component. */
export function matchComponent(pattern: string, name: string): boolean {
  const pat = Array.from(pattern);
  const nm = Array.from(name);
  return matchRunes(pat, 0, nm, 0);
}

function matchRunes(pat: string[], pi: number, nm: string[], ni: number): boolean {
  const patLen = pat.length;
  const nameLen = nm.length;
  if (patLen - pi === 0 && nameLen - ni === 0) return true;
  if (patLen - pi === 0) return false;
  if (nameLen - ni === 0 && pat.slice(pi).join("") !== "*") return false;
  while (pi < patLen && ni < nameLen) {
    const p = pat[pi] as string;
    const n = nm[ni] as string;
    if (p === "\\") {
      pi++;
      if (pi >= patLen) throw new BadPatternError();
      if (pat[pi] !== n) return false;
      pi++;
      ni++;
    } else if (p === "*") {
      pi++;
      if (pi >= patLen) return true;
      for (; ni < nameLen; ni++) if (matchRunes(pat, pi, nm, ni)) return true;
      return false;
    } else if (p === "[") {
      pi++;
      const rest = pat.slice(pi).join("");
      const endRel = indexWithEscaping(rest, "]");
      if (endRel === -1) throw new BadPatternError();
      const cls = Array.from(rest.slice(0, endRel));
      const endClass = pi + cls.length;
      if (cls.length === 0) throw new BadPatternError();
      let ci = 0;
      let matched = false;
      const negate = cls[0] === "^";
      if (negate) ci++;
      while (ci < cls.length) {
        let low = cls[ci] as string;
        if (low === "-") throw new BadPatternError();
        ci++;
        if (low === "\\") {
          if (ci >= cls.length) throw new BadPatternError();
          low = cls[ci++] as string;
        }
        let high = low;
        if (ci < cls.length && cls[ci] === "-") {
          ci++;
          if (ci >= cls.length) throw new BadPatternError();
          high = cls[ci] as string;
          if (high === "-") throw new BadPatternError();
          ci++;
          if (high === "\\") {
            if (ci >= cls.length) throw new BadPatternError();
            high = cls[ci++] as string;
          }
        }
        const c = n.codePointAt(0) as number;
        if ((low.codePointAt(0) as number) <= c && c <= (high.codePointAt(0) as number)) {
          matched = true;
        }
      }
      if (matched === negate) return false;
      pi = endClass + 1;
      ni++;
    } else if (p === "{") {
      pi++;
      const rest = pat.slice(pi).join("");
      const endRel = indexWithEscaping(rest, "}");
      if (endRel === -1) throw new BadPatternError();
      const options = splitWithEscaping(rest.slice(0, endRel), ",");
      const after = rest.slice(endRel + 1);
      const name = nm.slice(ni);
      for (const o of options) {
        if (matchRunes(Array.from(o + after), 0, name, 0)) return true;
      }
      return false;
    } else if (p === "?" || p === n) {
      pi++;
      ni++;
    } else {
      return false;
    }
  }
  if (pi >= patLen && ni >= nameLen) return true;
  if (ni >= nameLen && pat.slice(pi).join("") === "*") return true;
  return false;
}

function statIsDir(p: string): boolean | undefined {
  try {
    return statSync(p).isDirectory();
  } catch {
    return undefined;
  }
}

/** Deepest directory nesting explored (guards against symlink cycles). */
const MAX_DEPTH = 64;

function doGlob(basedir: string, components: string[], matches: string[], depth = 0): void {
  if (depth > MAX_DEPTH) return;
  const patLen = components.length;
  let patIdx = 0;
  while (patIdx < patLen && !/[*?[{\\]/.test(components[patIdx] as string)) patIdx++;
  if (patIdx > 0) basedir = goJoin(basedir, goJoin(...components.slice(0, patIdx)));
  const isDir = statIsDir(basedir);
  if (isDir === undefined) return;
  if (patIdx >= patLen) {
    matches.push(basedir);
    return;
  }
  if (!isDir) return;
  let entries: { name: string; dir: boolean }[];
  try {
    // Symbolic links to directories are followed, as doublestar does.
    entries = readdirSync(basedir, { withFileTypes: true }).map((d) => ({
      name: d.name,
      dir: d.isSymbolicLink() ? statIsDir(goJoin(basedir, d.name)) === true : d.isDirectory(),
    }));
  } catch {
    return;
  }
  let lastComponent = patIdx + 1 >= patLen;
  if (components[patIdx] === "**") {
    for (const e of entries) {
      const child = goJoin(basedir, e.name);
      if (e.dir) {
        if (lastComponent) matches.push(child);
        doGlob(child, components.slice(patIdx), matches, depth + 1);
      } else if (lastComponent) {
        matches.push(child);
      }
    }
    if (lastComponent) return;
    patIdx++;
    lastComponent = patIdx + 1 >= patLen;
  }
  for (const e of entries) {
    if (matchComponent(components[patIdx] as string, e.name)) {
      const child = goJoin(basedir, e.name);
      if (lastComponent) matches.push(child);
      else doGlob(child, components.slice(patIdx + 1), matches, depth + 1);
    }
  }
}

/** doublestar.Glob: paths matching a pattern (with `**`, `{a,b}`, classes). */
export function doublestarGlob(pattern: string): string[] {
  const components = splitWithEscaping(pattern, "/");
  const matches: string[] = [];
  if (components.length === 0) return matches;
  if (components[0] === "") doGlob("/", components.slice(1), matches);
  else doGlob(".", components, matches);
  return matches;
}
