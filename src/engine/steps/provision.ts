// The step every builder that provisions a machine ends with (Packer's
// StepProvision): runs the build's provisioners over the communicator an
// earlier step connected, and, when the build failed, the template's
// error-cleanup provisioner as the step is cleaned up.

import type { Communicator } from "../../communicators/communicator.js";
import type { BuildContext } from "../context.js";
import { ERROR, type StateBag, type Step, type StepAction, stateKey } from "../multistep/index.js";

/** The connection to the machine, set by the step that connects (StepConnect). */
export const COMMUNICATOR = stateKey<Communicator>("communicator");
/** The machine's identifier (a container id, an instance id): `build.ID`. */
export const INSTANCE_ID = stateKey<string>("instance_id");
/** Address and port of the HTTP server a builder serves files from (`http_directory`). */
export const HTTP_IP = stateKey<string>("http_ip");
export const HTTP_PORT = stateKey<number>("http_port");

/** `build.ID` when the builder has no identifier for its machine. */
export const ID_NOT_IMPLEMENTED = "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER";
/** `build.PackerHTTPIP`, `PackerHTTPPort`, `PackerHTTPAddr` when the builder serves no files. */
export const HTTP_IP_NOT_IMPLEMENTED = "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER";
export const HTTP_PORT_NOT_IMPLEMENTED = "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER";
export const HTTP_ADDR_NOT_IMPLEMENTED = "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER";

/**
 * Completes the build.* values provisioners see, as Packer does before it
 * runs them: the machine's ID, the run's UUID and the HTTP server's address,
 * with Packer's ERR_..._NOT_IMPLEMENTED_BY_BUILDER placeholders for what the
 * builder does not have. Values the state holds win over what was there.
 */
export function completeProvisionData(ctx: BuildContext, state: StateBag): void {
  const data = ctx.generatedData;
  const id = state.get(INSTANCE_ID);
  if (id !== undefined) data.ID = id;
  data.ID ??= ID_NOT_IMPLEMENTED;
  data.PackerRunUUID = ctx.info.runUUID;

  const ip = state.get(HTTP_IP);
  const port = state.get(HTTP_PORT);
  if (ip !== undefined) data.PackerHTTPIP = ip;
  if (port !== undefined) data.PackerHTTPPort = String(port);
  if (ip !== undefined && port !== undefined) data.PackerHTTPAddr = `${ip}:${port}`;
  data.PackerHTTPIP ??= HTTP_IP_NOT_IMPLEMENTED;
  data.PackerHTTPPort ??= HTTP_PORT_NOT_IMPLEMENTED;
  data.PackerHTTPAddr ??= HTTP_ADDR_NOT_IMPLEMENTED;
}

export interface StepProvisionOptions {
  /** The communicator to provision over; by default the one in the state (COMMUNICATOR). */
  comm?: Communicator;
}

/**
 * Runs the provisioners. When the build has failed by the time this step is
 * cleaned up (an ERROR in the state, whichever step set it), runs the
 * error-cleanup provisioner first, unless the user asked to abort without
 * cleaning up. A cancelled build halts at once, without waiting for the
 * provisioner to notice.
 */
export class StepProvision implements Step {
  readonly name = "StepProvision";
  private comm: Communicator | undefined;

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: StepProvisionOptions = {},
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    this.comm = this.opts.comm ?? state.require(COMMUNICATOR);
    completeProvisionData(this.ctx, state);
    const outcome = await untilAborted(this.ctx.provision(this.comm), signal);
    if (outcome.aborted) return "halt";
    if (outcome.error !== undefined) {
      state.set(ERROR, toError(outcome.error));
      return "halt";
    }
    return "continue";
  }

  async cleanup(state: StateBag): Promise<void> {
    const failure = state.get(ERROR);
    if (failure === undefined || this.comm === undefined) return;
    if (this.ctx.info.onError === "abort") return;
    this.ctx.ui.say("Provisioning step had errors: Running the cleanup provisioner, if present...");
    try {
      await this.ctx.cleanupProvision(this.comm);
    } catch (err) {
      // The build fails with both errors; the cleanup's own failure does not replace the first.
      const message = `Cleanup failed: ${toError(err).message}. Original Provisioning error: ${failure.message}`;
      state.set(ERROR, new Error(message, { cause: err }));
    }
  }
}

type Outcome = { aborted: true } | { aborted: false; error?: unknown };

/** Waits for `work`, or only until the signal fires (the work's late failure is then ignored). */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    const onAbort = () => resolve({ aborted: true });
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve({ aborted: false });
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        resolve({ aborted: false, error });
      },
    );
  });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
