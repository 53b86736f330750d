// Connecting to the machine being built (Packer's StepConnect), shared by
// every builder: picks the communicator the configuration names — none, ssh,
// or one the builder brings itself (docker) — waits until it answers, and
// stores it in the state for StepProvision. Also the steps around it for
// temporary SSH key pairs (StepSSHKeyGen, StepCleanupTempKeys).

import type { Communicator } from "../../communicators/communicator.js";
import { NoneCommunicator } from "../../communicators/none.js";
import {
  clearAuthorizedKey,
  generateTemporaryKeyPair,
  loginAuth,
  SSHCommunicator,
  type SSHSettings,
  sshSettings,
  type TemporaryKeyPair,
} from "../../communicators/ssh/index.js";
import { flag, num, type PlainConfig, str } from "../../components/schema.js";
import { sleep } from "../../util/sleep.js";
import type { BuildContext } from "../context.js";
import { ERROR, type StateBag, type Step, type StepAction, stateKey } from "../multistep/index.js";
import { COMMUNICATOR } from "./provision.js";

/** The temporary key pair StepSSHKeyGen made, for the builder to install and StepConnect to log in with. */
export const SSH_TEMPORARY_KEY = stateKey<TemporaryKeyPair>("ssh_temporary_key");

/** A communicator a builder provides itself (docker), keyed by communicator type. */
export type CustomConnect = (state: StateBag, signal: AbortSignal) => Promise<Communicator>;

export interface StepConnectOptions {
  /** The builder's decoded configuration (the communicator options). */
  config: PlainConfig;
  /** The address to connect to, when the builder knows it better than ssh_host (a VM's forwarded port). */
  host?: (state: StateBag) => string;
  port?: (state: StateBag) => number;
  /** Connectors for types the builder provides; they win over the built-in ones. */
  custom?: Record<string, CustomConnect>;
  /** Pause between SSH attempts (default 1 s). */
  retryDelayMs?: number;
}

function describeDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m0s`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export class StepConnect implements Step {
  readonly name = "StepConnect";
  private comm: Communicator | undefined;

  constructor(
    private readonly ctx: BuildContext,
    private readonly opts: StepConnectOptions,
  ) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const type = str(this.opts.config, "communicator") || "ssh";
    try {
      const custom = this.opts.custom?.[type];
      if (custom) {
        this.comm = await custom(state, signal);
      } else if (type === "none") {
        this.comm = new NoneCommunicator();
      } else if (type === "ssh") {
        const comm = await this.connectSSH(state, signal);
        if (comm === undefined) return "halt";
        this.comm = comm;
      } else if (type === "winrm") {
        throw new Error(
          'communicator = "winrm" is not supported by kiln yet: use ssh (Windows guests can run OpenSSH)',
        );
      } else {
        throw new Error(`unknown communicator type: ${type}`);
      }
    } catch (err) {
      if (signal.aborted) return "halt";
      state.set(ERROR, err instanceof Error ? err : new Error(String(err)));
      return "halt";
    }
    state.set(COMMUNICATOR, this.comm);
    return "continue";
  }

  async cleanup(): Promise<void> {
    if (this.comm instanceof SSHCommunicator) this.comm.close();
  }

  private settings(state: StateBag): SSHSettings {
    const s = sshSettings(this.opts.config);
    if (this.opts.host) s.host = this.opts.host(state);
    if (this.opts.port) s.port = this.opts.port(state);
    const temp = state.get(SSH_TEMPORARY_KEY);
    if (temp && s.privateKeyFile === "") s.privateKey = temp.privateKey;
    return s;
  }

  private async connectSSH(
    state: StateBag,
    signal: AbortSignal,
  ): Promise<SSHCommunicator | undefined> {
    const { ui } = this.ctx;
    const settings = this.settings(state);
    const auth = await loginAuth(settings);
    const data = this.ctx.generatedData;
    data.ConnType = "ssh";
    data.Host = settings.host;
    data.Port = String(settings.port);
    data.User = settings.username;
    data.Password = settings.password;
    if (settings.password !== "") this.ctx.addSecret(settings.password);
    const temp = state.get(SSH_TEMPORARY_KEY);
    data.SSHPublicKey = temp?.publicKey ?? "";
    data.SSHPrivateKey = temp?.privateKey ?? "";

    ui.say(`Using SSH communicator to connect: ${settings.host}`);
    const wait = async () => {
      ui.say("Waiting for SSH to become available...");
      try {
        const comm = await SSHCommunicator.connect(settings, auth, {
          ui,
          signal,
          ...(this.opts.retryDelayMs !== undefined ? { retryDelayMs: this.opts.retryDelayMs } : {}),
        });
        ui.say("Connected to SSH!");
        return comm;
      } catch (err) {
        if (signal.aborted) return undefined;
        const e = err as Error & { timedOut?: boolean };
        ui.error(e.timedOut ? e.message : `Error waiting for SSH: ${e.message}`);
        state.set(ERROR, e);
        return undefined;
      }
    };
    let comm = await wait();
    if (comm === undefined) return undefined;
    if (settings.pauseBeforeConnectingMs > 0) {
      ui.say(`Pausing ${describeDuration(settings.pauseBeforeConnectingMs)} before connecting...`);
      comm.close();
      if (!(await sleep(settings.pauseBeforeConnectingMs, signal))) return undefined;
      comm = await wait();
    }
    return comm;
  }
}

/**
 * Makes a temporary key pair when the configuration gives no way to log in
 * (no password, key file or agent), as Packer's StepSSHKeyGen does; the
 * builder installs its public half on the machine.
 */
export class StepSSHKeyGen implements Step {
  readonly name = "StepSSHKeyGen";

  constructor(
    private readonly ctx: BuildContext,
    private readonly config: PlainConfig,
  ) {}

  async run(state: StateBag): Promise<StepAction> {
    const c = this.config;
    if ((str(c, "communicator") || "ssh") !== "ssh") return "continue";
    if (str(c, "ssh_private_key_file") !== "") {
      this.ctx.ui.say("Using existing SSH private key");
      return "continue";
    }
    if (flag(c, "ssh_agent_auth") || str(c, "ssh_password") !== "") return "continue";
    const type = str(c, "temporary_key_pair_type") || "rsa";
    this.ctx.ui.say(`Creating temporary ${type.toUpperCase()} SSH key for instance...`);
    try {
      const name = str(c, "temporary_key_pair_name") || undefined;
      const kp = await generateTemporaryKeyPair(type, num(c, "temporary_key_pair_bits"), name);
      this.ctx.addSecret(kp.privateKey);
      this.ctx.generatedData.SSHPublicKey = kp.publicKey;
      this.ctx.generatedData.SSHPrivateKey = kp.privateKey;
      state.set(SSH_TEMPORARY_KEY, kp);
      return "continue";
    } catch (err) {
      state.set(
        ERROR,
        new Error(`Error creating temporary ssh key: ${(err as Error).message}`, { cause: err }),
      );
      return "halt";
    }
  }
}

/** With ssh_clear_authorized_keys, removes the temporary public key from the machine (Packer's StepCleanupTempKeys). */
export class StepCleanupTempKeys implements Step {
  readonly name = "StepCleanupTempKeys";

  constructor(
    private readonly ctx: BuildContext,
    private readonly config: PlainConfig,
  ) {}

  async run(state: StateBag): Promise<StepAction> {
    const kp = state.get(SSH_TEMPORARY_KEY);
    const comm = state.get(COMMUNICATOR);
    if (!flag(this.config, "ssh_clear_authorized_keys") || kp === undefined || comm === undefined) {
      return "continue";
    }
    this.ctx.ui.say("Trying to remove ephemeral keys from authorized_keys files");
    await clearAuthorizedKey(comm, kp.publicKey, (m) => this.ctx.ui.error(m));
    return "continue";
  }
}
