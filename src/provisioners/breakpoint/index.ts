// The breakpoint provisioner (Packer core): pauses the build until the user
// presses enter, so the machine can be inspected half-way through.

import type { PlainConfig } from "../../components/schema.js";
import { flag, str } from "../../components/schema.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  ProvisionContext,
  Provisioner,
  ProvisionerFactory,
} from "../../engine/provisioner.js";
import { interpolate } from "../../template/legacy/interpolate/index.js";

class BreakpointProvisioner implements Provisioner {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async provision(ctx: ProvisionContext): Promise<void> {
    const note = renderNote(str(this.config, "note"), ctx);
    if (flag(this.config, "disable")) {
      ctx.ui.say(
        note === ""
          ? "Breakpoint provisioner disabled; continuing..."
          : `Breakpoint provisioner with note "${note}" disabled; continuing...`,
      );
      return;
    }
    ctx.ui.say(
      note === ""
        ? "Pausing at breakpoint provisioner."
        : `Pausing at breakpoint provisioner with note "${note}".`,
    );
    await untilAnswered(ctx);
  }
}

/** Waits for the user to press enter; a cancelled build stops waiting and rejects. */
async function untilAnswered(ctx: ProvisionContext): Promise<void> {
  const { signal } = ctx;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const answered = ctx.ui.ask("Press enter to continue.").then(
    () => {},
    (err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Error asking for input: ${reason}`, { cause: err });
    },
  );
  try {
    await Promise.race([answered, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
    // Whichever lost the race must not surface as an unhandled rejection.
    answered.catch(() => {});
    aborted.catch(() => {});
  }
}

/** The note with its Go-template fields rendered for this build, as Packer decodes it. */
function renderNote(note: string, ctx: ProvisionContext): string {
  if (!note.includes("{{")) return note;
  const r = interpolate(note, {
    buildName: ctx.build.sourceName,
    buildType: ctx.build.type,
    packerVersion: ctx.build.packerVersion,
    data: ctx.generatedData,
  });
  const diag = r.diags[0];
  if (diag !== undefined) throw new Error(diag.detail ?? diag.summary);
  return r.value;
}

const factory: ProvisionerFactory = {
  create: (config) => new BreakpointProvisioner(config),
};

export default factory;
