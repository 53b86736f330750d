// The shell-local provisioner (Packer core): runs commands or scripts on the
// machine running kiln, never on the machine being built.

import type { PlainConfig } from "../../components/schema.js";
import type { PrepareResult } from "../../engine/builder.js";
import type {
  ProvisionContext,
  Provisioner,
  ProvisionerFactory,
} from "../../engine/provisioner.js";
import { checkLocalScripts, runLocalShell } from "./run-local.js";

class ShellLocalProvisioner implements Provisioner {
  constructor(private readonly config: PlainConfig) {}

  prepare(): PrepareResult {
    return { warnings: [], errors: checkLocalScripts(this.config) };
  }

  provision(ctx: ProvisionContext): Promise<void> {
    return runLocalShell(this.config, ctx);
  }
}

const factory: ProvisionerFactory = {
  create: (config) => new ShellLocalProvisioner(config),
};

export default factory;
