import type { Diagnostic } from "../diagnostic.js";
import { hasErrors } from "../diagnostic.js";
import { parseConfig } from "../syntax/parser.js";
import { decodeSource, scan } from "../syntax/scanner.js";
import { formatTokens } from "./format-tokens.js";

// `packer fmt`'s per-file step: refuse files with syntax errors (as Packer
// does, by parsing first), otherwise apply hclwrite's canonical formatting.

export interface FormatResult {
  output: string;
  diags: Diagnostic[];
}

/**
 * Format a whole HCL native-syntax file canonically, as `packer fmt` does.
 * When the file has syntax errors, the diagnostics are returned with the input
 * unchanged. Never throws.
 */
export function formatSource(src: string | Buffer, filename: string): FormatResult {
  const text = typeof src === "string" ? src : decodeSource(src).text;
  let diags: Diagnostic[];
  try {
    diags = parseConfig(src, filename).diags;
  } catch (e) {
    diags = [
      {
        severity: "error",
        summary: "Internal error while parsing",
        detail: e instanceof Error ? e.message : String(e),
      },
    ];
  }
  if (hasErrors(diags)) return { output: text, diags };
  try {
    // The scanner skips a leading byte-order mark; keep it.
    const bom = text.charCodeAt(0) === 0xfeff;
    const out = formatTokens(scan(src, filename, "normal"), bom ? 3 : 0);
    return { output: bom ? `\uFEFF${out}` : out, diags };
  } catch (e) {
    return {
      output: text,
      diags: [
        ...diags,
        {
          severity: "error",
          summary: "Internal error while formatting",
          detail: e instanceof Error ? e.message : String(e),
        },
      ],
    };
  }
}
