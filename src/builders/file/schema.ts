// The file builder: writes one local file from a source file or inline
// content, without any machine (Packer core).

import { type ComponentSchema, field, isUnknown, str } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "builder",
  type: "file",
  plugin: "builtin",
  config: {
    fields: {
      source: field.string("Local file to copy to target; conflicts with content."),
      target: field.string("Path of the file to create.", { required: true }),
      content: field.string("Text to write to target; conflicts with source."),
    },
    check(config) {
      const errs: string[] = [];
      const [source, target, content] = [
        str(config, "source"),
        str(config, "target"),
        str(config, "content"),
      ];
      if (target === "") errs.push("target required");
      if (!isUnknown(source) && !isUnknown(content) && source !== "" && content !== "") {
        errs.push("Cannot specify source file AND content");
      }
      return errs;
    },
    warn(config) {
      if (str(config, "source") === "" && str(config, "content") === "") {
        return ["Both source file and contents are blank; target will have no content"];
      }
      return [];
    },
  },
};
