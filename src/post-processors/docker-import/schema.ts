// The docker-import post-processor (github.com/hashicorp/docker): imports an
// exported container filesystem as an image.

import { type ComponentSchema, field } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "docker-import",
  plugin: "github.com/hashicorp/docker",
  config: {
    fields: {
      repository: field.string("Repository of the imported image."),
      tag: field.string("Tag of the imported image."),
      changes: field.stringList("Dockerfile instructions to apply while importing."),
      platform: field.string('Platform of the imported image, e.g. "linux/arm64".'),
    },
  },
};
