import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BootAction,
  checkBootCommand,
  describeAction,
  parseBootCommand,
  SPECIAL_KEYS,
} from "../../../src/engine/bootcommand/index.js";

const press = (char: string): BootAction => ({
  kind: "key",
  key: { kind: "char", char },
  action: "press",
});
const special = (name: string, action: "press" | "on" | "off" = "press"): BootAction =>
  ({ kind: "key", key: { kind: "special", name }, action }) as BootAction;
const wait = (ms: number): BootAction => ({ kind: "wait", ms });
const typed = (text: string): BootAction[] => [...text].map(press);

function actions(text: string): BootAction[] {
  const r = parseBootCommand(text);
  assert.deepEqual(r.errors, [], `unexpected errors for ${JSON.stringify(text)}`);
  assert.equal(r.error, undefined);
  return r.actions;
}

// The names as Packer's documentation writes them.
const DOCUMENTED_NAMES = [
  "bs",
  "del",
  "enter",
  "return",
  "esc",
  "tab",
  "f1",
  "f2",
  "f3",
  "f4",
  "f5",
  "f6",
  "f7",
  "f8",
  "f9",
  "f10",
  "f11",
  "f12",
  "up",
  "down",
  "left",
  "right",
  "spacebar",
  "insert",
  "home",
  "end",
  "pageUp",
  "pageDown",
  "menu",
  "leftAlt",
  "rightAlt",
  "leftCtrl",
  "rightCtrl",
  "leftShift",
  "rightShift",
  "leftSuper",
  "rightSuper",
  "leftMeta",
  "rightMeta",
];

describe("special keys", () => {
  test("the documented names are exactly the special keys", () => {
    assert.deepEqual(
      [...DOCUMENTED_NAMES.map((n) => n.toLowerCase())].sort(),
      [...SPECIAL_KEYS].sort(),
    );
  });

  for (const name of DOCUMENTED_NAMES) {
    const lower = name.toLowerCase();
    test(`<${name}> in any case, pressed, held and released`, () => {
      assert.deepEqual(actions(`<${name}>`), [special(lower)]);
      assert.deepEqual(actions(`<${lower}>`), [special(lower)]);
      assert.deepEqual(actions(`<${name.toUpperCase()}>`), [special(lower)]);
      assert.deepEqual(actions(`<${name}On>`), [special(lower, "on")]);
      assert.deepEqual(actions(`<${name}oN>`), [special(lower, "on")]);
      assert.deepEqual(actions(`<${name}Off>`), [special(lower, "off")]);
      assert.deepEqual(actions(`<${name.toUpperCase()}OFF>`), [special(lower, "off")]);
    });
  }

  test("f10 to f12 are not f1 followed by a digit", () => {
    assert.deepEqual(actions("<f10><f11><f12><f1><F1On><f10off>"), [
      special("f10"),
      special("f11"),
      special("f12"),
      special("f1"),
      special("f1", "on"),
      special("f10", "off"),
    ]);
  });

  test("Ctrl-C as Packer's documentation writes it", () => {
    assert.deepEqual(actions("<leftCtrlOn>c<leftCtrlOff>"), [
      special("leftctrl", "on"),
      press("c"),
      special("leftctrl", "off"),
    ]);
  });
});

describe("waits", () => {
  const table: Array<[string, number]> = [
    ["<wait>", 1000],
    ["<wait5>", 5000],
    ["<wait10>", 10_000],
    ["<wait0.5s>", 500],
    ["<wait1.5s>", 1500],
    ["<wait300ms>", 300],
    ["<wait1m20s>", 80_000],
    ["<wait10m>", 600_000],
    ["<wait2h45m>", 9_900_000],
    ["<wait1h>", 3_600_000],
    ["<wait1500us>", 1.5],
    ["<wait1500µs>", 1.5],
    ["<wait2000000ns>", 2],
    ["<wait4m2ns>", 240_000.000002],
  ];
  for (const [text, ms] of table) {
    test(`${text} waits ${ms} ms`, () => {
      assert.deepEqual(actions(text), [wait(ms)]);
    });
  }

  test("Packer's parser example: waits, text, toggles, unknown <tokens> typed as they are", () => {
    const text =
      "<wait><wait20><wait3s><wait4m2ns>foo/bar > one 界<fon> b<fOff><foo><f3><f12><spacebar><leftalt><rightshift><rightsuper><menu>";
    assert.deepEqual(actions(text), [
      wait(1000),
      wait(20_000),
      wait(3000),
      wait(240_000.000002),
      ...typed("foo/bar > one 界"),
      { kind: "key", key: { kind: "char", char: "f" }, action: "on" },
      press(" "),
      press("b"),
      { kind: "key", key: { kind: "char", char: "f" }, action: "off" },
      ...typed("<foo>"),
      special("f3"),
      special("f12"),
      special("spacebar"),
      special("leftalt"),
      special("rightshift"),
      special("rightsuper"),
      special("menu"),
    ]);
  });

  test("a <wait> the grammar does not match is typed as text", () => {
    for (const text of [
      "<WAIT>",
      "<Wait5>",
      "<wait 5>",
      "<wait05>",
      "<wait-5>",
      "<wait1.5>",
      "<wait5x>",
      "<wait5S>",
      "<wait.5s>",
      "<wait1s2>",
      "<wait",
      "<waiton>",
    ]) {
      assert.deepEqual(actions(text), typed(text), text);
    }
  });

  test("non-positive and unparsable waits are errors naming the token", () => {
    const table: Array<[string, RegExp]> = [
      [
        "<wait0>",
        /^boot_command: <wait0> is not a valid wait: expecting a positive wait value, got 0s$/,
      ],
      ["<wait0s>", /<wait0s> .*positive.*got 0s/],
      ["<wait-1m>", /<wait-1m> .*positive.*got -1m0s/],
      ["<wait-0.5s>", /<wait-0.5s> .*got -500ms/],
      [
        "<wait1m-20s>",
        /<wait1m-20s> is not a valid wait: time: unknown unit "m-" in duration "1m-20s"/,
      ],
      ["<wait99999999999999999999>", /<wait99999999999999999999> is not a valid wait: .*too long/],
      ["<wait9999999999h>", /<wait9999999999h> is not a valid wait: time: invalid duration/],
    ];
    for (const [text, re] of table) {
      const r = parseBootCommand(`a${text}b`);
      assert.equal(r.errors.length, 1, text);
      assert.match(r.error!, re);
      assert.deepEqual(r.actions, [press("a"), press("b")], text);
    }
  });

  test("every bad token is reported, in order", () => {
    assert.deepEqual(
      parseBootCommand("<wait0><enter><wait-1s><wait2>").errors.map((e) => e.split(" ")[1]),
      ["<wait0>", "<wait-1s>"],
    );
  });
});

describe("characters", () => {
  test("any printable character toggles with <xOn>/<xOff>", () => {
    const on = (char: string): BootAction => ({
      kind: "key",
      key: { kind: "char", char },
      action: "on",
    });
    const off = (char: string): BootAction => ({
      kind: "key",
      key: { kind: "char", char },
      action: "off",
    });
    assert.deepEqual(actions("<aOn><AOFF><<on><>off>< on><界On><😀off>"), [
      on("a"),
      off("A"),
      on("<"),
      off(">"),
      on(" "),
      on("界"),
      off("😀"),
    ]);
  });

  test("a lone < or an unknown <name> is typed as it is", () => {
    assert.deepEqual(actions("<"), typed("<"));
    assert.deepEqual(actions("a < b"), typed("a < b"));
    assert.deepEqual(actions("<foo>"), typed("<foo>"));
    assert.deepEqual(actions("<enterr>"), typed("<enterr>"));
    assert.deepEqual(actions("<<enter>"), [press("<"), special("enter")]);
    assert.deepEqual(actions("<f13>"), typed("<f13>"));
    assert.deepEqual(actions("<leftOn>"), [special("left", "on")]);
    assert.deepEqual(actions("<leftAltOnn>"), typed("<leftAltOnn>"));
  });

  test("characters outside the BMP are one key each", () => {
    assert.deepEqual(actions("a😀b"), [press("a"), press("😀"), press("b")]);
  });

  test("line breaks and tabs in the text are kept as characters", () => {
    assert.deepEqual(actions("a\nb\t"), typed("a\nb\t"));
  });

  test("Go-template fields not yet rendered are plain text", () => {
    assert.deepEqual(actions("{{ .HTTPIP }}"), typed("{{ .HTTPIP }}"));
  });

  test("an empty command has no actions", () => {
    assert.deepEqual(parseBootCommand(""), { actions: [], error: undefined, errors: [] });
  });
});

describe("checkBootCommand", () => {
  test("the entries are joined before parsing, as Packer validates them", () => {
    assert.deepEqual(checkBootCommand(["<ent", "er>", "<wait", "5>"]), []);
    assert.deepEqual(checkBootCommand(["<wa", "it0>"]), [
      "boot_command: <wait0> is not a valid wait: expecting a positive wait value, got 0s",
    ]);
  });

  test("a real installer command is valid", () => {
    assert.deepEqual(
      checkBootCommand([
        "<esc><esc><enter><wait>",
        "/install/vmlinuz noapic ",
        "preseed/url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg ",
        "hostname={{ .Name }} ",
        "initrd=/install/initrd.gz -- <enter>",
      ]),
      [],
    );
  });

  test("collects every error", () => {
    assert.equal(checkBootCommand(["<wait0>", "x", "<wait-2s>"]).length, 2);
  });
});

describe("describeAction", () => {
  test("writes actions back in boot_command syntax", () => {
    const text = "a<aOn><bOff><enter><leftCtrlOn><f1Off><wait1m20s><wait300ms>";
    assert.deepEqual(actions(text).map(describeAction), [
      "a",
      "<aOn>",
      "<bOff>",
      "<enter>",
      "<leftctrlOn>",
      "<f1Off>",
      "<wait1m20s>",
      "<wait300ms>",
    ]);
  });
});
