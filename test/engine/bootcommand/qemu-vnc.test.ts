// The VNC client against a real QEMU: the handshake with and without a
// password, a wrong or missing password refused, and typed keys reaching the
// guest's keyboard (read back from QEMU's key trace). One QEMU at a time.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { QMPClient } from "../../../src/builders/qemu/qmp.js";
import { connectVNC, typeBootCommand } from "../../../src/engine/bootcommand/index.js";
import { TestQemu } from "./qemu.js";

const never = () => new AbortController().signal;

describe("QEMU's VNC server without a password", () => {
  let qemu: TestQemu;
  let qmp: QMPClient;
  before(async () => {
    qemu = await TestQemu.start({ vnc: "plain" });
    // QMP answers once QEMU is up, and so its VNC server listens too.
    qmp = await QMPClient.connect(qemu.qmpAddress);
  });
  after(async () => {
    await qmp?.close();
    await qemu?.stop();
  });

  test("handshake: RFB 3.8, shared, QEMU's desktop", async () => {
    const vnc = await connectVNC({ host: "127.0.0.1", port: qemu.vncPort! });
    try {
      assert.equal(vnc.version, "3.8");
      assert.equal(vnc.desktopName, "QEMU");
      assert.ok(vnc.width > 0 && vnc.height > 0);
      // A second client shares the desktop instead of taking it over.
      const second = await connectVNC({ host: "127.0.0.1", port: qemu.vncPort! });
      await second.close();
      assert.ok(vnc.isOpen);
    } finally {
      await vnc.close();
    }
  });

  test("a boot command typed over VNC reaches the guest's keyboard, key by key", async () => {
    const vnc = await connectVNC({ host: "127.0.0.1", port: qemu.vncPort! });
    try {
      const seen = qemu.keysReceived().length;
      await typeBootCommand({
        driver: vnc,
        command: ["aZ~<enter>", "<f12><menu><leftSuper><spacebar><leftCtrlOn>c<leftCtrlOff>"],
        keyIntervalMs: 5,
        signal: never(),
      });
      const expected = [
        "a down",
        "a up",
        "shift down",
        "z down",
        "z up",
        "shift up",
        "shift down",
        "grave_accent down",
        "grave_accent up",
        "shift up",
        "ret down",
        "ret up",
        "f12 down",
        "f12 up",
        "compose down",
        "compose up",
        "meta_l down",
        "meta_l up",
        "spc down",
        "spc up",
        "ctrl down",
        "c down",
        "c up",
        "ctrl up",
      ];
      const keys = await qemu.waitForKeys(seen + expected.length);
      assert.deepEqual(keys.slice(seen), expected);
      assert.ok(vnc.isOpen, "the connection stays open");

      // And again on the same connection, after a pause.
      await new Promise((r) => setTimeout(r, 200));
      await typeBootCommand({
        driver: vnc,
        command: ["<bs><del><esc>"],
        keyIntervalMs: 5,
        signal: never(),
      });
      const more = await qemu.waitForKeys(seen + expected.length + 6);
      assert.deepEqual(more.slice(seen + expected.length), [
        "backspace down",
        "backspace up",
        "delete down",
        "delete up",
        "esc down",
        "esc up",
      ]);
    } finally {
      await vnc.close();
    }
  });

  test("connecting with a password when none is needed still works", async () => {
    const vnc = await connectVNC({ host: "127.0.0.1", port: qemu.vncPort!, password: "unused" });
    await vnc.close();
  });
});

describe("QEMU's VNC server with a password", () => {
  let qemu: TestQemu;
  let qmp: QMPClient;
  before(async () => {
    qemu = await TestQemu.start({ vnc: "password", paused: true });
    qmp = await QMPClient.connect(qemu.qmpAddress);
  });
  after(async () => {
    await qmp?.close();
    await qemu?.stop();
  });

  test("before a password is set, every password is refused", async () => {
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: qemu.vncPort!, password: "anything" }),
      new RegExp(`^Error: VNC server at 127\\.0\\.0\\.1:${qemu.vncPort} refused the password`),
    );
  });

  test("the password set over QMP is accepted; a wrong or missing one is refused", async () => {
    await qmp.execute("change-vnc-password", { password: "kiln-pw" });
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: qemu.vncPort!, password: "wrong-pw" }),
      new RegExp(
        `^Error: VNC server at 127\\.0\\.0\\.1:${qemu.vncPort} refused the password \\(Authentication failed\\)$`,
      ),
    );
    await assert.rejects(
      connectVNC({ host: "127.0.0.1", port: qemu.vncPort! }),
      new RegExp(
        `^Error: VNC server at 127\\.0\\.0\\.1:${qemu.vncPort} requires a password, and none was given$`,
      ),
    );
    const vnc = await connectVNC({ host: "127.0.0.1", port: qemu.vncPort!, password: "kiln-pw" });
    try {
      assert.equal(vnc.version, "3.8");
      await qmp.execute("cont");
      const seen = qemu.keysReceived().length;
      await typeBootCommand({ driver: vnc, command: ["ok"], keyIntervalMs: 5, signal: never() });
      const keys = await qemu.waitForKeys(seen + 4);
      assert.deepEqual(keys.slice(seen), ["o down", "o up", "k down", "k up"]);
    } finally {
      await vnc.close();
    }
  });

  test("VNC passwords count by their first 8 characters", async () => {
    await qmp.execute("change-vnc-password", { password: "12345678" });
    const vnc = await connectVNC({
      host: "127.0.0.1",
      port: qemu.vncPort!,
      password: "12345678-and-more",
    });
    await vnc.close();
  });
});
