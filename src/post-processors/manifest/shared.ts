// Helpers the manifest, checksum and compress post-processors share:
// rendering a Go-template option at build time, and file-system errors worded
// as Go words them ("open x: no such file or directory").

import { join } from "node:path";
import type { PostProcessContext } from "../../engine/post-processor.js";
import { interpolate } from "../../template/legacy/interpolate/index.js";

/**
 * Renders `text` (e.g. an `output` with `{{.BuildName}}`) with the build's
 * values: `data` is what `{{ .Field }}` and `{{ build "Field" }}` read.
 * Throws with Go's template message when it fails.
 */
export function renderBuildTemplate(
  text: string,
  ctx: PostProcessContext,
  data: Record<string, string>,
): string {
  const r = interpolate(text, {
    buildName: ctx.build.sourceName,
    buildType: ctx.build.type,
    packerVersion: ctx.build.packerVersion,
    // template_dir only reads the folder of this path.
    templatePath: join(ctx.build.templateDir, "template"),
    data,
  });
  const d = r.diags[0];
  if (d) throw new Error(String(d.extra?.goMessage ?? d.summary));
  return r.value;
}

/** The values a post-processor's templates see: the build's generated data plus BuildName and BuilderType. */
export function buildTemplateData(ctx: PostProcessContext): Record<string, string> {
  return { ...ctx.generatedData, BuildName: ctx.build.sourceName, BuilderType: ctx.build.type };
}

/**
 * A Node file-system error as Go's *PathError prints it: "open /x: no such
 * file or directory". Other errors keep their message.
 */
export function fsErrorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== "string" || e.syscall === undefined) {
    return err instanceof Error ? err.message : String(err);
  }
  // Node's message reads "ENOENT: no such file or directory, open '/x'".
  const m = /^[A-Z0-9_]+: (.*?), [a-z_]+(?: '.*')?$/s.exec(e.message);
  const reason = m?.[1] ?? e.message;
  return e.path === undefined ? `${e.syscall}: ${reason}` : `${e.syscall} ${e.path}: ${reason}`;
}
