// The manifest file's model: reading an existing file as Go's json.Unmarshal
// reads it into Packer's structs (keys matched ignoring case, unknown keys
// dropped, a value of the wrong type an error), and writing it back as
// Packer writes it.

import { GoMap, type GoStruct, goMarshalIndent } from "./go-json.js";

export interface ManifestFileEntry {
  name: string;
  size: number;
}

/** One build's record (Packer's manifest.Artifact). */
export interface ManifestBuild {
  name: string;
  builder_type: string;
  /** Unix seconds; 0 leaves the key out (strip_time). */
  build_time: number;
  files: ManifestFileEntry[] | null;
  artifact_id: string;
  packer_run_uuid: string;
  custom_data: Record<string, string> | null;
}

export interface ManifestFile {
  builds: ManifestBuild[] | null;
  last_run_uuid: string;
}

/** The file's text, as Packer writes it (2-space indentation, no final newline). */
export function formatManifest(m: ManifestFile): string {
  const builds = m.builds?.map(
    (b): GoStruct => ({
      name: b.name,
      builder_type: b.builder_type,
      ...(b.build_time !== 0 ? { build_time: b.build_time } : {}),
      files: b.files?.map((f): GoStruct => ({ name: f.name, size: f.size })) ?? null,
      artifact_id: b.artifact_id,
      packer_run_uuid: b.packer_run_uuid,
      custom_data: b.custom_data ? new GoMap(b.custom_data) : null,
    }),
  );
  return goMarshalIndent({ builds: builds ?? null, last_run_uuid: m.last_run_uuid });
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonKind(v: Json): string {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return `number ${v}`;
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  return "object";
}

/** Go's message for a value of the wrong type; `field` is the dotted path of keys. */
function mismatch(v: Json, struct: string, field: string, goType: string): Error {
  const kind = typeof v === "number" && goType !== "int64" ? "number" : jsonKind(v);
  const where = field === "" ? "Go value" : `Go struct field ${struct}.${field}`;
  return new Error(`json: cannot unmarshal ${kind} into ${where} of type ${goType}`);
}

/** The value of the key that matches `name` exactly, or else ignoring case (Go's rule). */
function field(obj: { [k: string]: Json }, name: string): Json | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  let found: Json | undefined;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === name) found = v;
  return found;
}

function isObject(v: Json): v is { [k: string]: Json } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function readString(v: Json | undefined, struct: string, path: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw mismatch(v, struct, path, "string");
  return v;
}

function readInt(v: Json | undefined, struct: string, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v)) throw mismatch(v, struct, path, "int64");
  return v;
}

function readBuild(v: Json): ManifestBuild {
  const build: ManifestBuild = {
    name: "",
    builder_type: "",
    build_time: 0,
    files: null,
    artifact_id: "",
    packer_run_uuid: "",
    custom_data: null,
  };
  if (v === null) return build;
  if (!isObject(v)) throw mismatch(v, "ManifestFile", "builds", "manifest.Artifact");
  const s = "Artifact";
  build.name = readString(field(v, "name"), s, "builds.name");
  build.builder_type = readString(field(v, "builder_type"), s, "builds.builder_type");
  build.build_time = readInt(field(v, "build_time"), s, "builds.build_time");
  const files = field(v, "files");
  if (files !== undefined && files !== null) {
    if (!Array.isArray(files)) throw mismatch(files, s, "builds.files", "[]manifest.ArtifactFile");
    build.files = files.map((f) => {
      if (f === null) return { name: "", size: 0 };
      if (!isObject(f)) throw mismatch(f, s, "builds.files", "manifest.ArtifactFile");
      const fs = "ArtifactFile";
      return {
        name: readString(field(f, "name"), fs, "builds.files.name"),
        size: readInt(field(f, "size"), fs, "builds.files.size"),
      };
    });
  }
  build.artifact_id = readString(field(v, "artifact_id"), s, "builds.artifact_id");
  build.packer_run_uuid = readString(field(v, "packer_run_uuid"), s, "builds.packer_run_uuid");
  const custom = field(v, "custom_data");
  if (custom !== undefined && custom !== null) {
    if (!isObject(custom)) throw mismatch(custom, s, "builds.custom_data", "map[string]string");
    const data: Record<string, string> = {};
    for (const [k, x] of Object.entries(custom)) {
      if (x === null) data[k] = "";
      else if (typeof x !== "string") throw mismatch(x, s, "builds.custom_data", "string");
      else data[k] = x;
    }
    build.custom_data = data;
  }
  return build;
}

/** Reads a manifest's text; throws an Error with Go's wording when it doesn't fit. */
export function parseManifest(text: string): ManifestFile {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (err) {
    throw new Error((err as Error).message);
  }
  const m: ManifestFile = { builds: null, last_run_uuid: "" };
  if (root === null) return m;
  if (!isObject(root)) throw mismatch(root, "", "", "manifest.ManifestFile");
  const builds = field(root, "builds");
  if (builds !== undefined && builds !== null) {
    if (!Array.isArray(builds))
      throw mismatch(builds, "ManifestFile", "builds", "[]manifest.Artifact");
    m.builds = builds.map(readBuild);
  }
  m.last_run_uuid = readString(field(root, "last_run_uuid"), "ManifestFile", "last_run_uuid");
  return m;
}
