// The docker-import, docker-tag, docker-push and docker-save post-processors
// against the real Docker engine and a real local registry: every image they
// make is checked with the docker CLI (inspect, pull, run), every tar file
// with tar.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { ComponentSchema, PlainConfig } from "../../src/components/schema.js";
import type { Artifact } from "../../src/engine/artifact.js";
import { FileArtifact } from "../../src/engine/artifact.js";
import type { PostProcessorFactory } from "../../src/engine/post-processor.js";
import { FilesArtifact } from "../../src/post-processors/artifice/artifact.js";
import { DockerImageArtifact } from "../../src/post-processors/docker-import/docker.js";
import dockerImport from "../../src/post-processors/docker-import/index.js";
import { schema as importSchema } from "../../src/post-processors/docker-import/schema.js";
import dockerPush from "../../src/post-processors/docker-push/index.js";
import { schema as pushSchema } from "../../src/post-processors/docker-push/schema.js";
import dockerSave from "../../src/post-processors/docker-save/index.js";
import { schema as saveSchema } from "../../src/post-processors/docker-save/schema.js";
import dockerTag from "../../src/post-processors/docker-tag/index.js";
import { schema as tagSchema } from "../../src/post-processors/docker-tag/schema.js";
import { RecordingUi, scratchDir, testPostProcessContext } from "../support/engine.js";
import {
  BASE_IMAGE,
  docker,
  dockerOk,
  ensureDocker,
  exportImage,
  REGISTRY,
  removeImages,
  startAuthRegistry,
  uniqueName,
} from "./docker-env.js";

const scratch = scratchDir("kiln-docker-pp-test-");
/** Images the tests made, removed at the end. */
const made: string[] = [];
/** The exported file system of a container that wrote /kiln-marker. */
let exported: string;
/** A tar holding only /kiln-marker ("tiny"): small images push and save in a moment. */
let tinyTar: string;

before(() => {
  ensureDocker();
  exported = join(scratch, "exported.tar");
  exportImage(BASE_IMAGE, exported, "echo exported > /kiln-marker");
  const tinyDir = join(scratch, "tiny");
  mkdirSync(tinyDir);
  writeFileSync(join(tinyDir, "kiln-marker"), "tiny\n");
  tinyTar = join(scratch, "tiny.tar");
  const tar = spawnSync("tar", ["-cf", tinyTar, "-C", tinyDir, "kiln-marker"]);
  assert.equal(tar.status, 0);
});

after(() => removeImages(...made));

function config(schema: ComponentSchema, raw: Record<string, unknown>): PlainConfig {
  const r = decodeJSONConfig(raw, schema.config);
  assert.deepEqual(r.errors, [], "the test's configuration must be valid");
  return r.config as PlainConfig;
}

async function postProcess(
  factory: PostProcessorFactory,
  schema: ComponentSchema,
  raw: Record<string, unknown>,
  input: Artifact,
) {
  const ui = new RecordingUi();
  const pp = factory.create(config(schema, raw));
  assert.deepEqual(pp.prepare(), { warnings: [], errors: [] });
  try {
    const result = await pp.postProcess(testPostProcessContext({ ui }), input);
    return { ui, result, error: undefined };
  } catch (error) {
    return { ui, result: undefined, error: error as Error };
  }
}

/** The docker builder's export_path artifact. */
function exportArtifact(path = exported): Artifact {
  return new FileArtifact("packer.docker", [path], {}, `Exported Docker file: ${path}`);
}

/** An image artifact as docker-import (or a docker build with commit) makes it. */
function imageArtifact(ref: string): Artifact {
  return new DockerImageArtifact("packer.post-processor.docker-import", ref);
}

function inspect(ref: string, format: string): string {
  return dockerOk(["image", "inspect", "--format", format, ref]);
}

/** Imports the tiny tar as a new image `prefix-...:v1` (a fixture, made with the docker CLI); returns its name. */
function tinyImage(prefix: string): string {
  const ref = `${uniqueName(prefix)}:v1`;
  dockerOk(["import", tinyTar, ref]);
  made.push(ref);
  return ref;
}

/** The text of a file inside an image, read from a container that is created but never started. */
function fileInImage(ref: string, path: string): string {
  const name = uniqueName("kiln-pp-read");
  dockerOk(["create", "--name", name, ref, "/none"]);
  try {
    const out = join(scratch, name);
    dockerOk(["cp", `${name}:${path}`, out]);
    return readFileSync(out, "utf8");
  } finally {
    docker(["rm", "-f", name]);
  }
}

describe("docker-import", () => {
  test("imports the exported tar as repository:tag with changes and platform", async () => {
    const repository = uniqueName("kiln-import");
    const { ui, result, error } = await postProcess(
      dockerImport,
      importSchema,
      {
        repository,
        tag: "1.0",
        platform: "linux/amd64",
        changes: [
          "ENV KILN_FROM=import",
          "LABEL kiln.test=yes",
          'CMD ["/bin/cat", "/kiln-marker"]',
        ],
      },
      exportArtifact(),
    );
    assert.equal(error, undefined);
    const ref = `${repository}:1.0`;
    made.push(ref);
    const artifact = result!.artifact;
    assert.equal(artifact.builderId, "packer.post-processor.docker-import");
    assert.equal(artifact.id(), ref);
    assert.deepEqual(artifact.files(), []);
    assert.equal(artifact.string(), `Imported Docker image: ${ref}`);
    assert.equal(result!.keep, false);
    assert.equal(result!.forceOverride, false);

    const id = inspect(ref, "{{.Id}}");
    assert.deepEqual(ui.transcript(), [
      "message: Importing image: " + exported,
      `message: Repository: ${ref}`,
      `message: Imported ID: ${id}`,
    ]);
    assert.match(inspect(ref, "{{json .Config.Env}}"), /"KILN_FROM=import"/);
    assert.equal(inspect(ref, '{{index .Config.Labels "kiln.test"}}'), "yes");
    assert.equal(inspect(ref, "{{.Architecture}}"), "amd64");
    // The image runs, and holds what the exported container wrote.
    assert.equal(dockerOk(["run", "--rm", ref]), "exported");
  });

  test("imports an artifice artifact's tar; without a repository the artifact is the image id", async () => {
    const { result, error } = await postProcess(
      dockerImport,
      importSchema,
      {},
      new FilesArtifact("packer.post-processor.artifice", [tinyTar]),
    );
    assert.equal(error, undefined);
    const id = result!.artifact.id();
    made.push(id);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(fileInImage(id, "/kiln-marker"), "tiny\n");
  });

  test("refuses an artifact that is not an exported container, with Packer's message", async () => {
    const { error } = await postProcess(
      dockerImport,
      importSchema,
      { repository: "never" },
      imageArtifact(BASE_IMAGE),
    );
    assert.equal(
      error?.message,
      "Unknown artifact type: packer.post-processor.docker-import\nCan only import from Docker " +
        "builder and Artifice post-processor artifacts. If you are getting this error after " +
        "having run the docker builder, it may be because you set commit: true in your Docker " +
        "builder, so the image is already imported. ",
    );
  });

  test("a file docker cannot import fails with docker's complaint", async () => {
    const bogus = join(scratch, "not-a-tar.tar");
    spawnSync("sh", ["-c", `printf 'not a tar' > ${bogus}`]);
    const { error } = await postProcess(
      dockerImport,
      importSchema,
      { repository: uniqueName("kiln-bogus") },
      exportArtifact(bogus),
    );
    assert.match(error?.message ?? "", /^Error importing container: exit status 1\n\nStderr: .+/s);
  });

  test("a missing tar file fails as Go's open does", async () => {
    const missing = join(scratch, "missing.tar");
    const { error } = await postProcess(
      dockerImport,
      importSchema,
      { repository: "never" },
      exportArtifact(missing),
    );
    assert.equal(error?.message, `open ${missing}: no such file or directory`);
  });
});

describe("docker-tag", () => {
  test("tags the image once per tag; the artifact is the last tag and the input is force-kept", async () => {
    const source = tinyImage("kiln-tag-src");
    const repository = uniqueName("kiln-tagged");
    const { ui, result, error } = await postProcess(
      dockerTag,
      tagSchema,
      { repository, tags: ["a", "b"], force: true },
      imageArtifact(source),
    );
    assert.equal(error, undefined);
    made.push(`${repository}:a`, `${repository}:b`);
    assert.deepEqual(ui.transcript(), [
      `message: Tagging image: ${source}`,
      `message: Repository: ${repository}:a`,
      `message: Tagging image: ${source}`,
      `message: Repository: ${repository}:b`,
    ]);
    const artifact = result!.artifact;
    assert.equal(artifact.builderId, "packer.post-processor.docker-tag");
    assert.equal(artifact.id(), `${repository}:b`);
    assert.deepEqual(artifact.state("docker_tags"), [`${repository}:a`, `${repository}:b`]);
    assert.equal(
      artifact.string(),
      `Imported Docker image: ${repository}:b with tags ${repository}:a ${repository}:b`,
    );
    assert.equal(result!.keep, true);
    assert.equal(result!.forceOverride, true);
    const id = inspect(source, "{{.Id}}");
    assert.equal(inspect(`${repository}:a`, "{{.Id}}"), id);
    assert.equal(inspect(`${repository}:b`, "{{.Id}}"), id);
  });

  test("without tags the repository alone is tagged; the deprecated tag option still works, with a warning", async () => {
    const source = tinyImage("kiln-tag-src");
    const repository = uniqueName("kiln-tagged");
    const plain = await postProcess(dockerTag, tagSchema, { repository }, imageArtifact(source));
    assert.equal(plain.error, undefined);
    made.push(`${repository}:latest`);
    assert.equal(plain.result!.artifact.id(), repository);
    assert.deepEqual(plain.result!.artifact.state("docker_tags"), []);
    assert.equal(inspect(`${repository}:latest`, "{{.Id}}"), inspect(source, "{{.Id}}"));

    const old = await postProcess(
      dockerTag,
      tagSchema,
      { repository, tag: "old" },
      imageArtifact(source),
    );
    assert.equal(old.error, undefined);
    made.push(`${repository}:old`);
    assert.match(
      old.ui.texts("say")[0] ?? "",
      /^Deprecation warning: "tag" option has been replaced/,
    );
    assert.equal(old.result!.artifact.id(), `${repository}:old`);
  });

  test("a docker build's image keeps its generated data through the tag", async () => {
    const source = tinyImage("kiln-tag-src");
    const repository = uniqueName("kiln-tagged");
    const input = new DockerImageArtifact("packer.post-processor.docker-import", source, {
      generated_data: { ImageSha256: "sha256:abc" },
    });
    const { result } = await postProcess(dockerTag, tagSchema, { repository, tags: ["x"] }, input);
    made.push(`${repository}:x`);
    assert.deepEqual(result!.artifact.state("generated_data"), { ImageSha256: "sha256:abc" });
  });

  test("fails with the plugin's words when docker cannot tag; refuses other artifacts", async () => {
    const missing = await postProcess(
      dockerTag,
      tagSchema,
      { repository: "kiln-never" },
      imageArtifact("kiln-no-such-image:nope"),
    );
    assert.match(
      missing.error?.message ?? "",
      /^Error tagging image: exit status 1\nStderr: .*No such image/s,
    );

    const wrong = await postProcess(
      dockerTag,
      tagSchema,
      { repository: "kiln-never" },
      exportArtifact(),
    );
    assert.equal(
      wrong.error?.message,
      "Unknown artifact type: packer.docker\nCan only tag from Docker builder artifacts.",
    );
  });

  test("docker_path names the docker executable", async () => {
    const { error } = await postProcess(
      dockerTag,
      tagSchema,
      { repository: "kiln-never", docker_path: "/nonexistent/docker" },
      imageArtifact(BASE_IMAGE),
    );
    assert.match(error?.message ?? "", /^Error tagging image: .*\/nonexistent\/docker/);
  });
});

describe("docker-push", () => {
  test("pushes the tagged image and each tag to the registry; a pull brings the same image back", async () => {
    const source = tinyImage("kiln-push-src");
    const repository = `${REGISTRY}/${uniqueName("kiln-push")}`;
    const tagged = await postProcess(
      dockerTag,
      tagSchema,
      { repository, tags: ["one", "two"] },
      imageArtifact(source),
    );
    assert.equal(tagged.error, undefined);
    made.push(`${repository}:one`, `${repository}:two`);

    const { ui, result, error } = await postProcess(
      dockerPush,
      pushSchema,
      {},
      tagged.result!.artifact,
    );
    assert.equal(error, undefined);
    // Each name is pushed once: the tag artifact's id is also its last tag.
    assert.deepEqual(
      ui.texts("message").filter((m) => m.startsWith("Pushing: ")),
      [`Pushing: ${repository}:two`, `Pushing: ${repository}:one`],
    );
    const artifact = result!.artifact;
    assert.equal(artifact.builderId, "packer.post-processor.docker-import");
    assert.equal(artifact.id(), `${repository}:two`);
    assert.deepEqual(artifact.state("docker_tags"), [`${repository}:one`, `${repository}:two`]);
    const generated = artifact.state("generated_data") as Record<string, string>;
    assert.match(generated.Digest ?? "", new RegExp(`^${repository}@sha256:[0-9a-f]{64}$`));
    assert.equal(result!.keep, true);

    // Gone from the engine, then pulled back from the registry.
    removeImages(`${repository}:one`, `${repository}:two`);
    dockerOk(["pull", `${repository}:one`]);
    assert.equal(fileInImage(`${repository}:one`, "/kiln-marker"), "tiny\n");
    dockerOk(["pull", generated.Digest!]);
    made.push(generated.Digest!);
  });

  test("refuses artifacts that are not docker-import or docker-tag images", async () => {
    const { error } = await postProcess(dockerPush, pushSchema, {}, exportArtifact());
    assert.equal(
      error?.message,
      "Unknown artifact type: packer.docker\nCan only import from docker-import and docker-tag artifacts.",
    );
  });

  test("a push that fails reports docker's exit status after streaming its output", async () => {
    // Nothing listens on port 1: the push cannot reach a registry.
    const repository = `127.0.0.1:1/${uniqueName("kiln-unreachable")}`;
    dockerOk(["tag", BASE_IMAGE, `${repository}:x`]);
    made.push(`${repository}:x`);
    const { ui, error } = await postProcess(
      dockerPush,
      pushSchema,
      {},
      imageArtifact(`${repository}:x`),
    );
    assert.equal(error?.message, "Bad exit status: 1");
    assert.ok(
      ui.texts("error").some((line) => /connection refused/.test(line)),
      ui.transcript().join("\n"),
    );
  });

  test("ecr_login is refused at prepare with a clear error", () => {
    const pp = dockerPush.create(
      config(pushSchema, { ecr_login: true, login_server: "123.dkr.ecr.eu-west-1.amazonaws.com" }),
    );
    const { errors } = pp.prepare();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^ecr_login is not supported by kiln: /);
  });

  describe("with login", () => {
    const port = 5000 + 100 + (process.pid % 400);
    const server = `127.0.0.1:${port}`;
    let stop = () => {};
    let savedConfig: string | undefined;

    before(() => {
      stop = startAuthRegistry(port, "kiln:s3cret");
      // docker login writes credentials to DOCKER_CONFIG: keep them out of the user's own.
      savedConfig = process.env.DOCKER_CONFIG;
      const dir = join(scratch, "docker-config");
      mkdirSync(dir, { recursive: true });
      process.env.DOCKER_CONFIG = dir;
    });

    after(() => {
      if (savedConfig === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = savedConfig;
      stop();
    });

    test("logs in, pushes and logs out again", async () => {
      const source = tinyImage("kiln-login-src");
      const ref = `${server}/${uniqueName("kiln-login")}:v1`;
      dockerOk(["tag", source, ref]);
      made.push(ref);

      // Without a login the registry refuses the push.
      const refused = await postProcess(dockerPush, pushSchema, {}, imageArtifact(ref));
      assert.equal(refused.error?.message, "Bad exit status: 1");

      const { ui, error } = await postProcess(
        dockerPush,
        pushSchema,
        { login: true, login_server: server, login_username: "kiln", login_password: "s3cret" },
        imageArtifact(ref),
      );
      assert.equal(error, undefined, ui.transcript().join("\n"));
      const messages = ui.texts("message");
      assert.equal(messages[0], "Logging in...");
      assert.ok(messages.includes("Login Succeeded"), messages.join("\n"));
      assert.ok(messages.includes(`Pushing: ${ref}`));
      assert.ok(messages.indexOf("Logging out...") > messages.indexOf(`Pushing: ${ref}`));
      assert.ok(!ui.transcript().some((l) => l.includes("s3cret")), "the password is never shown");
      // Logged out: the credentials are gone from the docker configuration.
      const cfg = join(process.env.DOCKER_CONFIG!, "config.json");
      if (existsSync(cfg)) {
        const saved = JSON.parse(spawnSync("cat", [cfg], { encoding: "utf8" }).stdout);
        assert.equal(saved.auths?.[server], undefined);
      }
    });

    test("a wrong password fails with the plugin's words", async () => {
      const { error } = await postProcess(
        dockerPush,
        pushSchema,
        { login: true, login_server: server, login_username: "kiln", login_password: "wrong" },
        imageArtifact(BASE_IMAGE),
      );
      assert.equal(error?.message, "Error logging in to Docker: Bad exit status: 1");
    });
  });
});

describe("docker-save", () => {
  test("saves the image to a tar file; the artifact is the input, kept", async () => {
    const source = tinyImage("kiln-save-src");
    const path = join(scratch, "saved.tar");
    const input = imageArtifact(source);
    const { ui, result, error } = await postProcess(dockerSave, saveSchema, { path }, input);
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [
      `message: Saving image: ${source}`,
      `message: Saved to: ${path}`,
    ]);
    assert.equal(result!.artifact, input);
    assert.equal(result!.keep, true);
    const listing = spawnSync("tar", ["-tf", path], { encoding: "utf8" });
    assert.equal(listing.status, 0);
    assert.ok(listing.stdout.split("\n").includes("manifest.json"), listing.stdout);
    // The saved image loads back.
    const loaded = dockerOk(["load", "-i", path]);
    assert.match(loaded, new RegExp(`Loaded image: ${source}`));
  });

  test("a path that cannot be created fails as Packer's does; a failed save leaves no file", async () => {
    const bad = await postProcess(
      dockerSave,
      saveSchema,
      { path: join(scratch, "no-such-dir", "x.tar") },
      imageArtifact(BASE_IMAGE),
    );
    assert.equal(
      bad.error?.message,
      `Error creating output file: open ${join(scratch, "no-such-dir", "x.tar")}: no such file or directory`,
    );

    const path = join(scratch, "missing-image.tar");
    const missing = await postProcess(
      dockerSave,
      saveSchema,
      { path },
      imageArtifact("kiln-no-such-image:nope"),
    );
    assert.match(missing.error?.message ?? "", /^Error exporting: exit status 1\nStderr: /);
    assert.equal(existsSync(path), false);
  });

  test("refuses the export tar of a docker build", async () => {
    const { error } = await postProcess(
      dockerSave,
      saveSchema,
      { path: join(scratch, "never.tar") },
      exportArtifact(),
    );
    assert.equal(
      error?.message,
      "Unknown artifact type: packer.docker\nCan only save Docker builder artifacts.",
    );
  });
});

describe("the image artifact", () => {
  test("destroy removes the image; removing one that is gone fails with the plugin's words", async () => {
    const ref = tinyImage("kiln-destroy");
    const artifact = imageArtifact(ref);
    await artifact.destroy();
    assert.notEqual(docker(["image", "inspect", ref]).status, 0);
    await assert.rejects(
      artifact.destroy(),
      /^Error: Error deleting image: exit status 1\nStderr: /,
    );
  });
});
