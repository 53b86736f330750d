// The shell-local post-processor (Packer core): runs commands or scripts on
// the machine running kiln after a build, with the artifact's details in its
// environment. Same options as the shell-local provisioner.

import type { ComponentSchema } from "../../components/schema.js";
import { shellLocalConfig } from "../../provisioners/shell-local/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "shell-local",
  plugin: "builtin",
  config: shellLocalConfig,
};
