// How a builder shuts its machine down (packer-plugin-sdk's
// shutdowncommand.ShutdownConfig).

import { type ConfigSchema, field } from "../schema.js";

export const shutdownConfig: ConfigSchema = {
  fields: {
    shutdown_command: field.string(
      "Command run on the machine to shut it down; unset stops the machine without one.",
    ),
    shutdown_timeout: field.duration(
      "How long to wait for the machine to stop after shutdown_command.",
      { default: "5m" },
    ),
  },
};
