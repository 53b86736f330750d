import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import {
  CMD_DISCONNECT,
  loginAuth,
  SSHCommunicator,
  SSHDisconnectedError,
  sshSettings,
} from "../../../src/communicators/ssh/index.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { RecordingUi, scratchDir } from "../../support/engine.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";

// ssh_keep_alive_interval and ssh_read_write_timeout against a real sshd
// whose session process is frozen with SIGSTOP: the peer stops answering
// without closing the connection, as a machine that hangs or vanishes does.

const scratch = scratchDir("kiln-ssh-timeouts-");
const sshd: TestSshd = await startSshd();
const open: SSHCommunicator[] = [];
const frozen: number[] = [];

after(() => {
  for (const c of open) c.close();
  for (const pid of frozen) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
});

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

async function runText(comm: SSHCommunicator, command: string) {
  let stdout = "";
  const began = Date.now();
  const r = await comm.run({ command, onStdout: (b) => (stdout += b) });
  return { ...r, stdout, ms: Date.now() - began };
}

/** The pid of the sshd process that serves this connection (the parent of its commands' shell). */
async function sessionPid(comm: SSHCommunicator): Promise<number> {
  const r = await runText(comm, "echo $PPID");
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 1, r.stdout);
  return pid;
}

/** Freezes the session's sshd once `command` runs; it is killed when the file ends. */
async function freezeDuring(comm: SSHCommunicator, command: string) {
  const pid = await sessionPid(comm);
  const running = runText(comm, command);
  await new Promise((r) => setTimeout(r, 300));
  process.kill(pid, "SIGSTOP");
  frozen.push(pid);
  return running;
}

describe("ssh_keep_alive_interval", () => {
  test("keep-alives are sent and answered: a silent command outlives ssh_read_write_timeout", async () => {
    const comm = await connectWith({
      ssh_keep_alive_interval: "200ms",
      ssh_read_write_timeout: "1s",
    });
    const r = await runText(comm, "sleep 2.5; echo done");
    assert.deepEqual([r.exitStatus, r.stdout, r.disconnectReason], [0, "done\n", undefined]);
  });

  test("a peer that stops answering is found dead after 3 unanswered keep-alives", async () => {
    const comm = await connectWith({ ssh_keep_alive_interval: "300ms" });
    const r = await freezeDuring(comm, "sleep 60");
    assert.equal(r.exitStatus, CMD_DISCONNECT);
    assert.match(
      r.disconnectReason ?? "",
      new RegExp(
        `^no answer from 127\\.0\\.0\\.1:${sshd.port} to 3 keep-alive messages sent every 300ms \\(ssh_keep_alive_interval\\)$`,
      ),
    );
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    // The server itself still answers: the next command reconnects.
    assert.equal((await runText(comm, "echo fresh")).stdout, "fresh\n");
  });
});

describe("ssh_read_write_timeout", () => {
  test("without keep-alives, a command silent for longer than the timeout is cut off", async () => {
    const comm = await connectWith({
      ssh_keep_alive_interval: "-1s",
      ssh_read_write_timeout: "1s",
    });
    const r = await runText(comm, "sleep 5; echo never");
    assert.equal(r.exitStatus, CMD_DISCONNECT);
    assert.equal(r.stdout, "");
    assert.equal(
      r.disconnectReason,
      `no data from 127.0.0.1:${sshd.port} for 1s (ssh_read_write_timeout)`,
    );
    assert.ok(r.ms < 4000, `took ${r.ms} ms`);
  });

  test("a frozen peer ends the running command at the timeout instead of hanging", async () => {
    // Keep-alives (every 1 s, 3 tries) would only notice after 4 s: the 2 s timeout comes first.
    const comm = await connectWith({
      ssh_keep_alive_interval: "1s",
      ssh_read_write_timeout: "2s",
    });
    const r = await freezeDuring(comm, "sleep 60");
    assert.equal(r.exitStatus, CMD_DISCONNECT);
    assert.equal(
      r.disconnectReason,
      `no data from 127.0.0.1:${sshd.port} for 2s (ssh_read_write_timeout)`,
    );
    assert.ok(r.ms >= 2000 && r.ms < 6000, `took ${r.ms} ms`);
    assert.equal((await runText(comm, "echo fresh")).stdout, "fresh\n");
  });

  for (const method of ["scp", "sftp"] as const) {
    test(`an ${method} upload to a frozen peer fails with the reason`, async () => {
      const comm = await connectWith({
        ssh_keep_alive_interval: "-1s",
        ssh_read_write_timeout: "1s",
        ssh_file_transfer_method: method,
      });
      const pid = await sessionPid(comm);
      // A stream that never ends: only the timeout can stop the transfer.
      const src = new Readable({
        read() {
          this.push(Buffer.alloc(64 * 1024));
        },
      });
      try {
        const upload = comm.upload(`${scratch}/${method}-frozen`, src, { size: 1 << 30 });
        // Well into the transfer (after the SFTP session and the file are open).
        await new Promise((r) => setTimeout(r, 1000));
        process.kill(pid, "SIGSTOP");
        frozen.push(pid);
        const began = Date.now();
        await assert.rejects(upload, (err: Error) => {
          assert.match(
            err.message,
            new RegExp(
              `no data from 127\\.0\\.0\\.1:${sshd.port} for 1s \\(ssh_read_write_timeout\\)`,
            ),
          );
          assert.ok(err instanceof SSHDisconnectedError);
          return true;
        });
        assert.ok(Date.now() - began < 5000);
      } finally {
        src.destroy();
      }
    });
  }
});
