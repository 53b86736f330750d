// The compress post-processor (Packer core): archives and/or compresses the
// artifact's files into one file.

import { type ComponentSchema, field } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "compress",
  plugin: "builtin",
  config: {
    fields: {
      output: field.string(
        "Archive path; its extensions (.tar.gz, .zip, .lz4, .bgzf, .xz...) choose the format.",
        { default: "packer_{{.BuildName}}_{{.BuilderType}}" },
      ),
      format: field.string("Format to use instead of guessing it from output's extensions."),
      compression_level: field.number("Compression level from 1 to 9; 0 and -1 mean 6.", {
        default: 6,
      }),
    },
    finalize(config) {
      const level = config.compression_level;
      if (typeof level === "number") {
        if (level > 9) config.compression_level = 9;
        else if (level === 0 || level === -1) config.compression_level = 6;
      }
    },
  },
};
