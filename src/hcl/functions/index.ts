import type { FunctionImpl } from "../cty/function.js";
import { collectionFunctions } from "./collection.js";
import { conversionFunctions } from "./conversion.js";
import { cryptoFunctions } from "./crypto.js";
import { datetimeFunctions } from "./datetime.js";
import { encodingFunctions } from "./encoding.js";
import { expressionFunctions } from "./expression.js";
import { filesystemFunctions } from "./filesystem.js";
import { ipnetFunctions } from "./ipnet.js";
import { numericFunctions } from "./numeric.js";
import { stringFunctions } from "./string.js";

// The function table templates see: every function current Packer documents.
// Filesystem functions resolve relative paths against `baseDir`.
export function standardFunctions(baseDir: string): Record<string, FunctionImpl> {
  const table: Record<string, FunctionImpl> = {
    ...numericFunctions,
    ...stringFunctions,
    ...collectionFunctions,
    ...encodingFunctions,
    ...filesystemFunctions(baseDir),
    ...datetimeFunctions,
    ...cryptoFunctions,
    ...ipnetFunctions,
    ...conversionFunctions,
  };
  Object.assign(
    table,
    expressionFunctions(baseDir, () => table),
  );
  return table;
}
