// The streams a command writes to; tests and the console swap them.
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

export interface Command {
  /** One-line description for `kiln --help`. */
  synopsis: string;
  help: string;
  run(args: string[], io: CommandIO): Promise<number>;
}
