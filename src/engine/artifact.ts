// What a builder or post-processor produces (Packer's packersdk.Artifact).

export interface Artifact {
  /** Which component made it, e.g. "packer.file", "mitchellh.post-processor.checksum". */
  readonly builderId: string;
  /** A component-specific identifier: an image id, a file path, ... */
  id(): string;
  /** Files that make up the artifact, if any. */
  files(): string[];
  /** A human-readable description, printed at the end of a build. */
  string(): string;
  /** Component-specific extra data (e.g. "generated_data" for the manifest). */
  state(name: string): unknown;
  /** Deletes what the artifact is made of; called when a later step doesn't keep it. */
  destroy(): Promise<void>;
}

/** An artifact made of local files; destroy removes them. */
export class FileArtifact implements Artifact {
  constructor(
    readonly builderId: string,
    private readonly paths: string[],
    private readonly extra: Record<string, unknown> = {},
    private readonly describe?: string,
  ) {}
  id(): string {
    return this.paths.join(",");
  }
  files(): string[] {
    return [...this.paths];
  }
  string(): string {
    return this.describe ?? `Stored file(s): ${this.paths.join(", ")}`;
  }
  state(name: string): unknown {
    return this.extra[name];
  }
  async destroy(): Promise<void> {
    const { rm } = await import("node:fs/promises");
    for (const p of this.paths) await rm(p, { force: true, recursive: true });
  }
}
