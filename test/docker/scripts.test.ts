// The environment scripts: docker-env.sh's start/stop logic (against stand-in
// dockerd and docker programs, so the real engine other tests use is never
// touched), registry.sh with a real docker-registry on a spare port, and
// base-image.sh's cache check against the real engine.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { before, describe, test } from "node:test";
import { scratchDir } from "../support/engine.js";
import { BASE_IMAGE, ensureEngine, freePort } from "./helpers.js";

const scripts = resolve(import.meta.dirname, "../../scripts");
const dir = scratchDir("kiln-docker-scripts-");

function script(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync("bash", [join(scripts, name), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stand-ins for dockerd and docker: this dockerd only comes up with the
 * storage driver named in `works` (any, when empty), writes its pid file and
 * runs until killed; this docker's `info` answers once it is up.
 */
function fakeEngine(name: string, works: string, opts: { neverAnswers?: boolean } = {}) {
  const bin = join(dir, name);
  mkdirSync(bin);
  writeFileSync(
    join(bin, "dockerd"),
    `#!/bin/bash
echo "$*" >> "${bin}/args"
pidfile=""
prev=""
for a in "$@"; do
  [ "$prev" = "--pidfile" ] && pidfile="$a"
  prev="$a"
done
if [ -n "${works}" ] && [[ " $* " != *" --storage-driver=${works} "* ]]; then
  echo "error initializing graphdriver" >&2
  exit 1
fi
echo $$ > "$pidfile"
echo $$ > "${bin}/last-pid"
${opts.neverAnswers ? "" : `touch "${bin}/up"`}
trap 'rm -f "${bin}/up"; exit 0' TERM
while :; do sleep 0.2; done
`,
  );
  writeFileSync(
    join(bin, "docker"),
    `#!/bin/bash
[ "$1" = info ] && [ -e "${bin}/up" ]
`,
  );
  chmodSync(join(bin, "dockerd"), 0o755);
  chmodSync(join(bin, "docker"), 0o755);
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    KILN_DOCKER_STATE_DIR: join(bin, "state"),
    KILN_DOCKER_TIMEOUT: "3",
  };
  return {
    env,
    args: () => (existsSync(join(bin, "args")) ? readFileSync(join(bin, "args"), "utf8") : ""),
    /** The pid of the last stand-in dockerd that got as far as running. */
    pid: () => Number(readFileSync(join(bin, "last-pid"), "utf8")),
  };
}

describe("scripts/docker-env.sh", () => {
  test("starts dockerd when no engine answers, says so, and stops only what it started", () => {
    const fake = fakeEngine("plain", "");
    const started = script("docker-env.sh", ["start"], fake.env);
    assert.equal(started.status, 0, started.stderr);
    assert.equal(started.stdout, "started\n");
    const pid = fake.pid();
    assert.ok(alive(pid));
    assert.match(readFileSync(join(fake.env.KILN_DOCKER_STATE_DIR, "dockerd.log"), "utf8"), /^$/);
    assert.equal(script("docker-env.sh", ["start"], fake.env).stdout, "running\n");
    assert.match(
      script("docker-env.sh", ["status"], fake.env).stdout,
      new RegExp(`^running \\(dockerd pid ${pid}, started by docker-env.sh\\)`),
    );
    const stopped = script("docker-env.sh", ["stop"], fake.env);
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.ok(!alive(pid));
    const status = script("docker-env.sh", ["status"], fake.env);
    assert.equal(status.status, 1);
    assert.equal(status.stdout, "not running\n");
    // Nothing of ours runs: stop leaves everything alone.
    const again = script("docker-env.sh", ["stop"], fake.env);
    assert.equal(again.status, 0);
    assert.match(again.stderr, /no dockerd started by this script is running/);
  });

  test("falls back to the vfs storage driver when dockerd dies with the default one", () => {
    const fake = fakeEngine("vfs", "vfs");
    const r = script("docker-env.sh", ["start"], fake.env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "started\n");
    assert.match(r.stderr, /trying again with --storage-driver=vfs/);
    const launches = fake.args().trim().split("\n");
    assert.equal(launches.length, 2);
    assert.ok(!launches[0]!.includes("--storage-driver"));
    assert.ok(launches[1]!.includes("--storage-driver=vfs"));
    script("docker-env.sh", ["stop"], fake.env);
    assert.ok(!alive(fake.pid()));
  });

  test("KILN_DOCKER_STORAGE_DRIVER is passed on, and a dockerd that never answers times out and is stopped", () => {
    const fake = fakeEngine("slow", "", { neverAnswers: true });
    const r = script("docker-env.sh", ["start"], {
      ...fake.env,
      KILN_DOCKER_STORAGE_DRIVER: "overlay2",
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /dockerd did not answer within 3s/);
    assert.ok(fake.args().includes("--storage-driver=overlay2"));
    assert.ok(!alive(fake.pid()), "the dockerd that never answered is stopped again");
  });
});

describe("scripts/registry.sh and scripts/base-image.sh", () => {
  before(() => ensureEngine());

  test("registry.sh starts a registry on a given port, reports it, and stops it", async () => {
    const port = String(await freePort());
    const env = { KILN_REGISTRY_STATE_DIR: join(dir, "registries") };
    const started = script("registry.sh", ["start", port], env);
    try {
      assert.equal(started.status, 0, started.stderr);
      assert.equal(started.stdout, "started\n");
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      assert.equal(res.status, 200);
      assert.equal(script("registry.sh", ["start", port], env).stdout, "running\n");
      assert.match(
        script("registry.sh", ["status", port], env).stdout,
        new RegExp(`^running on 127\\.0\\.0\\.1:${port} \\(pid \\d+, started by registry\\.sh\\)`),
      );
    } finally {
      const stopped = script("registry.sh", ["stop", port], env);
      assert.equal(stopped.status, 0, stopped.stderr);
    }
    assert.equal(script("registry.sh", ["status", port], env).status, 1);
    assert.ok(!existsSync(join(dir, "registries", port)));
  });

  test("base-image.sh leaves an existing base image alone", () => {
    const r = script("base-image.sh", [], { KILN_BASE_IMAGE: BASE_IMAGE });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`base-image: ${BASE_IMAGE} is there`));
    assert.ok(!r.stderr.includes("mmdebstrap"));
  });
});
