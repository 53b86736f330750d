// Version numbers as hashicorp/go-version parses and compares them, which is
// how Packer checks a legacy template's "min_packer_version".

export interface GoVersion {
  segments: bigint[];
  pre: string;
  metadata: string;
  original: string;
}

const VERSION_RE = new RegExp(
  "^v?([0-9]+(\\.[0-9]+)*?)" +
    "(-([0-9]+[0-9A-Za-z\\-~]*(\\.[0-9A-Za-z\\-~]+)*)|(-?([A-Za-z\\-~]+[0-9A-Za-z\\-~]*(\\.[0-9A-Za-z\\-~]+)*)))?" +
    "(\\+([0-9A-Za-z\\-~]+(\\.[0-9A-Za-z\\-~]+)*))?$",
);

const INT64_MAX = (1n << 63n) - 1n;

/** Parse a version; undefined with go-version's "Malformed version" when invalid. */
export function parseGoVersion(v: string): { version?: GoVersion; error?: string } {
  const m = VERSION_RE.exec(v);
  if (!m) return { error: `Malformed version: ${v}` };
  const segments: bigint[] = [];
  for (const s of (m[1] as string).split(".")) {
    const n = BigInt(s);
    if (n > INT64_MAX) {
      return {
        error: `Error parsing version: strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`,
      };
    }
    segments.push(n);
  }
  while (segments.length < 3) segments.push(0n);
  const pre = m[7] || m[4] || "";
  return { version: { segments, pre, metadata: m[10] ?? "", original: v } };
}

/** go-version's String(): segments, then -prerelease and +metadata. */
export function formatGoVersion(v: GoVersion): string {
  let s = v.segments.map(String).join(".");
  if (v.pre) s += `-${v.pre}`;
  if (v.metadata) s += `+${v.metadata}`;
  return s;
}

function comparePart(a: string, b: string): number {
  if (a === b) return 0;
  const aNum = /^[+-]?\d+$/.test(a);
  const bNum = /^[+-]?\d+$/.test(b);
  if (a === "") return bNum ? -1 : 1;
  if (b === "") return aNum ? 1 : -1;
  if (aNum && !bNum) return -1;
  if (!aNum && bNum) return 1;
  if (!aNum && !bNum) return a > b ? 1 : -1;
  return BigInt(a) > BigInt(b) ? 1 : -1;
}

function comparePrereleases(a: string, b: string): number {
  if (a === b) return 0;
  const ap = a.split(".");
  const bp = b.split(".");
  const n = Math.max(ap.length, bp.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(ap[i] ?? "", bp[i] ?? "");
    if (c !== 0) return c;
  }
  return 0;
}

/** go-version's Compare: -1, 0 or 1. */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  const sa = a.segments;
  const sb = b.segments;
  if (sa.length === sb.length && sa.every((x, i) => x === sb[i])) {
    if (a.pre === "" && b.pre === "") return 0;
    if (a.pre === "") return 1;
    if (b.pre === "") return -1;
    return comparePrereleases(a.pre, b.pre);
  }
  const n = Math.max(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    if (i > sa.length - 1) return sb.slice(i).every((x) => x === 0n) ? 0 : -1;
    if (i > sb.length - 1) return sa.slice(i).every((x) => x === 0n) ? 0 : 1;
    const l = sa[i] as bigint;
    const r = sb[i] as bigint;
    if (l === r) continue;
    return l < r ? -1 : 1;
  }
  return 0;
}
