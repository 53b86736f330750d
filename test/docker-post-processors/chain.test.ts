// Whole builds through the real `kiln build` command line: a docker build
// provisioned with the shell and file provisioners, then post-processor
// chains as in Packer's docs. What they leave (images, a registry's copy, a
// tar file) is checked with the docker CLI and tar.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kiln } from "../support/cli.js";
import { scratchDir } from "../support/engine.js";
import {
  BASE_IMAGE,
  docker,
  dockerOk,
  ensureDocker,
  REGISTRY,
  removeImages,
  uniqueName,
} from "./docker-env.js";

const made: string[] = [];

before(() => ensureDocker());
after(() => removeImages(...made));

/** A folder holding the template and an app/ tree to upload. */
function project(template: string, name: string): string {
  const dir = scratchDir("kiln-docker-chain-");
  writeFileSync(join(dir, name), template);
  mkdirSync(join(dir, "app", "conf"), { recursive: true });
  writeFileSync(join(dir, "app", "conf", "app.conf"), "answer = 42\n");
  chmodSync(join(dir, "app", "conf", "app.conf"), 0o640);
  writeFileSync(join(dir, "app", "start.sh"), "#!/bin/sh\necho started\n");
  chmodSync(join(dir, "app", "start.sh"), 0o755);
  return dir;
}

describe("export → docker-import → docker-tag → docker-push", () => {
  test("the pushed image, pulled back from the registry, holds what was provisioned", () => {
    const repository = `${REGISTRY}/${uniqueName("kiln-chain")}`;
    const dir = project(
      `
source "docker" "chain" {
  image       = "${BASE_IMAGE}"
  pull        = false
  export_path = "image.tar"
}

build {
  sources = ["source.docker.chain"]

  provisioner "shell" {
    environment_vars = ["GREETING=provisioned by kiln"]
    inline           = ["echo \\"$GREETING\\" > /kiln-provisioned", "mkdir -p /opt/app"]
  }

  provisioner "file" {
    source      = "app/"
    destination = "/opt/app"
  }

  post-processors {
    post-processor "docker-import" {
      repository = "${repository}"
      tag        = "imported"
      changes    = ["CMD [\\"/bin/cat\\", \\"/kiln-provisioned\\"]"]
    }
    post-processor "docker-tag" {
      repository = "${repository}"
      tags       = ["v1", "latest"]
    }
    post-processor "docker-push" {}
  }
}
`,
      "build.pkr.hcl",
    );
    made.push(`${repository}:imported`, `${repository}:v1`, `${repository}:latest`);

    const r = kiln(["build", "-color=false", "."], { cwd: dir });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /docker\.chain \(docker-import\): Importing image: Container/);
    assert.match(
      r.stdout,
      new RegExp(`docker\\.chain \\(docker-push\\): Pushing: ${repository}:v1`),
    );
    assert.match(
      r.stdout,
      new RegExp(
        `--> docker\\.chain: Imported Docker image: ${repository}:latest with tags ${repository}:v1 ${repository}:latest`,
      ),
    );
    // docker-import does not keep its input: the exported tar is gone.
    assert.equal(existsSync(join(dir, "image.tar")), false);

    // Only the registry has it now.
    removeImages(`${repository}:imported`, `${repository}:v1`, `${repository}:latest`);
    assert.notEqual(docker(["image", "inspect", `${repository}:v1`]).status, 0);
    dockerOk(["pull", `${repository}:v1`]);
    assert.equal(dockerOk(["run", "--rm", `${repository}:v1`]), "provisioned by kiln");
    const listing = dockerOk([
      "run",
      "--rm",
      "--entrypoint",
      "/bin/sh",
      `${repository}:v1`,
      "-c",
      "cd /opt/app && find . -type f -printf '%m %p\\n' | sort && /opt/app/start.sh",
    ]);
    assert.equal(listing, "640 ./conf/app.conf\n755 ./start.sh\nstarted");
  });
});

describe("commit → docker-tag → docker-save (a JSON template)", () => {
  test("the saved tar holds the tagged, committed image", () => {
    const repository = uniqueName("kiln-json");
    const template = {
      builders: [
        {
          type: "docker",
          image: BASE_IMAGE,
          pull: false,
          commit: true,
          changes: ["ENV KILN_CHAIN=json"],
        },
      ],
      provisioners: [{ type: "shell", inline: ["echo from-json > /from-json"] }],
      "post-processors": [
        [
          { type: "docker-tag", repository, tags: ["t1"] },
          { type: "docker-save", path: "saved.tar" },
        ],
      ],
    };
    const dir = project(JSON.stringify(template, null, 2), "template.json");
    made.push(`${repository}:t1`);

    const r = kiln(["build", "-color=false", "template.json"], { cwd: dir });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /docker \(docker-save\): Saved to: saved\.tar/);

    const manifest = spawnSync("tar", ["-xOf", join(dir, "saved.tar"), "manifest.json"], {
      encoding: "utf8",
    });
    assert.equal(manifest.status, 0, manifest.stderr);
    assert.deepEqual(JSON.parse(manifest.stdout)[0].RepoTags, [`${repository}:t1`]);

    // Loaded into a clean engine state, the image has the committed change and the file.
    removeImages(`${repository}:t1`);
    dockerOk(["load", "-i", join(dir, "saved.tar")]);
    assert.equal(
      dockerOk([
        "run",
        "--rm",
        "--entrypoint",
        "/bin/sh",
        `${repository}:t1`,
        "-c",
        'echo "$KILN_CHAIN $(cat /from-json)"',
      ]),
      "json from-json",
    );
  });
});
