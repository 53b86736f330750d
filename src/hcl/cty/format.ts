// Rendering values for `packer console` and for diagnostics. Work in progress.

import type { Value } from "./value.js";

export function formatForConsole(v: Value): string {
  return v.toString();
}

export function formatForDiagnostic(v: Value): string {
  return v.toString();
}
