// The artifice post-processor (Packer core): replaces the artifact with the
// given files.

import { type ComponentSchema, field, lengthOf } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "artifice",
  plugin: "builtin",
  config: {
    fields: {
      files: field.stringList("Files that make up the new artifact.", { required: true }),
    },
    check(config) {
      if (lengthOf(config, "files") === 0) return ["No files specified in artifice configuration"];
      return [];
    },
    singleError: true,
  },
};
