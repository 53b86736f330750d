// What the docker builder and communicator tests need: a running engine with
// the debian:bookworm base image (set up with the project's scripts when
// missing, so the tests are self-sufficient on a developer's machine; in CI
// scripts/test.sh has done it), and docker CLI calls for fixtures and
// checks. The CLI runs directly here: these are test fixtures, not kiln.

import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { kilnBin } from "../support/cli.js";

const scripts = resolve(import.meta.dirname, "../../scripts");

export const BASE_IMAGE = process.env.KILN_BASE_IMAGE ?? "debian:bookworm";

export interface DockerResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function docker(args: string[]): DockerResult {
  const r = spawnSync("docker", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the docker CLI; returns its trimmed stdout, throws when it fails. */
export function dockerOk(args: string[]): string {
  const r = docker(args);
  if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

function script(name: string, args: string[] = []): void {
  const r = spawnSync("bash", [resolve(scripts, name), ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scripts/${name} failed (${r.status}):\n${r.stderr}`);
}

let ready = false;

/** Makes sure an engine answers and has the base image. */
export function ensureEngine(): void {
  if (ready) return;
  if (docker(["info"]).status !== 0) script("docker-env.sh", ["start"]);
  if (docker(["image", "inspect", BASE_IMAGE]).status !== 0) script("base-image.sh");
  ready = true;
}

/** A name no other test (or test run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
}

/**
 * A base image of its own for one test (the base image with a unique label):
 * the containers a build runs from it can be found with `ancestor=` whatever
 * else runs on the engine at the same time.
 */
export function uniqueBase(prefix = "kiln-test/base"): string {
  const tag = `${uniqueName(prefix)}:latest`;
  const cid = dockerOk(["create", BASE_IMAGE, "true"]);
  try {
    dockerOk(["commit", "--change", `LABEL kiln.test=${tag}`, cid, tag]);
  } finally {
    docker(["rm", "-f", cid]);
  }
  return tag;
}

/** Ids of the containers (running or not) made from an image. */
export function containersOf(image: string): string[] {
  const out = dockerOk(["ps", "-a", "-q", "--filter", `ancestor=${image}`]);
  return out === "" ? [] : out.split("\n");
}

/** Ids of the images whose parent is `image` (what a commit of its container makes). */
export function childImages(image: string): string[] {
  const parent = dockerOk(["image", "inspect", "--format", "{{.Id}}", image]);
  const all = dockerOk(["images", "-a", "-q", "--no-trunc"]).split("\n").filter(Boolean);
  if (all.length === 0) return [];
  const lines = dockerOk(["image", "inspect", "--format", "{{.Id}} {{.Parent}}", ...all]);
  return lines
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([, p]) => p === parent)
    .map(([id]) => id!);
}

export function removeImages(...refs: string[]): void {
  if (refs.length > 0) docker(["rmi", "-f", ...refs]);
}

/** Starts a container as the builder's default run_command does; returns its id. */
export function startContainer(image = BASE_IMAGE, extraArgs: string[] = []): string {
  return dockerOk(["run", "-d", "-i", "-t", ...extraArgs, "--entrypoint=/bin/sh", "--", image]);
}

export function removeContainer(id: string): void {
  docker(["rm", "-f", "-v", id]);
}

/** Runs a shell command in a container; returns its stdout (throws when it fails). */
export function execIn(id: string, command: string): string {
  return dockerOk(["exec", id, "/bin/sh", "-c", command]);
}

export interface RunningKiln {
  /** Resolves once the output so far contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  exited: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** Starts the real `kiln` command line without waiting for it (to interrupt it). */
export function startKiln(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunningKiln {
  const child = spawn(process.execPath, [kilnBin, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, KILN_FROM_SOURCE: "1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: (() => void)[] = [];
  const onData = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
    onData();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
    onData();
  });
  const exited = new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
    child.on("close", (status) => res({ status, stdout, stderr }));
  });
  return {
    exited,
    signal: (sig) => child.kill(sig),
    waitFor(text, timeoutMs = 120_000) {
      return new Promise((res, rej) => {
        const timer = setTimeout(
          () => rej(new Error(`kiln never printed ${JSON.stringify(text)}:\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (stdout.includes(text) || stderr.includes(text)) {
            clearTimeout(timer);
            res();
          } else waiters.push(check);
        };
        check();
        exited.then(() => {
          if (!stdout.includes(text) && !stderr.includes(text)) {
            clearTimeout(timer);
            rej(
              new Error(
                `kiln exited without printing ${JSON.stringify(text)}:\n${stdout}\n${stderr}`,
              ),
            );
          }
        });
      });
    },
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((res, rej) => {
    const server = createServer();
    server.on("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => res(typeof address === "object" && address ? address.port : 0));
    });
  });
}
