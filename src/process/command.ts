// A command line written out for people: in messages, logs and `-debug`
// output, quoted the way a POSIX shell would need it.

const PLAIN = /^[\w@%+=:,./-]+$/;
const MAX_ARG_CHARS = 200;

/** Quotes one argument for display, e.g. `it's` → `'it'\''s'`. */
export function quoteArg(arg: string): string {
  if (arg === "") return "''";
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The whole command line, every argument quoted as needed. */
export function formatCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map(quoteArg).join(" ");
}

/**
 * The command line for an error message: like formatCommand, but a very long
 * argument (an inline script, a JSON blob) is cut short.
 */
export function shortCommand(command: string, args: readonly string[]): string {
  return [command, ...args]
    .map((a) =>
      a.length > MAX_ARG_CHARS ? `${quoteArg(a.slice(0, MAX_ARG_CHARS))}...` : quoteArg(a),
    )
    .join(" ");
}
