import type { Diagnostic } from "./diagnostic.js";
import type { Range } from "./pos.js";

// Renders diagnostics the way Packer (HCL's text writer) prints them:
//
//   Error: <summary>
//
//     on <file> line <N>, in <block header>:
//      <N>: <source line>
//           ^^^^^^
//
//   <detail>
//
// kiln additionally marks the subject range under the source line.

export interface SourceLookup {
  /** The bytes of a file by name, if known. */
  source(filename: string): Buffer | string | undefined;
  /** Optional: a description of the block enclosing a position, e.g. `source "null" "x"`. */
  contextString?(filename: string, byte: number): string | undefined;
}

export interface RenderOptions {
  color?: boolean;
  /** Wrap the detail text at this many columns (0 = no wrapping). */
  width?: number;
}

const RED = "\x1b[31m";
const YELLOW = "\x1b[33m";
const BOLD = "\x1b[1m";
const UNDERLINE = "\x1b[4m";
const RESET = "\x1b[0m";

export function renderDiagnostic(
  d: Diagnostic,
  files: SourceLookup,
  opts: RenderOptions = {},
): string {
  const color = opts.color ?? false;
  const out: string[] = [];
  const label = d.severity === "error" ? "Error" : "Warning";
  if (color) {
    const c = d.severity === "error" ? RED : YELLOW;
    out.push(`${c}${BOLD}${label}: ${RESET}${BOLD}${d.summary}${RESET}\n`);
  } else {
    out.push(`${label}: ${d.summary}\n`);
  }
  if (d.subject) {
    out.push("\n");
    out.push(renderSnippet(d.subject, d.context, files, color));
  }
  if (d.detail) {
    out.push("\n");
    out.push(wrap(d.detail, opts.width ?? 0));
    out.push("\n");
  }
  return out.join("");
}

export function renderDiagnostics(
  diags: readonly Diagnostic[],
  files: SourceLookup,
  opts: RenderOptions = {},
): string {
  return diags.map((d) => `${renderDiagnostic(d, files, opts)}\n`).join("");
}

function renderSnippet(
  subject: Range,
  context: Range | undefined,
  files: SourceLookup,
  color: boolean,
): string {
  const where = files.contextString?.(subject.filename, subject.start.byte);
  const header = `  on ${subject.filename} line ${subject.start.line}${where ? `, in ${where}` : ""}:\n`;
  const src = files.source(subject.filename);
  if (src === undefined) return `${header}  (source code not available)\n`;
  const text = typeof src === "string" ? src : src.toString("utf8");
  const lines = text.split(/\r?\n/);
  const shown = context ?? subject;
  const first = Math.min(shown.start.line, subject.start.line);
  const last = Math.max(shown.end.line, subject.end.line);
  const out = [header];
  for (let n = first; n <= last && n <= lines.length; n++) {
    const line = lines[n - 1] ?? "";
    const prefix = `${String(n).padStart(4)}: `;
    const [from, to] = columnsOnLine(subject, n, line);
    if (color && to > from) {
      out.push(
        `${prefix}${line.slice(0, from)}${UNDERLINE}${line.slice(from, to)}${RESET}${line.slice(to)}\n`,
      );
    } else {
      out.push(`${prefix}${line}\n`);
    }
    if (!color && to > from) {
      const lead = line.slice(0, from).replace(/[^\t]/g, " ");
      out.push(`${" ".repeat(prefix.length)}${lead}${"^".repeat(to - from)}\n`);
    }
  }
  return out.join("");
}

/** The [start, end) character columns (0-based) the subject covers on line `n`. */
function columnsOnLine(r: Range, n: number, line: string): [number, number] {
  if (n < r.start.line || n > r.end.line) return [0, 0];
  const chars = Array.from(line);
  const from = n === r.start.line ? r.start.column - 1 : 0;
  let to = n === r.end.line ? r.end.column - 1 : chars.length;
  if (to <= from) to = Math.min(from + 1, Math.max(chars.length, from + 1));
  // Convert character columns into UTF-16 offsets for slicing.
  const toOffset = (c: number) => chars.slice(0, Math.max(0, c)).join("").length;
  return [toOffset(from), toOffset(Math.max(to, from))];
}

function wrap(text: string, width: number): string {
  if (width <= 0) return text;
  return text
    .split("\n")
    .map((para) => {
      if (para.length <= width || /^\s/.test(para)) return para;
      const words = para.split(" ");
      const lines: string[] = [];
      let cur = "";
      for (const w of words) {
        if (cur && cur.length + 1 + w.length > width) {
          lines.push(cur);
          cur = w;
        } else {
          cur = cur ? `${cur} ${w}` : w;
        }
      }
      if (cur) lines.push(cur);
      return lines.join("\n");
    })
    .join("\n");
}
