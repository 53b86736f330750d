// The SSH communicator's settings, read once from a builder's decoded
// configuration (Packer's communicator.Config, SSH part) into plain typed
// values: durations in milliseconds, paths with `~` expanded, tunnels parsed.

import { homedir } from "node:os";
import { flag, list, num, type PlainConfig, str } from "../../components/schema.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";

export type FileTransferMethod = "scp" | "sftp";

export interface TunnelSpec {
  /** "local": listen here, connect from the machine; "remote": listen there, connect from here. */
  direction: "local" | "remote";
  listenHost: string;
  listenPort: number;
  forwardHost: string;
  forwardPort: number;
}

export interface BastionSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  privateKeyFile: string;
  /** Path of a user certificate for the private key (already expanded), "" when none. */
  certificateFile: string;
  agentAuth: boolean;
}

export interface ProxySettings {
  host: string;
  port: number;
  username: string;
  password: string;
}

export interface SSHSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Path of the private key (already expanded), "" when none. */
  privateKeyFile: string;
  /** A private key held in memory (the temporary key pair), used when no file is given. */
  privateKey?: string;
  certificateFile: string;
  agentAuth: boolean;
  /** 0 waits forever. */
  timeoutMs: number;
  /** Authentication failures tolerated while waiting; 0 means no limit. */
  handshakeAttempts: number;
  pty: boolean;
  /** 0 or less disables keep-alives. */
  keepAliveIntervalMs: number;
  /** 0 means no limit. */
  readWriteTimeoutMs: number;
  fileTransferMethod: FileTransferMethod;
  bastion?: BastionSettings;
  proxy?: ProxySettings;
  clearAuthorizedKeys: boolean;
  tunnels: TunnelSpec[];
  pauseBeforeConnectingMs: number;
  disableAgentForwarding: boolean;
}

/** A Go duration option in milliseconds (0 when unset or empty). */
export function durationMs(config: PlainConfig, key: string): number {
  const text = str(config, key);
  if (text === "") return 0;
  return Number(parseGoDuration(text) / 1_000_000n);
}

/** `~` and `~/...` expand to the home directory, as Packer's pathing.ExpandUser does. */
export function expandUser(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return homedir() + path.slice(1);
  return path;
}

/**
 * Parses an ssh_local_tunnels / ssh_remote_tunnels entry: "PORT:HOST:PORT" or
 * "BIND_ADDRESS:PORT:HOST:PORT" (the listening side first).
 */
export function parseTunnel(spec: string, direction: TunnelSpec["direction"]): TunnelSpec {
  const parts = spec.split(":");
  const port = (s: string | undefined) => {
    const n = Number(s);
    if (!/^\d+$/.test(s ?? "") || n < 1 || n > 65535) {
      throw new Error(`Error parsing port forwarding: invalid port "${s ?? ""}" in "${spec}"`);
    }
    return n;
  };
  if (parts.length === 3) {
    return {
      direction,
      listenHost: "127.0.0.1",
      listenPort: port(parts[0]),
      forwardHost: parts[1]!,
      forwardPort: port(parts[2]),
    };
  }
  if (parts.length === 4) {
    return {
      direction,
      listenHost: parts[0]!,
      listenPort: port(parts[1]),
      forwardHost: parts[2]!,
      forwardPort: port(parts[3]),
    };
  }
  throw new Error(
    `Error parsing port forwarding: "${spec}" is not PORT:HOST:PORT or BIND:PORT:HOST:PORT`,
  );
}

/** The SSH settings of a decoded builder configuration (defaults already applied). */
export function sshSettings(config: PlainConfig): SSHSettings {
  const method = str(config, "ssh_file_transfer_method") === "sftp" ? "sftp" : "scp";
  const bastionHost = str(config, "ssh_bastion_host");
  const proxyHost = str(config, "ssh_proxy_host");
  // As Packer: unset or zero means every 5 s, a negative interval turns keep-alives off.
  const keepAlive = durationMs(config, "ssh_keep_alive_interval") || 5000;
  const tunnels = [
    ...list(config, "ssh_local_tunnels").map((s) => parseTunnel(String(s), "local")),
    ...list(config, "ssh_remote_tunnels").map((s) => parseTunnel(String(s), "remote")),
  ];
  const privateKeyBytes = list(config, "ssh_private_key");
  return {
    host: str(config, "ssh_host"),
    port: num(config, "ssh_port") || 22,
    username: str(config, "ssh_username"),
    password: str(config, "ssh_password"),
    privateKeyFile: expandUser(str(config, "ssh_private_key_file")),
    ...(privateKeyBytes.length > 0
      ? { privateKey: Buffer.from(privateKeyBytes.map(Number)).toString("utf8") }
      : {}),
    certificateFile: expandUser(str(config, "ssh_certificate_file")),
    agentAuth: flag(config, "ssh_agent_auth"),
    timeoutMs: durationMs(config, "ssh_timeout"),
    handshakeAttempts: num(config, "ssh_handshake_attempts"),
    pty: flag(config, "ssh_pty"),
    keepAliveIntervalMs: keepAlive,
    readWriteTimeoutMs: durationMs(config, "ssh_read_write_timeout"),
    fileTransferMethod: method,
    ...(bastionHost !== ""
      ? {
          bastion: {
            host: bastionHost,
            port: num(config, "ssh_bastion_port") || 22,
            username: str(config, "ssh_bastion_username"),
            password: str(config, "ssh_bastion_password"),
            privateKeyFile: expandUser(str(config, "ssh_bastion_private_key_file")),
            certificateFile: expandUser(str(config, "ssh_bastion_certificate_file")),
            agentAuth: flag(config, "ssh_bastion_agent_auth"),
          },
        }
      : {}),
    ...(proxyHost !== ""
      ? {
          proxy: {
            host: proxyHost,
            port: num(config, "ssh_proxy_port") || 1080,
            username: str(config, "ssh_proxy_username"),
            password: str(config, "ssh_proxy_password"),
          },
        }
      : {}),
    clearAuthorizedKeys: flag(config, "ssh_clear_authorized_keys"),
    tunnels,
    pauseBeforeConnectingMs: durationMs(config, "pause_before_connecting"),
    disableAgentForwarding: flag(config, "ssh_disable_agent_forwarding"),
  };
}
