// Progress of a long transfer (an ISO download): a bar redrawn in place on
// standard error when that is a terminal, otherwise a line through the Ui at
// every tenth of the way; nothing at all for -machine-readable output, as in
// Packer. Several transfers at once (parallel builds) share one bar line.

import { MachineReadableUi, type Ui } from "./index.js";

/** Where a bar is drawn: a terminal stream. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Where the bar is drawn (default: standard error); it is drawn only when this is a TTY. */
  stream?: ProgressStream;
  /** Report nothing (machine-readable output). Default: whether the Ui says it is machine-readable. */
  quiet?: boolean;
  /** Milliseconds clock, for tests. */
  now?: () => number;
  /** Without a known total, the least time between two progress lines (default 10 s). */
  lineIntervalMs?: number;
}

/**
 * Whether a Ui prints Packer's machine-readable lines: the MachineReadableUi,
 * or any Ui with a true `machineReadable` property.
 */
export function isMachineReadable(ui: Ui): boolean {
  if (ui instanceof MachineReadableUi) return true;
  return (ui as { machineReadable?: unknown }).machineReadable === true;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** A byte count for people: "512 B", "1.5 MiB". */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** How a transfer is reported as it goes. */
export interface Progress {
  /** Counts `bytes` more transferred. */
  add(bytes: number): void;
  /** The transfer ended (done, failed or cancelled): removes the bar. */
  finish(): void;
}

/** Starts reporting a transfer of `total` bytes (undefined when unknown) named `label`. */
export function trackProgress(
  ui: Ui,
  label: string,
  total: number | undefined,
  opts: ProgressOptions = {},
): Progress {
  if (opts.quiet ?? isMachineReadable(ui)) return { add() {}, finish() {} };
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const validTotal = total !== undefined && total > 0 ? total : undefined;
  if (stream.isTTY) return new BarProgress(label, validTotal, stream, now);
  return new LineProgress(ui, label, validTotal, now, opts.lineIntervalMs ?? 10_000);
}

abstract class Transfer {
  done = 0;
  readonly started: number;
  constructor(
    readonly label: string,
    readonly total: number | undefined,
    protected readonly now: () => number,
  ) {
    this.started = now();
  }

  /** Bytes per second since the start. */
  rate(): number {
    const seconds = (this.now() - this.started) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  percent(): number | undefined {
    if (this.total === undefined) return undefined;
    return Math.min(100, Math.floor((this.done / this.total) * 100));
  }
}

/** Lines through the Ui: one each time another tenth is done, or every interval when the size is unknown. */
class LineProgress extends Transfer implements Progress {
  private lastTenth = 0;
  private lastLine: number;

  constructor(
    private readonly ui: Ui,
    label: string,
    total: number | undefined,
    now: () => number,
    private readonly intervalMs: number,
  ) {
    super(label, total, now);
    this.lastLine = this.started;
  }

  add(bytes: number): void {
    this.done += bytes;
    const rate = `${formatBytes(this.rate())}/s`;
    if (this.total !== undefined) {
      const tenth = Math.min(10, Math.floor((this.done / this.total) * 10));
      if (tenth <= this.lastTenth) return;
      this.lastTenth = tenth;
      this.ui.message(
        `${this.label}: ${tenth * 10}% (${formatBytes(this.done)} of ${formatBytes(this.total)}, ${rate})`,
      );
      return;
    }
    const t = this.now();
    if (t - this.lastLine < this.intervalMs) return;
    this.lastLine = t;
    this.ui.message(`${this.label}: ${formatBytes(this.done)} (${rate})`);
  }

  finish(): void {}
}

const BAR_WIDTH = 20;
const REDRAW_MS = 100;

/** The transfers drawing on one terminal stream, drawn together on one line. */
class BarLine {
  private static readonly lines = new Map<ProgressStream, BarLine>();
  private readonly bars = new Set<BarProgress>();
  private lastDraw = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number,
  ) {}

  static for(stream: ProgressStream, now: () => number): BarLine {
    let line = BarLine.lines.get(stream);
    if (line === undefined) {
      line = new BarLine(stream, now);
      BarLine.lines.set(stream, line);
    }
    return line;
  }

  add(bar: BarProgress): void {
    this.bars.add(bar);
    this.draw(true);
  }

  remove(bar: BarProgress): void {
    if (!this.bars.delete(bar)) return;
    this.stream.write("\r\x1b[K");
    if (this.bars.size === 0) BarLine.lines.delete(this.stream);
    else this.draw(true);
  }

  draw(force = false): void {
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const text = [...this.bars].map((b) => b.render()).join(" | ");
    const width = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r${text.length > width ? text.slice(0, width) : text}\x1b[K`);
  }
}

/** A bar redrawn in place: `label [=====>    ] 45% 12.0 MiB/26.7 MiB 3.1 MiB/s`. */
class BarProgress extends Transfer implements Progress {
  private readonly line: BarLine;
  private finished = false;

  constructor(label: string, total: number | undefined, stream: ProgressStream, now: () => number) {
    super(label, total, now);
    this.line = BarLine.for(stream, now);
    this.line.add(this);
  }

  add(bytes: number): void {
    if (this.finished) return;
    this.done += bytes;
    this.line.draw();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.line.remove(this);
  }

  render(): string {
    const rate = `${formatBytes(this.rate())}/s`;
    const percent = this.percent();
    if (percent === undefined || this.total === undefined) {
      return `${this.label} ${formatBytes(this.done)} ${rate}`;
    }
    const filled = Math.floor((percent / 100) * BAR_WIDTH);
    const bar =
      filled >= BAR_WIDTH
        ? "=".repeat(BAR_WIDTH)
        : `${"=".repeat(filled)}>${" ".repeat(BAR_WIDTH - filled - 1)}`;
    return `${this.label} [${bar}] ${percent}% ${formatBytes(this.done)}/${formatBytes(this.total)} ${rate}`;
  }
}
