// Small helpers for producing messages worded exactly as HCL's: Go-style %q
// quoting, "Did you mean" suggestions, and Go's notion of whitespace.

/** Levenshtein distance between two strings, counted in code points (as Go's runes). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const as = Array.from(a);
  const bs = Array.from(b);
  if (as.length === 0) return bs.length;
  if (bs.length === 0) return as.length;
  let prev = new Array<number>(bs.length + 1);
  let cur = new Array<number>(bs.length + 1);
  for (let j = 0; j <= bs.length; j++) prev[j] = j;
  for (let i = 1; i <= as.length; i++) {
    cur[0] = i;
    const ca = as[i - 1];
    for (let j = 1; j <= bs.length; j++) {
      const cost = ca === bs[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[bs.length]!;
}

/** The first suggestion within edit distance 2 of `given` (HCL's threshold), or "". */
export function nameSuggestion(given: string, suggestions: Iterable<string>): string {
  for (const s of suggestions) {
    if (levenshtein(given, s) < 3) return s;
  }
  return "";
}

/**
 * The closest suggestion within HCL's threshold, for names that come from
 * unordered sets (variables, functions), where HCL's choice among several
 * close names is arbitrary. Ties go to the first in `suggestions`.
 */
export function closestSuggestion(given: string, suggestions: Iterable<string>): string {
  let best = "";
  let bestDist = 3;
  for (const s of suggestions) {
    const d = levenshtein(given, s);
    if (d < bestDist) {
      best = s;
      bestDist = d;
    }
  }
  return best;
}

export { goQuote } from "../cty/quote.js";

/** Go's unicode.IsSpace. */
export function isGoSpace(c: number): boolean {
  switch (c) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
  }
  return c >= 0x2000 && c <= 0x200a;
}

/** strings.TrimLeftFunc(s, unicode.IsSpace) */
export function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i === 0 ? s : s.slice(i);
}

/** strings.TrimRightFunc(s, unicode.IsSpace) */
export function trimRightSpace(s: string): string {
  let i = s.length;
  while (i > 0 && isGoSpace(s.charCodeAt(i - 1))) i--;
  return i === s.length ? s : s.slice(0, i);
}

/** strings.TrimSpace */
export function trimSpace(s: string): string {
  return trimRightSpace(trimLeftSpace(s));
}
