// The null builder (Packer core): creates nothing; it connects to a machine
// that already exists (or, with communicator = "none", to nothing at all) and
// runs the provisioners there.

import type { Communicator } from "../../communicators/communicator.js";
import { NoneCommunicator } from "../../communicators/none.js";
import type { PlainConfig } from "../../components/schema.js";
import { str } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { Builder, BuilderFactory, PrepareResult } from "../../engine/builder.js";
import type { BuildContext } from "../../engine/context.js";
import { ERROR, StateBag, type Step, type StepAction } from "../../engine/multistep/index.js";
import { COMMUNICATOR, INSTANCE_ID, StepProvision } from "../../engine/steps/provision.js";

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

/**
 * Connects with the configured communicator and stores it in the state
 * (Packer's StepConnect). Only "none" exists so far.
 */
export class StepConnect implements Step {
  readonly name = "StepConnect";

  constructor(private readonly type: string) {}

  async run(state: StateBag): Promise<StepAction> {
    const comm = connect(this.type);
    if (comm instanceof Error) {
      state.set(ERROR, comm);
      return "halt";
    }
    state.set(COMMUNICATOR, comm);
    return "continue";
  }
}

function connect(type: string): Communicator | Error {
  switch (type) {
    case "none":
      return new NoneCommunicator();
    case "ssh":
    case "winrm":
      return new Error(
        `communicator = "${type}" is not supported yet: the ${type} communicator arrives with issue 6`,
      );
    default:
      return new Error(`unknown communicator type: ${type}`);
  }
}

class NullBuilder implements Builder {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: [] };
  }

  async run(ctx: BuildContext): Promise<Artifact | undefined> {
    const state = new StateBag();
    state.set(INSTANCE_ID, "Null");
    const steps = [
      new StepConnect(str(this.config, "communicator") || "ssh"),
      new StepProvision(ctx),
    ];
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
