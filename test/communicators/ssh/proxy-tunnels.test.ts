import assert from "node:assert/strict";
import { connect, createServer, type Server, Socket } from "node:net";
import { after, describe, test } from "node:test";
import {
  CMD_DISCONNECT,
  loginAuth,
  SSHCommunicator,
  type SSHWaitError,
  sshSettings,
} from "../../../src/communicators/ssh/index.js";
import type { PlainConfig } from "../../../src/components/schema.js";
import { type RunningProcess, start } from "../../../src/process/index.js";
import { RecordingUi } from "../../support/engine.js";
import { freePort, startSshd, type TestSshd } from "../../support/sshd.js";

// ssh_proxy_* through real SOCKS5 servers (OpenSSH's `ssh -D` without
// authentication, microsocks with a username and password) and
// ssh_remote_tunnels / ssh_local_tunnels through a real sshd.

const sshd: TestSshd = await startSshd();
const open: SSHCommunicator[] = [];
const procs: RunningProcess[] = [];
const servers: Server[] = [];

after(async () => {
  for (const c of open) c.close();
  for (const s of servers) s.close();
  for (const p of procs) await p.stop({ timeoutMs: 2000 }).catch(() => {});
});

async function connectWith(over: PlainConfig, ui = new RecordingUi()) {
  const s = sshSettings({
    ssh_host: sshd.host,
    ssh_port: sshd.port,
    ssh_username: sshd.user,
    ssh_private_key_file: sshd.clientKey,
    ssh_timeout: "10s",
    ...over,
  });
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

/** Starts a program and resolves once one of its stderr lines matches `ready`. */
async function startUntil(
  command: string,
  args: string[],
  ready: RegExp,
  lines: string[] = [],
): Promise<RunningProcess> {
  let seen: () => void = () => {};
  const up = new Promise<void>((r) => {
    seen = r;
  });
  const p = start(command, args, {
    onStderr: (line) => {
      lines.push(line);
      if (ready.test(line)) seen();
    },
    onStdout: (line) => lines.push(line),
    killGraceMs: 1000,
  });
  procs.push(p);
  const exited = p.wait().then(
    (r) => {
      throw new Error(`${command} exited early: ${r.stderr}`);
    },
    (err: Error) => {
      throw err;
    },
  );
  exited.catch(() => {});
  await Promise.race([up, exited]);
  return p;
}

/** Waits until something accepts TCP connections on 127.0.0.1:port. */
async function listening(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
      s.connect(port, "127.0.0.1");
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP server on 127.0.0.1 that answers each line with "pong <line>". */
async function pongServer(): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((sock) => {
    count++;
    sock.on("data", (d) => sock.end(`pong ${d.toString().trim()}\n`));
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { port: (server.address() as { port: number }).port, connections: () => count };
}

describe("ssh_proxy_host: a SOCKS5 proxy", () => {
  test("without authentication (ssh -D): the connection goes through the proxy", async () => {
    const proxyPort = await freePort();
    const log: string[] = [];
    const proxy = await startUntil(
      "ssh",
      [
        "-N",
        "-v",
        "-D",
        `127.0.0.1:${proxyPort}`,
        "-i",
        sshd.clientKey,
        "-p",
        String(sshd.port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "ExitOnForwardFailure=yes",
        `${sshd.user}@127.0.0.1`,
      ],
      /forwarded to remote address socks/,
      log,
    );
    const comm = await connectWith({ ssh_proxy_host: "127.0.0.1", ssh_proxy_port: proxyPort });
    const r = await runText(comm, "echo through");
    assert.deepEqual([r.exitStatus, r.stdout], [0, "through\n"]);
    // The proxy opened a dynamic forward for the SSH connection.
    assert.ok(
      log.some((l) => /Connection to port \d+ forwarding to socks port/.test(l)),
      log.join("\n"),
    );
    assert.ok(log.some((l) => /new dynamic-tcpip/.test(l)));

    // With the proxy gone, the wait says the proxy cannot be reached (not the machine).
    await proxy.stop({ timeoutMs: 2000 });
    const ui = new RecordingUi();
    const s = sshSettings({
      ssh_host: sshd.host,
      ssh_port: sshd.port,
      ssh_username: sshd.user,
      ssh_private_key_file: sshd.clientKey,
      ssh_timeout: "1s",
      ssh_proxy_host: "127.0.0.1",
      ssh_proxy_port: proxyPort,
    });
    await assert.rejects(
      SSHCommunicator.connect(s, await loginAuth(s), {
        ui,
        signal: new AbortController().signal,
        retryDelayMs: 100,
      }),
      (err: SSHWaitError) => {
        assert.equal(
          err.message,
          `Timeout waiting for SSH. The last attempt failed: cannot reach the SOCKS proxy 127.0.0.1:${proxyPort}: connection refused.`,
        );
        assert.equal(err.lastFailure?.kind, "refused");
        return true;
      },
    );
  });

  describe("with a username and password (microsocks)", async () => {
    const proxyPort = await freePort();
    // microsocks says nothing when it is ready: wait for its port.
    procs.push(
      start(
        "microsocks",
        ["-i", "127.0.0.1", "-p", String(proxyPort), "-u", "kiln", "-P", "s0cks-pw"],
        {
          killGraceMs: 1000,
        },
      ),
    );
    await listening(proxyPort);

    test("the right credentials connect", async () => {
      const comm = await connectWith({
        ssh_proxy_host: "127.0.0.1",
        ssh_proxy_port: proxyPort,
        ssh_proxy_username: "kiln",
        ssh_proxy_password: "s0cks-pw",
      });
      assert.equal((await runText(comm, "echo socks")).stdout, "socks\n");
      // The hop works for reconnections too.
      assert.equal((await runText(comm, "kill -9 $PPID; sleep 5")).exitStatus, CMD_DISCONNECT);
      assert.equal((await runText(comm, "echo again")).stdout, "again\n");
    });

    for (const [name, over, reason] of [
      [
        "a wrong password",
        { ssh_proxy_username: "kiln", ssh_proxy_password: "wrong" },
        `the SOCKS proxy 127.0.0.1:${proxyPort} rejected the username or password`,
      ],
      [
        "no credentials",
        {},
        `the SOCKS proxy 127.0.0.1:${proxyPort} requires authentication: set ssh_proxy_username and ssh_proxy_password`,
      ],
    ] as const) {
      test(`${name}: the wait says what the proxy refused`, async () => {
        const ui = new RecordingUi();
        const s = sshSettings({
          ssh_host: sshd.host,
          ssh_port: sshd.port,
          ssh_username: sshd.user,
          ssh_private_key_file: sshd.clientKey,
          ssh_timeout: "1s",
          ssh_proxy_host: "127.0.0.1",
          ssh_proxy_port: proxyPort,
          ...over,
        });
        await assert.rejects(
          SSHCommunicator.connect(s, await loginAuth(s), {
            ui,
            signal: new AbortController().signal,
            retryDelayMs: 100,
          }),
          (err: SSHWaitError) => {
            assert.equal(
              err.message,
              `Timeout waiting for SSH. The last attempt failed: ${reason}.`,
            );
            return true;
          },
        );
        assert.deepEqual(ui.texts("message"), [`SSH is not available yet: ${reason}`]);
      });
    }

    test("a port nobody listens on behind the proxy: refused, as the proxy reports it", async () => {
      const closed = await freePort();
      const ui = new RecordingUi();
      const s = sshSettings({
        ssh_host: "127.0.0.1",
        ssh_port: closed,
        ssh_username: sshd.user,
        ssh_private_key_file: sshd.clientKey,
        ssh_timeout: "1s",
        ssh_proxy_host: "127.0.0.1",
        ssh_proxy_port: proxyPort,
        ssh_proxy_username: "kiln",
        ssh_proxy_password: "s0cks-pw",
      });
      await assert.rejects(
        SSHCommunicator.connect(s, await loginAuth(s), {
          ui,
          signal: new AbortController().signal,
          retryDelayMs: 100,
        }),
        (err: SSHWaitError) => {
          assert.match(
            err.message,
            new RegExp(
              `the SOCKS proxy 127\\.0\\.0\\.1:${proxyPort} could not connect to 127\\.0\\.0\\.1:${closed}: `,
            ),
          );
          return true;
        },
      );
    });
  });
});

describe("tunnels", () => {
  test("ssh_remote_tunnels: from the machine, the remote port reaches a server here; restored after a reconnection", async () => {
    const pong = await pongServer();
    const remotePort = await freePort();
    const comm = await connectWith({
      ssh_remote_tunnels: [`${remotePort}:127.0.0.1:${pong.port}`],
    });
    // On the machine's side: open the forwarded port with bash and talk through it.
    const talk = `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${remotePort} && echo ping >&3 && cat <&3'`;
    const r = await runText(comm, talk);
    assert.deepEqual([r.exitStatus, r.stdout, r.stderr], [0, "pong ping\n", ""]);
    assert.equal(pong.connections(), 1);

    // The machine drops the connection; the next command reconnects and the tunnel is back.
    assert.equal((await runText(comm, "kill -9 $PPID; sleep 5")).exitStatus, CMD_DISCONNECT);
    const again = await runText(comm, talk);
    assert.deepEqual([again.exitStatus, again.stdout], [0, "pong ping\n"]);
    assert.equal(pong.connections(), 2);

    // Closing the communicator closes the remote listener.
    comm.close();
    const other = await connectWith({});
    const gone = await runText(other, talk);
    assert.notEqual(gone.exitStatus, 0);
    assert.match(gone.stderr, /Connection refused/);
  });

  test("ssh_local_tunnels and ssh_remote_tunnels together, with an explicit bind address", async () => {
    const pong = await pongServer();
    const localPort = await freePort();
    const remotePort = await freePort();
    const comm = await connectWith({
      ssh_local_tunnels: [`127.0.0.1:${localPort}:127.0.0.1:${pong.port}`],
      ssh_remote_tunnels: [`127.0.0.1:${remotePort}:127.0.0.1:${pong.port}`],
    });
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(localPort, "127.0.0.1", () => s.write("local\n"));
      let text = "";
      s.on("data", (d: Buffer) => {
        text += d.toString();
      });
      s.on("end", () => resolve(text));
      s.on("error", reject);
    });
    assert.equal(reply, "pong local\n");
    const r = await runText(
      comm,
      `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${remotePort} && echo remote >&3 && cat <&3'`,
    );
    assert.equal(r.stdout, "pong remote\n");
  });

  test("a remote port the server cannot bind fails the connection with a clear error", async () => {
    const busy = createServer(() => {});
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    servers.push(busy);
    const port = (busy.address() as { port: number }).port;
    await assert.rejects(
      connectWith({ ssh_remote_tunnels: [`${port}:127.0.0.1:22`] }),
      new RegExp(`Tunnel: Failed to bind remote 127\\.0\\.0\\.1:${port}`),
    );
  });
});
