// Glob patterns for -only and -except, as Packer matches them (gobwas/glob
// without separators): `*` any run of characters, `?` one character,
// `[abc]`/`[a-z]`/`[!a]` classes, `{a,b}` alternatives, `\` escapes.

const cache = new Map<string, RegExp>();

export function globMatch(pattern: string, name: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern)}$`, "su");
    cache.set(pattern, re);
  }
  return re.test(name);
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

function translate(p: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && i + 1 < p.length) {
      out += escapeRe(p[++i]!);
    } else if (c === "*") {
      out += ".*";
    } else if (c === "?") {
      out += ".";
    } else if (c === "[") {
      const end = p.indexOf("]", i + 2);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let body = p.slice(i + 1, end);
      const neg = body.startsWith("!");
      if (neg) body = body.slice(1);
      out += `[${neg ? "^" : ""}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) {
      out += "|";
    } else {
      out += escapeRe(c);
    }
  }
  return out + ")".repeat(depth);
}
