import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { after, describe, test } from "node:test";
import {
  CMD_DISCONNECT,
  loginAuth,
  SSHCommunicator,
  SSHDisconnectedError,
  type SSHSettings,
  SSHWaitError,
  sshSettings,
} from "../../../src/communicators/ssh/index.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { RecordingUi, scratchDir } from "../../support/engine.js";
import { freePort, PASSWORD, PASSWORD_USER, startSshd, type TestSshd } from "../../support/sshd.js";

// The SSH communicator against a real OpenSSH server on 127.0.0.1.

const scratch = scratchDir("kiln-ssh-comm-");
const sshd: TestSshd = await startSshd();
const open: SSHCommunicator[] = [];

after(() => {
  for (const c of open) c.close();
});

function settings(over: PlainConfig = {}): SSHSettings {
  return sshSettings({
    ssh_host: sshd.host,
    ssh_port: sshd.port,
    ssh_username: sshd.user,
    ssh_private_key_file: sshd.clientKey,
    ssh_timeout: "20s",
    ssh_file_transfer_method: "scp",
    ...over,
  });
}

async function connectWith(over: PlainConfig = {}, ui = new RecordingUi()) {
  const s = settings(over);
  const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
    ui,
    signal: new AbortController().signal,
    retryDelayMs: 100,
  });
  open.push(comm);
  return comm;
}

async function runText(comm: SSHCommunicator, command: string) {
  let stdout = "";
  let stderr = "";
  const r = await comm.run({
    command,
    onStdout: (b) => {
      stdout += b.toString();
    },
    onStderr: (b) => {
      stderr += b.toString();
    },
  });
  return { ...r, stdout, stderr };
}

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void) {
    this.chunks.push(chunk);
    cb();
  }
  text() {
    return Buffer.concat(this.chunks).toString();
  }
}

describe("logging in", () => {
  test("password authentication", async () => {
    const comm = await connectWith({
      ssh_username: PASSWORD_USER,
      ssh_password: PASSWORD,
      ssh_private_key_file: "",
    });
    const r = await runText(comm, "id -un");
    assert.deepEqual([r.exitStatus, r.stdout], [0, `${PASSWORD_USER}\n`]);
  });

  test("key authentication", async () => {
    const comm = await connectWith();
    const r = await runText(comm, "id -un");
    assert.deepEqual([r.exitStatus, r.stdout], [0, `${sshd.user}\n`]);
  });

  test("a wrong password: the wait says authentication was rejected, and gives up after ssh_handshake_attempts", async () => {
    const ui = new RecordingUi();
    const s = settings({
      ssh_username: PASSWORD_USER,
      ssh_password: "wrong",
      ssh_private_key_file: "",
      ssh_handshake_attempts: 2,
    });
    const began = Date.now();
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), {
        ui,
        signal: new AbortController().signal,
        retryDelayMs: 50,
      }),
      (err: SSHWaitError) => {
        assert.ok(err instanceof SSHWaitError);
        assert.match(err.message, /authentication error/);
        assert.match(
          err.message,
          /authentication rejected for user "kilnssh" \(tried password; the server accepts publickey, password\)/,
        );
        return true;
      },
    );
    assert.ok(Date.now() - began < 15_000);
    // One line per distinct reason, not one per attempt.
    const lines = ui.texts("message");
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(
      lines[0]!,
      /^SSH is not available yet: authentication rejected for user "kilnssh"/,
    );
  });

  test("nothing listening: connection refused is shown once, and the timeout error names it", async () => {
    const ui = new RecordingUi();
    const port = await freePort();
    const s = settings({ ssh_port: port, ssh_timeout: "1500ms" });
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), {
        ui,
        signal: new AbortController().signal,
        retryDelayMs: 100,
      }),
      (err: SSHWaitError) => {
        assert.equal(err.timedOut, true);
        assert.equal(
          err.message,
          `Timeout waiting for SSH. The last attempt failed: connection refused by 127.0.0.1:${port}.`,
        );
        return true;
      },
    );
    assert.deepEqual(ui.texts("message"), [
      `SSH is not available yet: connection refused by 127.0.0.1:${port}`,
    ]);
  });

  test("a server that accepts but never speaks SSH: a handshake timeout", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const ui = new RecordingUi();
    const s = settings({ ssh_port: port, ssh_timeout: "1s" });
    try {
      await assert.rejects(
        SSHCommunicator.connect(s, await loginAuth(s), {
          ui,
          signal: new AbortController().signal,
        }),
        /Timeout waiting for SSH\. The last attempt failed: timeout during the SSH handshake with 127\.0\.0\.1/,
      );
    } finally {
      silent.close();
    }
  });

  test("cancelling stops the wait at once", async () => {
    const ac = new AbortController();
    const s = settings({ ssh_port: await freePort(), ssh_timeout: "5m" });
    setTimeout(() => ac.abort(), 300);
    const began = Date.now();
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), { ui: new RecordingUi(), signal: ac.signal }),
      /SSH wait cancelled/,
    );
    assert.ok(Date.now() - began < 3000);
  });

  test("an unreadable key file is a configuration error, not a retry", async () => {
    const bad = join(scratch, "bad-key");
    writeFileSync(bad, "not a key\n");
    await assert.rejects(
      loginAuth(settings({ ssh_private_key_file: bad })),
      /bad-key is not a usable private key/,
    );
  });
});

describe("running commands", () => {
  test("exit statuses, separate stdout/stderr, output streamed as it arrives", async () => {
    const comm = await connectWith();
    assert.equal((await runText(comm, "true")).exitStatus, 0);
    assert.equal((await runText(comm, "exit 42")).exitStatus, 42);
    const r = await runText(comm, "echo out; echo err >&2; exit 1");
    assert.deepEqual([r.exitStatus, r.stdout, r.stderr], [1, "out\n", "err\n"]);
    // The first line arrives while the command still runs.
    const seen: number[] = [];
    const began = Date.now();
    await comm.run({
      command: "echo one; sleep 1; echo two",
      onStdout: () => seen.push(Date.now() - began),
    });
    assert.ok(seen.length >= 2 && seen[0]! < 900, `chunks at ${seen.join(",")} ms`);
  });

  test("stdin is passed to the command", async () => {
    const comm = await connectWith();
    let out = "";
    const r = await comm.run({
      command: "tr a-z A-Z",
      stdin: Readable.from(["hello\n"]),
      onStdout: (b) => (out += b),
    });
    assert.deepEqual([r.exitStatus, out], [0, "HELLO\n"]);
  });

  test("ssh_pty: the command runs on a terminal", async () => {
    const comm = await connectWith({ ssh_pty: true });
    const r = await runText(comm, "test -t 1 && echo tty");
    assert.deepEqual([r.exitStatus, r.stdout.trim()], [0, "tty"]);
    const plain = await connectWith();
    assert.equal((await runText(plain, "test -t 1")).exitStatus, 1);
  });

  test("a command killed by a signal reports 128+N; a cancelled command stops", async () => {
    const comm = await connectWith();
    assert.equal((await runText(comm, "kill -TERM $$")).exitStatus, 143);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const began = Date.now();
    await assert.rejects(comm.run({ command: "sleep 30" }, ac.signal), /Cancelled/);
    assert.ok(Date.now() - began < 5000);
  });

  test("the server drops the connection: the command reports CmdDisconnect and the next command reconnects", async () => {
    const comm = await connectWith();
    // Kill this session's own sshd process: the connection drops without an exit status.
    const r = await runText(comm, "kill -9 $PPID; sleep 5");
    assert.equal(r.exitStatus, CMD_DISCONNECT);
    const again = await runText(comm, "echo back");
    assert.deepEqual([again.exitStatus, again.stdout], [0, "back\n"]);
  });

  test("while the server is down run() rejects as disconnected; once it is back, run() reconnects", async () => {
    const comm = await connectWith();
    assert.equal((await runText(comm, "true")).exitStatus, 0);
    await sshd.stop();
    try {
      await assert.rejects(runText(comm, "true"), (err: Error) => {
        assert.ok(err instanceof SSHDisconnectedError);
        assert.equal((err as SSHDisconnectedError).code, "KILN_SSH_DISCONNECTED");
        assert.match(err.message, /connection refused/);
        return true;
      });
    } finally {
      await sshd.start();
    }
    assert.equal((await runText(comm, "echo up")).stdout, "up\n");
  });
});

for (const method of ["scp", "sftp"] as const) {
  describe(`file transfer over ${method}`, () => {
    test("upload a stream with a mode, download it back", async () => {
      const comm = await connectWith({ ssh_file_transfer_method: method });
      const remote = join(scratch, `${method}-up.txt`);
      const data = "hello\nworld\n";
      await comm.upload(remote, Readable.from([Buffer.from(data)]), { mode: 0o750 });
      assert.equal(readFileSync(remote, "utf8"), data);
      assert.equal(statSync(remote).mode & 0o777, 0o750);
      const out = new Collect();
      await comm.download(remote, out);
      assert.equal(out.text(), data);
      await comm.upload(join(scratch, `${method} with space`), Readable.from(["x"]));
      assert.equal(readFileSync(join(scratch, `${method} with space`), "utf8"), "x");
      assert.equal(statSync(join(scratch, `${method} with space`)).mode & 0o777, 0o644);
    });

    test("upload into a missing directory fails with the remote's reason", async () => {
      const comm = await connectWith({ ssh_file_transfer_method: method });
      await assert.rejects(
        comm.upload(join(scratch, "no/such/dir/f"), Readable.from(["x"])),
        /No such file or directory|no such file/i,
      );
      await assert.rejects(
        comm.download(join(scratch, "missing-file"), new Collect()),
        /No such file|no such file/i,
      );
    });

    test("directory trees both ways, with modes and the trailing-slash rule", async () => {
      const comm = await connectWith({ ssh_file_transfer_method: method });
      const src = join(scratch, `${method}-tree`);
      mkdirSync(join(src, "sub", "deeper"), { recursive: true });
      writeFileSync(join(src, "a.sh"), "#!/bin/sh\n", { mode: 0o755 });
      writeFileSync(join(src, "sub", "b.txt"), "b");
      writeFileSync(join(src, "sub", "deeper", "c.txt"), "c", { mode: 0o600 });
      writeFileSync(join(src, "skip.me"), "no");

      const withDir = join(scratch, `${method}-dst1`);
      await comm.uploadDir(withDir, src, ["skip.me"]);
      const base = join(withDir, `${method}-tree`);
      assert.equal(readFileSync(join(base, "sub", "deeper", "c.txt"), "utf8"), "c");
      assert.equal(statSync(join(base, "a.sh")).mode & 0o777, 0o755);
      assert.equal(statSync(join(base, "sub", "deeper", "c.txt")).mode & 0o777, 0o600);
      assert.throws(() => statSync(join(base, "skip.me")));

      const contents = join(scratch, `${method}-dst2`);
      await comm.uploadDir(contents, `${src}/`);
      assert.equal(readFileSync(join(contents, "sub", "b.txt"), "utf8"), "b");
      assert.equal(readFileSync(join(contents, "skip.me"), "utf8"), "no");

      const back = join(scratch, `${method}-back`);
      await comm.downloadDir(base, back);
      assert.equal(
        readFileSync(join(back, `${method}-tree`, "sub", "deeper", "c.txt"), "utf8"),
        "c",
      );
      assert.equal(statSync(join(back, `${method}-tree`, "a.sh")).mode & 0o777, 0o755);
      const backContents = join(scratch, `${method}-back2`);
      await comm.downloadDir(`${base}/`, backContents, ["sub/deeper"]);
      assert.equal(readFileSync(join(backContents, "sub", "b.txt"), "utf8"), "b");
      assert.throws(() => statSync(join(backContents, "sub", "deeper")));
    });

    test("a 200 MB upload is streamed with bounded memory", async () => {
      const comm = await connectWith({ ssh_file_transfer_method: method });
      const size = 200 * 1024 * 1024;
      const local = join(scratch, `${method}-big`);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) & 0xff;
      const fd = (await import("node:fs")).openSync(local, "w");
      const fs = await import("node:fs");
      for (let i = 0; i < 200; i++) fs.writeSync(fd, chunk);
      fs.closeSync(fd);
      const remote = join(scratch, `${method}-big.remote`);
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const began = performance.now();
      // Through a PassThrough: the communicator cannot know the size (or the file) in advance for sftp;
      // for scp the file stream's size is read from the file.
      await comm.upload(
        remote,
        method === "sftp"
          ? createReadStream(local).pipe(new PassThrough())
          : createReadStream(local),
      );
      const secs = (performance.now() - began) / 1000;
      clearInterval(sampler);
      assert.equal(statSync(remote).size, size);
      const digest = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
      assert.equal(digest(remote), digest(local));
      const grewMB = (peak - rssBefore) / 1024 / 1024;
      console.log(
        `# ${method} upload of 200 MB: ${secs.toFixed(2)} s, ${(200 / secs).toFixed(1)} MB/s, RSS grew ${grewMB.toFixed(0)} MB`,
      );
      assert.ok(grewMB < 100, `memory grew by ${grewMB} MB`);
      fs.rmSync(remote);
      fs.rmSync(local);
    });
  });
}

describe("tunnels and proxies", () => {
  test("ssh_local_tunnels: a local port reaches a port on the machine's side", async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const target = (echo.address() as { port: number }).port;
    const local = await freePort();
    const comm = await connectWith({ ssh_local_tunnels: [`${local}:127.0.0.1:${target}`] });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(local, "127.0.0.1", () => s.write("ping"));
        s.on("data", (d) => {
          resolve(d.toString());
          s.destroy();
        });
        s.on("error", reject);
      });
      assert.equal(reply, "ping");
    } finally {
      comm.close();
      echo.close();
    }
  });

  test("ssh_bastion_host: connects through a bastion", async () => {
    const comm = await connectWith({
      ssh_bastion_host: "127.0.0.1",
      ssh_bastion_port: sshd.port,
      ssh_bastion_username: sshd.user,
      ssh_bastion_private_key_file: sshd.clientKey,
    });
    assert.equal((await runText(comm, "echo via bastion")).stdout, "via bastion\n");
  });
});
