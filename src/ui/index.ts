// What kiln tells the user goes through a Ui: plain text for people, or
// Packer's -machine-readable lines for programs.

export interface Ui {
  /** Normal output (stdout). */
  say(msg: string): void;
  /** Errors (stderr for people; an `ui,error` line for programs). */
  error(msg: string): void;
  /** A machine-readable event; only the machine-readable Ui prints these. */
  machine(target: string, type: string, ...data: string[]): void;
}

export interface UiStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export class BasicUi implements Ui {
  constructor(private readonly io: UiStreams) {}
  say(msg: string): void {
    this.io.stdout.write(msg.endsWith("\n") ? msg : `${msg}\n`);
  }
  error(msg: string): void {
    this.io.stderr.write(msg.endsWith("\n") ? msg : `${msg}\n`);
  }
  machine(): void {}
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
  error(msg: string): void {
    this.machine("", "ui", "error", msg.replace(/\n$/, ""));
  }
  machine(target: string, type: string, ...data: string[]): void {
    const ts = Math.floor(this.now().getTime() / 1000);
    const fields = [String(ts), target, type, ...data.map(machineEscape)];
    this.io.stdout.write(`${fields.join(",")}\n`);
  }
}
