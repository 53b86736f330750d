// Typing a boot_command into a machine: each key press becomes key-down and
// key-up events (with Shift around capitals and shifted symbols), a pause of
// the key interval separates consecutive events, and `<waitXX>` pauses. The
// build's AbortSignal stops it at once, even in the middle of a long wait.

import { parseGoDuration } from "../../hcl/functions/datetime-go.js";
import type { Ui } from "../../ui/index.js";
import { sleep as wait } from "../../util/sleep.js";
import { isControlChar, needsShift } from "./keys.js";
import { type BootAction, describeAction, type Key, parseBootCommand } from "./parse.js";

/** What types keys into a machine: VNC, QMP (and later other builders' drivers). */
export interface KeyDriver {
  /** How the keys travel, for messages: "VNC", "QMP". */
  readonly transport?: string;
  keyDown(key: Key): Promise<void>;
  keyUp(key: Key): Promise<void>;
  /** Resolves once every event sent so far has reached the machine (or failed). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface TypeBootCommandOptions {
  driver: KeyDriver;
  /** boot_command entries, their `{{ }}` fields already rendered. */
  command: string[];
  /** The pause between two key events (see `keyIntervalMs`). */
  keyIntervalMs: number;
  /**
   * boot_keygroup_interval: when positive, each entry of `command` is a group
   * of keys typed on its own, with this pause after it. Otherwise the entries
   * are joined and typed as one text, as Packer's VNC typing does.
   */
  groupIntervalMs?: number;
  signal: AbortSignal;
  /** Where "Typing the boot command over VNC..." is said. */
  ui?: Ui;
  /** Detailed log lines (each key and wait), as Packer writes to its log. */
  log?: (line: string) => void;
}

/** Packer's key interval when neither the template nor PACKER_KEY_INTERVAL sets one. */
export const DEFAULT_KEY_INTERVAL_MS = 100;

/**
 * The pause between key events: boot_key_interval when it is positive, else
 * PACKER_KEY_INTERVAL when it is a valid Go duration, else 100 ms.
 */
export function keyIntervalMs(
  configuredMs: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (configuredMs !== undefined && configuredMs > 0) return configuredMs;
  const fromEnv = env.PACKER_KEY_INTERVAL;
  if (fromEnv !== undefined) {
    try {
      return Number(parseGoDuration(fromEnv)) / 1e6;
    } catch {
      // Not a duration: Packer ignores it too.
    }
  }
  return DEFAULT_KEY_INTERVAL_MS;
}

const SHIFT: Key = { kind: "special", name: "leftshift" };

/** One key event: the key, and whether it goes down or up. */
export interface KeyEvent {
  key: Key;
  down: boolean;
}

/**
 * The key events of one action, with Shift pressed around a character that
 * needs it. Control characters in the text (line breaks, tabs) type nothing.
 */
export function keyEvents(action: BootAction): KeyEvent[] {
  if (action.kind !== "key" || isControlChar(action.key)) return [];
  const { key } = action;
  const shift = needsShift(key);
  const events: KeyEvent[] = [];
  if (action.action !== "off") {
    if (shift) events.push({ key: SHIFT, down: true });
    events.push({ key, down: true });
  }
  if (action.action !== "on") {
    events.push({ key, down: false });
    if (shift) events.push({ key: SHIFT, down: false });
  }
  return events;
}

/** Types boot_command entries through a driver; rejects with the signal's reason when cancelled. */
export async function typeBootCommand(opts: TypeBootCommandOptions): Promise<void> {
  const { driver, signal, log } = opts;
  const grouped = (opts.groupIntervalMs ?? 0) > 0;
  const groups = grouped ? opts.command : [opts.command.join("")];
  const parsed = groups.map((text) => parseBootCommand(text));
  const errors = parsed.flatMap((p) => p.errors);
  if (errors.length > 0) throw new Error(`Error parsing boot command: ${errors.join("; ")}`);

  signal.throwIfAborted();
  opts.ui?.say(`Typing the boot command over ${driver.transport ?? "the keyboard"}...`);

  let sentAny = false;
  for (const [index, group] of parsed.entries()) {
    for (const action of group.actions) {
      if (action.kind === "wait") {
        await driver.flush();
        log?.(`Waiting: ${describeAction(action)}`);
        await sleep(action.ms, signal);
        continue;
      }
      const events = keyEvents(action);
      if (events.length > 0) log?.(`Sending key: ${describeAction(action)}`);
      for (const event of events) {
        if (sentAny) await sleep(opts.keyIntervalMs, signal);
        signal.throwIfAborted();
        await (event.down ? driver.keyDown(event.key) : driver.keyUp(event.key));
        sentAny = true;
      }
    }
    await driver.flush();
    if (grouped && index < parsed.length - 1) await sleep(opts.groupIntervalMs!, signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it fires. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (!(await wait(ms, signal))) throw signal.reason;
}
