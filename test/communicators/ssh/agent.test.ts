import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
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
import { type RunningProcess, run, start } from "../../../src/process/index.js";
import { RecordingUi, scratchDir } from "../../support/engine.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";

// ssh_agent_auth and ssh_bastion_agent_auth against real ssh-agents (the key
// is only in the agent: no key file is given), and agent forwarding to the
// machine's commands. This file sets SSH_AUTH_SOCK for its own process.

const dir = scratchDir("kiln-ssh-agent-");
const agents: RunningProcess[] = [];
const open: SSHCommunicator[] = [];
after(async () => {
  for (const c of open) c.close();
  for (const a of agents) await a.stop({ timeoutMs: 2000 }).catch(() => {});
});

/** Starts an ssh-agent listening on a socket in the scratch folder, holding `keys`. */
async function startAgent(name: string, keys: string[]): Promise<string> {
  const sock = join(dir, `${name}.sock`);
  agents.push(start("ssh-agent", ["-D", "-a", sock], { killGraceMs: 1000 }));
  const deadline = Date.now() + 10_000;
  while (!existsSync(sock)) {
    if (Date.now() > deadline) throw new Error("ssh-agent did not create its socket");
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const key of keys) {
    await run("ssh-add", ["-q", key], { env: { SSH_AUTH_SOCK: sock } });
  }
  return sock;
}

async function newKey(name: string): Promise<{ key: string; publicKey: string }> {
  const key = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key]);
  return { key, publicKey: readFileSync(`${key}.pub`, "utf8").trim() };
}

const sshd: TestSshd = await startSshd();
const bastion: TestSshd = await startSshd();
// A key that is authorized on both servers but only ever given to kiln through the agent.
const agentKey = await newKey("agent-only");
sshd.authorize(agentKey.publicKey);
bastion.authorize(agentKey.publicKey);
const agentSock = await startAgent("main", [agentKey.key]);
const emptyAgentSock = await startAgent("empty", []);
process.env.SSH_AUTH_SOCK = agentSock;

function settings(over: PlainConfig): SSHSettings {
  return sshSettings({
    ssh_host: sshd.host,
    ssh_port: sshd.port,
    ssh_username: sshd.user,
    ssh_timeout: "5s",
    ...over,
  });
}

async function connectWith(over: PlainConfig) {
  const s = settings(over);
  const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
    ui: new RecordingUi(),
    signal: new AbortController().signal,
    retryDelayMs: 100,
  });
  open.push(comm);
  return comm;
}

async function runText(comm: SSHCommunicator, command: string) {
  let stdout = "";
  const r = await comm.run({ command, onStdout: (b) => (stdout += b) });
  return { ...r, stdout };
}

/** Sets SSH_AUTH_SOCK (or unsets it with undefined) while `fn` runs. */
async function withAuthSock<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.SSH_AUTH_SOCK;
  if (value === undefined) delete process.env.SSH_AUTH_SOCK;
  else process.env.SSH_AUTH_SOCK = value;
  try {
    return await fn();
  } finally {
    process.env.SSH_AUTH_SOCK = saved;
  }
}

/** The SHA256 fingerprint sshd logs for a public key file. */
async function fingerprint(publicKeyFile: string): Promise<string> {
  const r = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyFile]);
  return r.stdout.split(" ")[1]!;
}

/** How many logins `server` accepted with the key of `print` (all keys when omitted). */
const accepted = (server: TestSshd, print = "") =>
  server
    .log()
    .filter((l) => l.startsWith(`Accepted publickey for ${server.user}`) && l.includes(print))
    .length;
const acceptedAgentKey = (server: TestSshd) => accepted(server);

describe("ssh_agent_auth", () => {
  test("logs in with the key the agent holds", async () => {
    const before = acceptedAgentKey(sshd);
    const comm = await connectWith({ ssh_agent_auth: true });
    const r = await runText(comm, "id -un");
    assert.deepEqual([r.exitStatus, r.stdout], [0, `${sshd.user}\n`]);
    assert.equal(acceptedAgentKey(sshd), before + 1);
  });

  test("an agent without the key: authentication is rejected and says the agent was tried", async () => {
    await withAuthSock(emptyAgentSock, async () => {
      const s = settings({ ssh_agent_auth: true, ssh_handshake_attempts: 1 });
      await assert.rejects(
        SSHCommunicator.connect(s, await loginAuth(s), {
          ui: new RecordingUi(),
          signal: new AbortController().signal,
        }),
        (err: SSHWaitError) => {
          assert.match(
            err.message,
            /authentication rejected for user "\w+" \(tried agent; the SSH agent at \S+empty\.sock holds no keys\)/,
          );
          return true;
        },
      );
    });
  });

  test("SSH_AUTH_SOCK unset, or naming no socket: a clear configuration error", async () => {
    await withAuthSock(undefined, async () => {
      await assert.rejects(
        loginAuth(settings({ ssh_agent_auth: true })),
        /^Error: ssh_agent_auth is set, but SSH_AUTH_SOCK is not set: start an SSH agent/,
      );
      const viaBastion = settings({
        ssh_private_key_file: sshd.clientKey,
        ssh_bastion_host: bastion.host,
        ssh_bastion_port: bastion.port,
        ssh_bastion_username: bastion.user,
        ssh_bastion_agent_auth: true,
      });
      await assert.rejects(
        SSHCommunicator.connect(viaBastion, await loginAuth(viaBastion), {
          ui: new RecordingUi(),
          signal: new AbortController().signal,
        }),
        /^Error: ssh_bastion_agent_auth is set, but SSH_AUTH_SOCK is not set/,
      );
    });
    await withAuthSock(join(dir, "no-such.sock"), async () => {
      await assert.rejects(
        loginAuth(settings({ ssh_agent_auth: true })),
        /^Error: Cannot connect to the SSH agent at SSH_AUTH_SOCK=.*no-such\.sock: no such socket$/,
      );
    });
  });
});

describe("ssh_bastion_agent_auth", () => {
  test("the bastion takes the agent's key, the machine its key file", async () => {
    const agentPrint = await fingerprint(`${agentKey.key}.pub`);
    const filePrint = await fingerprint(`${sshd.clientKey}.pub`);
    const bastionBefore = accepted(bastion, agentPrint);
    const machineBefore = accepted(sshd, filePrint);
    const comm = await connectWith({
      ssh_private_key_file: sshd.clientKey,
      ssh_bastion_host: bastion.host,
      ssh_bastion_port: bastion.port,
      ssh_bastion_username: bastion.user,
      ssh_bastion_agent_auth: true,
    });
    assert.equal((await runText(comm, "echo hop")).stdout, "hop\n");
    // The bastion accepted the agent's key, the machine the key file.
    assert.equal(accepted(bastion, agentPrint), bastionBefore + 1);
    assert.equal(accepted(sshd, filePrint), machineBefore + 1);
  });

  test("an empty agent: the bastion rejects, and the error says it was the bastion", async () => {
    await withAuthSock(emptyAgentSock, async () => {
      const s = settings({
        ssh_private_key_file: sshd.clientKey,
        ssh_bastion_host: bastion.host,
        ssh_bastion_port: bastion.port,
        ssh_bastion_username: bastion.user,
        ssh_bastion_agent_auth: true,
        ssh_handshake_attempts: 1,
      });
      await assert.rejects(
        SSHCommunicator.connect(s, await loginAuth(s), {
          ui: new RecordingUi(),
          signal: new AbortController().signal,
        }),
        new RegExp(
          `bastion host 127\\.0\\.0\\.1:${bastion.port}: authentication rejected for user "\\w+" \\(tried agent`,
        ),
      );
    });
  });
});

describe("agent forwarding", () => {
  test("commands reach the local agent through SSH_AUTH_SOCK on the machine", async () => {
    const comm = await connectWith({ ssh_private_key_file: sshd.clientKey });
    const r = await runText(comm, "ssh-add -L");
    assert.equal(r.exitStatus, 0);
    assert.equal(r.stdout.trim(), agentKey.publicKey);
  });

  test("ssh_disable_agent_forwarding: no agent on the machine", async () => {
    const comm = await connectWith({
      ssh_private_key_file: sshd.clientKey,
      ssh_disable_agent_forwarding: true,
    });
    const r = await runText(comm, 'echo "${SSH_AUTH_SOCK:-none}"');
    assert.equal(r.stdout, "none\n");
  });

  test("a server that refuses agent forwarding still runs the commands", async () => {
    const strict = await startSshd({ config: ["AllowAgentForwarding no"] });
    const s = sshSettings({
      ssh_host: strict.host,
      ssh_port: strict.port,
      ssh_username: strict.user,
      ssh_private_key_file: strict.clientKey,
      ssh_timeout: "5s",
    });
    const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
      ui: new RecordingUi(),
      signal: new AbortController().signal,
    });
    open.push(comm);
    for (let i = 0; i < 2; i++) {
      const r = await runText(comm, 'echo "ran ${SSH_AUTH_SOCK:-without agent}"');
      assert.deepEqual([r.exitStatus, r.stdout], [0, "ran without agent\n"]);
    }
  });
});
