// The manifest post-processor (Packer core): records each build's artifacts
// in a JSON file.

import { type ComponentSchema, field } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "manifest",
  plugin: "builtin",
  config: {
    fields: {
      output: field.string("File the manifest is written to.", {
        default: "packer-manifest.json",
      }),
      strip_path: field.bool("Record artifact file names without their directories."),
      strip_time: field.bool("Leave out each build's build_time."),
      custom_data: field.stringMap(
        "Extra data recorded with each build (template strings allowed).",
      ),
    },
    singleError: true,
  },
};
