// What the engine runs: builds described independently of the template
// language they came from. Provisioner and post-processor configurations are
// produced when the build reaches them, because they may use build.* values
// that only exist by then (HCL2 re-evaluates its blocks, JSON templates
// render their {{ build `X` }} fields).

import type { PlainConfig } from "../components/schema.js";

export interface Configured {
  config: PlainConfig;
  /** Problems with the configuration, as lines for the user. */
  errors: string[];
  /** Secret strings the configuration holds. */
  secrets?: string[];
}

export interface ComponentPlan {
  type: string;
  /** The block's `name` ("" when none). */
  name: string;
  /** The configuration, given the build.* values known at this point. */
  configure(generatedData: Record<string, string>): Promise<Configured>;
}

export interface ProvisionerPlan extends ComponentPlan {
  /** Milliseconds. */
  pauseBefore: number;
  maxRetries: number;
  /** Milliseconds; 0 for none. */
  timeout: number;
}

export interface PostProcessorPlan extends ComponentPlan {
  /** The template's keep_input_artifact; undefined when it doesn't say. */
  keepInputArtifact?: boolean;
}

export interface BuildPlan {
  /** `[build.]type.name`: printed, and matched by -only/-except. */
  name: string;
  /** Builder type. */
  type: string;
  sourceName: string;
  buildName: string;
  builderConfig: PlainConfig;
  provisioners: ProvisionerPlan[];
  postProcessors: PostProcessorPlan[][];
  errorCleanupProvisioner?: ProvisionerPlan;
  /** Sensitive values of the template (variables, fields marked sensitive). */
  secrets: string[];
  templateDir: string;
}
