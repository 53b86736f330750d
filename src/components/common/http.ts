// The HTTP server a builder starts to serve files to the machine it boots
// (packer-plugin-sdk's commonsteps.HTTPConfig).

import {
  type ConfigSchema,
  field,
  isSet,
  isUnknown,
  lengthOf,
  num,
  type PlainConfig,
  str,
} from "../schema.js";

const protocols = ["tcp", "tcp4", "tcp6", "unix", "unixpacket"];

export const httpConfig: ConfigSchema = {
  fields: {
    http_directory: field.string(
      "Directory to serve over HTTP to the machine; unset starts no server unless http_content is set.",
    ),
    http_content: field.stringMap(
      'Files to serve over HTTP: keys are paths starting with "/", values the contents.',
    ),
    http_port_min: field.number("Lowest port the HTTP server may listen on.", { default: 8000 }),
    http_port_max: field.number("Highest port the HTTP server may listen on.", { default: 9000 }),
    http_bind_address: field.string("Address the HTTP server binds to (default 0.0.0.0)."),
    http_interface: field.string(
      "Network interface whose address the HTTP server binds to, instead of http_bind_address.",
    ),
    http_network_protocol: field.string(
      "Network protocol of the HTTP server: tcp, tcp4, tcp6, unix or unixpacket.",
      { default: "tcp" },
    ),
    http_callback_address: field.string(
      "Address the machine should use to reach the HTTP server, when it differs from the bound one.",
    ),
  },
  finalize(config) {
    // The bind address defaults only after the interface conflict is checked.
    if (config.http_bind_address === undefined && config.http_interface === undefined) {
      config.http_bind_address = "0.0.0.0";
    }
  },
  check: checkHTTP,
};

/** The errors of commonsteps.HTTPConfig.Prepare, in its order. */
export function checkHTTP(config: PlainConfig): string[] {
  const errs: string[] = [];
  if (isSet(config, "http_interface") && isSet(config, "http_bind_address")) {
    errs.push("either http_interface or http_bind_address can be specified");
  }
  if (
    !isUnknown(config.http_port_min) &&
    !isUnknown(config.http_port_max) &&
    num(config, "http_port_min") > num(config, "http_port_max")
  ) {
    errs.push("http_port_min must be less than http_port_max");
  }
  const content = lengthOf(config, "http_content");
  const dir = lengthOf(config, "http_directory");
  if (content !== undefined && dir !== undefined && content > 0 && dir > 0) {
    errs.push(
      "http_content cannot be used in conjunction with http_dir. Consider using the file function to load file in memory and serve them with http_content: https://www.packer.io/docs/templates/hcl_templates/functions/file/file",
    );
  }
  const protocol = str(config, "http_network_protocol") || "tcp";
  if (!isUnknown(protocol) && !protocols.includes(protocol)) {
    errs.push(`http_network_protocol is invalid. Must be one of: [${protocols.join(" ")}]`);
  }
  return errs;
}
