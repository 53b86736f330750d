// The communicator options every builder that connects to its machine
// accepts (packer-plugin-sdk's communicator.Config: SSH and WinRM), with the
// Prepare-time checks and derived defaults Packer applies to them.

import {
  type ConfigSchema,
  type FieldSpec,
  field,
  flag,
  isSet,
  isUnknown,
  type PlainConfig,
  str,
} from "../components/schema.js";

export type CommunicatorType = "none" | "ssh" | "winrm" | "docker" | "dockerWindowsContainer";

export const communicatorTypes: readonly CommunicatorType[] = [
  "none",
  "ssh",
  "winrm",
  "docker",
  "dockerWindowsContainer",
];

const sshFields: Record<string, FieldSpec> = {
  ssh_host: field.string("Address to connect to over SSH; usually filled in by the builder."),
  ssh_port: field.number("Port to connect to over SSH.", { default: 22 }),
  ssh_username: field.string("User to connect as over SSH; required with the ssh communicator."),
  ssh_password: field.string("Password for SSH authentication.", { sensitive: true }),
  ssh_keypair_name: field.string(
    "Name of an existing key pair to use instead of a temporary one (with ssh_private_key_file or ssh_agent_auth).",
  ),
  temporary_key_pair_name: field.string(
    "Name for the temporary key pair Packer generates (default packer_<UUID>).",
  ),
  temporary_key_pair_type: field.string(
    "Type of temporary key to generate: dsa, ecdsa, ed25519 or rsa.",
    { default: "rsa" },
  ),
  temporary_key_pair_bits: field.number(
    "Size in bits of the temporary key (rsa defaults to 4096; ecdsa takes 256, 384 or 521).",
  ),
  ssh_ciphers: field.stringList("SSH ciphers to allow instead of the Go SSH library's defaults."),
  ssh_clear_authorized_keys: field.bool(
    "Remove the temporary public key from the guest's authorized_keys files at the end.",
  ),
  ssh_key_exchange_algorithms: field.stringList(
    "Key exchange algorithms to allow instead of the Go SSH library's defaults.",
  ),
  ssh_private_key_file: field.string(
    "Path to a PEM private key to authenticate with (~ expands to the home directory).",
  ),
  ssh_certificate_file: field.string(
    "Path to a user certificate to authenticate with, used with ssh_private_key_file.",
  ),
  ssh_pty: field.bool("Request a pseudo-terminal for SSH sessions."),
  ssh_timeout: field.duration(
    "How long to wait for SSH to become available (5m unless ssh_handshake_attempts is set).",
  ),
  ssh_wait_timeout: field.duration(
    "Deprecated synonym of ssh_timeout; when set it overrides ssh_timeout.",
  ),
  ssh_agent_auth: field.bool(
    "Authenticate with the local SSH agent (SSH_AUTH_SOCK) instead of a password or key.",
  ),
  ssh_disable_agent_forwarding: field.bool("Do not forward the local SSH agent to the guest."),
  ssh_handshake_attempts: field.number(
    "How many SSH handshakes to attempt once the port answers (10 unless ssh_timeout is set).",
  ),
  ssh_bastion_host: field.string("Bastion host to connect through."),
  ssh_bastion_port: field.number("Port of the bastion host.", { default: 22 }),
  ssh_bastion_agent_auth: field.bool("Authenticate to the bastion host with the local SSH agent."),
  ssh_bastion_username: field.string("User to connect to the bastion host as."),
  ssh_bastion_password: field.string("Password for the bastion host.", { sensitive: true }),
  ssh_bastion_interactive: field.bool(
    "Use keyboard-interactive authentication with the bastion host.",
  ),
  ssh_bastion_private_key_file: field.string(
    "Private key for the bastion host (defaults to ssh_private_key_file).",
  ),
  ssh_bastion_certificate_file: field.string("User certificate for the bastion host."),
  ssh_file_transfer_method: field.string("How to copy files over SSH: scp or sftp.", {
    default: "scp",
  }),
  ssh_proxy_host: field.string("SOCKS proxy host to connect through."),
  ssh_proxy_port: field.number("Port of the SOCKS proxy.", { default: 1080 }),
  ssh_proxy_username: field.string("User for the SOCKS proxy."),
  ssh_proxy_password: field.string("Password for the SOCKS proxy.", { sensitive: true }),
  ssh_keep_alive_interval: field.duration(
    "How often to send keep-alive messages; a negative value disables them.",
    { default: "5s" },
  ),
  ssh_read_write_timeout: field.duration(
    "How long a remote command may take before the connection is dropped; unset means no limit.",
  ),
  ssh_remote_tunnels: field.stringList(
    'Ports forwarded from the guest to the host, as "REMOTE_PORT:LOCAL_HOST:LOCAL_PORT".',
  ),
  ssh_local_tunnels: field.stringList(
    'Ports forwarded from the host to the guest, as "LOCAL_PORT:REMOTE_HOST:REMOTE_PORT".',
  ),
  ssh_public_key: field.numberList("Internal: public key bytes of the temporary key pair."),
  ssh_private_key: field.numberList("Internal: private key bytes of the temporary key pair.", {
    sensitive: true,
  }),
};

const winrmFields: Record<string, FieldSpec> = {
  winrm_username: field.string(
    "User to connect as over WinRM; required with the winrm communicator.",
  ),
  winrm_password: field.string("Password for WinRM.", { sensitive: true }),
  winrm_host: field.string("Address to connect to over WinRM; usually filled in by the builder."),
  winrm_no_proxy: field.bool("Add the guest's host:port to NO_PROXY so WinRM bypasses proxies."),
  winrm_port: field.number("WinRM port (5985, or 5986 with winrm_use_ssl)."),
  winrm_timeout: field.duration("How long to wait for WinRM to become available.", {
    default: "30m",
  }),
  winrm_use_ssl: field.bool("Connect to WinRM over HTTPS."),
  winrm_insecure: field.bool("Skip checking the WinRM server's certificate."),
  winrm_use_ntlm: field.bool("Authenticate to WinRM with NTLMv2 instead of basic authentication."),
};

/** The communicator options, with the builder's default communicator type. */
export function communicatorConfig(defaultType: CommunicatorType): ConfigSchema {
  return {
    fields: {
      communicator: field.string(
        "How to connect to the machine: none, ssh, winrm, docker or dockerWindowsContainer.",
        { default: defaultType },
      ),
      pause_before_connecting: field.duration(
        "Wait this long after the first successful connection, then reconnect and provision.",
      ),
      ...sshFields,
      ...winrmFields,
    },
    finalize: finalizeCommunicator,
    check: checkCommunicator,
  };
}

/** Derived defaults of communicator.Config.Prepare. */
export function finalizeCommunicator(config: PlainConfig): void {
  const unset = (k: string) => config[k] === undefined;
  if (unset("ssh_timeout") && unset("ssh_handshake_attempts")) {
    config.ssh_timeout = "5m";
    config.ssh_handshake_attempts = 10;
  }
  if (!unset("ssh_wait_timeout") && str(config, "ssh_wait_timeout") !== "") {
    config.ssh_timeout = config.ssh_wait_timeout!;
  }
  if (
    str(config, "ssh_bastion_host") !== "" &&
    str(config, "ssh_bastion_private_key_file") === "" &&
    str(config, "ssh_private_key_file") !== ""
  ) {
    config.ssh_bastion_private_key_file = config.ssh_private_key_file!;
    if (config.ssh_certificate_file !== undefined) {
      config.ssh_bastion_certificate_file = config.ssh_certificate_file;
    }
  }
  if (unset("winrm_port")) config.winrm_port = flag(config, "winrm_use_ssl") ? 5986 : 5985;
}

/** The errors of communicator.Config.Prepare that need no file access, in its order. */
export function checkCommunicator(config: PlainConfig): string[] {
  const type = str(config, "communicator") || "ssh";
  if (isUnknown(type)) return [];
  const errs: string[] = [];
  switch (type) {
    case "ssh":
      errs.push(...checkSSH(config));
      break;
    case "winrm":
      if (str(config, "winrm_username") === "") errs.push("winrm_username must be specified.");
      break;
    case "docker":
    case "dockerWindowsContainer":
    case "none":
      break;
    default:
      return [`Communicator type ${type} is invalid`];
  }
  return errs;
}

function checkSSH(config: PlainConfig): string[] {
  const errs: string[] = [];
  const s = (k: string) => str(config, k);
  const unknown = (...ks: string[]) => ks.some((k) => isUnknown(config[k]));
  if (!unknown("ssh_private_key_file", "ssh_certificate_file")) {
    if (s("ssh_private_key_file") === "" && s("ssh_certificate_file") !== "") {
      errs.push("ssh_private_key_file must be specified if ssh_certificate_file is specified");
    }
  }
  if (!unknown("ssh_bastion_private_key_file", "ssh_bastion_certificate_file")) {
    if (s("ssh_bastion_private_key_file") === "" && s("ssh_bastion_certificate_file") !== "") {
      errs.push(
        "ssh_bastion_private_key_file must be specified if ssh_bastion_certificate_file is specified",
      );
    }
  }
  if (!unknown("ssh_username") && s("ssh_username") === "") {
    errs.push(
      'An ssh_username must be specified\n  Note: some builders used to default ssh_username to "root".',
    );
  }
  if (
    s("ssh_bastion_host") !== "" &&
    !unknown("ssh_bastion_password", "ssh_bastion_private_key_file")
  ) {
    if (
      s("ssh_bastion_password") === "" &&
      s("ssh_bastion_private_key_file") === "" &&
      !flag(config, "ssh_bastion_agent_auth")
    ) {
      errs.push(
        "ssh_bastion_password, ssh_bastion_private_key_file or ssh_bastion_agent_auth must be specified",
      );
    }
  }
  const method = s("ssh_file_transfer_method");
  if (!isUnknown(method) && method !== "scp" && method !== "sftp") {
    errs.push(`ssh_file_transfer_method ('${method}') is invalid, valid methods: sftp, scp`);
  }
  if (isSet(config, "ssh_bastion_host") && isSet(config, "ssh_proxy_host")) {
    errs.push("please specify either ssh_bastion_host or ssh_proxy_host, not both");
  }
  return errs;
}

/** The host the configured communicator connects to (communicator.Config.Host). */
export function communicatorHost(config: PlainConfig): string {
  const type = str(config, "communicator") || "ssh";
  if (type === "ssh") return str(config, "ssh_host");
  if (type === "winrm") return str(config, "winrm_host");
  return "";
}

/** The user the configured communicator connects as (communicator.Config.User). */
export function communicatorUser(config: PlainConfig): string {
  const type = str(config, "communicator") || "ssh";
  if (type === "ssh") return str(config, "ssh_username");
  if (type === "winrm") return str(config, "winrm_username");
  return "";
}

/** The password the configured communicator uses (communicator.Config.Password). */
export function communicatorPassword(config: PlainConfig): string {
  const type = str(config, "communicator") || "ssh";
  if (type === "ssh") return str(config, "ssh_password");
  if (type === "winrm") return str(config, "winrm_password");
  return "";
}
