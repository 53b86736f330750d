// The provisioner interface: configures the machine being built through its communicator.

import type { Communicator } from "../communicators/communicator.js";
import type { PlainConfig } from "../components/schema.js";
import type { Ui } from "../ui/index.js";
import type { PrepareResult } from "./builder.js";
import type { BuildInfo } from "./context.js";

export interface ProvisionContext {
  ui: Ui;
  comm: Communicator;
  signal: AbortSignal;
  build: BuildInfo;
  /** build.* values known so far (ID, Host, PackerHTTPAddr, ...). */
  generatedData: Record<string, string>;
}

export interface Provisioner {
  prepare(): PrepareResult;
  provision(ctx: ProvisionContext): Promise<void>;
}

export interface ProvisionerFactory {
  create(config: PlainConfig): Provisioner;
}
