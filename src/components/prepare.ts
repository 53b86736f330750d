// What both decoders do once values are decoded: Packer's Prepare-time
// derivations, the static defaults, then the side-effect-free checks and
// warnings a component declares.

import { parseGoDuration } from "../hcl/functions/datetime-go.js";
import type { ConfigSchema, PlainConfig, PlainValue } from "./schema.js";
import { UNKNOWN } from "./schema.js";

export function clonePlain<T extends PlainValue>(v: T): T {
  return (v === null || typeof v !== "object" ? v : structuredClone(v)) as T;
}

/** Fill absent options from the schema's derivations, then from its static defaults. */
export function applyDefaults(
  schema: ConfigSchema,
  config: PlainConfig,
  given: ReadonlySet<string>,
): void {
  schema.finalize?.(config, given);
  for (const [name, f] of Object.entries(schema.fields)) {
    if (config[name] === undefined && f.default !== undefined) config[name] = clonePlain(f.default);
  }
}

/** Run the schema's checks and warnings on a decoded, defaulted configuration. */
export function runChecks(
  schema: ConfigSchema,
  config: PlainConfig,
  given: ReadonlySet<string>,
): { errors: string[]; warnings: string[] } {
  return {
    errors: schema.check?.(config, given) ?? [],
    warnings: schema.warn?.(config, given) ?? [],
  };
}

/** Why a duration option does not parse, as Go's time.ParseDuration says it; undefined if it does. */
export function durationError(v: PlainValue | undefined): string | undefined {
  if (typeof v !== "string" || v === UNKNOWN) return undefined;
  try {
    parseGoDuration(v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Go's time.Duration.String() for a count of nanoseconds: "1h2m3.5s", "300ms", "0s". */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Sub-second: the largest unit that keeps an integer part.
    const [unit, scale] =
      u < 1000n ? ["ns", 1n] : u < 1_000_000n ? ["µs", 1000n] : ["ms", 1_000_000n];
    out = fraction(u, scale) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u %= 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u %= 60_000_000_000n;
    out = `${fraction(u, 1_000_000_000n)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fraction(v: bigint, scale: bigint): string {
  const whole = v / scale;
  let frac = (v % scale).toString().padStart(scale.toString().length - 1, "0");
  frac = frac.replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}
