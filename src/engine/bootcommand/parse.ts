// The boot_command language: text typed into a machine's console, with
// `<special>` keys, `<xxxOn>`/`<xxxOff>` to hold and release a key, and
// `<waitXX>` pauses. Anything else, including a `<` that starts no valid
// token, is typed as it is. Parsing never throws: a bad token is an error
// message naming it, as Packer reports it when it prepares a template.

import { formatGoDuration } from "../../components/prepare.js";
import { parseGoDuration } from "../../hcl/functions/datetime-go.js";

/** The special keys, by their lower-case name (the syntax is case-insensitive). */
export const SPECIAL_KEYS = [
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
  "pageup",
  "pagedown",
  "menu",
  "leftalt",
  "rightalt",
  "leftctrl",
  "rightctrl",
  "leftshift",
  "rightshift",
  "leftsuper",
  "rightsuper",
  "leftmeta",
  "rightmeta",
] as const;

export type SpecialKeyName = (typeof SPECIAL_KEYS)[number];

/** A key on the keyboard: one that types a character, or a special key. */
export type Key = { kind: "char"; char: string } | { kind: "special"; name: SpecialKeyName };

/** Press (down then up), hold down (`<xOn>`), or release (`<xOff>`). */
export type KeyAction = "press" | "on" | "off";

export type BootAction =
  | { kind: "key"; key: Key; action: KeyAction }
  /** A pause; `ms` may have a fraction (`<wait1500us>`). */
  | { kind: "wait"; ms: number };

export interface ParsedBootCommand {
  actions: BootAction[];
  /** The first error; undefined when the text is valid. */
  error?: string;
  /** Every error, in the order of the tokens. */
  errors: string[];
}

// Longest names first, so that `<f10>` is not read as `<f1>` followed by "0>".
const SPECIAL_PATTERN = [...SPECIAL_KEYS].sort((a, b) => b.length - a.length).join("|");
const SPECIAL_RE = new RegExp(`^<(${SPECIAL_PATTERN})(on|off)?>`, "i");
const TOGGLE_RE = /^<(.)(on|off)>/isu;
// A Go duration made of signed, possibly fractional numbers each with a unit,
// or a bare whole number of seconds (no sign, no leading zero).
const WAIT_RE =
  /^<wait((?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+|0|[1-9][0-9]*)?>/u;

const NS_PER_SECOND = 1_000_000_000n;
const MAX_DURATION = (1n << 63n) - 1n;

/** Parses boot_command text (after its `{{ }}` fields are rendered) into key actions and waits. */
export function parseBootCommand(text: string): ParsedBootCommand {
  const actions: BootAction[] = [];
  const errors: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === "<") {
      const rest = text.slice(i);
      const wait = WAIT_RE.exec(rest);
      if (wait) {
        const ns = waitNanoseconds(wait[0], wait[1], errors);
        if (ns !== undefined) actions.push({ kind: "wait", ms: Number(ns) / 1e6 });
        i += wait[0].length;
        continue;
      }
      const toggle = TOGGLE_RE.exec(rest);
      if (toggle) {
        actions.push({
          kind: "key",
          key: { kind: "char", char: toggle[1]! },
          action: toggleAction(toggle[2]!),
        });
        i += toggle[0].length;
        continue;
      }
      const special = SPECIAL_RE.exec(rest);
      if (special) {
        const name = special[1]!.toLowerCase() as SpecialKeyName;
        const action = special[2] === undefined ? "press" : toggleAction(special[2]);
        actions.push({ kind: "key", key: { kind: "special", name }, action });
        i += special[0].length;
        continue;
      }
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    actions.push({ kind: "key", key: { kind: "char", char }, action: "press" });
    i += char.length;
  }
  return { actions, error: errors[0], errors };
}

/**
 * Validates boot_command entries as Packer does when it prepares a template:
 * the entries are joined and parsed; each bad token is one error.
 */
export function checkBootCommand(entries: string[]): string[] {
  return parseBootCommand(entries.join("")).errors;
}

function toggleAction(word: string): KeyAction {
  return word.toLowerCase() === "on" ? "on" : "off";
}

function waitNanoseconds(
  token: string,
  amount: string | undefined,
  errors: string[],
): bigint | undefined {
  let ns: bigint;
  if (amount === undefined) {
    ns = NS_PER_SECOND;
  } else if (/^[0-9]+$/.test(amount)) {
    ns = BigInt(amount) * NS_PER_SECOND;
    if (ns > MAX_DURATION) {
      errors.push(`boot_command: ${token} is not a valid wait: ${amount} seconds is too long`);
      return undefined;
    }
  } else {
    try {
      ns = parseGoDuration(amount);
    } catch (e) {
      errors.push(`boot_command: ${token} is not a valid wait: ${(e as Error).message}`);
      return undefined;
    }
  }
  if (ns <= 0n) {
    errors.push(
      `boot_command: ${token} is not a valid wait: expecting a positive wait value, got ${formatGoDuration(ns)}`,
    );
    return undefined;
  }
  return ns;
}

/** How a key is written in boot_command: `<enter>`, `<leftCtrlOn>`, `a`, `<aOn>`. */
export function describeAction(action: BootAction): string {
  if (action.kind === "wait")
    return `<wait${formatGoDuration(BigInt(Math.round(action.ms * 1e6)))}>`;
  const suffix = action.action === "press" ? "" : action.action === "on" ? "On" : "Off";
  if (action.key.kind === "special") return `<${action.key.name}${suffix}>`;
  return suffix === "" ? action.key.char : `<${action.key.char}${suffix}>`;
}
