// How kiln reaches the machine being built: run a command with its output
// streamed and its exit status returned; move files and directories both
// ways. Implementations: none (no connection), docker, ssh.

import type { Readable, Writable } from "node:stream";

/** The exit status a communicator reports when the connection dropped before the command reported one (Packer's CmdDisconnect). */
export const CMD_DISCONNECT = 2300218;

export interface RemoteCommand {
  /** A shell command line, run as the remote shell runs it. */
  command: string;
  stdin?: Readable;
  /** Output as it arrives (not split into lines). */
  onStdout?(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
}

export interface UploadInfo {
  /** File mode bits to create the file with (default 0o644). */
  mode?: number;
  size?: number;
}

export interface Communicator {
  /** Runs a command to completion and returns its exit status; rejects only when the command could not be run. */
  run(cmd: RemoteCommand, signal?: AbortSignal): Promise<{ exitStatus: number }>;
  /** Writes a file on the remote side from a stream (large files are never held in memory). */
  upload(dst: string, src: Readable, info?: UploadInfo): Promise<void>;
  /** Copies a local directory to the remote side: `src/` copies its contents, `src` the directory itself (Packer's rule). */
  uploadDir(dst: string, src: string, exclude?: string[]): Promise<void>;
  download(src: string, dst: Writable): Promise<void>;
  downloadDir(src: string, dst: string, exclude?: string[]): Promise<void>;
}

/** Thrown by the `none` communicator: the build has no connection to the machine. */
export class NoCommunicatorError extends Error {
  constructor(what: string) {
    super(`${what} is not possible: the communicator is "none"`);
  }
}
