// The VNC client against an RFB server written for the test (every protocol
// version and security path, with each key event recorded); the same client
// against a real QEMU is in qemu-vnc.test.ts.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import { connectVNC, typeBootCommand } from "../../../src/engine/bootcommand/index.js";
import { RFBTestServer } from "./rfb-server.js";

const servers: RFBTestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function server(
  opts: Parameters<typeof RFBTestServer.start>[0] = {},
): Promise<RFBTestServer> {
  const s = await RFBTestServer.start(opts);
  servers.push(s);
  return s;
}

describe("handshake", () => {
  for (const version of ["3.3", "3.7", "3.8"] as const) {
    test(`RFB ${version} without security`, async () => {
      const s = await server({ version });
      const vnc = await connectVNC({ host: "127.0.0.1", port: s.port });
      try {
        assert.equal(vnc.version, version);
        assert.equal(vnc.desktopName, "kiln test desktop");
        assert.deepEqual([vnc.width, vnc.height], [800, 600]);
        assert.deepEqual(s.clientVersions, [`RFB 003.00${version.slice(2)}`]);
        assert.deepEqual(s.sharedFlags, [1], "asks to share the desktop");
      } finally {
        await vnc.close();
      }
    });

    test(`RFB ${version} with VNC Authentication`, async () => {
      const s = await server({ version, security: [2], password: "s3cret" });
      const vnc = await connectVNC({ host: "127.0.0.1", port: s.port, password: "s3cret" });
      await vnc.close();
      await assert.rejects(
        connectVNC({ host: "127.0.0.1", port: s.port, password: "wrong" }),
        new RegExp(
          `^Error: VNC server at 127\\.0\\.0\\.1:${s.port} refused the password${version === "3.8" ? " \\(Authentication failed\\)" : ""}$`,
        ),
      );
    });
  }

  test("a newer protocol version is answered with 3.8", async () => {
    // A server that says 3.889 (as Apple's does) is answered with 3.8.
    const raw = createServer((socket) => {
      socket.write("RFB 003.889\n");
      socket.once("data", (d) => {
        socket.end();
        answers.push(d.toString("latin1"));
      });
    });
    const answers: string[] = [];
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    const port = (raw.address() as { port: number }).port;
    await assert.rejects(connectVNC({ host: "127.0.0.1", port }), /closed the connection/);
    raw.close();
    assert.deepEqual(answers, ["RFB 003.008\n"]);
  });

  test("a password longer than 8 characters counts by its first 8, as VNC does", async () => {
    const s = await server({ security: [2], password: "12345678" });
    const vnc = await connectVNC({ host: "127.0.0.1", port: s.port, password: "123456789abc" });
    await vnc.close();
  });

  test("VNC Authentication is chosen when a password is given and both are offered", async () => {
    const s = await server({ security: [1, 2], password: "pw" });
    await (await connectVNC({ host: "127.0.0.1", port: s.port, password: "pw" })).close();
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: s.port, password: "nope" }),
      /refused the password/,
    );
    // Without a password, None is chosen.
    await (await connectVNC({ host: "127.0.0.1", port: s.port })).close();
  });

  test("a server that needs a password when none is given", async () => {
    for (const version of ["3.3", "3.8"] as const) {
      const s = await server({ version, security: [2], password: "pw" });
      await assert.rejects(
        connectVNC({ host: "127.0.0.1", port: s.port }),
        new RegExp(
          `VNC server at 127\\.0\\.0\\.1:${s.port} requires a password, and none was given`,
        ),
      );
    }
  });

  test("a server offering only security types kiln lacks", async () => {
    const s = await server({ security: [19, 18] });
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: s.port }),
      /offers no security type kiln supports \(it offers 19 \(VeNCrypt\), 18 \(TLS\)\)/,
    );
    const s33 = await server({ version: "3.3", security: [16] });
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: s33.port }),
      /asks for security type 16 \(Tight\), which kiln does not support/,
    );
  });

  test("a server that refuses the connection says why", async () => {
    for (const version of ["3.3", "3.8"] as const) {
      const s = await server({ version, refuse: "Too many security failures" });
      await assert.rejects(
        connectVNC({ host: "127.0.0.1", port: s.port }),
        /refused the connection: Too many security failures$/,
      );
    }
  });

  test("nothing listening", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port }),
      new RegExp(
        `^Error: Error connecting to VNC server at 127\\.0\\.0\\.1:${port}: connection refused$`,
      ),
    );
  });

  test("not a VNC server", async () => {
    const http = createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const port = (http.address() as { port: number }).port;
    await assert.rejects(connectVNC({ host: "127.0.0.1", port }), /is not a VNC server/);
    http.close();
  });

  test("a server that never answers times out", async () => {
    const s = await server({ silent: true });
    const began = Date.now();
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: s.port, timeoutMs: 300 }),
      new RegExp(
        `VNC server at 127\\.0\\.0\\.1:${s.port} did not complete the handshake within 0\\.3s`,
      ),
    );
    assert.ok(Date.now() - began < 2000);
  });

  test("cancelling stops the handshake at once", async () => {
    const s = await server({ silent: true });
    const ac = new AbortController();
    const began = Date.now();
    setTimeout(() => ac.abort(new Error("build cancelled")), 100);
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: s.port, signal: ac.signal }),
      /build cancelled/,
    );
    assert.ok(Date.now() - began < 1000);
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: s.port, signal: ac.signal }),
      /build cancelled/,
    );
  });
});

describe("key events", () => {
  test("keyDown and keyUp send X11 keysyms", async () => {
    const s = await server();
    const vnc = await connectVNC({ host: "127.0.0.1", port: s.port });
    await vnc.keyDown({ kind: "special", name: "enter" });
    await vnc.keyUp({ kind: "special", name: "enter" });
    await vnc.keyDown({ kind: "char", char: "é" });
    await vnc.keyUp({ kind: "char", char: "界" });
    await vnc.keyEvent(0xffffffff, true);
    await s.waitForKeys(5);
    assert.deepEqual(s.pairs(), [
      [0xff0d, true],
      [0xff0d, false],
      [0xe9, true],
      [0x0100754c, false],
      [0xffffffff, true],
    ]);
    await vnc.close();
  });

  test("a boot command arrives in order, with Shift around capitals and symbols", async () => {
    const s = await server({ version: "3.7", security: [2], password: "pw" });
    const vnc = await connectVNC({ host: "127.0.0.1", port: s.port, password: "pw" });
    await typeBootCommand({
      driver: vnc,
      command: ["Ab~<tab>", "<leftCtrlOn>c<leftCtrlOff>"],
      keyIntervalMs: 0,
      signal: new AbortController().signal,
    });
    await s.waitForKeys(16);
    assert.deepEqual(s.pairs(), [
      [0xffe1, true],
      [0x41, true],
      [0x41, false],
      [0xffe1, false],
      [0x62, true],
      [0x62, false],
      [0xffe1, true],
      [0x7e, true],
      [0x7e, false],
      [0xffe1, false],
      [0xff09, true],
      [0xff09, false],
      [0xffe3, true],
      [0x63, true],
      [0x63, false],
      [0xffe3, false],
    ]);
    await vnc.close();
  });

  test("messages the server sends are drained, so a flood never stalls the connection", {
    timeout: 20_000,
  }, async () => {
    let flooded: Promise<void> | undefined;
    const s = await server({
      afterInit(socket) {
        // Bells and 32 MiB of clipboard text: far more than the socket buffers hold.
        const cut = Buffer.alloc(8 + 32 * 1024 * 1024, 0x61);
        cut[0] = 3;
        cut.writeUInt32BE(32 * 1024 * 1024, 4);
        socket.write(Buffer.of(2, 2, 2));
        flooded = new Promise((resolve) => socket.write(cut, () => resolve()));
      },
    });
    const vnc = await connectVNC({ host: "127.0.0.1", port: s.port });
    await new Promise((r) => setTimeout(r, 50));
    await flooded;
    await vnc.keyDown({ kind: "char", char: "x" });
    await vnc.keyUp({ kind: "char", char: "x" });
    await s.waitForKeys(2);
    assert.ok(vnc.isOpen);
    await vnc.close();
  });

  test("a key after the server went away is a clear error", async () => {
    const s = await server();
    const vnc = await connectVNC({ host: "127.0.0.1", port: s.port });
    for (const socket of s.sockets) socket.destroy();
    for (let i = 0; i < 50 && vnc.isOpen; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(vnc.isOpen, false);
    await assert.rejects(
      vnc.keyDown({ kind: "char", char: "a" }),
      new RegExp(`^Error: VNC connection to 127\\.0\\.0\\.1:${s.port} is closed`),
    );
    await vnc.close();
  });

  test("close() ends the connection and is safe to repeat", async () => {
    const s = await server();
    const vnc = await connectVNC({ host: "127.0.0.1", port: s.port });
    await vnc.close();
    await vnc.close();
    assert.equal(vnc.isOpen, false);
    await assert.rejects(vnc.keyDown({ kind: "char", char: "a" }), /is closed: kiln closed it/);
  });
});
