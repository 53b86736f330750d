// The output of `kiln build`: each build's lines prefixed with its name
// (`==> name: ` headlines, `    name: ` detail), in its own colour, secrets
// replaced by <sensitive>, optionally timestamped, and copied to a per-build
// log file. One Prompter owns standard input for every question asked.

import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { machineEscape, type Ui } from "../ui/index.js";

/** Strings that must never be printed, shared by every build of a run. */
export class Secrets {
  private readonly values = new Set<string>();
  add(s: string | undefined): void {
    if (s && s.length > 0) this.values.add(s);
  }
  /** Replaces every secret in `text` with <sensitive>, longest first. */
  redact(text: string): string {
    if (this.values.size === 0) return text;
    let out = text;
    for (const s of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join("<sensitive>");
    }
    return out;
  }
}

/** Reads answers from standard input, one line per question, for the whole run. */
export class Prompter {
  private rl?: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  private readonly buffered: string[] = [];
  private ended = false;
  constructor(private readonly stdin: NodeJS.ReadableStream) {}
  private start(): void {
    if (this.rl) return;
    this.rl = createInterface({ input: this.stdin, terminal: false });
    this.rl.on("line", (line) => {
      const w = this.waiting.shift();
      if (w) w(line);
      else this.buffered.push(line);
    });
    this.rl.on("close", () => {
      this.ended = true;
      for (const w of this.waiting.splice(0)) w("");
    });
  }
  nextLine(signal?: AbortSignal): Promise<string> {
    this.start();
    const b = this.buffered.shift();
    if (b !== undefined) return Promise.resolve(b);
    if (this.ended) return Promise.resolve("");
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(done);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error("cancelled"));
      };
      const done = (line: string) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(line);
      };
      this.waiting.push(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  close(): void {
    this.rl?.close();
  }
}

export interface OutputOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  color: boolean;
  timestamp: boolean;
  machineReadable: boolean;
  secrets: Secrets;
  prompter: Prompter;
  now?: () => Date;
}

/** Packer's build colours, in the order builds get them. */
const BUILD_COLORS = [32, 36, 35, 33, 34];
const RED = 31;

function colorize(text: string, color: number, bold: boolean): string {
  return `\x1b[${bold ? 1 : 0};${color}m${text}\x1b[0m`;
}

/** The run-level output (no build prefix): the summary at the end, prompts. */
export class RunUi implements Ui {
  constructor(protected readonly o: OutputOptions) {}
  /** Whether output is -machine-readable lines (progress bars stay quiet then). */
  get machineReadable(): boolean {
    return this.o.machineReadable;
  }
  protected stamp(text: string): string {
    if (!this.o.timestamp) return text;
    const t = (this.o.now ?? (() => new Date()))()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    return `${t}: ${text}`;
  }
  protected write(kind: "say" | "message" | "error", text: string, color?: number): void {
    const clean = this.o.secrets.redact(text);
    if (this.o.machineReadable) {
      this.machine("", "ui", kind, clean);
      return;
    }
    let line = this.stamp(clean);
    if (this.o.color && color !== undefined) line = colorize(line, color, kind !== "message");
    (kind === "error" ? this.o.stderr : this.o.stdout).write(`${line}\n`);
  }
  say(msg: string): void {
    this.write("say", msg);
  }
  message(msg: string): void {
    this.write("message", msg);
  }
  error(msg: string): void {
    this.write("error", msg, RED);
  }
  machine(target: string, type: string, ...data: string[]): void {
    if (!this.o.machineReadable) return;
    const ts = Math.floor((this.o.now ?? (() => new Date()))().getTime() / 1000);
    const fields = [
      String(ts),
      target,
      type,
      ...data.map((d) => machineEscape(this.o.secrets.redact(d))),
    ];
    this.o.stdout.write(`${fields.join(",")}\n`);
  }
  async ask(query: string): Promise<string> {
    this.say(query);
    return this.o.prompter.nextLine();
  }
}

/** One build's output: prefixed, coloured, and copied to its log file when there is one. */
export class BuildUi extends RunUi {
  private log?: WriteStream;
  constructor(
    o: OutputOptions,
    private readonly target: string,
    private readonly colorIndex: number,
    logPath?: string,
  ) {
    super(o);
    if (logPath) this.log = createWriteStream(logPath, { flags: "a" });
  }
  private prefixed(arrow: boolean, msg: string): string {
    const head = arrow ? "==>" : "   ";
    return msg
      .split("\n")
      .map((l) => `${head} ${this.target}: ${l}`)
      .join("\n")
      .trimEnd();
  }
  private color(): number {
    return BUILD_COLORS[this.colorIndex % BUILD_COLORS.length]!;
  }
  private tee(text: string): void {
    this.log?.write(`${this.o.secrets.redact(text)}\n`);
  }
  override say(msg: string): void {
    const t = this.prefixed(true, msg);
    this.tee(t);
    this.write("say", t, this.color());
  }
  override message(msg: string): void {
    const t = this.prefixed(false, msg);
    this.tee(t);
    this.write("message", t, this.color());
  }
  override error(msg: string): void {
    const t = this.prefixed(true, msg);
    this.tee(t);
    this.write("error", t, RED);
  }
  /** A line in the build's colour without the name prefix. */
  plain(msg: string): void {
    this.write("say", msg, this.color());
  }
  /** For the lines printed about the build from outside it (finished/errored). */
  logOnly(text: string): void {
    this.tee(text);
  }
  close(): Promise<void> {
    const log = this.log;
    if (!log) return Promise.resolve();
    return new Promise((resolve) => log.end(resolve));
  }
}

/** A duration as Packer prints it: the two largest non-zero units ("1 second 33 milliseconds"). */
export function formatDuration(ms: number): string {
  const us = Math.round(ms * 1000);
  const units: [string, number][] = [
    ["week", 7 * 24 * 3600 * 1e6],
    ["day", 24 * 3600 * 1e6],
    ["hour", 3600 * 1e6],
    ["minute", 60 * 1e6],
    ["second", 1e6],
    ["millisecond", 1e3],
    ["microsecond", 1],
  ];
  let rest = us;
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? "" : "s"}`);
  }
  return parts.length ? parts.slice(0, 2).join(" ") : "0 microseconds";
}
