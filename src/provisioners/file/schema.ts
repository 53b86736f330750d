// The file provisioner (Packer core): uploads files or inline content to the
// machine, or downloads files from it.

import { type ComponentSchema, field, isUnknown, lengthOf, str } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "provisioner",
  type: "file",
  plugin: "builtin",
  config: {
    fields: {
      content: field.string("Text to write to destination; conflicts with source and sources."),
      source: field.string(
        "Local file or directory to upload (a trailing slash uploads a directory's contents).",
      ),
      sources: field.stringList("Several local files to upload to the destination directory."),
      destination: field.string(
        "Path on the machine to upload to (or local path to download to).",
        {
          required: true,
        },
      ),
      direction: field.string("upload or download.", { default: "upload" }),
      generated: field.bool(
        "The source files are created during the build: check that they exist only when uploading.",
      ),
    },
    check(config) {
      const errs: string[] = [];
      const direction = str(config, "direction");
      if (!isUnknown(direction) && direction !== "download" && direction !== "upload") {
        errs.push("Direction must be one of: download, upload.");
      }
      const sources = lengthOf(config, "sources");
      const source = str(config, "source");
      const content = str(config, "content");
      const known = sources !== undefined && !isUnknown(source) && !isUnknown(content);
      if (known && sources + (source !== "" ? 1 : 0) > 0 && content !== "") {
        errs.push("source(s) conflicts with content.");
      }
      if (str(config, "destination") === "") errs.push("Destination must be specified.");
      return errs;
    },
  },
};
