// The docker-tag post-processor (github.com/hashicorp/docker): tags the image
// a docker build or docker-import produced.

import { type ComponentSchema, field } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "docker-tag",
  plugin: "github.com/hashicorp/docker",
  config: {
    fields: {
      docker_path: field.string("Docker executable to run.", { default: "docker" }),
      repository: field.string("Repository to tag the image into."),
      tag: field.stringList("Deprecated: tags to apply (one string also works); use tags.", {
        acceptSingle: true,
      }),
      tags: field.stringList("Tags to apply; without any, the repository alone is tagged."),
      force: field.bool("Force the tag even if it already points at another image.", {
        goName: "Force",
      }),
    },
  },
};
