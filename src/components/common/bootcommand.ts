// The keys typed into the machine's console at boot, over VNC
// (packer-plugin-sdk's bootcommand.VNCConfig).

import { type ConfigSchema, field, flag, lengthOf } from "../schema.js";

export const bootCommandConfig: ConfigSchema = {
  fields: {
    boot_keygroup_interval: field.duration(
      "Pause after each group of key presses in boot_command.",
    ),
    boot_wait: field.duration(
      "Wait this long after starting the machine before typing boot_command; a negative value means no wait.",
      { default: "10s" },
    ),
    boot_command: field.stringList(
      "Keys to type when the machine boots, with <special> keys and {{ .HTTPIP }}-style variables.",
    ),
    disable_vnc: field.bool("Do not start VNC (boot_command then cannot be used)."),
    boot_key_interval: field.duration(
      "Pause between key presses (default 100ms, or PACKER_KEY_INTERVAL).",
    ),
  },
  check(config) {
    const n = lengthOf(config, "boot_command");
    if (n !== undefined && n > 0 && flag(config, "disable_vnc")) {
      return ["A boot command cannot be used when vnc is disabled."];
    }
    return [];
  },
};
