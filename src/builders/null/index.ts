// The null builder (Packer core): creates nothing; it connects to a machine
// that already exists (or, with communicator = "none", to nothing at all) and
// runs the provisioners there.

import type { PlainConfig } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { Builder, BuilderFactory, PrepareResult } from "../../engine/builder.js";
import type { BuildContext } from "../../engine/context.js";
import { StateBag } from "../../engine/multistep/index.js";
import { StepConnect } from "../../engine/steps/connect.js";
import { INSTANCE_ID, StepProvision } from "../../engine/steps/provision.js";

export const BUILDER_ID = "fnoeding.null";

/** What the null builder produces: nothing. */
export class NullArtifact implements Artifact {
  readonly builderId = BUILDER_ID;
  id(): string {
    return "Null";
  }
  files(): string[] {
    return [];
  }
  string(): string {
    return "Did not export anything. This is the null builder";
  }
  state(_name: string): unknown {
    return undefined;
  }
  async destroy(): Promise<void> {}
}

class NullBuilder implements Builder {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async run(ctx: BuildContext): Promise<Artifact | undefined> {
    const state = new StateBag();
    state.set(INSTANCE_ID, "Null");
    const steps = [new StepConnect(ctx, { config: this.config }), new StepProvision(ctx)];
    const result = await ctx.runSteps(steps, state);
    if (result.cancelled) return undefined;
    if (result.error !== undefined) throw result.error;
    if (result.halted) return undefined;
    return new NullArtifact();
  }
}

const factory: BuilderFactory = {
  create: (config) => new NullBuilder(config),
};

export default factory;
