// typeBootCommand over a real VNC connection to the test RFB server, which
// records each key event and when it arrived.

import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import {
  connectVNC,
  typeBootCommand,
  type VNCClient,
} from "../../../src/engine/bootcommand/index.js";
import { RecordingUi } from "../../support/engine.js";
import { RFBTestServer } from "./rfb-server.js";

let server: RFBTestServer;
let vnc: VNCClient;
const open: Array<RFBTestServer | VNCClient> = [];

beforeEach(async () => {
  server = await RFBTestServer.start();
  vnc = await connectVNC({ host: "127.0.0.1", port: server.port });
  open.push(vnc, server);
});

after(async () => {
  for (const x of open) await x.close();
});

const never = () => new AbortController().signal;

describe("typeBootCommand", () => {
  test("says how it types, and types every key", async () => {
    const ui = new RecordingUi();
    const log: string[] = [];
    await typeBootCommand({
      driver: vnc,
      command: ["ab<enter>"],
      keyIntervalMs: 0,
      signal: never(),
      ui,
      log: (l) => log.push(l),
    });
    assert.deepEqual(ui.texts("say"), ["Typing the boot command over VNC..."]);
    assert.deepEqual(log, ["Sending key: a", "Sending key: b", "Sending key: <enter>"]);
    await server.waitForKeys(6);
    assert.deepEqual(server.pairs(), [
      [0x61, true],
      [0x61, false],
      [0x62, true],
      [0x62, false],
      [0xff0d, true],
      [0xff0d, false],
    ]);
  });

  test("the key interval separates consecutive events, with no pause after the last", async () => {
    const began = performance.now();
    await typeBootCommand({ driver: vnc, command: ["ab"], keyIntervalMs: 100, signal: never() });
    const took = performance.now() - began;
    const keys = await server.waitForKeys(4);
    // Arrival times jitter a little; the spread of all four cannot shrink.
    for (let i = 1; i < keys.length; i++) {
      assert.ok(keys[i]!.at - keys[i - 1]!.at >= 60, `gap ${i}: ${keys[i]!.at - keys[i - 1]!.at}`);
    }
    assert.ok(keys[3]!.at - keys[0]!.at >= 280, `spread ${keys[3]!.at - keys[0]!.at}`);
    // Three pauses of 100 ms; a fourth after the last key would make it 400.
    assert.ok(took >= 295 && took < 390, `took ${took} ms`);
  });

  test("entries are joined: a token may span two entries", async () => {
    await typeBootCommand({
      driver: vnc,
      command: ["<ent", "er>"],
      keyIntervalMs: 0,
      signal: never(),
    });
    await server.waitForKeys(2);
    assert.deepEqual(server.pairs(), [
      [0xff0d, true],
      [0xff0d, false],
    ]);
  });

  test("<waitXX> pauses before the next key", async () => {
    const began = performance.now();
    await typeBootCommand({
      driver: vnc,
      command: ["a<wait300ms>b"],
      keyIntervalMs: 0,
      signal: never(),
    });
    const keys = await server.waitForKeys(4);
    assert.ok(keys[2]!.at - keys[1]!.at >= 250, `paused ${keys[2]!.at - keys[1]!.at} ms`);
    assert.ok(performance.now() - began < 1000);
  });

  test("boot_keygroup_interval types each entry on its own, pausing between them", async () => {
    await typeBootCommand({
      driver: vnc,
      command: ["a", "<ent", "er>"],
      keyIntervalMs: 0,
      groupIntervalMs: 150,
      signal: never(),
    });
    const keys = await server.waitForKeys(20);
    // Split apart, "<ent" and "er>" are plain text.
    assert.deepEqual(
      keys.filter((k) => k.down).map((k) => k.keysym),
      [0x61, 0xffe1, 0x3c, 0x65, 0x6e, 0x74, 0x65, 0x72, 0xffe1, 0x3e],
    );
    const gapAfterA = keys[2]!.at - keys[1]!.at;
    assert.ok(gapAfterA >= 100, `group pause ${gapAfterA} ms`);
  });

  test("line breaks in the text type nothing", async () => {
    await typeBootCommand({
      driver: vnc,
      command: ["a\n", "\r\n\tb"],
      keyIntervalMs: 0,
      signal: never(),
    });
    assert.deepEqual(
      (await server.waitForKeys(4)).map((k) => k.keysym),
      [0x61, 0x61, 0x62, 0x62],
    );
  });

  test("an invalid command is an error before any key is sent", async () => {
    const ui = new RecordingUi();
    await assert.rejects(
      typeBootCommand({
        driver: vnc,
        command: ["abc<wait0>"],
        keyIntervalMs: 0,
        signal: never(),
        ui,
      }),
      /^Error: Error parsing boot command: boot_command: <wait0> is not a valid wait/,
    );
    assert.deepEqual(ui.calls, []);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.keys.length, 0);
  });

  test("Ctrl-C during a long <wait10m> stops at once", async () => {
    const ac = new AbortController();
    const began = performance.now();
    setTimeout(() => ac.abort(new Error("interrupted")), 100);
    await assert.rejects(
      typeBootCommand({
        driver: vnc,
        command: ["a<wait10m>b"],
        keyIntervalMs: 0,
        signal: ac.signal,
      }),
      /^Error: interrupted$/,
    );
    const took = performance.now() - began;
    assert.ok(took < 400, `stopped after ${took} ms`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(server.pairs(), [
      [0x61, true],
      [0x61, false],
    ]);
  });

  test("cancelling between keys sends no further key", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("interrupted")), 130);
    await assert.rejects(
      typeBootCommand({
        driver: vnc,
        command: ["abcdefghijklmnopqrstuvwxyz"],
        keyIntervalMs: 50,
        signal: ac.signal,
      }),
      /interrupted/,
    );
    await new Promise((r) => setTimeout(r, 100));
    const sent = server.keys.length;
    assert.ok(sent >= 2 && sent <= 4, `${sent} events before the cancel`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(server.keys.length, sent);
  });

  test("an already-cancelled build types nothing and says nothing", async () => {
    const ac = new AbortController();
    ac.abort(new Error("too late"));
    const ui = new RecordingUi();
    await assert.rejects(
      typeBootCommand({ driver: vnc, command: ["a"], keyIntervalMs: 0, signal: ac.signal, ui }),
      /too late/,
    );
    assert.deepEqual(ui.calls, []);
  });
});
