import { Type } from "./cty/type.js";
import type { Value } from "./cty/value.js";
import type { Diagnostic } from "./diagnostic.js";
import { exprAsKeyword, exprCall, exprList, exprMap } from "./static.js";
import type { Expression } from "./structure.js";

// Type constraint expressions (`string`, `list(map(any))`, `object({a = optional(string, "x")})`),
// read statically from an expression as HCL's ext/typeexpr does.

/** Default values of optional object attributes, nested as the type is. */
export interface TypeDefaults {
  type: Type;
  /** Attribute name -> default value, for optional(type, default). */
  defaultValues: Map<string, Value>;
  /** Attribute name or element key ("" for collection elements) -> defaults below it. */
  children: Map<string, TypeDefaults>;
}

export interface TypeResult {
  type: Type;
  defaults?: TypeDefaults;
  diags: Diagnostic[];
}

/** An exact type: `any` is not allowed. */
export function getType(expr: Expression): TypeResult {
  return read(expr, false, false);
}

/** A type constraint: `any` allowed, and `optional(...)` inside object types. */
export function getTypeConstraint(expr: Expression): TypeResult {
  return read(expr, true, false);
}

function invalid(expr: Expression, detail: string): TypeResult {
  return {
    type: Type.dynamic,
    diags: [
      { severity: "error", summary: "Invalid type specification", detail, subject: expr.range },
    ],
  };
}

function read(expr: Expression, constraint: boolean, inObjectAttr: boolean): TypeResult {
  const kw = exprAsKeyword(expr);
  if (kw !== undefined) {
    switch (kw) {
      case "bool":
        return { type: Type.bool, diags: [] };
      case "string":
        return { type: Type.string, diags: [] };
      case "number":
        return { type: Type.number, diags: [] };
      case "any":
        if (constraint) return { type: Type.dynamic, diags: [] };
        return invalid(
          expr,
          `The keyword "any" cannot be used in this type specification: an exact type is required.`,
        );
      case "list":
      case "map":
      case "set":
        return invalid(
          expr,
          `The ${kw} type constructor requires one argument specifying the element type.`,
        );
      case "object":
        return invalid(
          expr,
          "The object type constructor requires one argument specifying the attribute types as a map.",
        );
      case "tuple":
        return invalid(
          expr,
          "The tuple type constructor requires one argument specifying the element types as a list.",
        );
      case "optional":
        return invalid(
          expr,
          'Keyword "optional" is valid only as a modifier for object type attributes.',
        );
      default:
        return invalid(
          expr,
          `The keyword ${JSON.stringify(kw)} is not a valid type specification.`,
        );
    }
  }

  const call = exprCall(expr);
  if (!call) {
    return invalid(
      expr,
      "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).",
    );
  }

  switch (call.name) {
    case "bool":
    case "string":
    case "number":
    case "any":
      return invalid(
        expr,
        `Primitive type keyword ${JSON.stringify(call.name)} does not expect arguments.`,
      );
    case "optional": {
      if (!inObjectAttr) {
        return invalid(
          expr,
          'Keyword "optional" is valid only as a modifier for object type attributes.',
        );
      }
      // Handled by the object constructor; reaching here means a misuse.
      return invalid(
        expr,
        "Optional attribute modifier expects only one argument: the attribute type.",
      );
    }
  }

  if (call.args.length !== 1) {
    const what =
      call.name === "object"
        ? "attribute types"
        : call.name === "tuple"
          ? "element types"
          : "element type";
    if (call.args.length === 0 && ["list", "set", "map", "object", "tuple"].includes(call.name)) {
      return {
        type: Type.dynamic,
        diags: [
          {
            severity: "error",
            summary: "Incorrect type specification",
            detail: `The ${call.name} type constructor requires one argument specifying the ${what}.`,
            subject: call.argsRange,
          },
        ],
      };
    }
    if (["list", "set", "map", "object", "tuple"].includes(call.name)) {
      return {
        type: Type.dynamic,
        diags: [
          {
            severity: "error",
            summary: "Invalid type specification",
            detail: `The ${call.name} type constructor requires one argument specifying the ${what}.`,
            subject: call.args[1]!.range,
          },
        ],
      };
    }
  }

  switch (call.name) {
    case "list":
    case "set":
    case "map": {
      const el = read(call.args[0]!, constraint, false);
      const type =
        call.name === "list"
          ? Type.list(el.type)
          : call.name === "set"
            ? Type.set(el.type)
            : Type.map(el.type);
      const r: TypeResult = { type, diags: el.diags };
      if (el.defaults) r.defaults = nest(type, "", el.defaults);
      return r;
    }
    case "object": {
      const items = exprMap(call.args[0]!);
      if (!items) {
        return invalid(
          call.args[0]!,
          "Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.",
        );
      }
      const attrs: Record<string, Type> = {};
      const optional: string[] = [];
      const diags: Diagnostic[] = [];
      const defaults: TypeDefaults = {
        type: Type.dynamic,
        defaultValues: new Map(),
        children: new Map(),
      };
      let anyDefaults = false;
      for (const item of items) {
        const name = exprAsKeyword(item.key) ?? staticString(item.key);
        if (name === undefined) {
          diags.push({
            severity: "error",
            summary: "Invalid type specification",
            detail: "Object constructor map keys must be attribute names.",
            subject: item.key.range,
          });
          continue;
        }
        let valueExpr = item.value;
        let defaultExpr: Expression | undefined;
        const inner = exprCall(valueExpr);
        if (inner && inner.name === "optional") {
          if (!constraint) {
            diags.push({
              severity: "error",
              summary: "Invalid type specification",
              detail: 'Keyword "optional" is valid only as a modifier for object type attributes.',
              subject: valueExpr.range,
            });
            continue;
          }
          if (inner.args.length < 1 || inner.args.length > 2) {
            diags.push({
              severity: "error",
              summary: "Invalid type specification",
              detail:
                "Optional attribute modifier requires the attribute type and an optional default value.",
              subject: valueExpr.range,
            });
            continue;
          }
          valueExpr = inner.args[0]!;
          defaultExpr = inner.args[1];
          optional.push(name);
        }
        const at = read(valueExpr, constraint, true);
        diags.push(...at.diags);
        attrs[name] = at.type;
        if (at.defaults) {
          defaults.children.set(name, at.defaults);
          anyDefaults = true;
        }
        if (defaultExpr) {
          const dv = defaultExpr.value();
          diags.push(...dv.diags);
          defaults.defaultValues.set(name, dv.value);
          anyDefaults = true;
        }
      }
      const type = Type.object(attrs, optional);
      const r: TypeResult = { type, diags };
      if (anyDefaults) r.defaults = { ...defaults, type };
      return r;
    }
    case "tuple": {
      const els = exprList(call.args[0]!);
      if (!els) {
        return invalid(call.args[0]!, "Tuple type constructor requires a list of element types.");
      }
      const types: Type[] = [];
      const diags: Diagnostic[] = [];
      const children = new Map<string, TypeDefaults>();
      els.forEach((e, i) => {
        const t = read(e, constraint, false);
        types.push(t.type);
        diags.push(...t.diags);
        if (t.defaults) children.set(String(i), t.defaults);
      });
      const type = Type.tuple(types);
      const r: TypeResult = { type, diags };
      if (children.size > 0) r.defaults = { type, defaultValues: new Map(), children };
      return r;
    }
    default:
      return {
        type: Type.dynamic,
        diags: [
          {
            severity: "error",
            summary: "Invalid type specification",
            detail: `Keyword ${JSON.stringify(call.name)} is not a valid type constructor.`,
            subject: call.nameRange,
          },
        ],
      };
  }
}

function nest(type: Type, key: string, child: TypeDefaults): TypeDefaults {
  return { type, defaultValues: new Map(), children: new Map([[key, child]]) };
}

function staticString(expr: Expression): string | undefined {
  if (expr.variables().length > 0) return undefined;
  const r = expr.value();
  if (r.diags.length > 0) return undefined;
  const v = r.value;
  if (!v.isKnown() || v.isNull() || !v.type.equals(Type.string)) return undefined;
  return v.asString();
}
