// The QMP client against a real QEMU (TCG, no disk): the greeting and
// capabilities, commands and their errors, events, keys (send-key and the
// KeyDriver, read back from QEMU's key trace), and `quit`. One QEMU at a time.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { QMPClient, QMPError, type QMPEvent } from "../../../src/builders/qemu/qmp.js";
import { typeBootCommand } from "../../../src/engine/bootcommand/index.js";
import { TestQemu } from "../../engine/bootcommand/qemu.js";

const never = () => new AbortController().signal;

/** Collects events from an iterator until `stop` names one. */
async function collect(events: AsyncIterable<QMPEvent>, stop: string): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of events) {
    seen.push(e.event);
    if (e.event === stop) break;
  }
  return seen;
}

describe("QMP on a unix socket", () => {
  let qemu: TestQemu;
  let qmp: QMPClient;
  before(async () => {
    qemu = await TestQemu.start({ paused: true });
    qmp = await QMPClient.connect(qemu.qmpAddress);
  });
  after(async () => {
    await qmp?.close();
    await qemu?.stop();
  });

  test("the greeting gives QEMU's version", () => {
    assert.ok(qmp.version.major >= 5, `QEMU ${qmp.version.major}.${qmp.version.minor}`);
    assert.ok(Array.isArray(qmp.capabilities));
  });

  test("commands return their values", async () => {
    assert.deepEqual(await qmp.execute("query-status"), {
      status: "prelaunch",
      singlestep: false,
      running: false,
    });
    const kvm = (await qmp.execute("query-kvm")) as { enabled: boolean };
    assert.equal(kvm.enabled, false, "TCG, not KVM");
    // Arguments travel too.
    const found = (await qmp.execute("qom-list-types", { implements: "isa-device" })) as Array<{
      name: string;
    }>;
    assert.ok(found.some((t) => t.name === "i8042"));
  });

  test("errors carry QMP's class and description", async () => {
    const err = await qmp.execute("no-such-command").then(
      () => assert.fail("should have failed"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof QMPError);
    assert.equal(err.command, "no-such-command");
    assert.equal(err.errorClass, "CommandNotFound");
    assert.match(err.desc, /no-such-command/);
    assert.match(err.message, /^QMP command "no-such-command" failed: CommandNotFound: /);

    await assert.rejects(qmp.sendKeys(["no-such-key"]), (e: unknown) => {
      assert.ok(e instanceof QMPError);
      assert.equal(e.errorClass, "GenericError");
      assert.match(e.message, /no-such-key/);
      return true;
    });
    // The connection is still usable after an error.
    assert.equal(((await qmp.execute("query-status")) as { running: boolean }).running, false);
  });

  test("events arrive in order, to every listener", async () => {
    const a = qmp.events();
    const b = qmp.events();
    const gotA = collect(a, "STOP");
    const gotB = collect(b, "RESUME");
    await qmp.execute("cont");
    await qmp.execute("stop");
    assert.deepEqual(await gotA, ["RESUME", "STOP"]);
    assert.deepEqual(await gotB, ["RESUME"]);
    await qmp.execute("cont");
  });

  test("send-key presses keys together and they reach the keyboard", async () => {
    const seen = qemu.keysReceived().length;
    await qmp.sendKeys(["shift", "a"], 50);
    const keys = await qemu.waitForKeys(seen + 4);
    assert.deepEqual(keys.slice(seen), ["shift down", "a down", "a up", "shift up"]);
  });

  test("a boot command typed over QMP reaches the keyboard, key by key", async () => {
    const seen = qemu.keysReceived().length;
    const driver = qmp.keyDriver();
    assert.equal(driver.transport, "QMP");
    await typeBootCommand({
      driver,
      command: ["Hi!<tab><pageDown><rightAltOn><f4><rightAltOff>"],
      keyIntervalMs: 2,
      signal: never(),
    });
    const expected = [
      "shift down",
      "h down",
      "h up",
      "shift up",
      "i down",
      "i up",
      "shift down",
      "1 down",
      "1 up",
      "shift up",
      "tab down",
      "tab up",
      "pgdn down",
      "pgdn up",
      "alt_r down",
      "f4 down",
      "f4 up",
      "alt_r up",
    ];
    const keys = await qemu.waitForKeys(seen + expected.length);
    assert.deepEqual(keys.slice(seen), expected);
    await driver.close();
    assert.ok(((await qmp.execute("query-status")) as { running: boolean }).running);
  });

  test("a character no US key types is a clear error", async () => {
    await assert.rejects(
      typeBootCommand({
        driver: qmp.keyDriver(),
        command: ["é"],
        keyIntervalMs: 0,
        signal: never(),
      }),
      /^Error: QEMU has no key that types "é" on a US keyboard$/,
    );
  });
});

describe("QMP quit and lifetime", () => {
  test("connect waits for QEMU to create its socket, and quit ends QEMU", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-qmp-"));
    let qemu: TestQemu | undefined;
    try {
      // Connecting before QEMU exists: the client keeps trying.
      const path = join(dir, "qmp.sock");
      const connecting = QMPClient.connect(path, never(), { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      qemu = await TestQemu.start({ paused: true, qmpSocket: path });
      const qmp = await connecting;
      const events = qmp.events();
      const ended = collect(events, "never-sent");
      assert.deepEqual(await qmp.execute("quit"), {});
      await qmp.closed;
      assert.deepEqual(await ended, ["SHUTDOWN"]);
      const result = await qemu.process.exited();
      assert.equal(result.exitCode, 0);
      await assert.rejects(qmp.execute("query-status"), /QMP connection to .* is closed/);
      // Events asked for after the end finish at once.
      assert.deepEqual(await collect(qmp.events(), "x"), []);
      await qmp.close();
    } finally {
      await qemu?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("QMP over TCP", async () => {
    const qemu = await TestQemu.start({ paused: true, qmpTcp: true });
    try {
      assert.match(qemu.qmpAddress, /^tcp:127\.0\.0\.1:\d+$/);
      const qmp = await QMPClient.connect(qemu.qmpAddress);
      assert.equal(((await qmp.execute("query-status")) as { status: string }).status, "prelaunch");
      await qmp.execute("quit");
      await qmp.closed;
      assert.equal((await qemu.process.exited()).exitCode, 0);
    } finally {
      await qemu.stop();
    }
  });

  test("when QEMU dies, the connection ends and commands fail clearly", async () => {
    const qemu = await TestQemu.start({ paused: true });
    try {
      const qmp = await QMPClient.connect(qemu.qmpAddress);
      qemu.process.kill("SIGKILL");
      await qmp.closed;
      await assert.rejects(qmp.execute("query-status"), /is closed/);
    } finally {
      await qemu.stop();
    }
  });
});

describe("QMP connection failures", () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-qmp-fail-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("no socket: a clear error after the timeout", async () => {
    const path = join(dir, "missing.sock");
    const began = Date.now();
    await assert.rejects(
      QMPClient.connect(path, undefined, { timeoutMs: 300 }),
      new RegExp(
        `^Error: Error connecting to QMP at ${path.replace(/[.]/g, "\\.")}: no such socket$`,
      ),
    );
    const took = Date.now() - began;
    assert.ok(took >= 250 && took < 2000, `${took} ms`);
  });

  test("cancelling stops the retries at once", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("cancelled")), 100);
    const began = Date.now();
    await assert.rejects(
      QMPClient.connect(join(dir, "missing.sock"), ac.signal, { timeoutMs: 10_000 }),
      /cancelled/,
    );
    assert.ok(Date.now() - began < 1000);
  });

  test("a socket that is not QMP", async () => {
    const path = join(dir, "not-qmp.sock");
    const server = createServer((s) => s.end('{"hello": "world"}\r\n'));
    await new Promise<void>((r) => server.listen(path, r));
    try {
      await assert.rejects(
        QMPClient.connect(path),
        /is not a QMP socket \(it sent \{"hello":"world"\}\)/,
      );
    } finally {
      server.close();
    }
  });

  test("a socket that never greets times out", async () => {
    const path = join(dir, "silent.sock");
    const sockets: import("node:net").Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(path, r));
    try {
      await assert.rejects(
        QMPClient.connect(path, undefined, { timeoutMs: 300 }),
        /QEMU sent no QMP greeting on .*silent\.sock within 0\.3s/,
      );
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
