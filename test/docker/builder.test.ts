// The docker builder end to end: real builds through the real `kiln build`
// (HCL2 and legacy JSON templates) and through the builder API, checked
// with docker itself: commit with changes, export_path, discard, run
// options (volumes, privileged, capabilities, tmpfs, devices, run_command),
// pulls from a local registry with and without a login, and no container or
// temporary directory left behind after a failure or a Ctrl-C.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import factory, { ExportArtifact } from "../../src/builders/docker/index.js";
import type { PlainConfig } from "../../src/components/schema.js";
import { kiln } from "../support/cli.js";
import { RecordingUi, scratchDir, testBuildContext } from "../support/engine.js";
import {
  BASE_IMAGE,
  childImages,
  containersOf,
  docker,
  dockerOk,
  ensureEngine,
  freePort,
  removeImages,
  startKiln,
  uniqueBase,
  uniqueName,
} from "./helpers.js";

const dir = scratchDir("kiln-docker-build-");
const scripts = join(import.meta.dirname, "../../scripts");

/** A folder for one build: its template, and PACKER_TMP_DIR for the builder's shared folder. */
function workspace(name: string, template: string, file = "docker.pkr.hcl") {
  const root = join(dir, name);
  const tmp = join(root, "packer-tmp");
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(root, file), template);
  return {
    root,
    tmp,
    build: (...args: string[]) =>
      kiln(["build", "-color=false", ...args, file], { cwd: root, env: { PACKER_TMP_DIR: tmp } }),
  };
}

function inspect(ref: string, format: string): string {
  return dockerOk(["image", "inspect", "--format", format, ref]);
}

/** The image id a build printed in its artifact line. */
function builtImage(stdout: string): string {
  const m = /--> [^:]+: Imported Docker image: (sha256:[0-9a-f]{64})/.exec(stdout);
  assert.ok(m, `no image in:\n${stdout}`);
  return m[1]!;
}

describe("docker builder", () => {
  const bases: string[] = [];
  const images: string[] = [];
  const base = (prefix?: string) => {
    const b = uniqueBase(prefix);
    bases.push(b);
    return b;
  };

  before(() => ensureEngine());
  after(() => removeImages(...images, ...bases));

  test("commit: changes, author and message on the image; provisioned files in it; nothing left behind", () => {
    const from = base();
    const ws = workspace(
      "commit",
      `
source "docker" "app" {
  image   = "${from}"
  pull    = false
  commit  = true
  author  = "Kiln Tests <kiln@example.com>"
  message = "baked by kiln"
  changes = [
    "ENV APP_MODE=production",
    "LABEL org.example.team=builds",
    "WORKDIR /srv/app",
    "EXPOSE 8080",
    "USER nobody",
    "CMD [\\"/srv/app/run.sh\\"]",
  ]
}

build {
  sources = ["source.docker.app"]
  provisioner "shell" {
    inline = ["mkdir -p /srv/app", "echo \\"built for $PACKER_BUILD_NAME ($PACKER_BUILDER_TYPE)\\" > /srv/app/built.txt"]
  }
  provisioner "file" {
    content     = "#!/bin/sh\\necho running\\n"
    destination = "/srv/app/run.sh"
  }
  provisioner "shell" {
    inline = ["chmod 755 /srv/app/run.sh", "echo id=\${build.ID}"]
  }
}
`,
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const image = builtImage(r.stdout);
    images.push(image);
    for (const line of [
      "==> docker.app: Creating a temporary directory for sharing data...",
      "==> docker.app: Starting docker container...",
      "==> docker.app: Using docker communicator to connect: ",
      "==> docker.app: Committing the container",
      `    docker.app: Image ID: ${image}`,
      "==> docker.app: Killing the container: ",
    ]) {
      assert.ok(r.stdout.includes(line), `missing ${JSON.stringify(line)} in:\n${r.stdout}`);
    }
    // build.ID is the container's id, as the plugin's INSTANCE_ID.
    const containerId = /Container ID: ([0-9a-f]{64})/.exec(r.stdout)![1]!;
    assert.ok(r.stdout.includes(`docker.app: id=${containerId}`));
    assert.match(
      r.stdout,
      /Run command: docker run -v .*packer-tmp\/tmp\w+:\/packer-files .*-d -i -t --entrypoint=\/bin\/sh -- /,
    );

    const config = JSON.parse(inspect(image, "{{json .Config}}"));
    assert.ok(config.Env.includes("APP_MODE=production"), config.Env);
    assert.equal(config.Labels["org.example.team"], "builds");
    assert.equal(config.WorkingDir, "/srv/app");
    assert.deepEqual(Object.keys(config.ExposedPorts), ["8080/tcp"]);
    assert.equal(config.User, "nobody");
    assert.deepEqual(config.Cmd, ["/srv/app/run.sh"]);
    // As Packer 1.9's plugin does, the run_command's entrypoint stays on the image.
    assert.deepEqual(config.Entrypoint, ["/bin/sh"]);
    assert.equal(
      inspect(image, "{{.Author}}|{{.Comment}}"),
      "Kiln Tests <kiln@example.com>|baked by kiln",
    );

    const out = dockerOk([
      "run",
      "--rm",
      "--entrypoint",
      "/bin/sh",
      image,
      "-c",
      "cat built.txt; ./run.sh; id -un",
    ]);
    assert.equal(out, "built for app (docker)\nrunning\nnobody");
    assert.deepEqual(containersOf(from), []);
    assert.deepEqual(readdirSync(ws.tmp), [], "the shared temporary folder is removed");
  });

  test("a legacy JSON template with its own run_command ({{.Image}} rendered)", () => {
    const from = base();
    const ws = workspace(
      "json",
      JSON.stringify({
        builders: [
          {
            type: "docker",
            image: from,
            pull: false,
            commit: true,
            run_command: [
              "-d",
              "-i",
              "-t",
              "--entrypoint=/bin/bash",
              "--name",
              "{{user `name`}}",
              "--",
              "{{.Image}}",
            ],
          },
        ],
        variables: { name: uniqueName("kiln-json") },
        provisioners: [
          { type: "shell", inline: ["echo $0 > /shell.txt", 'test -n "$BASH_VERSION" || true'] },
        ],
      }),
      "docker.json",
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const image = builtImage(r.stdout);
    images.push(image);
    assert.match(
      r.stdout,
      new RegExp(
        `-d -i -t --entrypoint=/bin/bash --name kiln-json-\\d+-\\d+ -- ${from.replace(/[.:/]/g, "\\$&")}`,
      ),
    );
    assert.deepEqual(JSON.parse(inspect(image, "{{json .Config.Entrypoint}}")), ["/bin/bash"]);
    assert.deepEqual(containersOf(from), []);
  });

  test("export_path: the container's files in a tar file, provisioned ones included", () => {
    const from = base();
    const exportPath = join(dir, "exports", "nested", "image.tar");
    const ws = workspace(
      "export",
      `
source "docker" "x" {
  image       = "${from}"
  pull        = false
  export_path = "${exportPath}"
}
build {
  sources = ["source.docker.x"]
  provisioner "shell" {
    inline = ["mkdir -p /opt/kiln && echo exported > /opt/kiln/proof.txt && chmod 600 /opt/kiln/proof.txt"]
  }
}
`,
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes("==> docker.x: Exporting the container"));
    assert.ok(r.stdout.includes(`--> docker.x: Exported Docker file: ${exportPath}`));
    const listing = spawnSync("tar", ["--numeric-owner", "-tvf", exportPath], { encoding: "utf8" });
    assert.equal(listing.status, 0, listing.stderr);
    assert.match(listing.stdout, /^-rw------- 0\/0 +9 .* opt\/kiln\/proof\.txt$/m);
    assert.match(listing.stdout, /^-rwxr-xr-x .* (usr\/)?bin\/bash$/m);
    const content = spawnSync("tar", ["-xOf", exportPath, "opt/kiln/proof.txt"], {
      encoding: "utf8",
    });
    assert.equal(content.stdout, "exported\n");
    assert.deepEqual(containersOf(from), []);
    assert.deepEqual(childImages(from), [], "an export commits no image");
  });

  test("discard: no image, no file, no container", () => {
    const from = base();
    const ws = workspace(
      "discard",
      `
source "docker" "d" {
  image   = "${from}"
  pull    = false
  discard = true
}
build {
  sources = ["source.docker.d"]
  provisioner "shell" { inline = ["touch /discarded"] }
}
`,
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(!r.stdout.includes("Committing the container"));
    assert.ok(!r.stdout.includes("Exporting the container"));
    assert.ok(
      r.stdout.includes("--> docker.d: Exported Docker file: \n") ||
        r.stdout.endsWith("--> docker.d: Exported Docker file: "),
      r.stdout,
    );
    assert.deepEqual(childImages(from), []);
    assert.deepEqual(containersOf(from), []);
  });

  test("run options: volumes, tmpfs, devices, runtime", () => {
    const from = base();
    const shared = join(dir, "volume");
    mkdirSync(shared);
    writeFileSync(join(shared, "from-host.txt"), "host\n");
    const ws = workspace(
      "options",
      `
source "docker" "o" {
  image   = "${from}"
  pull    = false
  discard = true
  volumes = { "${shared}" = "/mnt/shared" }
  tmpfs   = ["/scratch:size=1m"]
  device  = ["/dev/null:/dev/kiln-null"]
  runtime = "runc"
}
build {
  sources = ["source.docker.o"]
  provisioner "shell" {
    inline = [
      "cat /mnt/shared/from-host.txt",
      "echo container > /mnt/shared/from-container.txt",
      "grep -q ' /scratch tmpfs ' /proc/mounts && echo TMPFS",
      "test -c /dev/kiln-null && echo DEVICE",
    ]
  }
}
`,
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Run command: docker run --device \/dev\/null:\/dev\/kiln-null --runtime runc --tmpfs \/scratch:size=1m -v .*:\/mnt\/shared -v /,
    );
    for (const word of ["host", "TMPFS", "DEVICE"]) {
      assert.ok(r.stdout.includes(`    docker.o: ${word}\n`), `${word} missing in:\n${r.stdout}`);
    }
    assert.equal(readFileSync(join(shared, "from-container.txt"), "utf8"), "container\n");
    assert.deepEqual(containersOf(from), []);
  });

  test("privileged: the container gets every capability (or the engine's refusal is reported and cleaned up)", () => {
    const from = base();
    const ws = workspace(
      "privileged",
      `
source "docker" "p" {
  image      = "${from}"
  pull       = false
  discard    = true
  privileged = true
}
build {
  sources = ["source.docker.p"]
  provisioner "shell" {
    inline = ["mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo MOUNTED"]
  }
}
`,
    );
    // Some hosts cannot give a container every capability (this project's VMs
    // lack CAP_SYS_RESOURCE in their bounding set); docker run then fails there.
    const probe = docker(["run", "--rm", "--privileged", BASE_IMAGE, "true"]);
    const r = ws.build();
    assert.match(r.stdout, /Run command: docker run --privileged -v /);
    if (probe.status === 0) {
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.ok(r.stdout.includes("    docker.p: MOUNTED\n"), r.stdout);
    } else {
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.ok(
        r.stderr.includes("Error running container: Docker exited with a non-zero exit status."),
        r.stderr,
      );
      assert.ok(r.stderr.includes(probe.stderr.split("\n")[0]!.replace(/^docker: /, "")), r.stderr);
      // docker run made the container before it failed to start it: the build removes it.
      assert.ok(r.stdout.includes("==> docker.p: Killing the container: "), r.stdout);
    }
    assert.deepEqual(containersOf(from), []);
    assert.deepEqual(readdirSync(ws.tmp), []);
  });

  test("run options: without privileged no mount; cap_drop and cap_add apply", () => {
    const from = base();
    const ws = workspace(
      "caps",
      `
source "docker" "c" {
  image    = "${from}"
  pull     = false
  discard  = true
  cap_drop = ["CHOWN"]
  cap_add  = ["SYS_NICE"]
}
build {
  sources = ["source.docker.c"]
  provisioner "shell" {
    inline = [
      "mkdir -p /mnt/t; if mount -t tmpfs none /mnt/t 2>/dev/null; then echo MOUNTED; else echo NO-MOUNT; fi",
      "touch /tmp/f; if chown nobody /tmp/f 2>/dev/null; then echo CHOWNED; else echo NO-CHOWN; fi",
      "if nice -n -5 true 2>/dev/null; then echo NICE; else echo NO-NICE; fi",
    ]
  }
}
`,
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Run command: docker run --cap-add SYS_NICE --cap-drop CHOWN -v /);
    for (const word of ["NO-MOUNT", "NO-CHOWN", "NICE"]) {
      assert.ok(r.stdout.includes(`    docker.c: ${word}\n`), `${word} missing in:\n${r.stdout}`);
    }
  });

  test("a build failing mid-provisioning leaves no container and no temporary folder", () => {
    const from = base();
    const ws = workspace(
      "failing",
      `
source "docker" "f" {
  image  = "${from}"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.f"]
  provisioner "shell" { inline = ["echo before the failure", "exit 3"] }
  provisioner "shell" { inline = ["echo never runs"] }
}
`,
    );
    const r = ws.build();
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const all = r.stdout + r.stderr;
    assert.ok(all.includes("Script exited with non-zero exit status: 3"), all);
    assert.ok(all.includes("before the failure"));
    assert.ok(!all.includes("never runs"));
    assert.ok(!all.includes("Committing the container"));
    assert.ok(r.stdout.includes("==> docker.f: Killing the container: "));
    assert.deepEqual(containersOf(from), []);
    assert.deepEqual(childImages(from), []);
    assert.deepEqual(readdirSync(ws.tmp), []);
  });

  test("Ctrl-C mid-provisioning removes the container and the temporary folder", async () => {
    const from = base();
    const ws = workspace(
      "interrupt",
      `
source "docker" "i" {
  image  = "${from}"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.i"]
  provisioner "shell" { inline = ["echo provisioning-started", "sleep 120"] }
}
`,
    );
    const started = Date.now();
    const run = startKiln(["build", "-color=false", "docker.pkr.hcl"], {
      cwd: ws.root,
      env: { PACKER_TMP_DIR: ws.tmp },
    });
    await run.waitFor("provisioning-started");
    assert.equal(containersOf(from).length, 1, "the build's container runs");
    run.signal("SIGINT");
    const r = await run.exited;
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.ok(Date.now() - started < 60_000, "the build stopped without waiting for the sleep");
    assert.ok(r.stdout.includes("==> docker.i: Killing the container: "), r.stdout);
    assert.deepEqual(containersOf(from), []);
    assert.deepEqual(childImages(from), []);
    assert.deepEqual(readdirSync(ws.tmp), []);
  });

  test("the builder API: cancelling while provisioning cleans up and returns no artifact", async () => {
    const from = base();
    const ac = new AbortController();
    const ui = new RecordingUi();
    let seen = "";
    const ctx = testBuildContext({
      ui,
      signal: ac.signal,
      info: { type: "docker", sourceName: "api", name: "docker.api" },
      async provision(comm) {
        await comm.run({ command: "echo inside", onStdout: (c) => (seen += c.toString()) });
        assert.equal(containersOf(from).length, 1);
        ac.abort();
        await new Promise((r) => setTimeout(r, 50));
      },
    });
    const builder = factory.create({
      image: from,
      pull: false,
      commit: true,
      run_command: ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"],
      container_dir: "/packer-files",
      fix_upload_owner: true,
      communicator: "docker",
    } as PlainConfig);
    assert.deepEqual(builder.prepare().errors, []);
    const artifact = await builder.run(ctx);
    assert.equal(artifact, undefined);
    assert.equal(seen, "inside\n");
    assert.ok(ui.texts("say").some((t) => t.startsWith("Killing the container: ")));
    assert.ok(!ui.texts("say").includes("Committing the container"));
    assert.deepEqual(containersOf(from), []);
  });

  test("the builder API: artifacts and generated data", async () => {
    const from = base();
    const exportPath = join(dir, "api-export.tar");
    const config = {
      image: from,
      pull: false,
      export_path: exportPath,
      run_command: ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"],
      container_dir: "/packer-files",
      fix_upload_owner: true,
      communicator: "docker",
    } as PlainConfig;
    const builder = factory.create(config);
    const prepared = builder.prepare();
    assert.deepEqual(prepared.generatedData, ["ImageSha256", "SourceImageDigest"]);
    const ctx = testBuildContext({
      info: { type: "docker", sourceName: "api", name: "docker.api" },
    });
    const artifact = await builder.run(ctx);
    assert.ok(artifact instanceof ExportArtifact);
    assert.equal(artifact.builderId, "packer.docker");
    assert.equal(artifact.id(), "Container");
    assert.deepEqual(artifact.files(), [exportPath]);
    assert.equal(artifact.string(), `Exported Docker file: ${exportPath}`);
    const data = artifact.state("generated_data") as Record<string, string>;
    assert.equal(data.ImageSha256, "ERR_IMAGE_SHA256_NOT_FOUND");
    assert.match(data.ID!, /^[0-9a-f]{64}$/);
    assert.ok(existsSync(exportPath));
    await artifact.destroy();
    assert.ok(!existsSync(exportPath));

    const committed = await factory
      .create({ ...config, export_path: "", commit: true } as PlainConfig)
      .run(testBuildContext({ info: { type: "docker", sourceName: "api", name: "docker.api" } }));
    assert.ok(committed);
    assert.equal(committed.builderId, "packer.post-processor.docker-import");
    const imageId = committed.id();
    assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(committed.string(), `Imported Docker image: ${imageId}`);
    assert.equal(
      (committed.state("generated_data") as Record<string, string>).ImageSha256,
      imageId,
    );
    await committed.destroy();
    assert.notEqual(docker(["image", "inspect", imageId]).status, 0, "destroy removes the image");
  });

  test("prepare: artifact options, export_path a folder, and what kiln does not support", () => {
    const prepare = (c: Record<string, unknown>) =>
      factory.create({ image: BASE_IMAGE, ...c } as PlainConfig).prepare().errors;
    assert.deepEqual(prepare({ export_path: dir }), [
      "export_path must be a file, not a directory",
    ]);
    assert.match(
      prepare({ commit: true, windows_container: true })[0]!,
      /windows_container is not supported/,
    );
    assert.match(prepare({ commit: true, ecr_login: true })[0]!, /ecr_login is not supported/);
    assert.match(
      prepare({ commit: true, communicator: "winrm" })[0]!,
      /communicator = "winrm" is not supported/,
    );
    assert.deepEqual(prepare({ commit: true }), []);
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "ssh://builder@example.invalid";
    try {
      assert.match(
        prepare({ commit: true })[0]!,
        /kiln reaches the Docker engine over unix:\/\/ or tcp:\/\/ only/,
      );
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    const ws = workspace(
      "invalid",
      `
source "docker" "bad" {
  image   = "${BASE_IMAGE}"
  commit  = true
  discard = true
}
build { sources = ["source.docker.bad"] }
`,
    );
    const r = ws.build();
    assert.equal(r.status, 1);
    assert.ok(
      r.stderr.includes("Cannot specify more than one of commit, discard, and export_path"),
      r.stderr,
    );
  });
});

describe("docker builder pulls", () => {
  let registry = "";
  let stopRegistry: (() => void) | undefined;
  const pushed: string[] = [];

  before(async () => {
    ensureEngine();
    // A registry of this test file's own, with a login, on a port nothing else uses.
    const port = await freePort();
    const r = spawnSync("bash", [join(scripts, "registry.sh"), "start", String(port)], {
      encoding: "utf8",
      env: { ...process.env, KILN_REGISTRY_AUTH: "kiln:pull-secret" },
    });
    assert.equal(r.status, 0, r.stderr);
    if (r.stdout.trim() === "started") {
      stopRegistry = () => spawnSync("bash", [join(scripts, "registry.sh"), "stop", String(port)]);
    }
    registry = `127.0.0.1:${port}`;
  });
  after(() => {
    removeImages(...pushed);
    stopRegistry?.();
  });

  test("pull = true with a login pulls through the registry, logs out, and knows the source digest", () => {
    const ref = `${registry}/kiln-test/base:${uniqueName("t")}`;
    dockerOk(["tag", BASE_IMAGE, ref]);
    const login = spawnSync("docker", ["login", "-u", "kiln", "--password-stdin", registry], {
      input: "pull-secret",
      encoding: "utf8",
    });
    assert.equal(login.status, 0, login.stderr);
    dockerOk(["push", ref]);
    dockerOk(["logout", registry]);
    dockerOk(["rmi", ref]);
    pushed.push(ref);

    // A legacy JSON template: HCL2's build.* does not offer the builder's own generated data yet.
    const ws = workspace(
      "pull",
      JSON.stringify({
        builders: [
          {
            type: "docker",
            name: "pulled",
            image: ref,
            discard: true,
            login: true,
            login_server: registry,
            login_username: "kiln",
            login_password: "pull-secret",
          },
        ],
        provisioners: [{ type: "shell", inline: ["echo digest={{ build `SourceImageDigest` }}"] }],
      }),
      "docker.json",
    );
    const r = ws.build();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`==> pulled: Pulling Docker image: ${ref}`));
    assert.ok(r.stdout.includes("    pulled: Logging in..."));
    assert.ok(r.stdout.includes("    pulled: Logging out..."));
    assert.match(r.stdout, / pulled: Login Succeeded/);
    assert.match(
      r.stdout,
      new RegExp(`digest=${registry.replace(/\./g, "\\.")}/kiln-test/base@sha256:[0-9a-f]{64}`),
    );
    assert.ok(!(r.stdout + r.stderr).includes("pull-secret"), "the password is never shown");
    // Logged out again: the registry refuses an anonymous pull.
    dockerOk(["rmi", ref]);
    const anonymous = docker(["pull", ref]);
    assert.notEqual(anonymous.status, 0);
  });

  test("pull = true without the login fails the build with the pull's error", () => {
    const ref = `${registry}/kiln-test/missing:${uniqueName("t")}`;
    const ws = workspace(
      "pull-fail",
      `
source "docker" "nope" {
  image   = "${ref}"
  discard = true
}
build { sources = ["source.docker.nope"] }
`,
    );
    const r = ws.build();
    assert.equal(r.status, 1);
    assert.ok((r.stdout + r.stderr).includes("Error pulling Docker image: "), r.stdout + r.stderr);
  });
});
