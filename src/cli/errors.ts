// What the top-level of the CLI tells apart: a user error (clear message, an
// exit code) from an internal error (a stack trace and a request to report it).

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** Bad command-line usage: print the command's help and exit 1. */
export class UsageError extends UserError {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message, 1);
    this.name = "UsageError";
  }
}
