// The detailed log Packer writes when PACKER_LOG is set: timestamped lines on
// standard error, or appended to PACKER_LOG_PATH. Secrets are masked here too.

import { appendFileSync } from "node:fs";
import type { Secrets } from "./ui.js";

export class BuildLog {
  private constructor(
    private readonly write: (line: string) => void,
    private readonly secrets: Secrets,
  ) {}

  /** A log that writes where PACKER_LOG / PACKER_LOG_PATH say, or nowhere. */
  static fromEnv(
    env: NodeJS.ProcessEnv,
    stderr: NodeJS.WritableStream,
    secrets: Secrets,
  ): BuildLog {
    const on = env.PACKER_LOG !== undefined && env.PACKER_LOG !== "" && env.PACKER_LOG !== "0";
    if (!on) return new BuildLog(() => {}, secrets);
    const path = env.PACKER_LOG_PATH;
    if (path) return new BuildLog((line) => appendFileSync(path, line), secrets);
    return new BuildLog((line) => stderr.write(line), secrets);
  }

  log(msg: string): void {
    const ts = new Date()
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "");
    for (const line of this.secrets.redact(msg).split("\n")) this.write(`${ts} [INFO] ${line}\n`);
  }
}
