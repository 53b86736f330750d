// What a running build gives its builder: the UI, cancellation, the build's
// identity, the provisioner hook, and the step runner with -debug and
// -on-error applied.

import type { Communicator } from "../communicators/communicator.js";
import type { Ui } from "../ui/index.js";
import type { RunStepsResult, StateBag, StepList } from "./multistep/index.js";

export type OnError = "cleanup" | "abort" | "ask" | "run-cleanup-provisioner";

export interface BuildInfo {
  /** The build's full name as printed: `[build.]type.name`. */
  name: string;
  /** The builder type ("null", "docker", ...). */
  type: string;
  /** The source's name in its build. */
  sourceName: string;
  /** The build block's name ("" when none). */
  buildName: string;
  /** PACKER_RUN_UUID: one per `kiln build` run. */
  runUUID: string;
  packerVersion: string;
  /** The folder the template is in (path.root / template_dir). */
  templateDir: string;
  force: boolean;
  debug: boolean;
  onError: OnError;
}

export interface BuildContext {
  ui: Ui;
  signal: AbortSignal;
  info: BuildInfo;
  /** build.* values the builder makes known as it runs; provisioners and post-processors read them. */
  generatedData: Record<string, string>;
  /** Runs the build's provisioners over `comm`, in order (Packer's provision hook). */
  provision(comm: Communicator): Promise<void>;
  /** Runs the error-cleanup provisioner, if the template has one for this build. */
  cleanupProvision(comm: Communicator): Promise<void>;
  /** Runs steps with the -debug pauses and -on-error behaviour the user asked for. */
  runSteps(steps: StepList, state: StateBag): Promise<RunStepsResult>;
  /** Strings that must never be printed (passwords, keys); components add their own. */
  addSecret(secret: string): void;
  /** A line for the detailed log (PACKER_LOG, -log-dir), not the UI. */
  log?(line: string): void;
}
