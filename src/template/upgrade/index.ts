// `hcl2_upgrade`: a legacy JSON template rewritten as an HCL2 template, the
// way Packer 1.9.4 does it (see sections.ts for the blocks and transpose.ts
// for the Go-template calls inside strings). The result is the text Packer
// would write, already formatted, plus what Packer would print on stderr.

import { readFileSync } from "node:fs";
import type { Diagnostic } from "../../hcl/diagnostic.js";
import { hasErrors } from "../../hcl/diagnostic.js";
import { formatSource } from "../../hcl/write/format.js";
import { formatUnchecked } from "../../hcl/write/format-tokens.js";
import {
  checkMinVersion,
  checkRequiredVariables,
  type LegacyTemplate,
  legacyCoreContext,
  parseJSONDocument,
  parseLegacyTemplate,
  renderLegacyVariables,
  validateLegacyStructure,
} from "../legacy/index.js";
import { FILE_HEADER } from "./annotations.js";
import { upgradeBody, upgradeError } from "./sections.js";

export interface UpgradeOptions {
  /** -with-annotations: explanatory comments at the top and before each kind of block. */
  withAnnotations?: boolean;
  /**
   * Values from -var and -var-file. Packer only uses them for the checks it
   * runs on the template first (required variables), whose failures it
   * reports and then ignores.
   */
  vars?: Readonly<Record<string, string>>;
}

export interface UpgradeResult {
  /**
   * The file `hcl2_upgrade` writes. When the template cannot be read, only
   * what Packer has written by then: the -with-annotations header, or "".
   */
  text: string;
  /** Errors (the exit status is 1) and warnings, in the order Packer prints them. */
  diags: Diagnostic[];
  /** False when the template could not be read or parsed (nothing was converted). */
  converted: boolean;
}

/** The comment Packer writes at the top of the file with -with-annotations. */
export function upgradeFileHeader(withAnnotations: boolean): string {
  return withAnnotations ? FILE_HEADER : "";
}

/** Go's multierror text. */
function multiError(messages: readonly string[]): string {
  if (messages.length === 1) return `1 error occurred:\n\t* ${messages[0]}\n\n`;
  return `${messages.length} errors occurred:\n\t${messages.map((m) => `* ${m}`).join("\n\t")}\n\n`;
}

const messageOf = (d: Diagnostic): string => String(d.extra?.packerMessage ?? d.summary);

/**
 * Packer's template parser's report of a JSON syntax error: position and the
 * offending line(s) with a caret, counted in bytes as Packer counts them.
 */
function highlightPosition(raw: Buffer, offset: number): string {
  let line = 1;
  let col = 0;
  let last = "";
  let current: number[] = [];
  for (let n = 0; n < offset && n < raw.length; n++) {
    const b = raw[n]!;
    if (b === 0x0a) {
      last = Buffer.from(current).toString("utf8");
      current = [];
      line++;
      col = 1;
    } else {
      col++;
      current.push(b);
    }
  }
  const row = (n: number, text: string) => `${String(n).padStart(5)}: ${text}\n`;
  const lines = (line > 1 ? row(line - 1, last) : "") + row(line, Buffer.from(current).toString());
  return `At line ${line}, column ${col} (offset ${offset}):\n${lines}${" ".repeat(col + 5)}^\n`;
}

/** The error text of Packer's template.ParseFile for a template kiln's parser rejected. */
function parseErrorText(raw: Buffer, filename: string, diags: readonly Diagnostic[]): string {
  const json = parseJSONDocument(raw, filename);
  if (!json.ok) {
    const e = json.error;
    return `Error parsing JSON: ${e.message}\n${highlightPosition(raw, e.offset)}`;
  }
  const messages = diags.map(messageOf);
  const code = diags[0]?.extra?.code;
  if (code === "legacy-json" || messages[0]?.startsWith("Failed to cast root level comment")) {
    return messages[0] ?? "";
  }
  if (code === "legacy-decode" && !messages[0]?.startsWith("Unknown root level key")) {
    // mapstructure's decoding error
    const points = messages.map((m) => `* ${m}`).sort();
    return `${messages.length} error(s) decoding:\n\n${points.join("\n")}`;
  }
  return multiError(messages);
}

/** What Packer prints when it cannot read the template at all. */
function unreadable(original: string): Diagnostic[] {
  return [
    upgradeError(
      "Failed to parse file as legacy JSON template: if you are using an HCL template, check your file extensions; they should be either *.pkr.hcl or *.pkr.json; see the docs for more details: https://www.packer.io/docs/templates/hcl_templates. \n" +
        `Original error: ${original}`,
    ),
    upgradeError("Failed to get config from JSON"),
  ];
}

/**
 * The checks Packer's core runs before the upgrade (Template.Validate,
 * min_packer_version, required variables, variable defaults). Packer
 * prints their failure and carries on.
 */
function initializationProblem(
  t: LegacyTemplate,
  vars: Readonly<Record<string, string>>,
): string | undefined {
  const structure = validateLegacyStructure(t);
  if (structure.length > 0) return multiError(structure.map(messageOf));
  const version = checkMinVersion(t);
  if (version.length > 0) return messageOf(version[0]!);
  const required = checkRequiredVariables(t, vars);
  if (required.length > 0) return multiError(required.map(messageOf));
  const rendered = renderLegacyVariables(t, vars, legacyCoreContext(t, {}));
  if (rendered.diags.length > 0) return messageOf(rendered.diags[0]!);
  return undefined;
}

/**
 * Upgrade a legacy JSON template (its contents and file name) to HCL2, as
 * `packer hcl2_upgrade` does. Never throws.
 */
export function upgradeLegacyTemplate(
  source: string | Buffer,
  filename: string,
  opts: UpgradeOptions = {},
): UpgradeResult {
  const withAnnotations = opts.withAnnotations === true;
  const header = upgradeFileHeader(withAnnotations);
  const raw = typeof source === "string" ? Buffer.from(source, "utf8") : source;
  const parsed = parseLegacyTemplate(raw, filename);
  if (!parsed.template) {
    const diags = unreadable(parseErrorText(raw, filename, parsed.diags));
    return { text: header, diags, converted: false };
  }
  const t = parsed.template;
  const diags: Diagnostic[] = [];
  const problem = initializationProblem(t, opts.vars ?? {});
  if (problem !== undefined) {
    const message = `Ignoring following initialization error: ${problem}`;
    diags.push({
      severity: "warning",
      summary: message,
      extra: { code: "upgrade-init", packerMessage: message },
    });
  }
  const body = upgradeBody(t, withAnnotations, diags);
  const outName = `${filename}.pkr.hcl`;
  const formatted = formatSource(body, outName);
  if (!hasErrors(formatted.diags)) {
    return { text: header + formatted.output, diags, converted: true };
  }
  // Packer formats without checking the syntax; so does kiln, but it says so.
  const first = formatted.diags.find((d) => d.severity === "error")!;
  const line = first.subject ? `:${first.subject.start.line}` : "";
  const message = `The upgraded template is not valid HCL2 (${outName}${line}: ${first.summary}); it needs to be fixed by hand.`;
  diags.push({
    severity: "warning",
    summary: message,
    extra: { code: "upgrade-syntax", packerMessage: message },
  });
  return { text: header + formatUnchecked(body, outName), diags, converted: true };
}

/** Go's message for a file that cannot be read. */
export function fileErrorMessage(e: unknown, path: string): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return `open ${path}: no such file or directory`;
    case "EACCES":
      return `open ${path}: permission denied`;
    case "EISDIR":
      return `read ${path}: is a directory`;
    case "ENOTDIR":
      return `open ${path}: not a directory`;
  }
  return `open ${path}: ${err.message}`;
}

/** Upgrade the legacy JSON template at `path` (see upgradeLegacyTemplate). */
export function upgradeLegacyTemplateFile(path: string, opts: UpgradeOptions = {}): UpgradeResult {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    return {
      text: upgradeFileHeader(opts.withAnnotations === true),
      diags: unreadable(fileErrorMessage(e, path)),
      converted: false,
    };
  }
  return upgradeLegacyTemplate(raw, path, opts);
}
