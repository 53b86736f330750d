// The artifact of the artifice and checksum post-processors: a list of local
// files, no id, deleted file by file when a later step doesn't keep it.

import { rm } from "node:fs/promises";
import type { Artifact } from "../../engine/artifact.js";

export class FilesArtifact implements Artifact {
  constructor(
    readonly builderId: string,
    private readonly paths: readonly string[],
  ) {}
  id(): string {
    return "";
  }
  files(): string[] {
    return [...this.paths];
  }
  string(): string {
    return `Created artifact from files: ${this.paths.join(", ")}`;
  }
  state(): unknown {
    return undefined;
  }
  async destroy(): Promise<void> {
    for (const p of this.paths) await rm(p, { recursive: true, force: true });
  }
}
