// The compress post-processor: bundles the artifact's files into a tar or
// zip archive and/or compresses them (gzip, lz4, xz, bgzf), the format
// chosen from `output`'s extensions (see format.ts). Everything streams: no
// file is ever held in memory. gzip and bgzf use Node's zlib; lz4 and xz run
// the system's `lz4` and `xz` programs through the process layer. The new
// artifact is the archive; the input is not kept unless the template says so.

import { mkdir, open, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { num, type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { ProcessError, run } from "../../process/index.js";
import { validateInterpolation } from "../../template/legacy/interpolate/index.js";
import { buildTemplateData, fsErrorText, renderBuildTemplate } from "../manifest/shared.js";
import { BGZF_PARALLEL, BgzfWriter } from "./bgzf.js";
import { type Algorithm, type CompressFormat, detectFormat } from "./format.js";
import { tarStream } from "./tar.js";
import { zipStream } from "./zip.js";

export const BUILDER_ID = "packer.post-processor.compress";

const DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}";
const DEFAULT_LEVEL = 6;

/** The programs lz4 and xz compression run, and the Debian packages that have them. */
const EXTERNAL: Readonly<Record<"lz4" | "xz", { args: string[]; debianPackage: string }>> = {
  lz4: { args: ["-z", "-c", "-q"], debianPackage: "lz4" },
  xz: { args: ["-z", "-c", "-T1"], debianPackage: "xz-utils" },
};

class CompressArtifact implements Artifact {
  readonly builderId = BUILDER_ID;
  constructor(private readonly path: string) {}
  id(): string {
    return "";
  }
  files(): string[] {
    return [this.path];
  }
  string(): string {
    return `compressed artifacts in: ${this.path}`;
  }
  state(): unknown {
    return undefined;
  }
  async destroy(): Promise<void> {
    await rm(this.path);
  }
}

class CompressPostProcessor implements PostProcessor {
  private readonly format: CompressFormat;

  constructor(private readonly config: PlainConfig) {
    this.format = detectFormat(this.output(), str(config, "format"));
  }

  private output(): string {
    return str(this.config, "output") || DEFAULT_OUTPUT;
  }

  prepare(): PrepareResult {
    const d = validateInterpolation(this.output())[0];
    if (d) {
      return {
        warnings: [],
        errors: [`Error parsing target template: ${d.extra?.goMessage ?? d.summary}`],
      };
    }
    return { warnings: [], errors: [] };
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    ctx.signal.throwIfAborted();
    let target: string;
    try {
      target = renderBuildTemplate(this.output(), ctx, buildTemplateData(ctx));
    } catch (err) {
      throw new Error(`Error interpolating output value: ${(err as Error).message}`);
    }
    const { archive, algorithm } = this.format;
    const files = input.files();
    if (archive === undefined && files.length !== 1) {
      throw new Error(
        `Can only have 1 input file when not using tar/zip. Found ${files.length} files: [${files.join(" ")}]`,
      );
    }
    const level = this.level(algorithm);

    try {
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    } catch (err) {
      throw new Error(`Unable to create dir for archive ${target}: ${fsErrorText(err)}`);
    }
    let out: Awaited<ReturnType<typeof open>>;
    try {
      out = await open(target, "w", 0o666);
    } catch (err) {
      throw new Error(`Unable to create archive ${target}: ${fsErrorText(err)}`);
    }

    if (algorithm !== undefined) ctx.ui.say(usingMessage(algorithm, target));
    const compression = algorithm ?? "no compression";
    let source: Readable;
    let failure: string;
    if (archive === "tar") {
      ctx.ui.say(`Tarring ${target} with ${compression}`);
      source = Readable.from(tarStream(files, ctx.signal), { objectMode: false });
      failure = "Error creating tar";
    } else if (archive === "zip") {
      ctx.ui.say(`Zipping ${target}`);
      source = Readable.from(zipStream(files, level, ctx.signal), { objectMode: false });
      failure = "Error creating zip";
    } else {
      const file = files[0]!;
      ctx.ui.say(`Archiving ${file} with ${compression}`);
      try {
        source = (await open(file, "r")).createReadStream({ signal: ctx.signal });
      } catch (err) {
        await out.close();
        await rm(target, { force: true });
        throw new Error(`Failed to open source file ${file} for reading: ${fsErrorText(err)}`);
      }
      failure = `Failed to compress ${file}`;
    }

    try {
      await compressInto(source, algorithm, level, out, target, ctx.signal);
    } catch (err) {
      await rm(target, { force: true });
      if (ctx.signal.aborted) throw err;
      throw new Error(`${failure}: ${fsErrorText(err)}`);
    }
    ctx.ui.say(`Archive ${target} completed`);
    return { artifact: new CompressArtifact(target), keep: false, forceOverride: false };
  }

  /** The compression level for `algorithm`: 1 to 9 (0 and -1 mean the default, as Packer). */
  private level(algorithm: Algorithm | undefined): number {
    const level = Math.trunc(num(this.config, "compression_level"));
    if (level < -1 && (algorithm === "pgzip" || algorithm === "bgzf")) {
      throw new Error(
        `error creating ${algorithm} writer: Invalid compression level. Expected an integer from -1 to 9.`,
      );
    }
    if (level < 1) return DEFAULT_LEVEL;
    return Math.min(level, 9);
  }
}

function usingMessage(algorithm: Algorithm, target: string): string {
  // bgzf blocks are deflated on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise).
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const threads = algorithm === "bgzf" ? Math.min(BGZF_PARALLEL, pool) : 1;
  return `Using ${algorithm} compression with ${threads} ${threads === 1 ? "core" : "cores"} for ${target}`;
}

/** Streams `source` through the compressor into the opened output file; the file is closed at the end. */
async function compressInto(
  source: Readable,
  algorithm: Algorithm | undefined,
  level: number,
  out: Awaited<ReturnType<typeof open>>,
  target: string,
  signal: AbortSignal,
): Promise<void> {
  if (algorithm === "lz4" || algorithm === "xz") {
    await out.close();
    await runCompressor(algorithm, level, source, target, signal);
    return;
  }
  const sink: Writable = out.createWriteStream();
  if (algorithm === "pgzip") await pipeline(source, createGzip({ level }), sink, { signal });
  else if (algorithm === "bgzf") await pipeline(source, new BgzfWriter(level), sink, { signal });
  else await pipeline(source, sink, { signal });
}

/**
 * Runs `lz4` or `xz` with `source` on its stdin and its stdout going to
 * `target` (a shell redirect: the process layer streams stdout as lines).
 */
async function runCompressor(
  algorithm: "lz4" | "xz",
  level: number,
  source: Readable,
  target: string,
  signal: AbortSignal,
): Promise<void> {
  const program = EXTERNAL[algorithm];
  // A failing input (an unreadable file) must stop the program, which would otherwise wait for more.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let sourceError: unknown;
  source.once("error", (err) => {
    sourceError = err;
    stop.abort(err);
  });
  try {
    await run(
      "/bin/sh",
      [
        "-c",
        'out="$1"; shift; exec "$@" > "$out"',
        "sh",
        target,
        algorithm,
        ...program.args,
        `-${level}`,
      ],
      { input: source, signal: stop.signal, killGraceMs: 2000 },
    );
  } catch (err) {
    if (sourceError !== undefined) throw sourceError;
    if (err instanceof ProcessError && err.exitCode === 127) {
      throw new Error(
        `the ${algorithm} program is not installed (Debian package ${program.debianPackage}); kiln runs it for ${algorithm} compression`,
      );
    }
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
    source.destroy();
  }
  if (sourceError !== undefined) throw sourceError;
}

const factory: PostProcessorFactory = {
  create: (config) => new CompressPostProcessor(config),
};
export default factory;
