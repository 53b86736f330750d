// What a Key is to the machine: an X11 keysym for VNC, a QEMU key code
// ("qcode") for QMP, and whether Shift must be held to type it on a US
// keyboard. The X11 keysym of a character is its code point (Latin-1) or
// 0x01000000 plus its code point (the rest of Unicode); special keys have
// their own keysyms.

import type { Key, SpecialKeyName } from "./parse.js";

const SPECIAL_KEYSYMS: Record<SpecialKeyName, number> = {
  bs: 0xff08,
  del: 0xffff,
  enter: 0xff0d,
  return: 0xff0d,
  esc: 0xff1b,
  tab: 0xff09,
  f1: 0xffbe,
  f2: 0xffbf,
  f3: 0xffc0,
  f4: 0xffc1,
  f5: 0xffc2,
  f6: 0xffc3,
  f7: 0xffc4,
  f8: 0xffc5,
  f9: 0xffc6,
  f10: 0xffc7,
  f11: 0xffc8,
  f12: 0xffc9,
  up: 0xff52,
  down: 0xff54,
  left: 0xff51,
  right: 0xff53,
  spacebar: 0x20,
  insert: 0xff63,
  home: 0xff50,
  end: 0xff57,
  pageup: 0xff55,
  pagedown: 0xff56,
  menu: 0xff67,
  leftalt: 0xffe9,
  rightalt: 0xffea,
  leftctrl: 0xffe3,
  rightctrl: 0xffe4,
  leftshift: 0xffe1,
  rightshift: 0xffe2,
  leftsuper: 0xffeb,
  rightsuper: 0xffec,
  leftmeta: 0xffe7,
  rightmeta: 0xffe8,
};

const SPECIAL_QCODES: Record<SpecialKeyName, string> = {
  bs: "backspace",
  del: "delete",
  enter: "ret",
  return: "ret",
  esc: "esc",
  tab: "tab",
  f1: "f1",
  f2: "f2",
  f3: "f3",
  f4: "f4",
  f5: "f5",
  f6: "f6",
  f7: "f7",
  f8: "f8",
  f9: "f9",
  f10: "f10",
  f11: "f11",
  f12: "f12",
  up: "up",
  down: "down",
  left: "left",
  right: "right",
  spacebar: "spc",
  insert: "insert",
  home: "home",
  end: "end",
  pageup: "pgup",
  pagedown: "pgdn",
  // The application key next to the right Ctrl (PC scan code e0 5d).
  menu: "compose",
  leftalt: "alt",
  rightalt: "alt_r",
  leftctrl: "ctrl",
  rightctrl: "ctrl_r",
  leftshift: "shift",
  rightshift: "shift_r",
  leftsuper: "meta_l",
  rightsuper: "meta_r",
  leftmeta: "meta_l",
  rightmeta: "meta_r",
};

// The US layout: each key's unshifted and shifted character.
const US_KEYS: ReadonlyArray<readonly [qcode: string, plain: string, shifted: string]> = [
  ["grave_accent", "`", "~"],
  ["1", "1", "!"],
  ["2", "2", "@"],
  ["3", "3", "#"],
  ["4", "4", "$"],
  ["5", "5", "%"],
  ["6", "6", "^"],
  ["7", "7", "&"],
  ["8", "8", "*"],
  ["9", "9", "("],
  ["0", "0", ")"],
  ["minus", "-", "_"],
  ["equal", "=", "+"],
  ["bracket_left", "[", "{"],
  ["bracket_right", "]", "}"],
  ["backslash", "\\", "|"],
  ["semicolon", ";", ":"],
  ["apostrophe", "'", '"'],
  ["comma", ",", "<"],
  ["dot", ".", ">"],
  ["slash", "/", "?"],
  ["spc", " ", " "],
  ..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => [c, c, c.toUpperCase()] as const),
];

const CHAR_QCODES = new Map<string, string>();
for (const [qcode, plain, shifted] of US_KEYS) {
  CHAR_QCODES.set(plain, qcode);
  CHAR_QCODES.set(shifted, qcode);
}

// The symbols typed with Shift on a US keyboard (letters aside).
const SHIFTED_SYMBOLS = new Set('~!@#$%^&*()_+{}|:"<>?');
const UPPER_CASE = /^\p{Lu}$/u;

/** The keysym a VNC KeyEvent sends for a key. */
export function keysym(key: Key): number {
  if (key.kind === "special") return SPECIAL_KEYSYMS[key.name];
  const cp = key.char.codePointAt(0)!;
  return cp < 0x100 ? cp : 0x01000000 + cp;
}

/** QEMU's key code (QKeyCode) for a key; undefined for a character no US key types. */
export function qcode(key: Key): string | undefined {
  if (key.kind === "special") return SPECIAL_QCODES[key.name];
  return CHAR_QCODES.get(key.char);
}

/** Whether typing the key needs Shift held: capitals and the shifted symbols of a US keyboard. */
export function needsShift(key: Key): boolean {
  return key.kind === "char" && (UPPER_CASE.test(key.char) || SHIFTED_SYMBOLS.has(key.char));
}

/**
 * Whether a key types nothing: a control character (a line break, a tab
 * character) in the text. No keyboard key sends them; the text's line breaks
 * are layout, as they are when Packer types them.
 */
export function isControlChar(key: Key): boolean {
  if (key.kind !== "char") return false;
  const cp = key.char.codePointAt(0)!;
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/** A short name for a key in messages: `<enter>`, `"a"`. */
export function keyLabel(key: Key): string {
  return key.kind === "special" ? `<${key.name}>` : JSON.stringify(key.char);
}
