// What the qemu builder produces: the files of its output directory (the
// disk images, and the UEFI variables when the VM booted with UEFI).

import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Artifact } from "../../engine/artifact.js";

export const BUILDER_ID = "transcend.qemu";

export class QemuArtifact implements Artifact {
  readonly builderId = BUILDER_ID;

  constructor(
    private readonly dir: string,
    private readonly paths: string[],
    private readonly stateData: Record<string, unknown>,
  ) {}

  id(): string {
    return "VM";
  }
  files(): string[] {
    return [...this.paths];
  }
  string(): string {
    return `VM files in directory: ${this.dir}`;
  }
  state(name: string): unknown {
    return this.stateData[name];
  }
  async destroy(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The regular files under `dir`, as paths joined to it, in a stable order (sockets and the like left out). */
export async function listOutputFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}
