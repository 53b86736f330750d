// How the compress post-processor picks its archive and compression from the
// output's extensions, as Packer does: the last two lower-case `.ext` groups
// of `output` (or of `output.format` when `format` is set) are read; `.tar`
// or `.zip` last means an archive alone; `.tar.X` a tar compressed with X; a
// known X alone compresses the single input file; anything else (no
// extension, `.tgz`, `.bz2`...) means a gzipped tar, whatever the name says.

export type ArchiveKind = "tar" | "zip";
/** Packer's names for its compressors (pgzip is gzip), as its messages print them. */
export type Algorithm = "pgzip" | "lz4" | "bgzf" | "xz";

export interface CompressFormat {
  archive?: ArchiveKind;
  algorithm?: Algorithm;
}

const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  gz: "pgzip",
  lz4: "lz4",
  bgzf: "bgzf",
  xz: "xz",
};

const DEFAULT: CompressFormat = { archive: "tar", algorithm: "pgzip" };

/** The format for an (unrendered) output path and the `format` option. */
export function detectFormat(output: string, format = ""): CompressFormat {
  const name = format === "" ? output : `${output}.${format}`;
  const exts = [...name.matchAll(/\.([a-z0-9]+)/g)].map((m) => m[1]!);
  const last = exts.at(-1);
  if (last === undefined) return { ...DEFAULT };
  const result: CompressFormat = {};
  if (exts.at(-2) === "tar") result.archive = "tar";
  if (last === "tar" || last === "zip") return { archive: last };
  const algorithm = ALGORITHMS[last];
  if (algorithm === undefined) return { ...DEFAULT };
  result.algorithm = algorithm;
  return result;
}
