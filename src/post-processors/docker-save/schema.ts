// The docker-save post-processor (github.com/hashicorp/docker): saves the
// image to a tar file with docker save.

import { type ComponentSchema, field } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "docker-save",
  plugin: "github.com/hashicorp/docker",
  config: {
    fields: {
      path: field.string("Tar file to save the image to."),
    },
  },
};
