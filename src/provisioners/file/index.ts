// The file provisioner (Packer core): uploads local files, directories or
// inline content to the machine being built, or downloads from it, through
// the communicator. Files are streamed, never read into memory whole.
//
// Directories follow Packer's trailing-slash rule (the communicator applies
// it): `src/` copies what the directory holds, `src` the directory itself.

import { createReadStream, createWriteStream, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { flag, list, type PlainConfig, str } from "../../components/schema.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  ProvisionContext,
  Provisioner,
  ProvisionerFactory,
} from "../../engine/provisioner.js";
import { host } from "../../host/index.js";
import { templateRenderer } from "../shell/env.js";
import { goPathError } from "../shell-local/run-local.js";

/** The name of the file inline `content` is written to (and uploaded as, into a directory). */
const CONTENT_FILE = "pkr-file-content";

/** `sources`, then `source` (Packer appends it). */
function configuredSources(config: PlainConfig): string[] {
  const sources = list(config, "sources").map(String);
  const source = str(config, "source");
  if (source !== "") sources.push(source);
  return sources;
}

function isDownload(config: PlainConfig): boolean {
  return str(config, "direction") === "download";
}

class FileProvisioner implements Provisioner {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    const errors: string[] = [];
    if (!isDownload(this.config) && !flag(this.config, "generated")) {
      for (const src of configuredSources(this.config)) {
        try {
          statSync(src);
        } catch (err) {
          errors.push(`Bad source '${src}': ${goPathError("stat", src, err)}`);
        }
      }
    }
    return { warnings: [], errors };
  }

  async provision(ctx: ProvisionContext): Promise<void> {
    const sources = configuredSources(this.config);
    const content = str(this.config, "content");
    let contentDir: string | undefined;
    try {
      if (content !== "") {
        contentDir = await mkdtemp(join(host.tempDir(), "kiln-file-"));
        const path = join(contentDir, CONTENT_FILE);
        await writeFile(path, content, { mode: 0o600 });
        sources.push(path);
      }
      if (isDownload(this.config)) await this.download(ctx, sources);
      else await this.upload(ctx, sources);
    } finally {
      if (contentDir !== undefined) await rm(contentDir, { recursive: true, force: true });
    }
  }

  private renderPaths(ctx: ProvisionContext, sources: string[]): { dst: string; srcs: string[] } {
    const render = templateRenderer(ctx);
    let dst: string;
    try {
      dst = render(str(this.config, "destination"));
    } catch (err) {
      throw new Error(`Error interpolating destination: ${(err as Error).message}`);
    }
    const srcs = sources.map((src) => {
      try {
        return render(src);
      } catch (err) {
        throw new Error(`Error interpolating source: ${(err as Error).message}`);
      }
    });
    return { dst, srcs };
  }

  private async upload(ctx: ProvisionContext, sources: string[]): Promise<void> {
    const { dst, srcs } = this.renderPaths(ctx, sources);
    for (const src of srcs) {
      ctx.ui.say(`Uploading ${src} => ${dst}`);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(src);
      } catch (err) {
        throw new Error(goPathError("stat", src, err));
      }

      if (info.isDirectory()) {
        try {
          await ctx.comm.uploadDir(dst, src);
        } catch (err) {
          ctx.ui.error(`Upload failed: ${errorText(err)}`);
          throw err;
        }
        continue;
      }

      const fileDst = dst.endsWith("/") ? dst + basename(src) : dst;
      const stream = createReadStream(src);
      try {
        await ctx.comm.upload(fileDst, stream, { mode: info.mode & 0o7777, size: info.size });
      } catch (err) {
        const text = errorText(err);
        if (text.includes("Error restoring file")) {
          ctx.ui.error(
            `Upload failed: ${text}; this can occur when your file destination is a folder without a trailing slash.`,
          );
        }
        ctx.ui.error(`Upload failed: ${text}`);
        throw err;
      } finally {
        stream.destroy();
      }
    }
  }

  private async download(ctx: ProvisionContext, sources: string[]): Promise<void> {
    const rendered = this.renderPaths(ctx, sources);
    for (const src of rendered.srcs) {
      let dst = rendered.dst;
      // The local folder to create first: the destination itself when it ends
      // in a slash (a file source keeps its name inside it), else its parent.
      let dir = dst;
      if (!dst.endsWith("/")) dir = dirname(dst);
      else if (!src.endsWith("/") && !src.endsWith("*")) dst = join(dst, basename(src));
      ctx.ui.say(`Downloading ${src} => ${dst}`);
      if (dir !== "") await mkdir(dir, { recursive: true, mode: 0o755 });

      // A source ending in a slash, or a pattern, names a directory's contents.
      if (src.endsWith("/") || /[*?[]/.test(src)) {
        await ctx.comm.downloadDir(src, dst);
        continue;
      }

      const out = createWriteStream(dst, { mode: 0o644 });
      await new Promise<void>((resolve, reject) => {
        out.once("open", () => resolve());
        out.once("error", (err) => reject(new Error(goPathError("open", dst, err))));
      });
      try {
        await ctx.comm.download(src, out);
        if (!out.writableEnded) out.end();
        await finished(out);
      } catch (err) {
        out.destroy();
        ctx.ui.error(`Download failed: ${errorText(err)}`);
        throw err;
      }
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const factory: ProvisionerFactory = {
  create: (config) => new FileProvisioner(config),
};

export default factory;
