import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  loginAuth,
  SSHCommunicator,
  type SSHSettings,
  type SSHWaitError,
  sshSettings,
} from "../../../src/communicators/ssh/index.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { run } from "../../../src/process/index.js";
import { RecordingUi, scratchDir } from "../../support/engine.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";

// ssh_certificate_file: OpenSSH user certificates made with `ssh-keygen -s`,
// checked by a real sshd that trusts the CA (TrustedUserCAKeys) and has none
// of the certified keys in any authorized_keys file.

const dir = scratchDir("kiln-ssh-cert-");
const keygen = (...args: string[]) => run("ssh-keygen", ["-q", ...args]);
await keygen("-t", "ed25519", "-N", "", "-C", "kiln-ca", "-f", join(dir, "ca"));
const sshd: TestSshd = await startSshd({ config: [`TrustedUserCAKeys ${join(dir, "ca.pub")}`] });

/** A new key pair of `type` and, unless `sign` is false, a certificate for it; returns the key's path. */
async function certifiedKeyPair(
  name: string,
  type: string,
  sign: string[] | false = ["-n", sshd.user],
): Promise<{ key: string; cert: string }> {
  const key = join(dir, name);
  await keygen("-t", type, "-N", "", "-C", name, "-f", key);
  if (sign !== false)
    await keygen("-s", join(dir, "ca"), "-I", `kiln-${name}`, ...sign, `${key}.pub`);
  return { key, cert: `${key}-cert.pub` };
}

const open: SSHCommunicator[] = [];
after(() => {
  for (const c of open) c.close();
});

function settings(over: PlainConfig): SSHSettings {
  return sshSettings({
    ssh_host: sshd.host,
    ssh_port: sshd.port,
    ssh_username: sshd.user,
    ssh_timeout: "5s",
    ...over,
  });
}

async function connectWith(over: PlainConfig, ui = new RecordingUi()) {
  const s = settings(over);
  const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
    ui,
    signal: new AbortController().signal,
    retryDelayMs: 100,
  });
  open.push(comm);
  return comm;
}

async function whoami(comm: SSHCommunicator): Promise<string> {
  let out = "";
  const r = await comm.run({ command: "id -un", onStdout: (b) => (out += b) });
  assert.equal(r.exitStatus, 0);
  return out.trim();
}

describe("logging in with a certificate", () => {
  for (const [type, logType] of [
    ["ed25519", "ED25519-CERT"],
    ["ecdsa", "ECDSA-CERT"],
    ["rsa", "RSA-CERT"],
  ] as const) {
    test(`${type}: the server accepts the certificate, which the bare key could not do`, async () => {
      const { key, cert } = await certifiedKeyPair(`user-${type}`, type);
      const comm = await connectWith({ ssh_private_key_file: key, ssh_certificate_file: cert });
      assert.equal(await whoami(comm), sshd.user);
      const accepted = sshd.log().filter((l) => l.includes(`ID kiln-user-${type} `));
      assert.equal(accepted.length, 1, sshd.log().join("\n"));
      assert.match(accepted[0]!, new RegExp(`^Accepted publickey for ${sshd.user} .* ${logType} `));

      // The same key without its certificate is not authorized anywhere.
      const s = settings({ ssh_private_key_file: key, ssh_handshake_attempts: 1 });
      await assert.rejects(
        SSHCommunicator.connect(s, await loginAuth(s), {
          ui: new RecordingUi(),
          signal: new AbortController().signal,
        }),
        (err: SSHWaitError) => {
          assert.match(err.message, new RegExp(`tried publickey \\(${key}\\)`));
          return true;
        },
      );
    });
  }

  test("a certificate for another principal is refused by the server, and the error says which key was tried", async () => {
    const { key, cert } = await certifiedKeyPair("other-principal", "ed25519", [
      "-n",
      "somebody-else",
    ]);
    const s = settings({
      ssh_private_key_file: key,
      ssh_certificate_file: cert,
      ssh_handshake_attempts: 1,
    });
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), {
        ui: new RecordingUi(),
        signal: new AbortController().signal,
      }),
      (err: SSHWaitError) => {
        assert.match(
          err.message,
          new RegExp(
            `authentication rejected for user "${sshd.user}" \\(tried publickey \\(${key} with the certificate ${cert}\\)`,
          ),
        );
        return true;
      },
    );
  });

  test("through a bastion that also wants the certificate (ssh_bastion_certificate_file)", async () => {
    const { key, cert } = await certifiedKeyPair("bastion-user", "ed25519");
    const comm = await connectWith({
      ssh_private_key_file: key,
      ssh_certificate_file: cert,
      ssh_bastion_host: sshd.host,
      ssh_bastion_port: sshd.port,
      ssh_bastion_username: sshd.user,
      ssh_bastion_private_key_file: key,
      ssh_bastion_certificate_file: cert,
    });
    assert.equal(await whoami(comm), sshd.user);
    // Two logins with the certificate: the bastion's and the machine's.
    assert.equal(sshd.log().filter((l) => l.includes("ID kiln-bastion-user ")).length, 2);
  });
});

describe("certificates that cannot work are configuration errors", () => {
  test("expired", async () => {
    const { key, cert } = await certifiedKeyPair("expired", "ed25519", [
      "-n",
      sshd.user,
      "-V",
      "20200101000000:20200102000000",
    ]);
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: key, ssh_certificate_file: cert })),
      new RegExp(`^Error: ssh_certificate_file ${cert} cannot be used: it expired at 2020-01-0`),
    );
  });

  test("not valid yet", async () => {
    const { key, cert } = await certifiedKeyPair("future", "ed25519", [
      "-n",
      sshd.user,
      "-V",
      "+1d:+2d",
    ]);
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: key, ssh_certificate_file: cert })),
      /cannot be used: it is not valid before \d{4}-/,
    );
  });

  test("a host certificate", async () => {
    const { key, cert } = await certifiedKeyPair("host", "ed25519", ["-h", "-n", "localhost"]);
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: key, ssh_certificate_file: cert })),
      /cannot be used: it is a host certificate, not a user certificate/,
    );
  });

  test("the certificate of another key", async () => {
    const a = await certifiedKeyPair("key-a", "ed25519");
    const b = await certifiedKeyPair("key-b", "ed25519");
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: a.key, ssh_certificate_file: b.cert })),
      /cannot be used: it certifies another key than the private key/,
    );
  });

  test("a plain public key, and a missing file", async () => {
    const { key } = await certifiedKeyPair("plain", "ed25519", false);
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: key, ssh_certificate_file: `${key}.pub` })),
      /cannot be used: not an OpenSSH certificate/,
    );
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: key, ssh_certificate_file: join(dir, "nope") })),
      /Error reading ssh_certificate_file .*nope: ENOENT/,
    );
    assert.ok(readFileSync(`${key}.pub`, "utf8").startsWith("ssh-ed25519 "));
  });
});
