// The file builder (Packer core): writes one local file, copied from a
// source file or made from inline content, then runs the provisioners with
// no machine to reach (communicator "none").

import { type FileHandle, mkdir, open, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NoneCommunicator } from "../../communicators/none.js";
import type { PlainConfig } from "../../components/schema.js";
import { str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { Builder, BuilderFactory, PrepareResult } from "../../engine/builder.js";
import type { BuildContext } from "../../engine/context.js";
import { goPathError } from "../../provisioners/shell-local/run-local.js";
import { interpolate } from "../../template/legacy/interpolate/index.js";
import type { Ui } from "../../ui/index.js";

export const BUILDER_ID = "packer.file";

/** The file the builder wrote. Destroying it removes the file. */
export class FileBuilderArtifact implements Artifact {
  readonly builderId = BUILDER_ID;

  constructor(readonly filename: string) {}

  id(): string {
    return "File";
  }
  files(): string[] {
    return [this.filename];
  }
  string(): string {
    return `Stored file: ${this.filename}`;
  }
  state(name: string): unknown {
    if (name === "par.artifact.metadata") {
      return { ImageID: this.filename, ProviderName: this.id() };
    }
    return undefined;
  }
  async destroy(): Promise<void> {
    try {
      await rm(this.filename);
    } catch (err) {
      throw new Error(goPathError("remove", this.filename, err), { cause: err });
    }
  }
}

class FileBuilder implements Builder {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async run(ctx: BuildContext): Promise<Artifact | undefined> {
    const render = (key: string) => renderOption(str(this.config, key), ctx);
    const [source, target, content] = [render("source"), render("target"), render("content")];

    // The folders leading to the target are created as needed.
    const dir = dirname(target);
    if (dir !== ".") {
      try {
        await mkdir(dir, { recursive: true, mode: 0o755 });
      } catch (err) {
        throw new Error(goPathError("mkdir", dir, err), { cause: err });
      }
    }

    if (source !== "") {
      const copied = await copyFile(source, target, ctx.ui, ctx.signal);
      if (copied === undefined) return undefined;
      ctx.ui.say(`Copied ${copied} bytes`);
    } else {
      try {
        await writeFile(target, content, { mode: 0o600 });
      } catch (err) {
        throw new Error(goPathError("open", target, err), { cause: err });
      }
    }

    if (ctx.signal.aborted) return undefined;
    await ctx.provision(new NoneCommunicator());
    if (ctx.signal.aborted) return undefined;
    return new FileBuilderArtifact(target);
  }
}

/**
 * Streams `source` into `target` (created or truncated); resolves with the
 * number of bytes copied, or undefined when the build was cancelled.
 */
async function copyFile(
  source: string,
  target: string,
  ui: Ui,
  signal: AbortSignal,
): Promise<number | undefined> {
  const input = await openFile(source, "r");
  let output: FileHandle;
  try {
    output = await openFile(target, "w");
  } catch (err) {
    await input.close();
    throw err;
  }
  ui.say(`Copying ${source} to ${target}`);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    // The streams close their files when they end or fail.
    await pipeline(input.createReadStream(), counter, output.createWriteStream(), { signal });
  } catch (err) {
    if (signal.aborted) return undefined;
    const code = (err as NodeJS.ErrnoException).code;
    const [op, path] = code === "EISDIR" ? ["read", source] : ["write", target];
    throw new Error(goPathError(op, path, err), { cause: err });
  }
  return bytes;
}

async function openFile(path: string, flags: "r" | "w"): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (err) {
    throw new Error(goPathError("open", path, err), { cause: err });
  }
}

/** An option's value with its Go-template fields rendered for this build, as Packer decodes it. */
function renderOption(value: string, ctx: BuildContext): string {
  if (!value.includes("{{")) return value;
  const r = interpolate(value, {
    buildName: ctx.info.sourceName,
    buildType: ctx.info.type,
    packerVersion: ctx.info.packerVersion,
    data: ctx.generatedData,
  });
  const diag = r.diags[0];
  if (diag !== undefined) throw new Error(diag.detail ?? diag.summary);
  return r.value;
}

const factory: BuilderFactory = {
  create: (config) => new FileBuilder(config),
};

export default factory;
