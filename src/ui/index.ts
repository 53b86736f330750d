// What kiln tells the user goes through a Ui: plain text for people, or
// Packer's -machine-readable lines for programs.

export interface Ui {
  /** Normal output (stdout): a headline ("==> name: ..." in a build). */
  say(msg: string): void;
  /** Detail under a headline, such as a command's output ("    name: ..." in a build). */
  message(msg: string): void;
  /** Errors (stderr for people; an `ui,error` line for programs). */
  error(msg: string): void;
  /** A machine-readable event; only the machine-readable Ui prints these. */
  machine(target: string, type: string, ...data: string[]): void;
  /** Asks the user and resolves with the line they type (without the newline). */
  ask(query: string): Promise<string>;
}

/** A line from the user: from a terminal or piped stdin. */
export async function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return "";
  } finally {
    rl.close();
  }
}

export interface UiStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

export class BasicUi implements Ui {
  constructor(private readonly io: UiStreams) {}
  say(msg: string): void {
    this.io.stdout.write(msg.endsWith("\n") ? msg : `${msg}\n`);
  }
  message(msg: string): void {
    this.say(msg);
  }
  error(msg: string): void {
    this.io.stderr.write(msg.endsWith("\n") ? msg : `${msg}\n`);
  }
  machine(): void {}
  async ask(query: string): Promise<string> {
    this.io.stdout.write(`${query} `);
    return this.io.stdin ? readLine(this.io.stdin) : "";
  }
}

/** Escapes one field of a machine-readable line as Packer does. */
export function machineEscape(s: string): string {
  return s.replaceAll(",", "%!(PACKER_COMMA)").replaceAll("\r", "\\r").replaceAll("\n", "\\n");
}

/** Packer's `timestamp,target,type,data...` lines on stdout. */
export class MachineReadableUi implements Ui {
  constructor(
    private readonly io: UiStreams,
    private readonly now: () => Date = () => new Date(),
  ) {}
  say(msg: string): void {
    this.machine("", "ui", "say", msg.replace(/\n$/, ""));
  }
  message(msg: string): void {
    this.machine("", "ui", "message", msg.replace(/\n$/, ""));
  }
  error(msg: string): void {
    this.machine("", "ui", "error", msg.replace(/\n$/, ""));
  }
  async ask(query: string): Promise<string> {
    this.machine("", "ui", "ask", query);
    return this.io.stdin ? readLine(this.io.stdin) : "";
  }
  machine(target: string, type: string, ...data: string[]): void {
    const ts = Math.floor(this.now().getTime() / 1000);
    const fields = [String(ts), target, type, ...data.map(machineEscape)];
    this.io.stdout.write(`${fields.join(",")}\n`);
  }
}
