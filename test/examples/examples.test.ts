// The templates in examples/ are documentation users copy: each must stay
// formatted, valid and buildable. The docker example is built for real on the
// engine (with a unique repository so parallel runs don't collide) and its
// image is run to check what the template baked into it.

import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { docker, dockerOk, ensureEngine, uniqueName } from "../docker/helpers.js";
import { kiln } from "../support/cli.js";

const examples = resolve(import.meta.dirname, "../../examples");

describe("examples/", () => {
  it("is formatted as kiln fmt formats it", () => {
    const r = kiln(["fmt", "-check", "-recursive", examples]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  for (const t of ["hello.pkr.hcl", "docker"]) {
    it(`${t} validates`, () => {
      const r = kiln(["validate", resolve(examples, t)]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /The configuration is valid/);
    });
  }

  it("docker/ builds an image that prints the greeting it was built with", () => {
    ensureEngine();
    const repo = uniqueName("kiln-test/example");
    const r = kiln([
      "build",
      "-color=false",
      "-var",
      `repository=${repo}`,
      "-var",
      "greeting=hi from the example test",
      resolve(examples, "docker"),
    ]);
    try {
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const out = dockerOk(["run", "--rm", `${repo}:latest`]);
      assert.equal(out, "hi from the example test\nbuilt for hello by docker");
      const workdir = dockerOk(["inspect", "--format", "{{.Config.WorkingDir}}", `${repo}:latest`]);
      assert.equal(workdir, "/srv/hello");
    } finally {
      docker(["rmi", "-f", `${repo}:latest`]);
    }
  });
});
