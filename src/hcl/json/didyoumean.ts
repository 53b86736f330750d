// Small helpers for HCL-style messages: "Did you mean ...?" suggestions and
// Go-style quoting.

/** Levenshtein edit distance between two strings (by UTF-16 code unit). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The first of `suggestions` close enough to `given` (edit distance under 3,
 * HCL's threshold), or "" if none is.
 */
export function nameSuggestion(given: string, suggestions: readonly string[]): string {
  for (const s of suggestions) {
    if (levenshtein(given, s) < 3) return s;
  }
  return "";
}

/** Go's %q quoting, for messages that must read like HCL's. */
export { goQuote } from "../cty/quote.js";
