import assert from "node:assert/strict";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  clearAuthorizedKey,
  loginAuth,
  SSHCommunicator,
  type SSHWaitError,
  sshSettings,
} from "../../../src/communicators/ssh/index.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { ERROR, StateBag } from "../../../src/engine/multistep/index.js";
import {
  SSH_TEMPORARY_KEY,
  StepCleanupTempKeys,
  StepConnect,
  StepSSHKeyGen,
} from "../../../src/engine/steps/connect.js";
import { COMMUNICATOR } from "../../../src/engine/steps/provision.js";
import { run } from "../../../src/process/index.js";
import { RecordingUi, testBuildContext } from "../../support/engine.js";
import { freePort, PASSWORD, PASSWORD_USER, startSshd, type TestSshd } from "../../support/sshd.js";

// The SSH options that live in the shared connect steps (temporary keys,
// ssh_clear_authorized_keys, pause_before_connecting) and the remaining
// command options (ssh_pty, ssh_handshake_attempts), against a real sshd
// that also reads ~/.ssh/authorized_keys.

const sshd: TestSshd = await startSshd({ homeAuthorizedKeys: true });
const home = (
  await run("sh", ["-c", `getent passwd ${PASSWORD_USER} | cut -d: -f6`])
).stdout.trim();
const uid = Number((await run("id", ["-u", PASSWORD_USER])).stdout.trim());
const gid = Number((await run("id", ["-g", PASSWORD_USER])).stdout.trim());
const sshDir = join(home, ".ssh");
const authorizedKeys = join(sshDir, "authorized_keys");
const open: SSHCommunicator[] = [];
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const c of open) c.close();
  for (const c of cleanups) await c();
  rmSync(sshDir, { recursive: true, force: true });
});

/** The communicator options of a builder config, for the password account. */
function builderConfig(over: PlainConfig = {}): PlainConfig {
  return {
    communicator: "ssh",
    ssh_host: sshd.host,
    ssh_port: sshd.port,
    ssh_username: PASSWORD_USER,
    ssh_timeout: "10s",
    temporary_key_pair_type: "ed25519",
    ...over,
  };
}

describe("ssh_clear_authorized_keys", () => {
  test("the temporary public key leaves ~/.ssh/authorized_keys after the build; other keys stay", async () => {
    const ui = new RecordingUi();
    const ctx = testBuildContext({ ui });
    const config = builderConfig({ ssh_clear_authorized_keys: true });
    const state = new StateBag();
    const signal = new AbortController().signal;

    assert.equal(await new StepSSHKeyGen(ctx, config).run(state), "continue");
    const kp = state.get(SSH_TEMPORARY_KEY)!;
    assert.match(kp.publicKey, /^ssh-ed25519 \S+ packer_/);
    // As a builder would: the machine gets the key, next to keys of its own.
    const other1 =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKiLnOther1/Key+Stays+Here/0123456789abcdef user@one";
    const other2 = `command="echo hi" ${sshd.clientPublicKey}`;
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    writeFileSync(authorizedKeys, `${other1}\n${kp.publicKey}\n${other2}\n`, { mode: 0o600 });
    chownSync(sshDir, uid, gid);
    chownSync(authorizedKeys, uid, gid);

    const connect = new StepConnect(ctx, { config, retryDelayMs: 100 });
    cleanups.push(() => connect.cleanup());
    assert.equal(await connect.run(state, signal), "continue", String(state.get(ERROR)));
    const comm = state.get(COMMUNICATOR)!;
    let who = "";
    await comm.run({ command: "id -un", onStdout: (b) => (who += b) });
    assert.equal(who, `${PASSWORD_USER}\n`);

    // Without the option nothing is removed.
    assert.equal(await new StepCleanupTempKeys(ctx, builderConfig()).run(state), "continue");
    assert.ok(readFileSync(authorizedKeys, "utf8").includes(kp.publicKey));

    assert.equal(await new StepCleanupTempKeys(ctx, config).run(state), "continue");
    assert.equal(readFileSync(authorizedKeys, "utf8"), `${other1}\n${other2}\n`);
    assert.ok(!existsSync(`${authorizedKeys}.bak`));
    assert.ok(
      ui.texts("say").includes("Trying to remove ephemeral keys from authorized_keys files"),
    );
    assert.deepEqual(ui.texts("error"), []);

    // The temporary key no longer logs in.
    const s = sshSettings({ ...config, ssh_handshake_attempts: 1 });
    s.privateKey = kp.privateKey;
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), {
        ui: new RecordingUi(),
        signal,
      }),
      /authentication rejected for user "kilnssh" \(tried publickey \(the temporary key pair\)/,
    );
  });
});

test("clearAuthorizedKey matches key bodies with + and / literally", async () => {
  const s = sshSettings({ ...builderConfig(), ssh_password: PASSWORD });
  const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
    ui: new RecordingUi(),
    signal: new AbortController().signal,
  });
  open.push(comm);
  const body = "AAAAC3NzaC1lZDI1NTE5AAAAIA+b/c++d//e+f/0123456789ABCDEFGHIJKLMNOP";
  // "A+b" as a pattern would be GNU sed's "one or more A, then b": this line must stay.
  const lookalike =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAb/c++d//e+f/0123456789ABCDEFGHIJKLMNOP x";
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  writeFileSync(authorizedKeys, `${lookalike}\nssh-ed25519 ${body} packer_1\n`, { mode: 0o600 });
  chownSync(sshDir, uid, gid);
  chownSync(authorizedKeys, uid, gid);
  const warnings: string[] = [];
  await clearAuthorizedKey(comm, `ssh-ed25519 ${body} packer_1`, (m) => warnings.push(m));
  assert.equal(readFileSync(authorizedKeys, "utf8"), `${lookalike}\n`);
  assert.deepEqual(warnings, []);
  // A missing file is worth a warning.
  rmSync(authorizedKeys);
  const missing: string[] = [];
  await clearAuthorizedKey(comm, `ssh-ed25519 ${body} packer_1`, (m) => missing.push(m));
  assert.equal(missing.length, 1);
  assert.match(
    missing[0]!,
    /^Error cleaning up ~\/\.ssh\/authorized_keys; please clean up keys manually/,
  );
});

describe("pause_before_connecting", () => {
  test("connects, waits, then connects again with a new connection", async () => {
    const ui = new RecordingUi();
    const ctx = testBuildContext({ ui });
    const config = builderConfig({
      ssh_username: sshd.user,
      ssh_private_key_file: sshd.clientKey,
      pause_before_connecting: "1500ms",
    });
    const state = new StateBag();
    const logins = () =>
      sshd.log().filter((l) => l.startsWith(`Accepted publickey for ${sshd.user}`)).length;
    const closes = () =>
      sshd.log().filter((l) => /^(Received disconnect|Disconnected from user)/.test(l)).length;
    const loginsBefore = logins();
    const closesBefore = closes();
    const step = new StepConnect(ctx, { config, retryDelayMs: 100 });
    cleanups.push(() => step.cleanup());
    const began = Date.now();
    assert.equal(await step.run(state, new AbortController().signal), "continue");
    assert.ok(Date.now() - began >= 1500);
    assert.deepEqual(ui.texts("say"), [
      `Using SSH communicator to connect: ${sshd.host}`,
      "Waiting for SSH to become available...",
      "Connected to SSH!",
      "Pausing 1500ms before connecting...",
      "Waiting for SSH to become available...",
      "Connected to SSH!",
    ]);
    // Two logins; the first connection was closed during the pause.
    assert.equal(logins(), loginsBefore + 2);
    assert.ok(closes() >= closesBefore + 1, sshd.log().slice(-6).join("\n"));
    let out = "";
    await state.get(COMMUNICATOR)!.run({ command: "echo second", onStdout: (b) => (out += b) });
    assert.equal(out, "second\n");
  });

  test("cancelling during the pause stops the step", async () => {
    const ac = new AbortController();
    const ctx = testBuildContext({ signal: ac.signal });
    const config = builderConfig({
      ssh_username: sshd.user,
      ssh_private_key_file: sshd.clientKey,
      pause_before_connecting: "1m",
    });
    const step = new StepConnect(ctx, { config, retryDelayMs: 100 });
    cleanups.push(() => step.cleanup());
    const state = new StateBag();
    setTimeout(() => ac.abort(), 1000);
    const began = Date.now();
    assert.equal(await step.run(state, ac.signal), "halt");
    assert.ok(Date.now() - began < 5000);
    assert.equal(state.get(COMMUNICATOR), undefined);
  });
});

describe("ssh_pty and ssh_handshake_attempts", () => {
  async function connectWith(over: PlainConfig) {
    const s = sshSettings({
      ssh_host: sshd.host,
      ssh_port: sshd.port,
      ssh_username: sshd.user,
      ssh_private_key_file: sshd.clientKey,
      ssh_timeout: "10s",
      ...over,
    });
    const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
      ui: new RecordingUi(),
      signal: new AbortController().signal,
      retryDelayMs: 100,
    });
    open.push(comm);
    return comm;
  }

  test("ssh_pty: stdin is a terminal (`tty` names it); without it, it is not", async () => {
    const withPty = await connectWith({ ssh_pty: true });
    let out = "";
    const r = await withPty.run({
      command: "tty && test -t 0 && test -t 1 && echo both",
      onStdout: (b) => (out += b),
    });
    assert.equal(r.exitStatus, 0);
    assert.match(out, /^\/dev\/pts\/\d+\r?\nboth\r?\n$/);

    const plain = await connectWith({});
    let plainOut = "";
    const p = await plain.run({ command: "tty", onStdout: (b) => (plainOut += b) });
    assert.equal(p.exitStatus, 1);
    assert.equal(plainOut, "not a tty\n");
  });

  test("ssh_handshake_attempts counts authentication failures only, not refused connections", async () => {
    const ui = new RecordingUi();
    const port = await freePort();
    const s = sshSettings({
      ssh_host: "127.0.0.1",
      ssh_port: port,
      ssh_username: sshd.user,
      ssh_private_key_file: sshd.clientKey,
      ssh_timeout: "1500ms",
      ssh_handshake_attempts: 1,
    });
    const began = Date.now();
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), {
        ui,
        signal: new AbortController().signal,
        retryDelayMs: 100,
      }),
      (err: SSHWaitError) => {
        assert.equal(err.timedOut, true);
        assert.match(
          err.message,
          /^Timeout waiting for SSH\. The last attempt failed: connection refused/,
        );
        return true;
      },
    );
    // It kept trying until ssh_timeout, far more than one attempt.
    assert.ok(Date.now() - began >= 1400);
  });
});
