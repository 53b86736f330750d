// Files put on a floppy disk attached at boot (packer-plugin-sdk's
// commonsteps.FloppyConfig). Checking that the files exist is the builder's
// job: it touches the file system.

import { type ConfigSchema, field } from "../schema.js";

export const floppyConfig: ConfigSchema = {
  fields: {
    floppy_files: field.stringList(
      "Files (globs and directories allowed) to put at the root of a floppy attached at boot.",
    ),
    floppy_dirs: field.stringList(
      "Directories to copy onto the floppy recursively, keeping their structure.",
    ),
    floppy_content: field.stringMap(
      "Files to write onto the floppy: keys are paths, values the contents.",
    ),
    floppy_label: field.string("Volume label of the floppy."),
  },
};
