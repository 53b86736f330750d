// The null data source (Packer core): returns its input as its output.

import { type ComponentSchema, field, str } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "datasource",
  type: "null",
  plugin: "builtin",
  config: {
    fields: {
      input: field.string("Any string; it comes back as output.", { required: true }),
    },
    check(config) {
      return str(config, "input") === "" ? ["The `input` must be specified"] : [];
    },
  },
  output: {
    fields: {
      output: field.string("The input, unchanged."),
    },
  },
};
