// Packer's legacy JSON templates: the model, loading and the Go-template
// interpolation language they use.

export * from "./interpolate/index.js";
export {
  type JNode,
  type JObject,
  type JProp,
  type JSONSyntaxError,
  type JSONValue,
  parseJSONDocument,
  toPlain,
} from "./json.js";
export {
  interpolateConfig,
  type LoadLegacyOptions,
  type LoadLegacyResult,
  legacyCoreContext,
  loadLegacyTemplate,
  loadLegacyVarFile,
  mergeLegacyVariables,
  renderLegacyVariables,
} from "./load.js";
export {
  checkMinVersion,
  checkRequiredVariables,
  type LegacyBuilder,
  type LegacyPostProcessor,
  type LegacyProvisioner,
  type LegacyTemplate,
  type LegacyVariable,
  type OnlyExcept,
  type ParseLegacyResult,
  parseLegacyTemplate,
  validateLegacyStructure,
} from "./template.js";
export { compareGoVersions, formatGoVersion, parseGoVersion } from "./version.js";
