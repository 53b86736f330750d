// The docker-push post-processor (github.com/hashicorp/docker): pushes a
// tagged or imported image to its registry.

import { type ComponentSchema, field, flag, str } from "../../components/schema.js";

export const schema: ComponentSchema = {
  kind: "post-processor",
  type: "docker-push",
  plugin: "github.com/hashicorp/docker",
  config: {
    fields: {
      login: field.bool("Log in to the registry before pushing.", { goName: "Login" }),
      login_username: field.string("User for the registry login."),
      login_password: field.string("Password for the registry login.", { sensitive: true }),
      login_server: field.string("Registry server to log in to."),
      ecr_login: field.bool("Log in to Amazon ECR (login_server required) before pushing."),
      aws_access_key: field.string("AWS access key for the ECR login.", { sensitive: true }),
      aws_secret_key: field.string("AWS secret key for the ECR login.", { sensitive: true }),
      aws_token: field.string("AWS session token for the ECR login.", { sensitive: true }),
      aws_profile: field.string("AWS shared-credentials profile for the ECR login."),
      aws_force_use_public_ecr: field.bool("Log in to the public ECR gallery."),
    },
    check(config) {
      if (flag(config, "ecr_login") && str(config, "login_server") === "") {
        return ["ECR login requires login server to be provided."];
      }
      return [];
    },
    singleError: true,
  },
};
