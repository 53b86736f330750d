// Source positions and ranges, as HCL models them: line and column are 1-based,
// byte is a 0-based offset into the file's UTF-8 bytes. Columns count Unicode
// grapheme clusters (approximated here as code points).

export interface Pos {
  line: number;
  column: number;
  byte: number;
}

export interface Range {
  filename: string;
  start: Pos;
  end: Pos;
}

export const startPos: Pos = { line: 1, column: 1, byte: 0 };

export function rangeBetween(from: Range, to: Range): Range {
  const start = from.start.byte <= to.start.byte ? from.start : to.start;
  const end = from.end.byte >= to.end.byte ? from.end : to.end;
  return { filename: from.filename, start, end };
}

export function rangeOver(a: Range, b: Range): Range {
  return rangeBetween(a, b);
}

/** An empty range at the start of `r`. */
export function rangeStart(r: Range): Range {
  return { filename: r.filename, start: r.start, end: r.start };
}

export function rangeContainsOffset(r: Range, byte: number): boolean {
  return byte >= r.start.byte && byte < r.end.byte;
}

export function formatRange(r: Range): string {
  return `${r.filename}:${r.start.line},${r.start.column}-${
    r.end.line === r.start.line ? "" : `${r.end.line},`
  }${r.end.column}`;
}
