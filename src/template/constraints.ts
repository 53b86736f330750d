// Version constraints as hashicorp/go-version reads them (`>= 1.7, < 2`,
// `~> 1.9.0`, `!= 1.8.1`), for `packer { required_version = ... }` and
// `required_plugins`.

import { compareGoVersions, type GoVersion, parseGoVersion } from "./legacy/version.js";

type Op = "=" | "!=" | ">" | "<" | ">=" | "<=" | "~>";

interface Constraint {
  op: Op;
  version: GoVersion;
  /** How many version segments the constraint spelled out (for `~>`). */
  specified: number;
  text: string;
}

const CONSTRAINT_RE = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;

export function parseConstraints(text: string): { constraints?: Constraint[]; error?: string } {
  const out: Constraint[] = [];
  for (const part of text.split(",")) {
    const m = CONSTRAINT_RE.exec(part);
    if (!m) return { error: `Malformed constraint: ${part}` };
    const v = parseGoVersion(m[2]!);
    if (!v.version) return { error: `Malformed constraint: ${part}` };
    const specified = m[2]!.replace(/^v/, "").split(/[-+]/)[0]!.split(".").length;
    out.push({ op: (m[1] ?? "=") as Op, version: v.version, specified, text: part.trim() });
  }
  return { constraints: out };
}

function check(c: Constraint, v: GoVersion): boolean {
  // go-version: a pre-release only satisfies constraints that name a pre-release of the same version.
  if (v.pre !== "" && c.version.pre === "") return false;
  if (v.pre !== "" && c.version.pre !== "") {
    const same = v.segments.slice(0, 3).every((s, i) => s === c.version.segments[i]);
    if (!same) return false;
  }
  const cmp = compareGoVersions(v, c.version);
  switch (c.op) {
    case "=":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case ">":
      return cmp > 0;
    case "<":
      return cmp < 0;
    case ">=":
      return cmp >= 0;
    case "<=":
      return cmp <= 0;
    case "~>": {
      if (cmp < 0) return false;
      const keep = Math.max(c.specified - 1, 1);
      for (let i = 0; i < keep; i++) {
        if ((v.segments[i] ?? 0n) !== (c.version.segments[i] ?? 0n)) return false;
      }
      return true;
    }
  }
}

/** Whether `version` satisfies every constraint in `text`; an error for a malformed constraint. */
export function satisfies(text: string, version: string): { ok: boolean; error?: string } {
  const parsed = parseConstraints(text);
  if (parsed.error) return { ok: false, error: parsed.error };
  const v = parseGoVersion(version);
  if (!v.version) return { ok: false, error: v.error };
  return { ok: parsed.constraints!.every((c) => check(c, v.version!)) };
}
