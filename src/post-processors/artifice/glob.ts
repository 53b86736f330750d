// File name patterns as Go's path/filepath Glob and Match read them (the
// artifice post-processor globs each of its `files`): `*` and `?` never match
// a `/`, `[...]` / `[^...]` classes with ranges, `\` escapes the next
// character. A name without pattern characters is returned only if it
// exists; a directory that can't be read matches nothing; only a malformed
// pattern is an error ("syntax error in pattern").

import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export class BadPatternError extends Error {
  constructor() {
    super("syntax error in pattern");
  }
}

type Token =
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "char"; cp: number }
  | { kind: "class"; negate: boolean; ranges: [number, number][] };

const SEPARATOR = 0x2f; // "/"

/** The pattern's tokens, or BadPatternError. */
function tokenize(pattern: string): Token[] {
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  const tokens: Token[] = [];
  let i = 0;
  /** One possibly escaped character inside a class. */
  const classChar = (): number => {
    let c = cps[i];
    if (c === undefined || c === 0x2d || c === 0x5d) throw new BadPatternError(); // "-" or "]"
    if (c === 0x5c) {
      i++;
      c = cps[i];
      if (c === undefined) throw new BadPatternError();
    }
    i++;
    return c;
  };
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === 0x2a) {
      tokens.push({ kind: "star" });
      i++;
    } else if (c === 0x3f) {
      tokens.push({ kind: "any" });
      i++;
    } else if (c === 0x5c) {
      const next = cps[i + 1];
      if (next === undefined) throw new BadPatternError();
      tokens.push({ kind: "char", cp: next });
      i += 2;
    } else if (c === 0x5b) {
      i++;
      let negate = false;
      if (cps[i] === 0x5e) {
        negate = true;
        i++;
      }
      const ranges: [number, number][] = [];
      for (;;) {
        if (cps[i] === 0x5d && ranges.length > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (cps[i] === 0x2d) {
          i++;
          hi = classChar();
        }
        ranges.push([lo, hi]);
      }
      tokens.push({ kind: "class", negate, ranges });
    } else {
      tokens.push({ kind: "char", cp: c });
      i++;
    }
  }
  return tokens;
}

function matchOne(t: Token, cp: number): boolean {
  switch (t.kind) {
    case "any":
      return cp !== SEPARATOR;
    case "char":
      return cp === t.cp;
    case "class": {
      if (cp === SEPARATOR) return false;
      const inside = t.ranges.some(([lo, hi]) => lo <= cp && cp <= hi);
      return inside !== t.negate;
    }
    case "star":
      return false;
  }
}

function matchFrom(tokens: Token[], ti: number, name: number[], ni: number): boolean {
  for (; ti < tokens.length; ti++) {
    const t = tokens[ti]!;
    if (t.kind === "star") {
      // Try every length of the run of non-separators the star may take.
      for (let end = ni; ; end++) {
        if (matchFrom(tokens, ti + 1, name, end)) return true;
        if (end >= name.length || name[end] === SEPARATOR) return false;
      }
    }
    const cp = name[ni];
    if (cp === undefined || !matchOne(t, cp)) return false;
    ni++;
  }
  return ni === name.length;
}

/** Whether `name` matches the whole of `pattern` (Go's filepath.Match). */
export function globMatch(pattern: string, name: string): boolean {
  const tokens = tokenize(pattern);
  return matchFrom(
    tokens,
    0,
    Array.from(name, (c) => c.codePointAt(0)!),
    0,
  );
}

function hasMeta(p: string): boolean {
  return /[*?[\\]/.test(p);
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The entries of `dir` matching `pattern`, sorted, as paths joined to `dir`. */
async function globDir(dir: string, pattern: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) return [];
    const names = (await readdir(dir)).sort(byBytes);
    return names.filter((n) => globMatch(pattern, n)).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** The paths matching `pattern` (Go's filepath.Glob). Throws BadPatternError for a malformed one. */
export async function glob(pattern: string): Promise<string[]> {
  tokenize(pattern);
  if (!hasMeta(pattern)) {
    return lstat(pattern).then(
      () => [pattern],
      () => [],
    );
  }
  const cut = pattern.lastIndexOf("/") + 1;
  let dir = pattern.slice(0, cut);
  const file = pattern.slice(cut);
  if (dir === "") dir = ".";
  else if (dir !== "/") dir = dir.slice(0, -1);
  if (!hasMeta(dir)) return globDir(dir, file);
  if (dir === pattern) throw new BadPatternError();
  const out: string[] = [];
  for (const d of await glob(dir)) out.push(...(await globDir(d, file)));
  return out;
}
