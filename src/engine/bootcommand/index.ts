// boot_command: Packer's key syntax, the key codes of each transport, a VNC
// client, and the typing loop that drives any KeyDriver (VNC here, QMP in
// the qemu builder).

export { desEncryptBlock, vncAuthResponse } from "./des.js";
export { isControlChar, keyLabel, keysym, needsShift, qcode } from "./keys.js";
export {
  type BootAction,
  checkBootCommand,
  describeAction,
  type Key,
  type KeyAction,
  type ParsedBootCommand,
  parseBootCommand,
  SPECIAL_KEYS,
  type SpecialKeyName,
} from "./parse.js";
export {
  DEFAULT_KEY_INTERVAL_MS,
  type KeyDriver,
  type KeyEvent,
  keyEvents,
  keyIntervalMs,
  sleep,
  type TypeBootCommandOptions,
  typeBootCommand,
} from "./type.js";
export { connectVNC, type RFBVersion, VNCClient, type VNCConnectOptions } from "./vnc.js";
