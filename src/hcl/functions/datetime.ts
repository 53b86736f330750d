// Date and time functions: formatdate, timeadd, timestamp, legacy_isotime,
// legacy_strftime.

import { ArgError, FunctionError, FunctionImpl, staticReturnType } from "../cty/function.js";
import { Type } from "../cty/type.js";
import { Value } from "../cty/value.js";
import {
  addDuration,
  DateTimeError,
  formatDateSpec,
  formatGoLayout,
  formatRFC3339,
  type GoTime,
  goTimeFromDate,
  parseGoDuration,
  parseRFC3339,
  RFC3339_LAYOUT,
  strftime,
} from "./datetime-go.js";

/**
 * The time the functions module was loaded. Packer evaluates legacy_isotime
 * and legacy_strftime against one fixed "initialization" time so that all
 * uses within one build agree; we do the same.
 */
const initTime: GoTime = goTimeFromDate(new Date());

/** Rethrow a DateTimeError as the cty function error it stands for. */
function rethrow(e: unknown, defaultArg?: number): never {
  if (e instanceof DateTimeError) {
    const arg = e.arg ?? defaultArg;
    if (arg !== undefined) throw new ArgError(arg, e.message);
    throw new FunctionError(e.message);
  }
  throw e;
}

/** Go's %v rendering of a []cty.Value of strings, for the "too many values" error. */
function goValueList(args: Value[]): string {
  return `[${args.map((a) => `cty.StringVal(${JSON.stringify(a.asString())})`).join(" ")}]`;
}

const formatdate = new FunctionImpl({
  description: "Converts a timestamp into a different time format.",
  params: [
    { name: "format", type: Type.string },
    { name: "time", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    let t: GoTime;
    try {
      t = parseRFC3339((args[1] as Value).asString());
    } catch (e) {
      rethrow(e, 1);
    }
    try {
      return Value.string(formatDateSpec((args[0] as Value).asString(), t));
    } catch (e) {
      rethrow(e, 0);
    }
  },
});

const timeadd = new FunctionImpl({
  description: "Adds a duration to a timestamp, returning a new timestamp.",
  params: [
    { name: "timestamp", type: Type.string },
    { name: "duration", type: Type.string },
  ],
  type: staticReturnType(Type.string),
  impl: (args) => {
    try {
      const t = parseRFC3339((args[0] as Value).asString());
      const d = parseGoDuration((args[1] as Value).asString());
      return Value.string(formatRFC3339(addDuration(t, d)));
    } catch (e) {
      rethrow(e);
    }
  },
});

const timestamp = new FunctionImpl({
  description: "Returns the current date and time as an RFC 3339 UTC timestamp.",
  params: [],
  type: staticReturnType(Type.string),
  impl: () => Value.string(formatRFC3339(goTimeFromDate(new Date()))),
});

const legacyIsotime = new FunctionImpl({
  description: "Formats the build's start time with a Go reference-time layout.",
  params: [],
  varParam: { name: "format", type: Type.string },
  type: staticReturnType(Type.string),
  impl: (args) => {
    if (args.length > 1) {
      throw new FunctionError(`too many values, 1 needed: ${goValueList(args)}`);
    }
    const layout = args.length === 0 ? RFC3339_LAYOUT : (args[0] as Value).asString();
    return Value.string(formatGoLayout(initTime, layout));
  },
});

const legacyStrftime = new FunctionImpl({
  description: "Formats the build's start time with C strftime directives.",
  params: [],
  varParam: { name: "format", type: Type.string },
  type: staticReturnType(Type.string),
  impl: (args) => {
    if (args.length > 1) {
      throw new FunctionError(`too many values, 1 needed: ${goValueList(args)}`);
    }
    if (args.length === 0) return Value.string(formatRFC3339(initTime));
    return Value.string(strftime((args[0] as Value).asString(), initTime));
  },
});

export const datetimeFunctions: Record<string, FunctionImpl> = {
  formatdate,
  legacy_isotime: legacyIsotime,
  legacy_strftime: legacyStrftime,
  timeadd,
  timestamp,
};

/** The fixed time legacy_isotime/legacy_strftime format (exposed for tests). */
export function legacyInitTime(): GoTime {
  return { ...initTime };
}
