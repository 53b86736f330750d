// The `none` communicator: the build has no connection to its machine (the
// null builder with communicator = "none", the file builder). Provisioners
// that work on the local machine (shell-local, breakpoint) never touch it;
// any that tries to reach the machine fails with a NoCommunicatorError.

import type { Readable, Writable } from "node:stream";
import { type Communicator, NoCommunicatorError, type RemoteCommand } from "./communicator.js";

export class NoneCommunicator implements Communicator {
  async run(cmd: RemoteCommand): Promise<{ exitStatus: number }> {
    cmd.stdin?.destroy();
    throw new NoCommunicatorError(`Running the command "${cmd.command}"`);
  }

  async upload(dst: string, src: Readable): Promise<void> {
    // The source is never read: close it so its file is not left open.
    src.destroy();
    throw new NoCommunicatorError(`Uploading ${dst}`);
  }

  async uploadDir(dst: string, src: string): Promise<void> {
    throw new NoCommunicatorError(`Uploading the directory ${src} to ${dst}`);
  }

  async download(src: string, _dst: Writable): Promise<void> {
    throw new NoCommunicatorError(`Downloading ${src}`);
  }

  async downloadDir(src: string, dst: string): Promise<void> {
    throw new NoCommunicatorError(`Downloading the directory ${src} to ${dst}`);
  }
}
