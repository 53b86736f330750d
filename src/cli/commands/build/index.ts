import { randomUUID } from "node:crypto";
import type { OnError } from "../../../engine/context.js";
import { BuildLog } from "../../../engine/log.js";
import type { BuildPlan } from "../../../engine/plan.js";
import { prepareBuilders, runBuilds } from "../../../engine/run.js";
import { Prompter, RunUi, Secrets } from "../../../engine/ui.js";
import { hasErrors } from "../../../hcl/diagnostic.js";
import { killAllChildren, liveChildren } from "../../../process/index.js";
import { getBuilds, loadHCL2Template } from "../../../template/hcl2/index.js";
import { hcl2BuildPlans, templateSecrets } from "../../../template/hcl2/plan.js";
import { checkRequiredPlugins } from "../../../template/hcl2/plugins.js";
import { loadLegacyTemplate } from "../../../template/legacy/index.js";
import { legacyBuildPlans } from "../../../template/legacy/plan.js";
import { BasicUi, MachineReadableUi, type Ui } from "../../../ui/index.js";
import { PACKER_COMPAT_VERSION } from "../../../version.js";
import { UsageError } from "../../errors.js";
import { parseFlags, splitList } from "../../flags.js";
import type { Command, CommandIO } from "../../io.js";
import {
  legacyVarFiles,
  legacyVars,
  templateKind,
  varArgs,
  varFlags,
  writeDiagnostics,
} from "../../template.js";

const HELP = `Usage: kiln build [options] TEMPLATE

  Runs every build in the template: builders, provisioners and
  post-processors, printing the artifacts made. TEMPLATE is a .pkr.hcl or
  .pkr.json file, a folder of them, or a legacy JSON template.

Options:
  -color=false                  Disable color output (on by default).
  -debug                        Debug mode: one build at a time, pausing after each step.
  -except=foo,bar,baz           Run all builds and post-processors but these (globs allowed).
  -only=foo,bar,baz             Build only these builds (globs allowed).
  -force                        Force a build to continue if artifacts exist, deleting them.
  -machine-readable             Produce machine-readable output.
  -on-error=[cleanup|abort|ask|run-cleanup-provisioner]
                                What to do when a build fails: clean up (default), abort
                                without cleanup, ask, or run the error-cleanup provisioner
                                and then abort.
  -parallel-builds=N            Run at most N builds at once (0 = all, the default).
  -timestamp-ui                 Prefix every line with a timestamp.
  -var 'key=value'              Variable for templates, can be used multiple times.
  -var-file=path                JSON or HCL2 file containing user variables.
  -warn-on-undeclared-var       Warn about variable files setting undeclared variables.
  -log-dir=DIR                  Also write each build's full output to DIR/<build>.log.
`;

const flagSpecs = [
  { name: "color", kind: "bool" as const, default: true },
  { name: "debug", kind: "bool" as const },
  { name: "except", kind: "string" as const },
  { name: "only", kind: "string" as const },
  { name: "force", kind: "bool" as const },
  { name: "machine-readable", kind: "bool" as const },
  { name: "on-error", kind: "string" as const, default: "cleanup" },
  { name: "parallel-builds", kind: "int" as const, default: 0 },
  { name: "timestamp-ui", kind: "bool" as const },
  { name: "warn-on-undeclared-var", kind: "bool" as const },
  { name: "ignore-prerelease-plugins", kind: "bool" as const },
  { name: "use-sequential-evaluation", kind: "bool" as const },
  { name: "log-dir", kind: "string" as const },
  ...varFlags,
];

const ON_ERROR: readonly OnError[] = ["cleanup", "abort", "ask", "run-cleanup-provisioner"];

async function plansFor(
  path: string,
  flags: ReturnType<typeof parseFlags>,
  io: CommandIO,
  ui: Ui,
  only: string[],
  except: string[],
): Promise<BuildPlan[] | undefined> {
  if (templateKind(path) === "json") {
    const loaded = loadLegacyTemplate(path, {
      vars: legacyVars(flags),
      varFiles: legacyVarFiles(flags),
      env: io.env,
      cwd: io.cwd,
    });
    writeDiagnostics(ui, loaded.diags, new Map());
    if (hasErrors(loaded.diags) || !loaded.template) return undefined;
    const r = await legacyBuildPlans(loaded.template, {
      only,
      except,
      packerVersion: PACKER_COMPAT_VERSION,
      cwd: io.cwd,
      now: new Date(),
      env: io.env,
    });
    for (const e of r.errors) ui.error(`Failed to prepare build: "${e.name}"\n\n${e.message}`);
    return r.errors.length ? undefined : r.plans;
  }
  const loaded = await loadHCL2Template(path, {
    vars: varArgs(flags),
    cwd: io.cwd,
    env: io.env,
    warnUndeclared: flags.values["warn-on-undeclared-var"] === true,
  });
  const diags = [...loaded.diags];
  if (!hasErrors(diags)) diags.push(...(await checkRequiredPlugins(loaded.config)));
  let plans: BuildPlan[] = [];
  if (!hasErrors(diags)) {
    const r = await getBuilds(loaded.config, { only, except });
    diags.push(...r.diags);
    plans = hcl2BuildPlans(loaded.config, r.builds);
  }
  // Diagnostics may quote sensitive values; mask them as everywhere else.
  const secrets = new Secrets();
  for (const s of templateSecrets(loaded.config)) secrets.add(s);
  const masked = diags.map((d) => ({
    ...d,
    summary: secrets.redact(d.summary),
    detail: d.detail === undefined ? undefined : secrets.redact(d.detail),
  }));
  writeDiagnostics(ui, masked, loaded.config.files);
  return hasErrors(diags) ? undefined : plans;
}

async function runBuild(args: string[], io: CommandIO): Promise<number> {
  const flags = parseFlags(args, flagSpecs);
  if (flags.args.length !== 1) {
    throw new UsageError("The build command expects exactly one argument: the template.", HELP);
  }
  const onError = String(flags.values["on-error"]) as OnError;
  if (!ON_ERROR.includes(onError)) {
    throw new UsageError(
      `-on-error must be one of ${ON_ERROR.join(", ")}, not "${onError}".`,
      HELP,
    );
  }
  const machineReadable = flags.values["machine-readable"] === true;
  const ui: Ui = machineReadable ? new MachineReadableUi(io) : new BasicUi(io);
  const only = splitList(flags.values.only);
  const except = splitList(flags.values.except);
  const plans = await plansFor(flags.args[0]!, flags, io, ui, only, except);
  if (!plans) return 1;

  const prepared = await prepareBuilders(plans);
  for (const w of prepared.warnings) {
    ui.say(`Warning: Warning when preparing build: "${w.name}"\n\n${w.warnings.join("\n")}`);
  }
  if (prepared.errors.length) {
    for (const e of prepared.errors) {
      const list =
        e.errors.length === 1
          ? e.errors[0]!
          : `${e.errors.length} error(s) occurred:\n\n${e.errors.map((x) => `* ${x}`).join("\n")}`;
      ui.error(`Error: Failed to prepare build: "${e.name}"\n\n${list}\n`);
    }
    return 1;
  }

  const controller = new AbortController();
  const secrets = new Secrets();
  const prompter = new Prompter(io.stdin);
  const output = {
    stdout: io.stdout,
    stderr: io.stderr,
    color: flags.values.color !== false && !machineReadable && !io.env.PACKER_NO_COLOR,
    timestamp: flags.values["timestamp-ui"] === true,
    machineReadable,
    secrets,
    prompter,
  };
  const runUi = new RunUi(output);
  const log = BuildLog.fromEnv(io.env, io.stderr, secrets);
  log.log(
    `kiln ${PACKER_COMPAT_VERSION}-compatible build of ${flags.args[0]}: ${plans.length} build(s)`,
  );
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      runUi.error(
        sig === "SIGINT"
          ? "Interrupt received. Cancelling builds and cleaning up..."
          : "Termination requested. Cancelling builds and cleaning up...",
      );
      controller.abort(new Error("cancelled"));
      return;
    }
    const live = liveChildren().map((c) => `${c.command} (pid ${c.pid})`);
    if (interrupts === 2) {
      runUi.error(
        `Cleanup is still running. Interrupt once more to stop now and leave behind what it has not removed yet${live.length ? `, including: ${live.join(", ")}` : ""}.`,
      );
      return;
    }
    runUi.error(
      `Stopping without finishing cleanup. Left behind: ${live.length ? live.join(", ") : "whatever the builds' cleanup had not removed (containers, VMs, temporary files)"}.`,
    );
    killAllChildren();
    process.exit(1);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await runBuilds(plans, prepared.builders, {
      parallelBuilds: Number(flags.values["parallel-builds"] ?? 0),
      onError,
      debug: flags.values.debug === true,
      force: flags.values.force === true,
      output,
      logDir: typeof flags.values["log-dir"] === "string" ? flags.values["log-dir"] : undefined,
      runUUID: randomUUID(),
      packerVersion: PACKER_COMPAT_VERSION,
      signal: controller.signal,
      log,
    });
    return result.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    prompter.close();
  }
}

const buildCommand: Command = {
  synopsis: "build image(s) from template",
  help: HELP,
  run: runBuild,
};
export default buildCommand;
