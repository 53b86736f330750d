import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BootAction,
  isControlChar,
  type Key,
  keyEvents,
  keyIntervalMs,
  keysym,
  needsShift,
  parseBootCommand,
  qcode,
  SPECIAL_KEYS,
} from "../../../src/engine/bootcommand/index.js";

const char = (c: string): Key => ({ kind: "char", char: c });

describe("special keys", () => {
  // X11 keysyms (as Packer's VNC driver sends them) and QEMU key codes.
  const table: Record<string, [number, string]> = {
    bs: [0xff08, "backspace"],
    del: [0xffff, "delete"],
    enter: [0xff0d, "ret"],
    return: [0xff0d, "ret"],
    esc: [0xff1b, "esc"],
    tab: [0xff09, "tab"],
    f1: [0xffbe, "f1"],
    f2: [0xffbf, "f2"],
    f3: [0xffc0, "f3"],
    f4: [0xffc1, "f4"],
    f5: [0xffc2, "f5"],
    f6: [0xffc3, "f6"],
    f7: [0xffc4, "f7"],
    f8: [0xffc5, "f8"],
    f9: [0xffc6, "f9"],
    f10: [0xffc7, "f10"],
    f11: [0xffc8, "f11"],
    f12: [0xffc9, "f12"],
    up: [0xff52, "up"],
    down: [0xff54, "down"],
    left: [0xff51, "left"],
    right: [0xff53, "right"],
    spacebar: [0x20, "spc"],
    insert: [0xff63, "insert"],
    home: [0xff50, "home"],
    end: [0xff57, "end"],
    pageup: [0xff55, "pgup"],
    pagedown: [0xff56, "pgdn"],
    menu: [0xff67, "compose"],
    leftalt: [0xffe9, "alt"],
    rightalt: [0xffea, "alt_r"],
    leftctrl: [0xffe3, "ctrl"],
    rightctrl: [0xffe4, "ctrl_r"],
    leftshift: [0xffe1, "shift"],
    rightshift: [0xffe2, "shift_r"],
    leftsuper: [0xffeb, "meta_l"],
    rightsuper: [0xffec, "meta_r"],
    leftmeta: [0xffe7, "meta_l"],
    rightmeta: [0xffe8, "meta_r"],
  };

  test("every special key has its keysym and QEMU key code", () => {
    assert.deepEqual(Object.keys(table).sort(), [...SPECIAL_KEYS].sort());
    for (const name of SPECIAL_KEYS) {
      const key: Key = { kind: "special", name };
      assert.deepEqual([keysym(key), qcode(key)], table[name], name);
      assert.equal(needsShift(key), false, name);
    }
  });
});

describe("characters on a US keyboard", () => {
  const shifted = '~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ';

  test("every printable ASCII character has a key; Shift for capitals and the upper symbols", () => {
    for (let cp = 0x20; cp < 0x7f; cp++) {
      const c = String.fromCharCode(cp);
      assert.notEqual(qcode(char(c)), undefined, c);
      assert.equal(keysym(char(c)), cp, c);
      assert.equal(needsShift(char(c)), shifted.includes(c), c);
    }
  });

  test("shifted symbols share the key of their unshifted twin", () => {
    const pairs = ["`~", "1!", "2@", "3#", "4$", "5%", "6^", "7&", "8*", "9(", "0)", "-_", "=+"];
    for (const [a, b] of [...pairs, "[{", "]}", "\\|", ";:", "'\"", ",<", ".>", "/?", "aA", "zZ"]) {
      assert.equal(qcode(char(a!)), qcode(char(b!)), `${a}${b}`);
    }
    assert.deepEqual(
      [..."aZ0 .-/\\;'`[]"].map((c) => qcode(char(c))),
      [
        "a",
        "z",
        "0",
        "spc",
        "dot",
        "minus",
        "slash",
        "backslash",
        "semicolon",
        "apostrophe",
        "grave_accent",
        "bracket_left",
        "bracket_right",
      ],
    );
  });

  test("characters beyond ASCII: Latin-1 keysyms are the code point, others are offset", () => {
    assert.equal(keysym(char("é")), 0xe9);
    assert.equal(keysym(char("界")), 0x0100754c);
    assert.equal(keysym(char("😀")), 0x0101f600);
    assert.equal(qcode(char("é")), undefined);
    assert.equal(needsShift(char("É")), true, "a capital needs Shift, as in Packer");
    assert.equal(needsShift(char("界")), false);
  });

  test("control characters type nothing", () => {
    for (const c of ["\n", "\r", "\t", "\u0000", "\u007f", "\u0085"]) {
      assert.equal(isControlChar(char(c)), true, JSON.stringify(c));
    }
    for (const c of [" ", "a", "é", "~"]) assert.equal(isControlChar(char(c)), false, c);
  });
});

describe("key events", () => {
  const events = (text: string) =>
    parseBootCommand(text).actions.flatMap((a: BootAction) =>
      keyEvents(a).map((e) => [keysym(e.key), e.down] as const),
    );

  test("Shift goes down before a capital and up after it", () => {
    assert.deepEqual(events("AbC"), [
      [0xffe1, true],
      [0x41, true],
      [0x41, false],
      [0xffe1, false],
      [0x62, true],
      [0x62, false],
      [0xffe1, true],
      [0x43, true],
      [0x43, false],
      [0xffe1, false],
    ]);
  });

  test("holding a capital holds Shift until it is released", () => {
    assert.deepEqual(events("<Aon><Aoff>"), [
      [0xffe1, true],
      [0x41, true],
      [0x41, false],
      [0xffe1, false],
    ]);
  });

  test("special keys in any case, pressed, released and held", () => {
    assert.deepEqual(events("<rightShift><rightshiftoff><RIGHTSHIFTON><menu>"), [
      [0xffe2, true],
      [0xffe2, false],
      [0xffe2, false],
      [0xffe2, true],
      [0xff67, true],
      [0xff67, false],
    ]);
  });

  test("waits and control characters send no key", () => {
    assert.deepEqual(events("<wait1s>\n\t"), []);
  });
});

describe("keyIntervalMs", () => {
  test("boot_key_interval, else PACKER_KEY_INTERVAL, else 100 ms", () => {
    assert.equal(keyIntervalMs(undefined, {}), 100);
    assert.equal(keyIntervalMs(0, {}), 100);
    assert.equal(keyIntervalMs(undefined, { PACKER_KEY_INTERVAL: "10ms" }), 10);
    assert.equal(keyIntervalMs(undefined, { PACKER_KEY_INTERVAL: "0s" }), 0);
    assert.equal(keyIntervalMs(undefined, { PACKER_KEY_INTERVAL: "1.5s" }), 1500);
    assert.equal(keyIntervalMs(undefined, { PACKER_KEY_INTERVAL: "fast" }), 100);
    assert.equal(keyIntervalMs(undefined, { PACKER_KEY_INTERVAL: "20" }), 100);
    assert.equal(keyIntervalMs(250, { PACKER_KEY_INTERVAL: "10ms" }), 250);
    assert.equal(keyIntervalMs(-5, { PACKER_KEY_INTERVAL: "10ms" }), 10);
  });
});
