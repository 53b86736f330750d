// Packer's legacy interpolation ("template engine"): render a string such as
// "packer-{{timestamp}}-{{user `name`}}" with Go's text/template language and
// Packer's functions. Problems come back as Diagnostics that carry Go's own
// message ("template: root:1:2: ...") as detail and point into the string
// when its place in the file is known.

import type { Diagnostic } from "../../../hcl/diagnostic.js";
import type { Pos, Range } from "../../../hcl/pos.js";
import type { ListNode } from "./ast.js";
import { execute, findFunction, TemplateExecError } from "./exec.js";
import type { InterpolateContext } from "./functions.js";
import { parseTemplate, TemplateParseError } from "./parser.js";

export type { ListNode, Node } from "./ast.js";
export { TemplateExecError } from "./exec.js";
export {
  BUILTINS,
  builderTemplateFuncs,
  FuncError,
  type InterpolateContext,
  isDeferred,
  PACKER_FUNCTIONS,
  type ParamType,
  type TemplateFunction,
  timeOrderedUUID,
} from "./functions.js";
export { TemplateParseError } from "./parser.js";
export { DEFERRED, type Deferred, type GoValue } from "./value.js";

export interface InterpolateOptions {
  /**
   * Where the string is in its file: the range of the JSON string token,
   * quotes included. Diagnostics point at the exact characters when the
   * string is written without escapes, else at the whole string.
   */
  subject?: Range;
  /**
   * Render again while the output changes, as Packer's interpolate.Render
   * does (a variable's value may itself contain "{{ }}"). Default: render once.
   */
  repeat?: boolean;
}

export interface InterpolateResult {
  value: string;
  diags: Diagnostic[];
  /** True when parts of the output were left as template text for build time. */
  deferred: boolean;
}

/** A parsed template, or the error parsing it gave. */
export type ParsedTemplate =
  | { ok: true; root: ListNode }
  | { ok: false; error: TemplateParseError };

const cache = new Map<string, ParsedTemplate>();
const CACHE_LIMIT = 2000;

function funcsKey(ctx: InterpolateContext): string {
  return ctx.funcs ? Object.keys(ctx.funcs).sort().join(",") : "";
}

/**
 * Parse a template with the functions `ctx` provides (Go checks function
 * names at parse time). Results are cached per text and function set.
 */
export function parseInterpolation(src: string, ctx: InterpolateContext = {}): ParsedTemplate {
  const key = `${funcsKey(ctx)}\u0000${src}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let parsed: ParsedTemplate;
  try {
    parsed = {
      ok: true,
      root: parseTemplate(src, (name) => findFunction(name, ctx) !== undefined),
    };
  } catch (e) {
    if (!(e instanceof TemplateParseError)) throw e;
    parsed = { ok: false, error: e };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, parsed);
  return parsed;
}

/** Diagnostics for a template's syntax only (Packer's interpolate.Validate). */
export function validateInterpolation(
  src: string,
  ctx: InterpolateContext = {},
  opts: InterpolateOptions = {},
): Diagnostic[] {
  const p = parseInterpolation(src, ctx);
  return p.ok ? [] : [templateDiagnostic(p.error, src, opts.subject)];
}

/** Render `src` once (or until stable with `repeat`). */
export function interpolate(
  src: string,
  ctx: InterpolateContext = {},
  opts: InterpolateOptions = {},
): InterpolateResult {
  let value = src;
  let deferred = false;
  for (let round = 0; round < 100; round++) {
    if (!value.includes("{{")) return { value, diags: [], deferred };
    const r = renderOnce(value, ctx, round === 0 ? opts.subject : undefined);
    if (r.diags.length > 0) return { value: "", diags: r.diags, deferred: false };
    deferred = r.deferred;
    if (!opts.repeat || r.value === value) return { value: r.value, diags: [], deferred };
    value = r.value;
  }
  return { value, diags: [], deferred };
}

function renderOnce(
  src: string,
  ctx: InterpolateContext,
  subject: Range | undefined,
): InterpolateResult {
  const p = parseInterpolation(src, ctx);
  if (!p.ok)
    return { value: "", diags: [templateDiagnostic(p.error, src, subject)], deferred: false };
  try {
    const r = execute(src, p.root, ctx);
    return { value: r.value, diags: [], deferred: r.deferred };
  } catch (e) {
    if (e instanceof TemplateExecError) {
      return { value: "", diags: [templateDiagnostic(e, src, subject)], deferred: false };
    }
    throw e;
  }
}

/** A Diagnostic for a template error: Go's message as detail, pointing into the string. */
export function templateDiagnostic(
  e: TemplateParseError | TemplateExecError,
  src: string,
  subject: Range | undefined,
): Diagnostic {
  const d: Diagnostic = {
    severity: "error",
    summary: e.bare,
    detail: e.goMessage,
    extra: {
      code: e instanceof TemplateParseError ? "template-syntax" : "template-exec",
      goMessage: e.goMessage,
    },
  };
  if (subject) {
    d.subject = subRange(subject, src, e.pos, e.end);
    d.context = subject;
  }
  return d;
}

/**
 * The range of src[from, to) inside `subject`, the JSON string literal that
 * holds src. Exact only when the literal has no escapes (its byte length is
 * then exactly src's plus the quotes); otherwise the whole literal.
 */
export function subRange(subject: Range, src: string, from: number, to: number): Range {
  const exact =
    subject.start.line === subject.end.line &&
    subject.end.byte - subject.start.byte === Buffer.byteLength(src, "utf8") + 2;
  if (!exact) return subject;
  const at = (i: number): Pos => {
    const before = src.slice(0, i);
    return {
      line: subject.start.line,
      column: subject.start.column + 1 + [...before].length,
      byte: subject.start.byte + 1 + Buffer.byteLength(before, "utf8"),
    };
  };
  const end = Math.min(Math.max(to, from), src.length);
  return { filename: subject.filename, start: at(Math.min(from, src.length)), end: at(end) };
}
