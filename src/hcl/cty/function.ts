// The function model (cty/function): a function has positional parameters, an
// optional variadic parameter, a type function computing the return type from
// the arguments, and an implementation. FunctionImpl.call applies cty's
// standard handling of null, unknown, dynamic and marked arguments.

import { convert } from "./convert.js";
import { Type } from "./type.js";
import { type Mark, Value } from "./value.js";

export interface Parameter {
  name: string;
  /** The type arguments are converted to; Type.dynamic accepts anything. */
  type: Type;
  /** Accept null arguments (otherwise: "argument must not be null"). */
  allowNull?: boolean;
  /** Pass unknown arguments to the implementation (otherwise the result is unknown). */
  allowUnknown?: boolean;
  /** Pass DynamicVal to the type function (otherwise the return type is dynamic). */
  allowDynamicType?: boolean;
  /** Pass marked arguments as-is (otherwise they are unmarked and the marks reapplied). */
  allowMarked?: boolean;
}

export interface FunctionSpec {
  description?: string;
  params: Parameter[];
  varParam?: Parameter;
  /** Compute the return type; may throw FunctionError/ArgError. Arguments may be unknown. */
  type: (args: Value[]) => Type;
  /** Compute the result; may throw FunctionError/ArgError. */
  impl: (args: Value[], retType: Type) => Value;
}

/** An error from a function call, shown as "Call to function "x" failed: <message>". */
export class FunctionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FunctionError";
  }
}

/** An error about one argument (index counts positional then variadic arguments). */
export class ArgError extends FunctionError {
  readonly argIndex: number;
  constructor(argIndex: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArgError";
    this.argIndex = argIndex;
  }
}

/** A type function that always returns `t`. */
export function staticReturnType(t: Type): (args: Value[]) => Type {
  return () => t;
}

export class FunctionImpl {
  readonly spec: FunctionSpec;

  constructor(spec: FunctionSpec) {
    this.spec = spec;
  }

  get params(): readonly Parameter[] {
    return this.spec.params;
  }
  get varParam(): Parameter | undefined {
    return this.spec.varParam;
  }
  get description(): string | undefined {
    return this.spec.description;
  }

  /** The parameter that argument i binds to, or undefined if there is none. */
  paramFor(i: number): Parameter | undefined {
    return this.spec.params[i] ?? this.spec.varParam;
  }

  /** Return type for arguments of the given types (calls the type function with unknowns). */
  returnType(argTypes: Type[]): Type {
    return this.returnTypeForValues(argTypes.map((t) => Value.unknown(t)));
  }

  /**
   * cty's ReturnTypeForValues: arity check, null check, conformance check,
   * then the spec's type function. Throws FunctionError/ArgError.
   */
  returnTypeForValues(args: Value[]): Type {
    this.checkArity(args.length);
    const nParams = this.spec.params.length;
    const typeArgs = args.slice();
    for (let i = 0; i < args.length; i++) {
      const p = (i < nParams ? this.spec.params[i] : this.spec.varParam) as Parameter;
      let v = args[i] as Value;
      if (!p.allowMarked && v.containsMarked()) {
        v = v.unmarkDeep()[0];
        typeArgs[i] = v;
      }
      if (v.isNull() && !p.allowNull) throw new ArgError(i, "argument must not be null");
      if (v.type.isDynamic()) {
        if (!p.allowDynamicType) return Type.dynamic;
      } else if (!p.type.isDynamic()) {
        const r = convert(v, p.type);
        if ("error" in r) throw new ArgError(i, r.error);
        typeArgs[i] = r.value;
      }
    }
    return this.wrapErrors(() => this.spec.type(typeArgs));
  }

  /**
   * Call the function: converts each argument to its parameter type, then
   * applies cty's rules for null, unknown and marked arguments. Throws
   * FunctionError (or ArgError for a specific argument) on failure.
   */
  call(args: Value[]): Value {
    this.checkArity(args.length);
    const nParams = this.spec.params.length;
    const conv = args.slice();
    for (let i = 0; i < args.length; i++) {
      const p = (i < nParams ? this.spec.params[i] : this.spec.varParam) as Parameter;
      const v = args[i] as Value;
      if (p.type.isDynamic() || v.type.equals(p.type)) continue;
      const r = convert(v, p.type);
      if ("error" in r) throw new ArgError(i, r.error);
      conv[i] = r.value;
    }
    const retType = this.returnTypeForValues(conv);
    let resultMarks: Set<Mark> | undefined;
    for (let i = 0; i < conv.length; i++) {
      const p = (i < nParams ? this.spec.params[i] : this.spec.varParam) as Parameter;
      const v = conv[i] as Value;
      if (!v.isKnown() && !p.allowUnknown) return Value.unknown(retType);
      if (!p.allowMarked && v.containsMarked()) {
        const [u, ms] = v.unmarkDeep();
        conv[i] = u;
        if (!resultMarks) resultMarks = new Set();
        for (const m of ms) resultMarks.add(m);
      }
    }
    const out = this.wrapErrors(() => this.spec.impl(conv, retType));
    return resultMarks ? out.withMarks(resultMarks) : out;
  }

  private checkArity(n: number): void {
    const np = this.spec.params.length;
    if (this.spec.varParam === undefined) {
      if (n !== np) {
        throw new FunctionError(`wrong number of arguments (${np} required; ${n} given)`);
      }
    } else if (n < np) {
      throw new FunctionError(`wrong number of arguments (at least ${np} required; ${n} given)`);
    }
  }

  private wrapErrors<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof FunctionError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new FunctionError(msg, { cause: e });
    }
  }
}
