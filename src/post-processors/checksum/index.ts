// The checksum post-processor: for each checksum type and each of the
// artifact's files, appends "<hex digest>\t<file name>" to the checksum file
// named by `output` (which may use {{.BuildName}}, {{.BuilderType}} and
// {{.ChecksumType}}). Its artifact is the input's files plus the checksum
// files it created; the input is always kept.

import { createHash } from "node:crypto";
import { mkdir, open, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { list, type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { validateInterpolation } from "../../template/legacy/interpolate/index.js";
import { FilesArtifact } from "../artifice/artifact.js";
import { buildTemplateData, fsErrorText, renderBuildTemplate } from "../manifest/shared.js";

export const BUILDER_ID = "packer.post-processor.checksum";

const DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum";

/** Checksum type names and Node's names for their hashes. */
const HASHES: Readonly<Record<string, string>> = {
  md5: "md5",
  sha1: "sha1",
  sha224: "sha224",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
};

class ChecksumPostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

  private types(): string[] {
    const types = list(this.config, "checksum_types").map(String);
    return this.config.checksum_types === undefined ? ["md5"] : types;
  }

  private output(): string {
    return str(this.config, "output") || DEFAULT_OUTPUT;
  }

  prepare(): PrepareResult {
    const errors: string[] = [];
    for (const t of this.types()) {
      if (!Object.hasOwn(HASHES, t)) errors.push(`Unrecognized checksum type: ${t}`);
    }
    const d = validateInterpolation(this.output())[0];
    if (d) errors.push(`Error parsing target template: ${d.extra?.goMessage ?? d.summary}`);
    return { warnings: [], errors };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    const files = input.files();
    const created: string[] = [];
    const data = buildTemplateData(ctx);
    for (const type of this.types()) {
      const algorithm = HASHES[type];
      if (algorithm === undefined) throw new Error(`Unrecognized checksum type: ${type}`);
      const target = renderBuildTemplate(this.output(), ctx, { ...data, ChecksumType: type });
      for (const file of files) {
        const isNew = await stat(target).then(
          () => false,
          () => true,
        );
        if (isNew) created.push(target);
        const line = await checksumLine(file, type, algorithm, target, ctx.signal);
        try {
          const out = await open(target, "a", 0o644);
          try {
            await out.write(line);
          } finally {
            await out.close();
          }
        } catch (err) {
          throw new Error(`unable to create file ${target}: ${fsErrorText(err)}`);
        }
      }
    }
    // Keep the input whatever the template says: these are its checksums.
    return {
      artifact: new FilesArtifact(BUILDER_ID, [...files, ...created]),
      keep: true,
      forceOverride: true,
    };
  }
}

/** The line for `file` in a checksum file: its digest in hex, a tab, its base name. */
async function checksumLine(
  file: string,
  type: string,
  algorithm: string,
  target: string,
  signal: AbortSignal,
): Promise<string> {
  try {
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new Error(`unable to create dir: ${fsErrorText(err)}`);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    throw new Error(`unable to open file ${file}: ${fsErrorText(err)}`);
  }
  const hash = createHash(algorithm);
  try {
    // A stream given an already aborted signal fails a second time, uncaught.
    signal.throwIfAborted();
    for await (const chunk of handle.createReadStream({ signal, autoClose: false }))
      hash.update(chunk as Buffer);
  } catch (err) {
    if (signal.aborted) throw err;
    throw new Error(`unable to compute ${type} hash for ${file}`);
  } finally {
    await handle.close();
  }
  return `${hash.digest("hex")}\t${basename(file)}\n`;
}

const factory: PostProcessorFactory = {
  create: (config) => new ChecksumPostProcessor(config),
};
export default factory;
