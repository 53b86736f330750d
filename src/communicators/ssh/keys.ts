// Temporary key pairs (Packer's StepSSHKeyGen): a builder that creates its
// machine makes a fresh key pair, puts the public half on the machine
// (cloud-init, authorized_keys) and logs in with the private half. With
// ssh_clear_authorized_keys the public half is removed again at the end.

import { randomUUID } from "node:crypto";
import ssh2 from "ssh2";

const { utils } = ssh2;

import type { Communicator } from "../communicator.js";

export type TemporaryKeyType = "rsa" | "ed25519" | "ecdsa";

export interface TemporaryKeyPair {
  /** The authorized_keys line: `<type> <base64> <name>`. */
  publicKey: string;
  /** The private key in OpenSSH format. */
  privateKey: string;
  name: string;
}

/** Generates a key pair off the main thread; bits default as Packer's (rsa 4096, ecdsa 521). */
export function generateTemporaryKeyPair(
  type: string,
  bits = 0,
  name = `packer_${randomUUID()}`,
): Promise<TemporaryKeyPair> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, kp: { public: string; private: string }) =>
      err ? reject(err) : resolve({ publicKey: kp.public.trim(), privateKey: kp.private, name });
    switch (type) {
      case "rsa":
        return utils.generateKeyPair("rsa", { bits: bits || 4096, comment: name }, done);
      case "ecdsa": {
        const b = bits || 521;
        if (b !== 256 && b !== 384 && b !== 521) {
          return reject(
            new Error(`temporary_key_pair_bits for ecdsa must be 256, 384 or 521, not ${b}`),
          );
        }
        return utils.generateKeyPair("ecdsa", { bits: b, comment: name }, done);
      }
      case "ed25519":
        return utils.generateKeyPair("ed25519", { comment: name }, done);
      default:
        return reject(
          new Error(
            `temporary_key_pair_type ${JSON.stringify(type)} is not supported: use rsa, ed25519 or ecdsa`,
          ),
        );
    }
  });
}

/**
 * Removes the public key from the login user's and root's authorized_keys
 * (Packer's StepCleanupTempKeys); failures are reported, not fatal.
 */
export async function clearAuthorizedKey(
  comm: Communicator,
  publicKey: string,
  warn: (msg: string) => void,
): Promise<void> {
  const body = publicKey.trim().split(/\s+/)[1] ?? "";
  if (body === "") return;
  // The key's base64 body has only [A-Za-z0-9+/=]: in a basic regular expression
  // only the delimiter needs escaping ("\\+" would be GNU sed's "one or more").
  const pattern = ` ${body.replace(/\//g, "\\/")}`;
  const commands = [
    `sed -i.bak '/${pattern}/d' ~/.ssh/authorized_keys && rm -f ~/.ssh/authorized_keys.bak`,
    `sudo sed -i.bak '/${pattern}/d' /root/.ssh/authorized_keys && sudo rm -f /root/.ssh/authorized_keys.bak`,
  ];
  for (const [i, command] of commands.entries()) {
    try {
      const { exitStatus } = await comm.run({ command });
      if (exitStatus !== 0 && i === 0)
        warn(
          `Error cleaning up ~/.ssh/authorized_keys; please clean up keys manually (exit status ${exitStatus})`,
        );
    } catch (err) {
      warn(`Error cleaning up authorized_keys: ${(err as Error).message}`);
      return;
    }
  }
}
