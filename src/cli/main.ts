import { KILN_VERSION } from "../version.js";
import { UsageError, UserError } from "./errors.js";
import { FlagError, HelpRequested } from "./flags.js";
import { type Command, type CommandIO, processIO } from "./io.js";

// Each command lives in its own folder and is loaded only when it runs.
const commands: Record<string, { synopsis: string; load: () => Promise<Command> }> = {
  build: {
    synopsis: "build image(s) from template",
    load: async () => (await import("./commands/build/index.js")).default,
  },
  console: {
    synopsis: "creates a console for testing variable interpolation",
    load: async () => (await import("./commands/console/index.js")).default,
  },
  fmt: {
    synopsis: "Rewrites HCL2 config files to canonical format",
    load: async () => (await import("./commands/fmt/index.js")).default,
  },
  inspect: {
    synopsis: "see components of a template",
    load: async () => (await import("./commands/inspect/index.js")).default,
  },
  validate: {
    synopsis: "check that a template is valid",
    load: async () => (await import("./commands/validate/index.js")).default,
  },
  hcl2_upgrade: {
    synopsis: "transform a JSON template into an HCL2 configuration",
    load: async () => (await import("./commands/hcl2_upgrade/index.js")).default,
  },
  version: {
    synopsis: "Prints the kiln version",
    load: async () => (await import("./commands/version/index.js")).default,
  },
};

export function mainUsage(): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length)) + 4;
  const lines = names.map((n) => `    ${n.padEnd(width)}${commands[n]!.synopsis}`);
  return `Usage: kiln [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "-v" || name === "--version" || name === "-version") {
    io.stdout.write(`${KILN_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === "-h" || name === "--help" || name === "-help") {
    io.stderr.write(mainUsage());
    return name === undefined ? 127 : 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(mainUsage());
    return 127;
  }
  const cmd = await entry.load();
  if (rest.includes("-h") || rest.includes("--help") || rest.includes("-help")) {
    io.stdout.write(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(cmd.help);
      return 0;
    }
    if (err instanceof FlagError) {
      io.stderr.write(`${err.message}\n${cmd.help}`);
      return 1;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\n\n${err.usage}`);
      return err.exitCode;
    }
    if (err instanceof UserError) {
      io.stderr.write(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

/** Entry point for bin/kiln.js: internal errors print a stack and ask for a report. */
export async function run(): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(
      `kiln: internal error — this is a bug in kiln, please report it with the output below.\n${
        err instanceof Error ? err.stack : String(err)
      }\n`,
    );
    process.exitCode = 2;
  }
}
