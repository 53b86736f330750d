// `kiln build`'s engine: runs every build (in parallel up to
// -parallel-builds), each as builder → provisioners (through the builder's
// provision step) → post-processor chains, then prints Packer's summary:
// artifacts per build, errors per build, and how long each took.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Communicator } from "../communicators/communicator.js";
import { sleep as wait } from "../util/sleep.js";
import type { Artifact } from "./artifact.js";
import type { Builder, BuilderFactory } from "./builder.js";
import type { BuildContext, BuildInfo, OnError } from "./context.js";
import type { BuildLog } from "./log.js";
import {
  type AskFn,
  debugPauses,
  type ErrorChoice,
  onErrorAbort,
  onErrorAsk,
  presentSteps,
  type RunStepsResult,
  runSteps,
  type StateBag,
  type StepList,
} from "./multistep/index.js";
import type { BuildPlan, PostProcessorPlan, ProvisionerPlan } from "./plan.js";
import type { PostProcessorFactory } from "./post-processor.js";
import type { ProvisionerFactory } from "./provisioner.js";
import { BuildUi, formatDuration, type OutputOptions, RunUi } from "./ui.js";

export interface RunOptions {
  /** How many builds run at once; 0 means all. */
  parallelBuilds: number;
  onError: OnError;
  debug: boolean;
  force: boolean;
  output: OutputOptions;
  /** A folder for one full log file per build (beyond Packer). */
  logDir?: string;
  runUUID: string;
  packerVersion: string;
  /** Fires on Ctrl-C / SIGTERM: no new step starts, running builds clean up. */
  signal: AbortSignal;
  /** PACKER_LOG's detailed log. */
  log?: BuildLog;
}

export interface BuildOutcome {
  name: string;
  artifacts: Artifact[];
  error?: Error;
  cancelled: boolean;
  durationMs: number;
}

export interface RunResult {
  exitCode: number;
  outcomes: BuildOutcome[];
  cancelled: boolean;
}

/** Raised inside a build when it was cancelled. */
export class BuildCancelled extends Error {
  constructor() {
    super("Build was cancelled.");
  }
}

async function loadFactory<T>(
  kind: "builders" | "provisioners" | "post-processors",
  type: string,
): Promise<T> {
  try {
    return ((await import(`../${kind}/${type}/index.js`)) as { default: T }).default;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
      throw new Error(`kiln cannot run the ${kind.replace(/s$/, "")} "${type}" yet.`);
    }
    throw err;
  }
}

/** Go's time.Duration.String() for whole milliseconds: "1m30s", "500ms", "0s". */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}s`;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (!(await wait(ms, signal))) throw new BuildCancelled();
}

function formatErrors(errors: string[]): string {
  if (errors.length === 1) return errors[0]!;
  return `${errors.length} error(s) occurred:\n\n${errors.map((e) => `* ${e}`).join("\n")}`;
}

class RunningBuild {
  readonly info: BuildInfo;
  readonly generatedData: Record<string, string>;
  constructor(
    readonly plan: BuildPlan,
    readonly ui: BuildUi,
    readonly opts: RunOptions,
    readonly signal: AbortSignal,
    readonly colorIndex: number,
  ) {
    this.info = {
      name: plan.name,
      type: plan.type,
      sourceName: plan.sourceName,
      buildName: plan.buildName,
      runUUID: opts.runUUID,
      packerVersion: opts.packerVersion,
      templateDir: plan.templateDir,
      force: opts.force,
      debug: opts.debug,
      onError: opts.onError,
    };
    this.generatedData = { PackerRunUUID: opts.runUUID };
  }

  context(): BuildContext {
    return {
      ui: this.ui,
      signal: this.signal,
      info: this.info,
      generatedData: this.generatedData,
      provision: (comm) => this.provision(comm),
      cleanupProvision: (comm) => this.cleanupProvision(comm),
      runSteps: (steps, state) => this.runSteps(steps, state),
      addSecret: (s) => this.opts.output.secrets.add(s),
      log: (line) => this.opts.log?.log(`${this.plan.name}: ${line}`),
    };
  }

  private async runProvisioner(p: ProvisionerPlan, comm: Communicator): Promise<void> {
    this.opts.log?.log(
      `${this.plan.name}: starting provisioner ${p.type}${p.name ? ` (${p.name})` : ""}`,
    );
    const configured = await p.configure(this.generatedData);
    for (const s of configured.secrets ?? []) this.opts.output.secrets.add(s);
    if (configured.errors.length) throw new Error(formatErrors(configured.errors));
    const factory = await loadFactory<ProvisionerFactory>("provisioners", p.type);
    const prov = factory.create(configured.config);
    const prepared = prov.prepare();
    for (const w of prepared.warnings) this.ui.error(`Warning: ${w}`);
    if (prepared.errors.length) throw new Error(formatErrors(prepared.errors));
    if (!p.timeout) {
      await prov.provision({
        ui: this.ui,
        comm,
        signal: this.signal,
        build: this.info,
        generatedData: this.generatedData,
      });
      return;
    }
    this.ui.say(`Setting a ${goDuration(p.timeout)} timeout for the next provisioner...`);
    const ac = new AbortController();
    const onAbort = () => ac.abort(this.signal.reason);
    this.signal.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.ui.error("Cancelling provisioner after a timeout...");
      ac.abort(new Error("timeout"));
    }, p.timeout);
    try {
      await prov.provision({
        ui: this.ui,
        comm,
        signal: ac.signal,
        build: this.info,
        generatedData: this.generatedData,
      });
    } catch (err) {
      if (timedOut && !this.signal.aborted) {
        throw new Error(
          `Provisioner timed out after ${goDuration(p.timeout)}: ${(err as Error).message}`,
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener("abort", onAbort);
    }
  }

  /** Packer's provision hook: each provisioner in order, with pause_before, timeout and max_retries. */
  async provision(comm: Communicator): Promise<void> {
    for (const p of this.plan.provisioners) {
      if (this.signal.aborted) throw new BuildCancelled();
      if (p.pauseBefore > 0) {
        this.ui.say(`Pausing ${goDuration(p.pauseBefore)} before the next provisioner...`);
        await sleep(p.pauseBefore, this.signal);
      }
      for (let attempt = 0; ; attempt++) {
        try {
          await this.runProvisioner(p, comm);
          break;
        } catch (err) {
          if (this.signal.aborted || attempt >= p.maxRetries) throw err;
          this.ui.error(
            `Provisioner ${p.type} failed (attempt ${attempt + 1} of ${p.maxRetries + 1}), retrying: ${(err as Error).message}`,
          );
        }
      }
    }
  }

  async cleanupProvision(comm: Communicator): Promise<void> {
    const p = this.plan.errorCleanupProvisioner;
    if (!p) return;
    await this.runProvisioner(p, comm);
  }

  async runSteps(steps: StepList, state: StateBag): Promise<RunStepsResult> {
    const log = this.opts.log;
    let wrapped: StepList = log
      ? presentSteps(steps).map((step) => ({
          name: step.name,
          run: async (st: StateBag, signal: AbortSignal) => {
            log.log(`${this.plan.name}: running step ${step.name}`);
            const action = await step.run(st, signal);
            log.log(
              `${this.plan.name}: step ${step.name} ${action === "halt" ? "halted" : "done"}`,
            );
            return action;
          },
          cleanup: step.cleanup
            ? async (st: StateBag) => {
                log.log(`${this.plan.name}: cleaning up step ${step.name}`);
                await step.cleanup!(st);
              }
            : undefined,
        }))
      : steps;
    if (this.opts.onError === "ask") wrapped = onErrorAsk(wrapped, this.askFn());
    else if (this.opts.onError === "abort") wrapped = onErrorAbort(wrapped);
    else if (this.opts.onError === "run-cleanup-provisioner") {
      wrapped = onErrorAbort(wrapped, { keepCleanup: (name) => name === "StepProvision" });
    }
    if (this.opts.debug) {
      wrapped = debugPauses(wrapped, async (p) => {
        const where =
          p.location === "after-run"
            ? `Pausing after run of step '${p.step}'.`
            : `Pausing before cleanup of step '${p.step}'.`;
        this.ui.say(`${where} Press enter to continue.`);
        await this.opts.output.prompter.nextLine(p.signal);
      });
    }
    const r = await runSteps(wrapped, state, { signal: this.signal });
    for (const f of r.cleanupErrors) {
      this.ui.error(`Cleanup of step '${f.step}' failed: ${f.error.message}`);
    }
    if (r.skippedCleanups.length) {
      this.ui.error(
        `Left behind (cleanup skipped): ${r.skippedCleanups.join(", ")}. Remove what these steps created by hand.`,
      );
    }
    return r;
  }

  private askFn(): AskFn {
    return async (failed): Promise<ErrorChoice> => {
      this.ui.error(`Step "${failed.step}" failed`);
      if (failed.error) this.ui.error(`Error: ${failed.error.message}`);
      for (;;) {
        this.ui.say(
          "[c] Clean up and exit, [a] abort without cleanup, or [r] retry step (build may fail even if retry succeeds)?",
        );
        const line = (await this.opts.output.prompter.nextLine(failed.signal)).trim().toLowerCase();
        if (line === "c" || line === "") return "cleanup";
        if (line === "a") return "abort";
        if (line === "r") return "retry";
      }
    };
  }

  /** Runs every post-processor chain, deciding what to keep as Packer does. */
  async postProcess(
    builderArtifact: Artifact,
  ): Promise<{ artifacts: Artifact[]; errors: Error[] }> {
    const artifacts: Artifact[] = [];
    const errors: Error[] = [];
    let keepOriginal = this.plan.postProcessors.length === 0;
    for (const chain of this.plan.postProcessors) {
      let prior: Artifact | undefined = builderArtifact;
      for (let i = 0; i < chain.length; i++) {
        const pp = chain[i]!;
        if (this.signal.aborted) throw new BuildCancelled();
        this.ui.say(`Running post-processor: ${pp.name} (type ${pp.type})`);
        let result: Awaited<ReturnType<RunningBuild["runPostProcessor"]>>;
        try {
          result = await this.runPostProcessor(pp, prior!);
        } catch (err) {
          if (this.signal.aborted) throw new BuildCancelled();
          errors.push(new Error(`Post-processor failed: ${(err as Error).message}`));
          prior = undefined;
          break;
        }
        let keep = result.keep;
        if (pp.keepInputArtifact !== undefined) {
          if (!(result.keep && pp.keepInputArtifact === false && result.forceOverride)) {
            keep = pp.keepInputArtifact;
          }
        }
        if (i === 0) {
          if (keep) keepOriginal = true;
        } else if (keep) {
          artifacts.push(prior!);
        } else {
          try {
            await prior!.destroy();
          } catch (err) {
            errors.push(
              new Error(
                `Failed cleaning up prior artifact: ${(err as Error).message}; pp is ${pp.type}`,
              ),
            );
          }
        }
        prior = result.artifact;
      }
      if (prior) artifacts.push(prior);
    }
    if (keepOriginal) artifacts.unshift(builderArtifact);
    else {
      try {
        await builderArtifact.destroy();
      } catch (err) {
        errors.push(new Error(`Error destroying builder artifact: ${(err as Error).message}`));
      }
    }
    return { artifacts, errors };
  }

  private async runPostProcessor(pp: PostProcessorPlan, input: Artifact) {
    this.opts.log?.log(
      `${this.plan.name}: starting post-processor ${pp.type} on artifact ${input.id()}`,
    );
    const configured = await pp.configure(this.generatedData);
    for (const s of configured.secrets ?? []) this.opts.output.secrets.add(s);
    if (configured.errors.length) throw new Error(formatErrors(configured.errors));
    const factory = await loadFactory<PostProcessorFactory>("post-processors", pp.type);
    const p = factory.create(configured.config);
    const prepared = p.prepare();
    if (prepared.errors.length) throw new Error(formatErrors(prepared.errors));
    // Post-processors speak as "name (type)", as in Packer.
    const ui = new BuildUi(this.opts.output, `${this.plan.name} (${pp.type})`, this.colorIndex);
    return p.postProcess(
      { ui, signal: this.signal, build: this.info, generatedData: this.generatedData },
      input,
    );
  }
}

/** Prepares every builder before any build starts, as Packer does. */
export async function prepareBuilders(plans: BuildPlan[]): Promise<{
  builders: Map<string, Builder>;
  errors: { name: string; errors: string[] }[];
  warnings: { name: string; warnings: string[] }[];
}> {
  const builders = new Map<string, Builder>();
  const errors: { name: string; errors: string[] }[] = [];
  const warnings: { name: string; warnings: string[] }[] = [];
  for (const plan of plans) {
    let factory: BuilderFactory;
    try {
      factory = await loadFactory<BuilderFactory>("builders", plan.type);
    } catch (err) {
      errors.push({ name: plan.name, errors: [(err as Error).message] });
      continue;
    }
    const b = factory.create(plan.builderConfig);
    const r = b.prepare();
    if (r.warnings.length) warnings.push({ name: plan.name, warnings: r.warnings });
    if (r.errors.length) errors.push({ name: plan.name, errors: r.errors });
    else builders.set(plan.name, b);
  }
  return { builders, errors, warnings };
}

export async function runBuilds(
  plans: BuildPlan[],
  builders: Map<string, Builder>,
  opts: RunOptions,
): Promise<RunResult> {
  const runUi = new RunUi(opts.output);
  for (const p of plans) for (const s of p.secrets) opts.output.secrets.add(s);
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const started = Date.now();
  const outcomes: BuildOutcome[] = new Array(plans.length);
  const limit = opts.debug ? 1 : opts.parallelBuilds > 0 ? opts.parallelBuilds : plans.length;
  let next = 0;
  const uis = plans.map(
    (p, i) =>
      new BuildUi(
        opts.output,
        p.name,
        i,
        opts.logDir
          ? join(opts.logDir, `${p.name.replace(/[^A-Za-z0-9._-]/g, "_")}.log`)
          : undefined,
      ),
  );
  if (opts.output.color && !opts.output.machineReadable) {
    plans.forEach((p, i) => {
      uis[i]!.plain(`${p.name}: output will be in this color.`);
    });
    runUi.say("");
  }

  const runOne = async (i: number): Promise<void> => {
    const plan = plans[i]!;
    const ui = uis[i]!;
    const t0 = Date.now();
    const build = new RunningBuild(plan, ui, opts, opts.signal, i);
    const outcome: BuildOutcome = {
      name: plan.name,
      artifacts: [],
      cancelled: false,
      durationMs: 0,
    };
    try {
      if (opts.signal.aborted) throw new BuildCancelled();
      const builder = builders.get(plan.name)!;
      const artifact = await builder.run(build.context());
      if (opts.signal.aborted) throw new BuildCancelled();
      if (artifact) {
        const pp = await build.postProcess(artifact);
        outcome.artifacts = pp.artifacts;
        if (pp.errors.length) outcome.error = new Error(pp.errors.map((e) => e.message).join("\n"));
      }
    } catch (err) {
      if (opts.signal.aborted || err instanceof BuildCancelled) outcome.cancelled = true;
      else outcome.error = err instanceof Error ? err : new Error(String(err));
    }
    outcome.durationMs = Date.now() - t0;
    opts.log?.log(
      `${plan.name}: ${outcome.cancelled ? "cancelled" : outcome.error ? `errored: ${outcome.error.message}` : `finished with ${outcome.artifacts.length} artifact(s)`}`,
    );
    const took = formatDuration(outcome.durationMs);
    if (outcome.cancelled) {
      const line = `Build '${plan.name}' cancelled after ${took}.`;
      ui.logOnly(line);
      runUi.error(line);
    } else if (outcome.error) {
      const line = `Build '${plan.name}' errored after ${took}: ${outcome.error.message}`;
      ui.logOnly(line);
      runUi.error(line);
    } else {
      const line = `Build '${plan.name}' finished after ${took}.`;
      ui.logOnly(line);
      runUi.say(line);
    }
    outcomes[i] = outcome;
  };

  const workers = Array.from({ length: Math.min(limit, plans.length) }, async () => {
    while (next < plans.length) {
      const i = next++;
      await runOne(i);
    }
  });
  await Promise.all(workers);
  await Promise.all(uis.map((u) => u.close()));

  const cancelled = opts.signal.aborted;
  runUi.say(`\n==> Wait completed after ${formatDuration(Date.now() - started)}`);
  if (cancelled) {
    runUi.error("Cleanly cancelled builds after being interrupted.");
    return { exitCode: 1, outcomes, cancelled };
  }
  const failed = outcomes.filter((o) => o.error);
  if (failed.length) {
    runUi.machine("", "error-count", String(failed.length));
    runUi.error("\n==> Some builds didn't complete successfully and had errors:");
    for (const o of failed) {
      runUi.machine(o.name, "error", o.error!.message);
      runUi.error(`--> ${o.name}: ${o.error!.message}`);
    }
  }
  const withArtifacts = outcomes.filter((o) => o.artifacts.length > 0);
  if (withArtifacts.length) {
    runUi.say("\n==> Builds finished. The artifacts of successful builds are:");
    for (const o of withArtifacts) {
      runUi.machine(o.name, "artifact-count", String(o.artifacts.length));
      o.artifacts.forEach((a, i) => {
        runUi.machine(o.name, "artifact", String(i), "builder-id", a.builderId);
        runUi.machine(o.name, "artifact", String(i), "id", a.id());
        runUi.machine(o.name, "artifact", String(i), "string", a.string());
        const files = a.files();
        runUi.machine(o.name, "artifact", String(i), "files-count", String(files.length));
        files.forEach((f, j) => {
          runUi.machine(o.name, "artifact", String(i), "file", String(j), f);
        });
        runUi.machine(o.name, "artifact", String(i), "end");
        runUi.say(`--> ${o.name}: ${a.string()}`);
      });
    }
  } else {
    runUi.say("\n==> Builds finished but no artifacts were created.");
  }
  return { exitCode: failed.length ? 1 : 0, outcomes, cancelled };
}
