// The http data source (Packer core): fetches a URL during the build and
// exposes the response.

import { type ComponentSchema, field, isUnknown, str } from "../../components/schema.js";

export const httpMethods = ["HEAD", "GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

export const schema: ComponentSchema = {
  kind: "datasource",
  type: "http",
  plugin: "builtin",
  config: {
    fields: {
      url: field.string("URL to request; the response must have a 2xx status.", {
        required: true,
      }),
      method: field.string("HTTP method: HEAD, GET, POST, PUT, DELETE, OPTIONS or PATCH.", {
        default: "GET",
      }),
      request_headers: field.stringMap("Extra headers to send with the request."),
      request_body: field.string("Body to send with the request."),
    },
    check(config) {
      const errs: string[] = [];
      if (str(config, "url") === "") errs.push("the `url` must be specified");
      const method = str(config, "method");
      if (!isUnknown(method) && !httpMethods.includes(method)) {
        errs.push(`the \`method\` must be one of [${httpMethods.join(" ")}]`);
      }
      return errs;
    },
  },
  output: {
    fields: {
      url: field.string("The URL that was requested."),
      body: field.string("The body of the response."),
      request_headers: field.stringMap(
        "The response's headers (Packer's name), repeated ones joined with \", \".",
      ),
    },
  },
};
