// Packer's HCL2 templates: parsing, values, builds.

export * from "./builds.js";
export { BUILD_DATA_KEYS, evalContext, unknownBuildData } from "./evaluate.js";
export * from "./load.js";
export { isHCL2Path, templateFiles } from "./parse.js";
export * from "./types.js";
export type { VarArg } from "./values.js";
