// Giving a parsed template its values: the evaluation contexts Packer offers
// each kind of block, and the evaluation of locals and data sources in
// dependency order (either may use the other), with a diagnostic that names
// the cycle when there is no order.

import type { FunctionImpl } from "../../hcl/cty/function.js";
import { Type } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import { standardFunctions } from "../../hcl/functions/index.js";
import type { Range } from "../../hcl/pos.js";
import type { EvalContext, Expression, Traversal } from "../../hcl/structure.js";
import { evaluateDatasource } from "./datasources.js";
import { bodyExpressions, envFunction } from "./parse.js";
import { type HCL2Config, SENSITIVE } from "./types.js";
import { variableValue } from "./values.js";

/** The keys of `build.*` that builders make known while they run; unknown until then. */
export const BUILD_DATA_KEYS = [
  "ID",
  "PackerRunUUID",
  "PackerHTTPIP",
  "PackerHTTPPort",
  "PackerHTTPAddr",
  "ConnType",
  "Host",
  "Port",
  "User",
  "Password",
  "SSHPublicKey",
  "SSHPrivateKey",
  "WinRMPassword",
] as const;

const functionCache = new WeakMap<HCL2Config, Record<string, FunctionImpl>>();

export function templateFunctions(cfg: HCL2Config): Record<string, FunctionImpl> {
  let f = functionCache.get(cfg);
  if (!f) {
    f = { ...standardFunctions(cfg.basedir), env: envFunction(cfg.env) };
    functionCache.set(cfg, f);
  }
  return f;
}

function objectOf(entries: Iterable<[string, Value]>): Value {
  const rec: Record<string, Value> = {};
  for (const [k, v] of entries) rec[k] = v;
  return Value.object(rec);
}

export function dataValues(cfg: HCL2Config): Value {
  const byType = new Map<string, Map<string, Value>>();
  for (const ds of cfg.datasources.values()) {
    if (!ds.value) continue;
    let m = byType.get(ds.type);
    if (!m) byType.set(ds.type, (m = new Map()));
    m.set(ds.name, ds.value);
  }
  return objectOf([...byType].map(([t, m]) => [t, objectOf(m)] as [string, Value]));
}

export interface ContextExtras {
  source?: { type: string; name: string };
  /** Values of `build.*`; unknown unless a build is running. */
  build?: Record<string, Value>;
}

/** The context every template expression sees: var, local, data, path, packer, source, build and the functions. */
export function evalContext(cfg: HCL2Config, extras: ContextExtras = {}): EvalContext {
  const vars = [...cfg.variables.values()].map(
    (v) => [v.name, variableValue(v)] as [string, Value],
  );
  const locals = [...cfg.localValues];
  const variables: Record<string, Value> = {
    var: objectOf(vars),
    local: objectOf(locals),
    data: dataValues(cfg),
    path: Value.object({
      cwd: Value.string(cfg.cwd.replaceAll("\\", "/")),
      root: Value.string((cfg.pathRoot ?? cfg.basedir).replaceAll("\\", "/")),
    }),
    packer: Value.object({ version: Value.string(cfg.packerVersion) }),
    source: extras.source
      ? Value.object({
          type: Value.string(extras.source.type),
          name: Value.string(extras.source.name),
        })
      : Value.object({ type: Value.unknown(Type.string), name: Value.unknown(Type.string) }),
    build: extras.build ? Value.object(extras.build) : Value.unknown(Type.emptyObject),
  };
  return { variables, functions: templateFunctions(cfg) };
}

/** `build.*` as provisioners see it before the build runs: every key present, each value unknown. */
export function unknownBuildData(
  buildName: string,
  sourceType: string,
  builderKeys: readonly string[] = [],
): Record<string, Value> {
  const rec: Record<string, Value> = {};
  for (const k of [...BUILD_DATA_KEYS, ...builderKeys]) rec[k] = Value.unknown(Type.string);
  rec.name = Value.string(buildName);
  // What {{build_type}} was in JSON templates; hcl2_upgrade writes it as build.type.
  rec.type = Value.string(sourceType);
  return rec;
}

// ------------------------------------------------------ locals and data

interface Node {
  key: string;
  kind: "local" | "data";
  range: Range;
  deps: Set<string>;
}

function references(exprs: Expression[]): Set<string> {
  const out = new Set<string>();
  for (const e of exprs) {
    for (const t of e.variables()) {
      const k = referenceKey(t);
      if (k) out.add(k);
    }
  }
  return out;
}

function referenceKey(t: Traversal): string | undefined {
  const [root, a, b] = t;
  if (root?.kind !== "root") return undefined;
  if (root.name === "local" && a?.kind === "attr") return `local.${a.name}`;
  if (root.name === "data" && a?.kind === "attr" && b?.kind === "attr") {
    return `data.${a.name}.${b.name}`;
  }
  return undefined;
}

export interface EvaluateOptions {
  /** Packer's default for validate: data sources are not executed, their outputs unknown. */
  skipDatasourcesExecution: boolean;
  /**
   * With execution skipped, a data source of a type kiln lacks is an unknown
   * value instead of an error (inspect and console need no plugin).
   */
  unknownDatasourcesAsUnknown?: boolean;
  signal?: AbortSignal;
}

/** Evaluates every local and data source in dependency order. */
export async function evaluateLocalsAndData(
  cfg: HCL2Config,
  opts: EvaluateOptions,
): Promise<Diagnostic[]> {
  const diags: Diagnostic[] = [];
  const nodes = new Map<string, Node>();
  for (const l of cfg.locals.values()) {
    nodes.set(`local.${l.name}`, {
      key: `local.${l.name}`,
      kind: "local",
      range: l.declRange,
      deps: references([l.expr]),
    });
  }
  for (const [k, ds] of cfg.datasources) {
    nodes.set(`data.${k}`, {
      key: `data.${k}`,
      kind: "data",
      range: ds.block.defRange,
      deps: references(bodyExpressions(ds.block.body)),
    });
  }
  const { order, cyclic } = topologicalOrder(nodes, diags);
  const failed = new Set<string>(cyclic);
  for (const key of order) {
    const node = nodes.get(key)!;
    if (failed.has(key) || [...node.deps].some((d) => failed.has(d))) {
      failed.add(key);
      continue;
    }
    const more =
      node.kind === "local"
        ? evaluateLocal(cfg, key.slice("local.".length))
        : await evaluateDatasource(cfg, key.slice("data.".length), opts);
    diags.push(...more);
    if (hasErrors(more)) failed.add(key);
  }
  return diags;
}

function evaluateLocal(cfg: HCL2Config, name: string): Diagnostic[] {
  const decl = cfg.locals.get(name)!;
  const r = decl.expr.value(evalContext(cfg));
  if (hasErrors(r.diags)) return r.diags;
  cfg.localValues.set(name, decl.sensitive ? r.value.mark(SENSITIVE) : r.value);
  return r.diags;
}

/**
 * Orders nodes so each comes after what it uses (references to things that
 * don't exist are left to evaluation to report). Nodes on a cycle are
 * returned as `cyclic`, with one diagnostic per cycle naming it.
 */
function topologicalOrder(
  nodes: Map<string, Node>,
  diags: Diagnostic[],
): { order: string[]; cyclic: Set<string> } {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const onCycle = new Set<string>();
  const stack: string[] = [];
  const visit = (key: string): void => {
    const s = state.get(key);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = stack.slice(stack.indexOf(key));
      if (!cycle.some((k) => onCycle.has(k))) {
        for (const k of cycle) onCycle.add(k);
        const path = [...cycle, key].join(" -> ");
        diags.push(
          errorDiag(
            "Cycle between locals and data sources",
            `These refer to each other, so none of them can be evaluated first: ${path}.`,
            nodes.get(key)!.range,
          ),
        );
      }
      return;
    }
    state.set(key, "visiting");
    stack.push(key);
    for (const d of [...nodes.get(key)!.deps].sort()) {
      if (nodes.has(d)) visit(d);
    }
    stack.pop();
    state.set(key, "done");
    order.push(key);
  };
  for (const key of nodes.keys()) visit(key);
  return { order, cyclic: onCycle };
}
