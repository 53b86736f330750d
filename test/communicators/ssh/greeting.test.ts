import assert from "node:assert/strict";
import { connect, createServer, type Socket } from "node:net";
import { after, test } from "node:test";
import { loginAuth, SSHCommunicator, sshSettings } from "../../../src/communicators/ssh/index.js";
import { RecordingUi } from "../../support/engine.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";

// A forwarded port that accepts connections before the machine behind it is up
// (QEMU's user networking does this while the guest boots) and then says
// nothing: the attempt is given up when no SSH greeting arrives, and the next
// one, once the server is there, logs in — well before the handshake timeout
// (a minute) would have ended the first attempt.

const sshd: TestSshd = await startSshd();
const sockets: Socket[] = [];
let silent = true;
const forwarder = createServer((client) => {
  sockets.push(client);
  if (silent) return; // accepted, never answered: the "machine" is still booting
  const upstream = connect(sshd.port, sshd.host);
  sockets.push(upstream);
  client.pipe(upstream).pipe(client);
  upstream.on("error", () => client.destroy());
  client.on("error", () => upstream.destroy());
});
await new Promise<void>((r) => forwarder.listen(0, "127.0.0.1", r));
const port = (forwarder.address() as { port: number }).port;
after(() => {
  for (const s of sockets) s.destroy();
  forwarder.close();
});

test("a port that accepts but never greets is retried; the login works once a server answers", async () => {
  const s = sshSettings({
    ssh_host: "127.0.0.1",
    ssh_port: port,
    ssh_username: sshd.user,
    ssh_private_key_file: sshd.clientKey,
    ssh_timeout: "40s",
  });
  const ui = new RecordingUi();
  // The "machine" comes up 3 s into the wait.
  const up = setTimeout(() => {
    silent = false;
  }, 3000);
  const began = Date.now();
  const comm = await SSHCommunicator.connect(s, await loginAuth(s), {
    ui,
    signal: new AbortController().signal,
    retryDelayMs: 100,
  });
  clearTimeout(up);
  const ms = Date.now() - began;
  try {
    let out = "";
    const r = await comm.run({ command: "echo greeted", onStdout: (b) => (out += b) });
    assert.equal(r.exitStatus, 0);
    assert.equal(out.trim(), "greeted");
    assert.ok(ms < 25_000, `logged in after ${ms} ms: the silent attempt was not given up early`);
    const said = JSON.stringify(ui.calls);
    assert.match(said, /no SSH greeting from 127\.0\.0\.1:\d+ within 8s/);
  } finally {
    comm.close();
  }
});
