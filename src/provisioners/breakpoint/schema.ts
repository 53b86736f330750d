// The breakpoint provisioner (Packer core): pauses the build until the user
// presses enter.

import { type ComponentSchema, field } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "provisioner",
  type: "breakpoint",
  plugin: "builtin",
  config: {
    fields: {
      note: field.string("Text shown while paused."),
      disable: field.bool("Skip the pause."),
    },
  },
};
