import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { generateTemporaryKeyPair } from "../../src/communicators/ssh/index.js";
import { kiln } from "../support/cli.js";
import { scratchDir } from "../support/engine.js";
import { freePort, startSshd } from "../support/sshd.js";

// `kiln build` of null builds that reach a real sshd on 127.0.0.1.

const sshd = await startSshd();
const root = scratchDir("kiln-null-ssh-");
let n = 0;

function folder(template: string): string {
  const d = join(root, `t${n++}`);
  mkdirSync(d);
  writeFileSync(join(d, "t.pkr.hcl"), template);
  return d;
}

const hasShell = existsSync(join(import.meta.dirname, "../../src/provisioners/shell/index.ts"));

test("null + ssh with a freshly generated key in authorized_keys: shell-local and shell provisioners run", async () => {
  const kp = await generateTemporaryKeyPair("ed25519");
  sshd.authorize(kp.publicKey);
  const keyDir = join(root, "keys");
  mkdirSync(keyDir, { recursive: true });
  writeFileSync(join(keyDir, "id"), kp.privateKey, { mode: 0o600 });
  const out = join(root, "remote-out");
  const d = folder(`
source "null" "box" {
  communicator         = "ssh"
  ssh_host             = "127.0.0.1"
  ssh_port             = ${sshd.port}
  ssh_username         = "${sshd.user}"
  ssh_private_key_file = "${join(keyDir, "id")}"
  ssh_timeout          = "30s"
}
build {
  sources = ["source.null.box"]
  provisioner "shell-local" {
    inline = ["echo local says \${build.Host}:\${build.Port} as \${build.User} over \${build.ConnType}"]
  }
${
  hasShell
    ? `  provisioner "shell" {
    inline = ["echo remote says $(id -un)", "echo $PACKER_BUILD_NAME > ${out}"]
  }`
    : ""
}
}
`);
  const r = kiln(["build", "-color=false", "t.pkr.hcl"], { cwd: d });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /null\.box: Using SSH communicator to connect: 127\.0\.0\.1/);
  assert.match(r.stdout, /null\.box: Waiting for SSH to become available\.\.\./);
  assert.match(r.stdout, /null\.box: Connected to SSH!/);
  assert.match(
    r.stdout,
    new RegExp(`null\\.box: local says 127\\.0\\.0\\.1:${sshd.port} as ${sshd.user} over ssh`),
  );
  if (hasShell) {
    assert.match(r.stdout, new RegExp(`null\\.box: remote says ${sshd.user}`));
    assert.equal(readFileSync(out, "utf8"), "box\n");
  }
  assert.match(r.stdout, /--> null\.box: Did not export anything\. This is the null builder/);
});

test("null + ssh to a port nobody listens on: the reason is shown and the build fails on the timeout", async () => {
  const port = await freePort();
  const d = folder(`
source "null" "gone" {
  communicator = "ssh"
  ssh_host     = "127.0.0.1"
  ssh_port     = ${port}
  ssh_username = "root"
  ssh_password = "x"
  ssh_timeout  = "2s"
}
build { sources = ["source.null.gone"] }
`);
  const r = kiln(["build", "-color=false", "t.pkr.hcl"], { cwd: d });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const refused =
    r.stdout.match(/SSH is not available yet: connection refused by 127\.0\.0\.1:\d+/g) ?? [];
  assert.equal(refused.length, 1, r.stdout);
  assert.match(
    r.stdout + r.stderr,
    /Timeout waiting for SSH\. The last attempt failed: connection refused/,
  );
});
