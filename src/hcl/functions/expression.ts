import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { convert } from "../cty/convert.js";
import { FunctionImpl } from "../cty/function.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import { type Diagnostic, hasErrors } from "../diagnostic.js";
import type { EvalContext, Expression, ValueResult } from "../structure.js";
import { parseTemplate } from "../syntax/parser.js";
import { getTypeConstraint } from "../typeexpr.js";
import { lazyRegExp } from "./lazy.js";

const variableName = lazyRegExp(String.raw`^[\p{L}_][\p{L}\p{N}_-]*$`, "u");

// Functions that receive their arguments as unevaluated expressions: `try` and
// `can` must see evaluation errors, `convert` reads a type expression, and
// `templatefile` evaluates a template file in a scope of its own. The evaluator
// calls `callExpressions` instead of evaluating the arguments first.

export class ExpressionFunction extends FunctionImpl {
  constructor(
    readonly name: string,
    readonly minArgs: number,
    readonly maxArgs: number,
    readonly callExpressions: (
      args: Expression[],
      ctx: EvalContext | undefined,
      call: Expression,
    ) => ValueResult,
  ) {
    super({
      params: [],
      varParam: { name: "expressions", type: Type.dynamic, allowUnknown: true, allowNull: true },
      type: () => Type.dynamic,
      impl: () => Value.dynamic,
    });
  }
}

export function isExpressionFunction(f: unknown): f is ExpressionFunction {
  return f instanceof ExpressionFunction;
}

function fail(
  call: Expression,
  name: string,
  detail: string,
  diags: Diagnostic[] = [],
): ValueResult {
  return {
    value: Value.dynamic,
    diags: [
      ...diags,
      {
        severity: "error",
        summary: "Error in function call",
        detail: `Call to function "${name}" failed: ${detail}`,
        subject: call.range,
      },
    ],
  };
}

function argError(arg: Expression, name: string, detail: string): ValueResult {
  return {
    value: Value.dynamic,
    diags: [
      {
        severity: "error",
        summary: "Invalid function argument",
        detail: `Invalid value for "${name}" parameter: ${detail}.`,
        subject: arg.range,
      },
    ],
  };
}

function describeFailure(diags: Diagnostic[]): string {
  return diags
    .filter((d) => d.severity === "error")
    .map((d) => {
      const at = d.subject
        ? ` (at ${d.subject.filename}:${d.subject.start.line},${d.subject.start.column}-${d.subject.end.column})`
        : "";
      return `- ${d.summary}${at}\n  ${d.detail ?? ""}`;
    })
    .join("\n");
}

const tryFn = new ExpressionFunction("try", 1, Number.POSITIVE_INFINITY, (args, ctx, call) => {
  if (args.length === 0) return fail(call, "try", "at least one argument is required");
  const failures: Diagnostic[] = [];
  for (const arg of args) {
    const r = arg.value(ctx);
    if (hasErrors(r.diags)) {
      failures.push(...r.diags);
      continue;
    }
    // An unknown result might still fail once known, so the outcome is unknown too.
    if (!r.value.isWhollyKnown()) return { value: Value.dynamic, diags: [] };
    return { value: r.value, diags: [] };
  }
  return fail(
    call,
    "try",
    `no expression succeeded:\n${describeFailure(failures)}\n\nAt least one expression must produce a successful result.`,
  );
});

const canFn = new ExpressionFunction("can", 1, 1, (args, ctx, call) => {
  if (args.length !== 1) {
    return fail(call, "can", `wrong number of arguments (1 required; ${args.length} given)`);
  }
  const r = args[0]!.value(ctx);
  if (hasErrors(r.diags)) return { value: Value.false, diags: [] };
  if (!r.value.isWhollyKnown()) return { value: Value.unknown(Type.bool), diags: [] };
  return { value: Value.true, diags: [] };
});

const convertFn = new ExpressionFunction("convert", 2, 2, (args, ctx, call) => {
  if (args.length !== 2) {
    return fail(call, "convert", `wrong number of arguments (2 required; ${args.length} given)`);
  }
  const t = getTypeConstraint(args[1]!);
  if (hasErrors(t.diags)) return { value: Value.dynamic, diags: t.diags };
  const v = args[0]!.value(ctx);
  if (hasErrors(v.diags)) return { value: Value.unknown(t.type), diags: v.diags };
  const c = convert(v.value, t.type);
  if ("error" in c) return argError(args[0]!, "value", c.error);
  return { value: c.value, diags: [] };
});

/** templatefile(path, vars): renders a template file with only `vars` in scope. */
function templatefileFn(baseDir: string, functions: () => Record<string, FunctionImpl>) {
  const self: ExpressionFunction = new ExpressionFunction(
    "templatefile",
    2,
    2,
    (args, ctx, call) => {
      if (args.length !== 2) {
        return fail(
          call,
          "templatefile",
          `wrong number of arguments (2 required; ${args.length} given)`,
        );
      }
      const p = args[0]!.value(ctx);
      const vars = args[1]!.value(ctx);
      const diags = [...p.diags, ...vars.diags];
      if (hasErrors(diags)) return { value: Value.dynamic, diags };
      if (!p.value.isKnown() || !vars.value.isWhollyKnown()) {
        return { value: Value.unknown(Type.string), diags };
      }
      const pathVal = convert(p.value, Type.string);
      if ("error" in pathVal || pathVal.value.isNull()) {
        return argError(args[0]!, "path", "a string is required");
      }
      const [unmarkedVars, marks] = vars.value.unmarkDeep();
      const vt = unmarkedVars.type;
      if (unmarkedVars.isNull() || !(vt.isObject() || vt.isMap())) {
        return argError(args[1]!, "vars", "a map or object is required");
      }
      const path = pathVal.value.asString();
      const full = isAbsolute(path) ? path : join(baseDir, path);
      let src: string;
      try {
        src = readFileSync(full, "utf8");
      } catch {
        return fail(
          call,
          "templatefile",
          `no file exists at ${JSON.stringify(path)}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource.`,
        );
      }
      const tmpl = parseTemplate(src, full);
      if (hasErrors(tmpl.diags)) return { value: Value.unknown(Type.string), diags: tmpl.diags };
      const variables: Record<string, Value> = {};
      for (const [k, v] of unmarkedVars.entries()) {
        if (!variableName().test(k)) {
          return argError(
            args[1]!,
            "vars",
            `invalid template variable name ${JSON.stringify(k)}: must start with a letter, followed by zero or more letters, digits, and underscores`,
          );
        }
        variables[k] = v;
      }
      // The template may call every function but itself.
      const fns: Record<string, FunctionImpl> = { ...functions() };
      fns.templatefile = new ExpressionFunction("templatefile", 2, 2, (_a, _c, inner) =>
        fail(
          inner,
          "templatefile",
          "cannot recursively call templatefile from inside templatefile call.",
        ),
      );
      const r = tmpl.expr.value({ variables, functions: fns });
      if (hasErrors(r.diags)) return { value: Value.unknown(Type.string), diags: r.diags };
      const s = convert(r.value, Type.string);
      if ("error" in s)
        return fail(call, "templatefile", `template must produce a string: ${s.error}`);
      return { value: marks.size > 0 ? s.value.withMarks(marks) : s.value, diags: [] };
    },
  );
  return self;
}

export function expressionFunctions(
  baseDir: string,
  functions: () => Record<string, FunctionImpl>,
): Record<string, FunctionImpl> {
  return {
    try: tryFn,
    can: canFn,
    convert: convertFn,
    templatefile: templatefileFn(baseDir, functions),
  };
}
