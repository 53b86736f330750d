// What the docker tests of the provisioners and post-processors need: a
// running engine with the debian:bookworm base image and a local registry.
// When they are missing (a developer's machine) the project's scripts set
// them up, so the tests are self-sufficient; in CI scripts/test.sh already
// did. The docker CLI runs directly here: these are test fixtures, not kiln.

import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { resolve } from "node:path";

const scripts = resolve(import.meta.dirname, "../../scripts");

export const BASE_IMAGE = process.env.KILN_BASE_IMAGE ?? "debian:bookworm";
export const REGISTRY = "127.0.0.1:5000";

export interface DockerResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the docker CLI to its end. */
export function docker(args: string[], opts: { input?: string } = {}): DockerResult {
  const r = spawnSync("docker", args, {
    encoding: "utf8",
    input: opts.input ?? "",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the docker CLI and returns its trimmed stdout; throws when it fails. */
export function dockerOk(args: string[]): string {
  const r = docker(args);
  if (r.status !== 0) {
    throw new Error(`docker ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout.trim();
}

function script(name: string, args: string[] = []): SpawnSyncReturns<string> {
  const r = spawnSync("bash", [resolve(scripts, name), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.status !== 0) {
    throw new Error(`scripts/${name} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  }
  return r;
}

let ready = false;

/** Makes sure the engine answers and has the base image and the local registry on port 5000. */
export function ensureDocker(): void {
  if (ready) return;
  if (docker(["info"]).status !== 0) script("docker-env.sh", ["start"]);
  if (docker(["image", "inspect", BASE_IMAGE]).status !== 0) script("base-image.sh");
  const registryUp = spawnSync("curl", ["-s", "-o", "/dev/null", `http://${REGISTRY}/v2/`]);
  if (registryUp.status !== 0) script("registry.sh", ["start", "5000"]);
  ready = true;
}

/** Starts a registry that asks for `user:password` on `port`; returns a function that stops it. */
export function startAuthRegistry(port: number, auth: string): () => void {
  const r = spawnSync("bash", [resolve(scripts, "registry.sh"), "start", String(port)], {
    encoding: "utf8",
    env: { ...process.env, KILN_REGISTRY_AUTH: auth },
  });
  if (r.status !== 0) throw new Error(`registry.sh start ${port} failed:\n${r.stderr}`);
  return () => {
    spawnSync("bash", [resolve(scripts, "registry.sh"), "stop", String(port)]);
  };
}

/** A name no other test run uses, for images and containers. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
}

/** Exports the file system of a new container of `image` to `path` (what the docker builder's export_path makes). */
export function exportImage(image: string, path: string, setup?: string): void {
  const name = uniqueName("kiln-pp-export");
  if (setup === undefined) {
    dockerOk(["create", "--name", name, image, "/bin/true"]);
  } else {
    dockerOk(["run", "--name", name, image, "/bin/sh", "-c", setup]);
  }
  try {
    dockerOk(["export", "-o", path, name]);
  } finally {
    docker(["rm", "-f", name]);
  }
}

/** Removes images by name or id, ignoring those that do not exist. */
export function removeImages(...refs: string[]): void {
  if (refs.length > 0) docker(["rmi", "-f", ...refs]);
}

/**
 * Starts a container of the base image as the docker builder's default
 * run_command does (`-d -i -t --entrypoint=/bin/sh`); returns its id.
 */
export function startContainer(extraArgs: string[] = []): string {
  return dockerOk([
    "run",
    "-d",
    "-i",
    "-t",
    "--label",
    "kiln.test=provisioners",
    ...extraArgs,
    "--entrypoint=/bin/sh",
    "--",
    BASE_IMAGE,
  ]);
}

/** Removes a container and what it holds. */
export function removeContainer(id: string): void {
  docker(["rm", "-f", "-v", id]);
}

/** Runs a shell command in a running container; returns its stdout (throws when it fails). */
export function execIn(id: string, command: string): string {
  return dockerOk(["exec", id, "/bin/sh", "-c", command]);
}
