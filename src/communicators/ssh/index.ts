// The SSH communicator (see communicator.ts) and what builders use with it.

export {
  CMD_DISCONNECT,
  SSHCancelledError,
  SSHCommunicator,
  SSHDisconnectedError,
  shellQuote,
} from "./communicator.js";
export {
  durationMs,
  expandUser,
  parseTunnel,
  type SSHSettings,
  sshSettings,
  type TunnelSpec,
} from "./config.js";
export {
  type LoginAuth,
  loginAuth,
  type OpenConnection,
  openConnection,
  SSHConnectError,
  SSHWaitError,
  waitForSSH,
} from "./connect.js";
export { clearAuthorizedKey, generateTemporaryKeyPair, type TemporaryKeyPair } from "./keys.js";
export { socksConnect } from "./socks.js";
