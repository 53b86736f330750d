// Shared helpers for tests of components that plug into the build engine: a
// Ui that records what it was told, a minimal BuildContext, and scratch
// directories removed after the test file.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { Communicator } from "../../src/communicators/communicator.js";
import type { BuildContext, BuildInfo } from "../../src/engine/context.js";
import { runSteps, type StateBag, type StepList } from "../../src/engine/multistep/index.js";
import type { PostProcessContext } from "../../src/engine/post-processor.js";
import type { ProvisionContext } from "../../src/engine/provisioner.js";
import type { Ui } from "../../src/ui/index.js";

export type UiCallKind = "say" | "message" | "error" | "machine" | "ask";

export interface UiCall {
  kind: UiCallKind;
  text: string;
}

/**
 * A Ui that records every call in order. `ask` answers from `answers` (one per
 * question, then ""), or waits for `answer()` when `answers` is empty and
 * `holdQuestions` is set.
 */
export class RecordingUi implements Ui {
  readonly calls: UiCall[] = [];
  private readonly answers: string[];
  private readonly holdQuestions: boolean;
  private waiting: ((line: string) => void)[] = [];
  private questionListeners: (() => void)[] = [];

  constructor(opts: { answers?: string[]; holdQuestions?: boolean } = {}) {
    this.answers = [...(opts.answers ?? [])];
    this.holdQuestions = opts.holdQuestions ?? false;
  }

  say(msg: string): void {
    this.calls.push({ kind: "say", text: msg });
  }
  message(msg: string): void {
    this.calls.push({ kind: "message", text: msg });
  }
  error(msg: string): void {
    this.calls.push({ kind: "error", text: msg });
  }
  machine(target: string, type: string, ...data: string[]): void {
    this.calls.push({ kind: "machine", text: [target, type, ...data].join(",") });
  }
  ask(query: string): Promise<string> {
    this.calls.push({ kind: "ask", text: query });
    const listeners = this.questionListeners;
    this.questionListeners = [];
    for (const l of listeners) l();
    if (this.answers.length > 0) return Promise.resolve(this.answers.shift()!);
    if (!this.holdQuestions) return Promise.resolve("");
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Answers the oldest question still waiting; returns whether there was one. */
  answer(line = ""): boolean {
    const next = this.waiting.shift();
    next?.(line);
    return next !== undefined;
  }

  /** Resolves when the next question is asked (at once if one is already waiting). */
  nextQuestion(): Promise<void> {
    if (this.waiting.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.questionListeners.push(resolve));
  }

  /** The texts of the calls of one kind, in order. */
  texts(kind: UiCallKind): string[] {
    return this.calls.filter((c) => c.kind === kind).map((c) => c.text);
  }

  /** Every call as "kind: text", for comparing a whole conversation at once. */
  transcript(): string[] {
    return this.calls.map((c) => `${c.kind}: ${c.text}`);
  }
}

/** A BuildInfo for a null builder named `source.null.test`, with overrides. */
export function buildInfo(over: Partial<BuildInfo> = {}): BuildInfo {
  return {
    name: "null.test",
    type: "null",
    sourceName: "test",
    buildName: "",
    runUUID: "2b5b1a6e-6d6e-4c36-a5c5-0123456789ab",
    packerVersion: "1.9.4",
    templateDir: process.cwd(),
    force: false,
    debug: false,
    onError: "cleanup",
    ...over,
  };
}

export interface TestBuildContextOptions {
  ui?: Ui;
  signal?: AbortSignal;
  info?: Partial<BuildInfo>;
  generatedData?: Record<string, string>;
  /** What the provision hook does (default: nothing). */
  provision?: (comm: Communicator) => Promise<void>;
  /** What the error-cleanup provisioner does (default: nothing). */
  cleanupProvision?: (comm: Communicator) => Promise<void>;
}

/** What a TestBuildContext saw while a builder ran. */
export interface TestBuildContext extends BuildContext {
  ui: RecordingUi | Ui;
  /** The communicators the provision hook was called with, in order. */
  provisioned: Communicator[];
  /** The communicators the error-cleanup hook was called with, in order. */
  cleanedUp: Communicator[];
  secrets: string[];
}

/** A BuildContext that runs steps with the plain step runner and calls the hooks you pass. */
export function testBuildContext(opts: TestBuildContextOptions = {}): TestBuildContext {
  const signal = opts.signal ?? new AbortController().signal;
  const ctx: TestBuildContext = {
    ui: opts.ui ?? new RecordingUi(),
    signal,
    info: buildInfo(opts.info),
    generatedData: opts.generatedData ?? {},
    provisioned: [],
    cleanedUp: [],
    secrets: [],
    async provision(comm) {
      ctx.provisioned.push(comm);
      await opts.provision?.(comm);
    },
    async cleanupProvision(comm) {
      ctx.cleanedUp.push(comm);
      await opts.cleanupProvision?.(comm);
    },
    runSteps: (steps: StepList, state: StateBag) => runSteps(steps, state, { signal }),
    addSecret(secret) {
      ctx.secrets.push(secret);
    },
  };
  return ctx;
}

/** A ProvisionContext for running one provisioner directly. */
export function testProvisionContext(
  comm: Communicator,
  opts: {
    ui?: Ui;
    signal?: AbortSignal;
    info?: Partial<BuildInfo>;
    generatedData?: Record<string, string>;
  } = {},
): ProvisionContext {
  return {
    ui: opts.ui ?? new RecordingUi(),
    comm,
    signal: opts.signal ?? new AbortController().signal,
    build: buildInfo(opts.info),
    generatedData: opts.generatedData ?? {},
  };
}

/** A PostProcessContext for running one post-processor directly. */
export function testPostProcessContext(
  opts: {
    ui?: Ui;
    signal?: AbortSignal;
    info?: Partial<BuildInfo>;
    generatedData?: Record<string, string>;
  } = {},
): PostProcessContext {
  return {
    ui: opts.ui ?? new RecordingUi(),
    signal: opts.signal ?? new AbortController().signal,
    build: buildInfo(opts.info),
    generatedData: opts.generatedData ?? {},
  };
}

/**
 * A fresh directory, removed when the test file's tests are done. Call it at
 * the top level of a test file (or of a describe block).
 */
export function scratchDir(prefix = "kiln-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
