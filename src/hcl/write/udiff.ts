// Unified diffs byte-identical to GNU `diff -u --label=A --label=B old new`,
// which is what `packer fmt -diff` runs. GNU diff's choices matter for the
// exact output (which of several equally short edit scripts is shown), so
// this follows its pipeline: trim the identical head and tail (keeping a
// horizon of context lines), discard lines that cannot match, find a minimal
// edit script by divide and conquer on the middle snake, slide change runs to
// canonical positions, then print hunks with 3 lines of context.

const CONTEXT = 3;

/**
 * The unified diff of `a` against `b`, labelled `--- <labelA>` / `+++ <labelB>`.
 * Returns "" when the inputs are equal.
 */
export function unifiedDiff(a: string, b: string, labelA: string, labelB: string): string {
  if (a === b) return "";
  const fa = prepare(a);
  const fb = prepare(b);
  const mid = findIdenticalEnds(fa, fb);
  const changed = compare(fa, fb, mid);
  const changes = buildScript(changed, mid);
  return `--- ${labelA}\n+++ ${labelB}\n${printHunks(fa, fb, changes)}`;
}

interface FileText {
  /** The text with a newline appended when it did not end in one. */
  buf: string;
  missingNewline: boolean;
  /** Start offsets of each line in `buf`, plus buf.length at the end. */
  lineStarts: number[];
}

function prepare(s: string): FileText {
  const missingNewline = s.length > 0 && !s.endsWith("\n");
  const buf = missingNewline ? `${s}\n` : s;
  const lineStarts = [0];
  for (let i = buf.indexOf("\n"); i !== -1; i = buf.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  if (buf.length === 0) lineStarts.length = 1;
  // lineStarts ends with buf.length (the start of the non-existent next line).
  return { buf, missingNewline, lineStarts };
}

function lineCount(f: FileText): number {
  return f.lineStarts.length - 1;
}

/** Line `i` of `f`, with its newline; the artificial newline of an incomplete last line is marked. */
function lineText(f: FileText, i: number): string {
  const s = f.buf.slice(f.lineStarts[i], f.lineStarts[i + 1]);
  return f.missingNewline && i === lineCount(f) - 1 ? `${s}\u0000incomplete` : s;
}

interface Middle {
  /** Number of identical lines before the compared region (same in both files). */
  prefixLines: number;
  /** Number of lines of each file in the compared region. */
  n0: number;
  n1: number;
}

/** GNU diff's find_identical_ends, at line granularity, with horizon = context. */
function findIdenticalEnds(a: FileText, b: FileText): Middle {
  const A = a.buf;
  const B = b.buf;
  const n0 = A.length;
  const n1 = B.length;
  let p = 0;
  const lim = Math.min(n0, n1);
  while (p < lim && A.charCodeAt(p) === B.charCodeAt(p)) p++;
  // Don't count a missing newline as part of the prefix.
  if (n0 - (a.missingNewline ? 1 : 0) < p !== n1 - (b.missingNewline ? 1 : 0) < p) p--;
  // Back to the start of that line, then up to CONTEXT more lines.
  let h = CONTEXT;
  while (p !== 0 && (A.charCodeAt(p - 1) !== 10 || h-- > 0)) p--;
  const prefixEnd = p;

  let suffix0 = n0;
  let suffix1 = n1;
  if (a.missingNewline === b.missingNewline) {
    let p0 = n0;
    let p1 = n1;
    let beg0 = prefixEnd + (n0 < n1 ? 0 : n0 - n1);
    while (p0 !== beg0) {
      p0--;
      p1--;
      if (A.charCodeAt(p0) !== B.charCodeAt(p1)) {
        p0++;
        p1++;
        beg0 = p0;
        break;
      }
    }
    const atLineStart =
      (p0 === 0 || A.charCodeAt(p0 - 1) === 10) && (p1 === 0 || B.charCodeAt(p1 - 1) === 10);
    let k = CONTEXT + (atLineStart ? 0 : 1);
    while (k-- > 0 && p0 !== n0) {
      while (A.charCodeAt(p0++) !== 10) {
        // skip to the end of the line
      }
    }
    p1 += p0 - beg0;
    suffix0 = p0;
    suffix1 = p1;
  }
  const prefixLines = countLinesBefore(a, prefixEnd);
  const n0Lines = countLinesBefore(a, suffix0) - prefixLines;
  const n1Lines = countLinesBefore(b, suffix1) - prefixLines;
  return { prefixLines, n0: n0Lines, n1: n1Lines };
}

/** How many lines start before byte offset `off` (i.e. the index of the line starting at or after it). */
function countLinesBefore(f: FileText, off: number): number {
  const ls = f.lineStarts;
  let lo = 0;
  let hi = ls.length - 1;
  // first index with ls[i] >= off
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (ls[m]! < off) lo = m + 1;
    else hi = m;
  }
  return Math.min(lo, lineCount(f));
}

/** Returns the `changed` flags of both files over the compared region, with a 0 sentinel at each end. */
function compare(a: FileText, b: FileText, mid: Middle): [Uint8Array, Uint8Array] {
  const classes = new Map<string, number>();
  const equivs: [number[], number[]] = [[], []];
  const files = [a, b];
  const counts = [mid.n0, mid.n1];
  for (let f = 0; f < 2; f++) {
    for (let i = 0; i < counts[f]!; i++) {
      const t = lineText(files[f]!, mid.prefixLines + i);
      let c = classes.get(t);
      if (c === undefined) {
        c = classes.size + 1;
        classes.set(t, c);
      }
      equivs[f]!.push(c);
    }
  }
  // changed[f][i + 1] for line i; index 0 and n+1 are sentinels.
  const changed: [Uint8Array, Uint8Array] = [
    new Uint8Array(mid.n0 + 2),
    new Uint8Array(mid.n1 + 2),
  ];
  const { undiscarded, realIndexes } = discardConfusingLines(equivs, classes.size + 1, changed);

  const xv = undiscarded[0];
  const yv = undiscarded[1];
  const ctx: DiffContext = {
    xv,
    yv,
    fd: new Map(),
    bd: new Map(),
    noteDelete: (x) => {
      changed[0][realIndexes[0][x]! + 1] = 1;
    },
    noteInsert: (y) => {
      changed[1][realIndexes[1][y]! + 1] = 1;
    },
  };
  compareSeq(0, xv.length, 0, yv.length, ctx);
  shiftBoundaries(equivs, changed);
  return changed;
}

function discardConfusingLines(
  equivs: [number[], number[]],
  nClasses: number,
  changed: [Uint8Array, Uint8Array],
): { undiscarded: [number[], number[]]; realIndexes: [number[], number[]] } {
  const equivCount = [new Int32Array(nClasses), new Int32Array(nClasses)];
  for (let f = 0; f < 2; f++) for (const e of equivs[f]!) equivCount[f]![e]!++;

  const discarded = [new Uint8Array(equivs[0].length), new Uint8Array(equivs[1].length)];
  for (let f = 0; f < 2; f++) {
    const end = equivs[f]!.length;
    const discards = discarded[f]!;
    const counts = equivCount[1 - f]!;
    let many = 5;
    let tem = Math.floor(end / 64);
    while ((tem >>= 2) > 0) many *= 2;
    for (let i = 0; i < end; i++) {
      const nmatch = counts[equivs[f]![i]!]!;
      if (nmatch === 0) discards[i] = 1;
      else if (nmatch > many) discards[i] = 2;
    }
  }

  // Provisional discards survive only inside runs of discardable lines that
  // start and end with definite ones.
  for (let f = 0; f < 2; f++) {
    const end = equivs[f]!.length;
    const discards = discarded[f]!;
    for (let i = 0; i < end; i++) {
      if (discards[i] === 2) {
        discards[i] = 0;
      } else if (discards[i] !== 0) {
        let j: number;
        let provisional = 0;
        for (j = i; j < end; j++) {
          if (discards[j] === 0) break;
          if (discards[j] === 2) provisional++;
        }
        while (j > i && discards[j - 1] === 2) {
          discards[--j] = 0;
          provisional--;
        }
        const length = j - i;
        if (provisional * 4 > length) {
          while (j > i) if (discards[--j] === 2) discards[j] = 0;
        } else {
          let minimum = 1;
          let tem = length >> 2;
          while (0 < (tem >>= 2)) minimum <<= 1;
          minimum++;
          let consec = 0;
          for (j = 0; j < length; j++) {
            if (discards[i + j] !== 2) consec = 0;
            else if (minimum === ++consec) j -= consec;
            else if (minimum < consec) discards[i + j] = 0;
          }
          consec = 0;
          for (j = 0; j < length; j++) {
            if (j >= 8 && discards[i + j] === 1) break;
            if (discards[i + j] === 2) {
              consec = 0;
              discards[i + j] = 0;
            } else if (discards[i + j] === 0) consec = 0;
            else consec++;
            if (consec === 3) break;
          }
          i += length - 1;
          consec = 0;
          for (j = 0; j < length; j++) {
            if (j >= 8 && discards[i - j] === 1) break;
            if (discards[i - j] === 2) {
              consec = 0;
              discards[i - j] = 0;
            } else if (discards[i - j] === 0) consec = 0;
            else consec++;
            if (consec === 3) break;
          }
        }
      }
    }
  }

  const undiscarded: [number[], number[]] = [[], []];
  const realIndexes: [number[], number[]] = [[], []];
  for (let f = 0; f < 2; f++) {
    const discards = discarded[f]!;
    const eq = equivs[f]!;
    for (let i = 0; i < eq.length; i++) {
      if (discards[i] === 0) {
        undiscarded[f]!.push(eq[i]!);
        realIndexes[f]!.push(i);
      } else {
        changed[f]![i + 1] = 1;
      }
    }
  }
  return { undiscarded, realIndexes };
}

interface DiffContext {
  xv: number[];
  yv: number[];
  fd: Map<number, number>;
  bd: Map<number, number>;
  noteDelete(x: number): void;
  noteInsert(y: number): void;
}

/** Myers' middle snake, as GNU diffseq's `diag` (always minimal here). */
function diag(
  xoff: number,
  xlim: number,
  yoff: number,
  ylim: number,
  ctx: DiffContext,
): [number, number] {
  const { xv, yv } = ctx;
  const fd = ctx.fd;
  const bd = ctx.bd;
  fd.clear();
  bd.clear();
  const get = (m: Map<number, number>, k: number, dflt: number) => m.get(k) ?? dflt;
  const dmin = xoff - ylim;
  const dmax = xlim - yoff;
  const fmid = xoff - yoff;
  const bmid = xlim - ylim;
  let fmin = fmid;
  let fmax = fmid;
  let bmin = bmid;
  let bmax = bmid;
  const odd = ((fmid - bmid) & 1) !== 0;
  fd.set(fmid, xoff);
  bd.set(bmid, xlim);
  for (;;) {
    if (fmin > dmin) fd.set(--fmin - 1, -1);
    else ++fmin;
    if (fmax < dmax) fd.set(++fmax + 1, -1);
    else --fmax;
    for (let d = fmax; d >= fmin; d -= 2) {
      const tlo = get(fd, d - 1, -1);
      const thi = get(fd, d + 1, -1);
      const x0 = tlo < thi ? thi : tlo + 1;
      let x = x0;
      let y = x0 - d;
      while (x < xlim && y < ylim && xv[x] === yv[y]) {
        x++;
        y++;
      }
      fd.set(d, x);
      if (odd && bmin <= d && d <= bmax && get(bd, d, Number.MAX_SAFE_INTEGER) <= x) {
        return [x, y];
      }
    }
    if (bmin > dmin) bd.set(--bmin - 1, Number.MAX_SAFE_INTEGER);
    else ++bmin;
    if (bmax < dmax) bd.set(++bmax + 1, Number.MAX_SAFE_INTEGER);
    else --bmax;
    for (let d = bmax; d >= bmin; d -= 2) {
      const tlo = get(bd, d - 1, Number.MAX_SAFE_INTEGER);
      const thi = get(bd, d + 1, Number.MAX_SAFE_INTEGER);
      const x0 = tlo < thi ? tlo : thi - 1;
      let x = x0;
      let y = x0 - d;
      while (xoff < x && yoff < y && xv[x - 1] === yv[y - 1]) {
        x--;
        y--;
      }
      bd.set(d, x);
      if (!odd && fmin <= d && d <= fmax && x <= get(fd, d, -1)) {
        return [x, y];
      }
    }
  }
}

function compareSeq(xoff: number, xlim: number, yoff: number, ylim: number, ctx: DiffContext) {
  const { xv, yv } = ctx;
  // An explicit stack instead of recursion, processing the low half first.
  const stack: [number, number, number, number][] = [[xoff, xlim, yoff, ylim]];
  while (stack.length > 0) {
    let [x0, x1, y0, y1] = stack.pop()!;
    while (x0 < x1 && y0 < y1 && xv[x0] === yv[y0]) {
      x0++;
      y0++;
    }
    while (x0 < x1 && y0 < y1 && xv[x1 - 1] === yv[y1 - 1]) {
      x1--;
      y1--;
    }
    if (x0 === x1) {
      while (y0 < y1) ctx.noteInsert(y0++);
    } else if (y0 === y1) {
      while (x0 < x1) ctx.noteDelete(x0++);
    } else {
      const [xmid, ymid] = diag(x0, x1, y0, y1, ctx);
      stack.push([xmid, x1, ymid, y1]);
      stack.push([x0, xmid, y0, ymid]);
    }
  }
}

/** GNU diff's shift_boundaries: slide runs of changes to canonical places. */
function shiftBoundaries(equivs: [number[], number[]], changedPair: [Uint8Array, Uint8Array]) {
  for (let f = 0; f < 2; f++) {
    // Indexes below are line numbers; the arrays are offset by one for the sentinel.
    const ch = changedPair[f]!;
    const oc = changedPair[1 - f]!;
    const changed = (k: number) => ch[k + 1]!;
    const setChanged = (k: number, v: number) => {
      ch[k + 1] = v;
    };
    const other = (k: number) => oc[k + 1]!;
    const eq = equivs[f]!;
    let i = 0;
    let j = 0;
    const iEnd = eq.length;
    for (;;) {
      while (i < iEnd && !changed(i)) {
        while (other(j++)) {
          // skip the other file's changes
        }
        i++;
      }
      if (i === iEnd) break;
      let start = i;
      while (changed(++i)) {
        // find the end of this run
      }
      while (other(j)) j++;
      let runLength: number;
      let corresponding: number;
      do {
        runLength = i - start;
        while (start && eq[start - 1] === eq[i - 1]) {
          setChanged(--start, 1);
          setChanged(--i, 0);
          while (changed(start - 1)) start--;
          while (other(--j)) {
            // back over the other file's changes
          }
        }
        corresponding = other(j - 1) ? i : iEnd;
        while (i !== iEnd && eq[start] === eq[i]) {
          setChanged(start++, 0);
          setChanged(i++, 1);
          while (changed(i)) i++;
          while (other(++j)) corresponding = i;
        }
      } while (runLength !== i - start);
      while (corresponding < i) {
        setChanged(--start, 1);
        setChanged(--i, 0);
        while (other(--j)) {
          // back over the other file's changes
        }
      }
    }
  }
}

interface Change {
  line0: number;
  line1: number;
  deleted: number;
  inserted: number;
}

function buildScript(changedPair: [Uint8Array, Uint8Array], mid: Middle): Change[] {
  const [c0, c1] = changedPair;
  const out: Change[] = [];
  let i0 = 0;
  let i1 = 0;
  while (i0 < mid.n0 || i1 < mid.n1) {
    if (c0[i0 + 1] || c1[i1 + 1]) {
      const l0 = i0;
      const l1 = i1;
      while (i0 < mid.n0 && c0[i0 + 1]) i0++;
      while (i1 < mid.n1 && c1[i1 + 1]) i1++;
      out.push({
        line0: l0 + mid.prefixLines,
        line1: l1 + mid.prefixLines,
        deleted: i0 - l0,
        inserted: i1 - l1,
      });
    } else {
      i0++;
      i1++;
    }
  }
  return out;
}

function printHunks(a: FileText, b: FileText, changes: Change[]): string {
  const out: string[] = [];
  const total0 = lineCount(a);
  const total1 = lineCount(b);
  let k = 0;
  while (k < changes.length) {
    // Group changes separated by fewer than 2*CONTEXT+1 unchanged lines.
    let last = k;
    while (
      last + 1 < changes.length &&
      changes[last + 1]!.line0 - (changes[last]!.line0 + changes[last]!.deleted) < 2 * CONTEXT + 1
    ) {
      last++;
    }
    const first = changes[k]!;
    const end = changes[last]!;
    let first0 = first.line0;
    let first1 = first.line1;
    let last0 = end.line0 + end.deleted - 1;
    let last1 = end.line1 + end.inserted - 1;
    first0 = Math.max(first0 - CONTEXT, 0);
    first1 = Math.max(first1 - CONTEXT, 0);
    last0 = Math.min(last0 + CONTEXT, total0 - 1);
    last1 = Math.min(last1 + CONTEXT, total1 - 1);
    out.push(`@@ -${range(first0, last0)} +${range(first1, last1)} @@\n`);
    let i = first0;
    let j = first1;
    let c = k;
    while (i <= last0 || j <= last1) {
      const next = c <= last ? changes[c] : undefined;
      if (!next || i < next.line0) {
        out.push(` ${printLine(a, i++)}`);
        j++;
      } else {
        for (let n = 0; n < next.deleted; n++) out.push(`-${printLine(a, i++)}`);
        for (let n = 0; n < next.inserted; n++) out.push(`+${printLine(b, j++)}`);
        c++;
      }
    }
    k = last + 1;
  }
  return out.join("");
}

function range(a: number, b: number): string {
  const ta = a + 1;
  const tb = b + 1;
  if (tb <= ta) return tb < ta ? `${tb},0` : `${tb}`;
  return `${ta},${tb - ta + 1}`;
}

function printLine(f: FileText, i: number): string {
  const s = f.buf.slice(f.lineStarts[i], f.lineStarts[i + 1]);
  if (f.missingNewline && i === lineCount(f) - 1) return `${s}\\ No newline at end of file\n`;
  return s;
}
