// Files put on an extra CD attached at boot (packer-plugin-sdk's
// commonsteps.CDConfig). Checking that the files exist is the builder's job.

import { type ConfigSchema, field } from "../schema.js";

export const cdConfig: ConfigSchema = {
  fields: {
    cd_files: field.stringList(
      "Files and directories (globs allowed) to put on a CD attached at boot.",
    ),
    cd_content: field.stringMap("Files to write onto the CD: keys are paths, values the contents."),
    cd_label: field.string("Volume label of the CD (e.g. cidata for cloud-init)."),
  },
};
