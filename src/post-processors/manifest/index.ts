// The manifest post-processor: records each build's artifact (name, type,
// time, files with their sizes, id, run UUID, custom data) in a JSON file
// that every build of a run, and later runs, append to. With -force a new run
// starts the file afresh. The input artifact passes through untouched.

import { readFile, stat, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { flag, map, type PlainConfig, str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  PostProcessContext,
  PostProcessor,
  PostProcessorFactory,
  PostProcessResult,
} from "../../engine/post-processor.js";
import { validateInterpolation } from "../../template/legacy/interpolate/index.js";
import { formatManifest, type ManifestBuild, type ManifestFile, parseManifest } from "./file.js";
import { withManifestLock } from "./lock.js";
import { buildTemplateData, fsErrorText, renderBuildTemplate } from "./shared.js";

export const BUILDER_ID = "packer.post-processor.manifest";

class ManifestPostProcessor implements PostProcessor {
  constructor(private readonly config: PlainConfig) {}

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

  private output(): string {
    return str(this.config, "output") || "packer-manifest.json";
  }

  async postProcess(ctx: PostProcessContext, input: Artifact): Promise<PostProcessResult> {
    const data = buildTemplateData(ctx);
    let output: string;
    try {
      output = renderBuildTemplate(this.output(), ctx, data);
    } catch (err) {
      throw new Error(`Error interpolating output: ${(err as Error).message}`);
    }
    const customData: Record<string, string> = {};
    for (const [key, value] of Object.entries(map(this.config, "custom_data"))) {
      try {
        customData[key] = renderBuildTemplate(String(value), ctx, data);
      } catch (err) {
        throw new Error(`Error interpolating custom data: ${(err as Error).message}`);
      }
    }

    const files = [];
    for (const name of input.files()) {
      const size = await stat(name).then(
        (s) => s.size,
        () => 0,
      );
      files.push({ name: flag(this.config, "strip_path") ? basename(name) : name, size });
    }
    const build: ManifestBuild = {
      name: ctx.build.sourceName,
      builder_type: ctx.build.type,
      build_time: flag(this.config, "strip_time") ? 0 : Math.floor(Date.now() / 1000),
      files: files.length > 0 ? files : null,
      artifact_id: input.id(),
      packer_run_uuid: ctx.build.runUUID,
      custom_data: isMap(this.config.custom_data) ? customData : null,
    };

    await withManifestLock(output, () => appendBuild(output, build, ctx));
    // The manifest never lets the artifacts it records be deleted.
    return { artifact: input, keep: true, forceOverride: true };
  }
}

/** Adds `build` to the manifest at `path`, starting afresh when -force is set and the file is from another run. */
async function appendBuild(path: string, build: ManifestBuild, ctx: PostProcessContext) {
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`Unable to open ${path} for reading: ${fsErrorText(err)}`);
    }
  }
  let manifest: ManifestFile = { builds: null, last_run_uuid: "" };
  if (text.length > 0) {
    try {
      manifest = parseManifest(text);
    } catch (err) {
      throw new Error(`Unable to parse content from ${path}: ${(err as Error).message}`);
    }
  }
  if (ctx.build.force && ctx.build.runUUID !== manifest.last_run_uuid) {
    manifest = { builds: null, last_run_uuid: "" };
  }
  manifest.builds = [...(manifest.builds ?? []), build];
  manifest.last_run_uuid = ctx.build.runUUID;
  try {
    await writeFile(path, formatManifest(manifest), { mode: 0o664 });
  } catch (err) {
    throw new Error(`Unable to write ${path}: ${fsErrorText(err)}`);
  }
}

function isMap(v: PlainConfig[string] | undefined): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

const factory: PostProcessorFactory = {
  create: (config) => new ManifestPostProcessor(config),
};
export default factory;
