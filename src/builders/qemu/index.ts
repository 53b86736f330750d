// The qemu builder (github.com/hashicorp/qemu): boots an installer ISO or a
// disk image under QEMU, reaches it over SSH through a forwarded port,
// provisions it, shuts it down and keeps its disk in the output directory.
// QEMU, the ports, the HTTP server and every temporary file are gone after
// success, failure and Ctrl-C alike (the step cleanups).

import { durationMs } from "../../communicators/ssh/index.js";
import type { PlainConfig } from "../../components/schema.js";
import type { Artifact } from "../../engine/artifact.js";
import type { Builder, BuilderFactory, PrepareResult } from "../../engine/builder.js";
import type { BuildContext } from "../../engine/context.js";
import { StateBag, type Step } from "../../engine/multistep/index.js";
import { StepCreateCD } from "../../engine/steps/cd.js";
import { StepCleanupTempKeys, StepConnect, StepSSHKeyGen } from "../../engine/steps/connect.js";
import { ISO_PATH, StepDownload } from "../../engine/steps/download.js";
import { StepCreateFloppy } from "../../engine/steps/floppy.js";
import { StepHTTPServer } from "../../engine/steps/http-server.js";
import { StepProvision } from "../../engine/steps/provision.js";
import { listOutputFiles, QemuArtifact } from "./artifact.js";
import { prepareChecks, type QemuConfig, resolveConfig } from "./config.js";
import { QemuDriver } from "./driver.js";
import {
  ACCELERATOR,
  COMM_HOST_PORT,
  DISK_PATHS,
  GUEST_ADDRESS,
  LateStep,
  type QemuBuild,
  renderContent,
  StepChooseAccelerator,
  StepConfigureVNC,
  StepConvertDisk,
  StepCopyDisk,
  StepCreateDisk,
  StepCreateVTPM,
  StepHTTPIPDiscover,
  StepPortForward,
  StepPrepareEfivars,
  StepPrepareOutputDir,
  StepResizeDisk,
  StepRun,
  StepSetISO,
  StepShutdown,
  StepTempDir,
  StepTypeBootCommand,
  StepWaitGuestAddress,
} from "./steps.js";

export { BUILDER_ID } from "./artifact.js";

/** The SSH timeout StepWaitGuestAddress shares with StepConnect (ssh_timeout, 5m by default). */
function guestAddressTimeout(config: QemuConfig): number {
  return durationMs(config.raw, "ssh_timeout") || 5 * 60_000;
}

/** The builder's steps, in the plugin's order. */
export function qemuSteps(b: QemuBuild): Step[] {
  const { config, ctx } = b;
  // Relative paths in the configuration are relative to the current directory, as in Packer.
  const baseDir = process.cwd();
  return [
    new StepSSHKeyGen(ctx, config.raw),
    new StepTempDir(b),
    config.isoSkipCache
      ? new StepSetISO(b)
      : new StepDownload(
          ctx,
          {
            urls: config.isoUrls,
            checksum: config.isoChecksum,
            ...(config.isoTargetPath !== "" ? { targetPath: config.isoTargetPath } : {}),
            extension: config.isoTargetExtension,
            description: "ISO",
            baseDir,
          },
          ISO_PATH,
        ),
    new StepPrepareOutputDir(b),
    new StepPrepareEfivars(b),
    new LateStep(
      "StepCreateFloppy",
      (state) =>
        new StepCreateFloppy(ctx, {
          files: config.floppyFiles,
          directories: config.floppyDirs,
          content: renderContent(b, state, config.floppyContent),
          label: config.floppyLabel,
          baseDir,
        }),
    ),
    new LateStep(
      "StepCreateCD",
      (state) =>
        new StepCreateCD(ctx, {
          files: config.cdFiles,
          content: renderContent(b, state, config.cdContent),
          label: config.cdLabel,
          baseDir,
        }),
    ),
    new StepCreateDisk(b),
    new StepCopyDisk(b),
    new StepResizeDisk(b),
    new StepHTTPIPDiscover(b),
    new LateStep(
      "StepHTTPServer",
      (state) =>
        new StepHTTPServer(ctx, {
          directory: config.httpDirectory,
          content: renderContent(b, state, config.httpContent),
          portMin: config.httpPortMin,
          portMax: config.httpPortMax,
          bindAddress: config.httpBindAddress,
        }),
    ),
    new StepPortForward(b),
    new StepConfigureVNC(b),
    new StepCreateVTPM(b),
    new StepChooseAccelerator(b),
    new StepRun(b),
    new StepTypeBootCommand(b),
    new StepWaitGuestAddress(b, guestAddressTimeout(config)),
    new StepConnect(ctx, {
      config: config.raw,
      host: (state) => config.commHost || state.get(GUEST_ADDRESS) || "127.0.0.1",
      port: (state) => state.get(COMM_HOST_PORT) ?? config.commPort,
    }),
    new StepProvision(ctx),
    new StepCleanupTempKeys(ctx, config.raw),
    new StepShutdown(b),
    new StepConvertDisk(b),
  ];
}

class QemuBuilder implements Builder {
  constructor(private readonly raw: PlainConfig) {}

  prepare(): PrepareResult {
    return prepareChecks(this.raw);
  }

  async run(ctx: BuildContext): Promise<Artifact | undefined> {
    const config = resolveConfig(this.raw, ctx.info.sourceName);
    const log = (line: string) => ctx.log?.(line);
    const b: QemuBuild = { config, ctx, driver: new QemuDriver(config.qemuBinary, log) };
    const state = new StateBag();
    const result = await ctx.runSteps(qemuSteps(b), state);
    if (result.cancelled) return undefined;
    if (result.error !== undefined) throw result.error;
    if (result.halted) return undefined;

    const files = await listOutputFiles(config.outputDir);
    return new QemuArtifact(config.outputDir, files, {
      generated_data: { ...ctx.generatedData },
      diskName: config.vmName,
      diskPaths: state.get(DISK_PATHS) ?? [],
      diskType: config.format,
      diskSize: config.diskSize,
      domainType: state.get(ACCELERATOR) ?? config.accelerator,
    });
  }
}

const factory: BuilderFactory = {
  create: (config) => new QemuBuilder(config),
};

export default factory;
