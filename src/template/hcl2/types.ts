// The HCL2 template model: what kiln makes of a folder (or file) of
// .pkr.hcl / .pkr.json files, before and after evaluation. Parsing fills the
// declarations; initialize.ts gives variables, locals and data sources their
// values; builds.ts turns build blocks into concrete builds.

import type { Type } from "../../hcl/cty/type.js";
import type { Value } from "../../hcl/cty/value.js";
import type { Diagnostic } from "../../hcl/diagnostic.js";
import type { Range } from "../../hcl/pos.js";
import type { Block, Body, Expression } from "../../hcl/structure.js";
import type { TypeDefaults } from "../../hcl/typeexpr.js";

/** The mark kiln puts on values that come from sensitive variables and locals. */
export const SENSITIVE = "sensitive";

export interface VersionConstraintDecl {
  text: string;
  range: Range;
}

export interface RequiredPlugin {
  /** The local name (the attribute key inside required_plugins). */
  name: string;
  source: string;
  version: string;
  range: Range;
}

export interface PackerBlock {
  requiredVersions: VersionConstraintDecl[];
  requiredPlugins: RequiredPlugin[];
}

export interface VariableValidation {
  condition: Expression;
  errorMessage: Expression;
  range: Range;
}

/** Where a variable's current value came from, as Packer names it. */
export type ValueSource = "default" | "env" | "varfile" | "cli";

export interface InputVariable {
  name: string;
  /** The declared type constraint (dynamic when none). */
  type: Type;
  typeDefaults?: TypeDefaults;
  description: string;
  sensitive: boolean;
  nullable: boolean;
  /** The default, converted to the type; undefined when the variable has none. */
  defaultValue?: Value;
  /** The default's expression, where a failing validation rule points. */
  defaultRange?: Range;
  validations: VariableValidation[];
  declRange: Range;
  /** The value in force after all sources were applied. */
  value?: Value;
  valueSource?: ValueSource;
  /** The expression or declaration the value came from, for diagnostics. */
  valueRange?: Range;
}

export interface LocalDecl {
  name: string;
  expr: Expression;
  sensitive: boolean;
  declRange: Range;
}

export interface DatasourceDecl {
  type: string;
  name: string;
  block: Block;
  /** Output object once evaluated (unknown when execution was skipped). */
  value?: Value;
}

export interface SourceDecl {
  type: string;
  name: string;
  block: Block;
}

/** A source as a build block uses it: by reference, maybe renamed, maybe with extra attributes. */
export interface SourceUse {
  type: string;
  /** The name of the top-level source block it refers to. */
  sourceName: string;
  /** The name this build knows it by (`name = "..."` inside a build's source block). */
  localName?: string;
  /** Attributes a build-level `source` block adds or overrides. */
  body?: Body;
  range: Range;
}

export interface OnlyExcept {
  only: string[];
  except: string[];
}

export interface ProvisionerDecl extends OnlyExcept {
  type: string;
  name: string;
  /** Milliseconds. */
  pauseBefore: number;
  maxRetries: number;
  /** Milliseconds. */
  timeout: number;
  /** Per-source configuration overrides, keyed by source name. */
  override?: Value;
  /** The body without the common arguments above: the provisioner's own configuration. */
  body: Body;
  block: Block;
}

export interface PostProcessorDecl extends OnlyExcept {
  type: string;
  name: string;
  keepInputArtifact?: boolean;
  body: Body;
  block: Block;
}

/** A build's `hcp_packer_registry` settings, as Packer reads them. */
export interface HCPPackerRegistryDecl {
  bucketName: string;
  description: string;
  bucketLabels: Record<string, string>;
  buildLabels: Record<string, string>;
  range: Range;
}

export interface BuildDecl {
  name: string;
  description: string;
  sources: SourceUse[];
  provisioners: ProvisionerDecl[];
  postProcessorLists: PostProcessorDecl[][];
  errorCleanupProvisioner?: ProvisionerDecl;
  hcpPackerRegistry?: Block;
  /** The hcp_packer_registry block's settings, once checked. */
  hcpRegistry?: HCPPackerRegistryDecl;
  range: Range;
}

/** A loaded HCL2 template: declarations, and after initialize(), values. */
export interface HCL2Config {
  /** The folder the template is in, absolute (what file functions resolve against). */
  basedir: string;
  /** path.root as Packer gives it: the template folder as the user wrote it (relative if they did). */
  pathRoot?: string;
  /** Where kiln was called from (path.cwd). */
  cwd: string;
  /** Source bytes of every file read, for rendering diagnostics. */
  files: Map<string, Buffer>;
  packer: PackerBlock;
  variables: Map<string, InputVariable>;
  locals: Map<string, LocalDecl>;
  localValues: Map<string, Value>;
  datasources: Map<string, DatasourceDecl>;
  sources: Map<string, SourceDecl>;
  /** Build blocks as parsed; decoded into `builds` once values are known. */
  buildBlocks: Block[];
  builds: BuildDecl[];
  /** The Packer version `packer.version` reports. */
  packerVersion: string;
  env: NodeJS.ProcessEnv;
}

export interface Loaded<T> {
  value: T;
  diags: Diagnostic[];
}
