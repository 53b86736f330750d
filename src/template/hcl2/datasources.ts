// Data sources: decoding a `data` block against its type's schema, then
// either running it (build, or validate -evaluate-datasources) or standing in
// an unknown value of its output type (validate's default, as in Packer).

import { decodeHCLConfig } from "../../components/decode-hcl.js";
import { loadSchema, unknownComponentDiagnostic } from "../../components/registry.js";
import type { ConfigSchema } from "../../components/schema.js";
import { Type } from "../../hcl/cty/type.js";
import { Value } from "../../hcl/cty/value.js";
import { type Diagnostic, errorDiag, hasErrors } from "../../hcl/diagnostic.js";
import { expandDynamicBlocks } from "./dynamic.js";
import type { EvaluateOptions } from "./evaluate.js";
import { evalContext } from "./evaluate.js";
import { type Plain, plainToValue } from "./plain.js";
import type { HCL2Config } from "./types.js";

/** The cty object type a data source's output schema describes. */
export function outputType(schema: ConfigSchema): Type {
  const attrs: Record<string, Type> = {};
  for (const [name, f] of Object.entries(schema.fields)) attrs[name] = f.type;
  return Type.object(attrs);
}

export async function evaluateDatasource(
  cfg: HCL2Config,
  key: string,
  opts: EvaluateOptions,
): Promise<Diagnostic[]> {
  const ds = cfg.datasources.get(key)!;
  const schema = await loadSchema("datasource", ds.type);
  if (!schema) {
    if (opts.skipDatasourcesExecution && opts.unknownDatasourcesAsUnknown) {
      ds.value = Value.dynamic;
      return [];
    }
    return [unknownComponentDiagnostic("datasource", ds.type, ds.block.typeRange)];
  }
  const ctx = evalContext(cfg);
  const body = expandDynamicBlocks(ds.block.body, ctx);
  const decoded = decodeHCLConfig(body, schema.config, ctx, ds.block.defRange);
  if (hasErrors(decoded.diags)) return decoded.diags;
  const outType = outputType(schema.output ?? { fields: {} });
  if (opts.skipDatasourcesExecution) {
    ds.value = Value.unknown(outType);
    return decoded.diags;
  }
  try {
    const mod = (await import(`../../datasources/${ds.type}/index.js`)) as {
      execute(config: Record<string, Plain>, signal?: AbortSignal): Promise<Record<string, Plain>>;
    };
    const out = await mod.execute(decoded.config as Record<string, Plain>, opts.signal);
    ds.value = plainToValue(out, outType);
  } catch (err) {
    return [...decoded.diags, errorDiag((err as Error).message, undefined, ds.block.defRange)];
  }
  return decoded.diags;
}
