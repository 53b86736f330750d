// The docker communicator against a real engine: commands with docker exec
// semantics, uploads and downloads of files and directory trees (modes,
// symlinks, Packer's trailing-slash rule), ownership with fix_upload_owner,
// and a 100 MB file streamed both ways without being held in memory.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import {
  DockerCommunicator,
  EngineClient,
  resolveEndpoint,
} from "../../src/communicators/docker/index.js";
import { scratchDir } from "../support/engine.js";
import { dockerOk, ensureEngine, execIn, removeContainer, startContainer } from "./helpers.js";

const dir = scratchDir("kiln-docker-comm-");

async function output(comm: DockerCommunicator, command: string) {
  let stdout = "";
  let stderr = "";
  const { exitStatus } = await comm.run({
    command,
    onStdout: (c) => {
      stdout += c.toString("utf8");
    },
    onStderr: (c) => {
      stderr += c.toString("utf8");
    },
  });
  return { exitStatus, stdout, stderr };
}

/** A local tree with files of several modes, an empty directory, a private directory and a symlink. */
function makeTree(root: string): void {
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "etc", "empty"), { recursive: true });
  mkdirSync(join(root, "private"));
  writeFileSync(join(root, "bin", "tool.sh"), "#!/bin/sh\necho tool\n");
  chmodSync(join(root, "bin", "tool.sh"), 0o755);
  writeFileSync(join(root, "etc", "app.conf"), "key=value\n");
  chmodSync(join(root, "etc", "app.conf"), 0o640);
  writeFileSync(join(root, "private", "secret"), "s3cret");
  chmodSync(join(root, "private", "secret"), 0o600);
  chmodSync(join(root, "private"), 0o700);
  symlinkSync("bin/tool.sh", join(root, "tool"));
}

/** `mode type path` for every entry under a container path, sorted, paths relative to it. */
function remoteTree(id: string, path: string): string[] {
  return execIn(id, `cd ${path} && find . -mindepth 1 -exec stat -c '%n|%a %F %U' {} +`)
    .split("\n")
    .map((l) => l.split("|"))
    .sort(([a], [b]) => (a! < b! ? -1 : 1))
    .map(([name, rest]) => `${rest} ${name!.slice(2)}`);
}

describe("docker communicator", () => {
  let id = "";
  let comm: DockerCommunicator;

  before(async () => {
    ensureEngine();
    id = startContainer();
    comm = await DockerCommunicator.connect(id);
  });
  after(() => {
    comm?.close();
    if (id) removeContainer(id);
  });

  test("the engine endpoint follows DOCKER_HOST and the docker context", () => {
    assert.deepEqual(resolveEndpoint({ HOME: dir }), {
      kind: "unix",
      socketPath: "/var/run/docker.sock",
    });
    assert.deepEqual(resolveEndpoint({ DOCKER_HOST: "unix:///run/other.sock" }), {
      kind: "unix",
      socketPath: "/run/other.sock",
    });
    assert.deepEqual(resolveEndpoint({ DOCKER_HOST: "tcp://127.0.0.1:2375" }), {
      kind: "tcp",
      host: "127.0.0.1",
      port: 2375,
      tls: undefined,
    });
    assert.throws(() => resolveEndpoint({ DOCKER_HOST: "ssh://me@host" }), /unix:\/\/ or tcp:\/\//);
    // A named context: its meta.json lives under the sha256 of its name.
    const config = join(dir, "docker-config");
    const hash = createHash("sha256").update("elsewhere").digest("hex");
    mkdirSync(join(config, "contexts", "meta", hash), { recursive: true });
    writeFileSync(join(config, "config.json"), JSON.stringify({ currentContext: "elsewhere" }));
    writeFileSync(
      join(config, "contexts", "meta", hash, "meta.json"),
      JSON.stringify({
        Name: "elsewhere",
        Endpoints: { docker: { Host: "unix:///tmp/elsewhere.sock" } },
      }),
    );
    assert.deepEqual(resolveEndpoint({ DOCKER_CONFIG: config }), {
      kind: "unix",
      socketPath: "/tmp/elsewhere.sock",
    });
  });

  test("run: stdout and stderr apart, the exit status, the working directory and the shell", async () => {
    const r = await output(comm, "echo out; echo err >&2; pwd; exit 7");
    assert.deepEqual(r, { exitStatus: 7, stdout: "out\n/\n", stderr: "err\n" });
    // The command runs in a subshell of /bin/sh -c, so shell syntax works as typed.
    const r2 = await output(
      comm,
      'for i in 1 2; do printf "%s," "$i"; done; test -t 0 || echo no-tty',
    );
    assert.deepEqual(r2, { exitStatus: 0, stdout: "1,2,no-tty\n", stderr: "" });
  });

  test("run: stdin is streamed to the command and closed at its end", async () => {
    let stdout = "";
    const { exitStatus } = await comm.run({
      command: "wc -c; cat /dev/stdin | head -c 0; echo done",
      stdin: Readable.from([Buffer.alloc(300_000, 1), Buffer.alloc(700_000, 2)]),
      onStdout: (c) => {
        stdout += c.toString("utf8");
      },
    });
    assert.equal(exitStatus, 0);
    assert.equal(stdout, "1000000\ndone\n");
  });

  test("run: a command that exits without reading all its input still succeeds", async () => {
    const big = Readable.from(
      (function* () {
        for (let i = 0; i < 200; i++) yield Buffer.alloc(256 * 1024, 7);
      })(),
    );
    const r = await comm.run({ command: "head -c 10 >/dev/null; exit 4", stdin: big });
    assert.equal(r.exitStatus, 4);
  });

  test("run: without stdin the command reads an empty input", async () => {
    const r = await output(comm, "cat; echo end");
    assert.deepEqual(r, { exitStatus: 0, stdout: "end\n", stderr: "" });
  });

  test("run: a command that cannot be found exits 127 like in a shell", async () => {
    const r = await output(comm, "no-such-command-kiln");
    assert.equal(r.exitStatus, 127);
    assert.match(r.stderr, /not found/);
  });

  test("run: exec_user runs commands as that user", async () => {
    const asNobody = new DockerCommunicator({ containerId: id, execUser: "nobody" });
    try {
      assert.equal((await output(asNobody, "id -u; id -un")).stdout, "65534\nnobody\n");
      const asUid = new DockerCommunicator({ containerId: id, execUser: "1234:4321" });
      assert.equal((await output(asUid, "id -u; id -g")).stdout, "1234\n4321\n");
      asUid.close();
    } finally {
      asNobody.close();
    }
  });

  test("run: with pty the command has a terminal and its output all arrives on stdout", async () => {
    const withPty = new DockerCommunicator({ containerId: id, pty: true });
    try {
      const r = await output(withPty, "test -t 1 && echo tty; echo err >&2");
      assert.equal(r.exitStatus, 0);
      assert.equal(r.stdout.replaceAll("\r", ""), "tty\nerr\n");
      assert.equal(r.stderr, "");
    } finally {
      withPty.close();
    }
  });

  test("run: cancelling stops waiting at once", async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("stop")), 300);
    await assert.rejects(comm.run({ command: "sleep 20" }, ac.signal), /stop/);
    assert.ok(Date.now() - started < 5000);
  });

  test("run: a container that does not exist is an error, not an exit status", async () => {
    const gone = new DockerCommunicator({ containerId: "kiln-no-such-container" });
    try {
      await assert.rejects(gone.run({ command: "true" }), /No such container/);
    } finally {
      gone.close();
    }
  });

  test("upload: content and mode, into an existing folder and into folders made on the way", async () => {
    await comm.upload("/tmp/up.sh", Readable.from([Buffer.from("#!/bin/sh\necho up\n")]), {
      mode: 0o750,
      size: 18,
    });
    assert.equal(
      execIn(id, "stat -c '%a %U:%G %s' /tmp/up.sh && /tmp/up.sh"),
      "750 root:root 18\nup",
    );
    await comm.upload("/opt/made/on/the/way.txt", Readable.from([Buffer.from("deep")]));
    assert.equal(
      execIn(id, "stat -c '%a' /opt/made/on/the/way.txt; cat /opt/made/on/the/way.txt"),
      "644\ndeep",
    );
    // A relative path is relative to the container's working directory (/ here).
    await comm.upload("relative.txt", Readable.from([Buffer.from("rel")]));
    assert.equal(execIn(id, "cat /relative.txt"), "rel");
  });

  test("upload: a stream of unknown size, small and large (spooled to disk, not memory)", async () => {
    await comm.upload("/tmp/small", Readable.from([Buffer.from("a"), Buffer.from("bc")]));
    assert.equal(execIn(id, "cat /tmp/small"), "abc");
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const chunks = Array.from({ length: Math.ceil(big.length / 65536) }, (_, i) =>
      big.subarray(i * 65536, (i + 1) * 65536),
    );
    await comm.upload("/tmp/unsized", Readable.from(chunks));
    const sum = createHash("sha256").update(big).digest("hex");
    assert.equal(execIn(id, "sha256sum /tmp/unsized | cut -d' ' -f1"), sum);
  });

  test("upload: a file never replaces a directory", async () => {
    execIn(id, "mkdir -p /tmp/keep-me && touch /tmp/keep-me/inside");
    await assert.rejects(
      comm.upload("/tmp/keep-me", Readable.from([Buffer.from("x")])),
      /Failed to upload to '\/tmp\/keep-me' in container: .*cannot overwrite directory/,
    );
    assert.equal(execIn(id, "ls /tmp/keep-me"), "inside");
  });

  test("run: a trailing comment does not break the command", async () => {
    const r = await output(comm, "echo fine # a comment");
    assert.deepEqual(r, { exitStatus: 0, stdout: "fine\n", stderr: "" });
  });

  test("upload: a path whose parent is a file fails with the destination in the message", async () => {
    await comm.upload("/tmp/plain", Readable.from([Buffer.from("x")]));
    await assert.rejects(
      comm.upload("/tmp/plain/child", Readable.from([Buffer.from("y")])),
      /Failed to upload to '\/tmp\/plain\/child' in container/,
    );
  });

  test("uploadDir: `src` copies the directory, `src/` its contents; modes, symlinks and empty folders kept", async () => {
    const tree = join(dir, "tree");
    makeTree(tree);
    await comm.uploadDir("/srv/a", tree);
    await comm.uploadDir("/srv/b", `${tree}/`);
    const expected = [
      "755 directory root bin",
      "755 regular file root bin/tool.sh",
      "755 directory root etc",
      "640 regular file root etc/app.conf",
      "755 directory root etc/empty",
      "700 directory root private",
      "600 regular file root private/secret",
      "777 symbolic link root tool",
    ];
    assert.deepEqual(remoteTree(id, "/srv/a"), [
      "755 directory root tree",
      ...expected.map((l) => l.replace(/ (\S+)$/, " tree/$1")),
    ]);
    assert.deepEqual(remoteTree(id, "/srv/b"), expected);
    assert.equal(execIn(id, "readlink /srv/b/tool; /srv/b/tool"), "bin/tool.sh\ntool");
    // Into a folder that already exists: its contents are merged, nothing else touched.
    execIn(id, "mkdir -p /srv/c && echo keep > /srv/c/keep && chmod 1777 /srv/c");
    await comm.uploadDir("/srv/c", `${tree}/`);
    assert.equal(
      execIn(id, "stat -c %a /srv/c; cat /srv/c/keep; cat /srv/c/etc/app.conf"),
      "1777\nkeep\nkey=value",
    );
  });

  test("uploadDir: excluded paths are left out", async () => {
    const tree = join(dir, "tree-ex");
    makeTree(tree);
    await comm.uploadDir("/srv/ex", `${tree}/`, ["private", "etc/app.conf"]);
    assert.deepEqual(remoteTree(id, "/srv/ex"), [
      "755 directory root bin",
      "755 regular file root bin/tool.sh",
      "755 directory root etc",
      "755 directory root etc/empty",
      "777 symbolic link root tool",
    ]);
  });

  test("download: a file's content; a symlink is followed; a directory or a missing file is an error", async () => {
    execIn(id, "printf 'line1\\nline2\\n' > /tmp/dl.txt && ln -sf /tmp/dl.txt /tmp/dl-link");
    const collect = async (src: string) => {
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on("data", (c: Buffer) => chunks.push(c));
      await comm.download(src, sink);
      sink.end();
      await finished(sink);
      return Buffer.concat(chunks).toString("utf8");
    };
    assert.equal(await collect("/tmp/dl.txt"), "line1\nline2\n");
    assert.equal(await collect("/tmp/dl-link"), "line1\nline2\n");
    await assert.rejects(collect("/etc"), /\/etc is a directory/);
    await assert.rejects(collect("/tmp/nope"), /Error downloading file: .*\/tmp\/nope/);
  });

  test("downloadDir: `src` makes dst/src, `src/` fills dst; modes, symlinks and empty folders kept", async () => {
    const tree = join(dir, "tree-dl");
    makeTree(tree);
    await comm.uploadDir("/srv/dl", tree);
    const a = join(dir, "dl-a");
    const b = join(dir, "dl-b");
    await comm.downloadDir("/srv/dl/tree-dl", a);
    await comm.downloadDir("/srv/dl/tree-dl/", b);
    for (const [root, prefix] of [
      [join(a, "tree-dl"), ""],
      [b, ""],
    ] as const) {
      const mode = (p: string) => (lstatSync(join(root, prefix, p)).mode & 0o7777).toString(8);
      assert.equal(mode("bin/tool.sh"), "755");
      assert.equal(mode("etc/app.conf"), "640");
      assert.equal(mode("private"), "700");
      assert.equal(mode("private/secret"), "600");
      assert.ok(statSync(join(root, "etc/empty")).isDirectory());
      assert.equal(readlinkSync(join(root, "tool")), "bin/tool.sh");
      assert.equal(readFileSync(join(root, "bin/tool.sh"), "utf8"), "#!/bin/sh\necho tool\n");
    }
  });

  test("downloadDir: a pattern downloads the matching entries of its folder", async () => {
    execIn(
      id,
      "mkdir -p /var/tmp/logs/old && cd /var/tmp/logs && echo 1 > a.log && echo 2 > b.log && echo 3 > c.txt && echo 4 > old/d.log",
    );
    const dst = join(dir, "logs");
    await comm.downloadDir("/var/tmp/logs/*.log", dst);
    assert.deepEqual((await import("node:fs")).readdirSync(dst).sort(), ["a.log", "b.log"]);
  });

  test("fix_upload_owner gives uploads to the container's user; without it they belong to root", async () => {
    const userId = startContainer(undefined, ["--user", "nobody"]);
    try {
      const fixed = await DockerCommunicator.connect(userId);
      const tree = join(dir, "tree-owner");
      makeTree(tree);
      await fixed.upload("/tmp/owned", Readable.from([Buffer.from("x")]));
      await fixed.uploadDir("/tmp/owned-dir", tree);
      assert.equal(execIn(userId, "stat -c %U:%G /tmp/owned"), "nobody:root");
      assert.deepEqual(
        [
          ...new Set(
            execIn(userId, "find /tmp/owned-dir/tree-owner -exec stat -c %U {} +").split("\n"),
          ),
        ],
        ["nobody"],
      );
      fixed.close();
      const unfixed = await DockerCommunicator.connect(userId, { fixUploadOwner: false });
      await unfixed.upload("/tmp/not-owned", Readable.from([Buffer.from("x")]));
      assert.equal(execIn(userId, "stat -c %U:%G /tmp/not-owned"), "root:root");
      unfixed.close();
    } finally {
      removeContainer(userId);
    }
    const numericId = startContainer(undefined, ["--user", "4321:4322"]);
    try {
      const fixed = await DockerCommunicator.connect(numericId);
      await fixed.upload("/tmp/owned", Readable.from([Buffer.from("x")]));
      assert.equal(execIn(numericId, "stat -c %u:%g /tmp/owned"), "4321:4322");
      fixed.close();
    } finally {
      removeContainer(numericId);
    }
  });

  test("a 100 MB file streams up and down without being held in memory", async () => {
    const big = join(dir, "big.bin");
    const fd = openSync(big, "w");
    const hash = createHash("sha256");
    for (let i = 0; i < 100; i++) {
      const block = randomBytes(1024 * 1024);
      hash.update(block);
      writeSync(fd, block);
    }
    closeSync(fd);
    const sum = hash.digest("hex");

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      await comm.upload("/tmp/big.bin", createReadStream(big), {
        mode: 0o600,
        size: statSync(big).size,
      });
      assert.equal(
        execIn(id, "sha256sum /tmp/big.bin | cut -d' ' -f1; stat -c %a /tmp/big.bin"),
        `${sum}\n600`,
      );
      const back = join(dir, "big-back.bin");
      const out = createWriteStream(back);
      await comm.download("/tmp/big.bin", out);
      out.end();
      await finished(out);
      const backSum = createHash("sha256");
      for await (const c of createReadStream(back)) backSum.update(c as Buffer);
      assert.equal(backSum.digest("hex"), sum);
    } finally {
      clearInterval(sampler);
    }
    const grew = (peak - rssBefore) / (1024 * 1024);
    assert.ok(grew < 60, `memory grew by ${grew.toFixed(0)} MiB while moving 100 MiB`);
  });

  test("a slow reader of a download holds the transfer back instead of buffering it", async () => {
    execIn(id, "head -c 20000000 /dev/zero > /tmp/zeros");
    let received = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        setImmediate(done);
      },
    });
    await comm.download("/tmp/zeros", slow);
    assert.equal(received, 20_000_000);
  });

  test("a shared engine client serves several communicators", async () => {
    const client = new EngineClient();
    try {
      const one = new DockerCommunicator({ containerId: id, client });
      const two = new DockerCommunicator({ containerId: id, client });
      const [a, b] = await Promise.all([output(one, "echo one"), output(two, "echo two")]);
      assert.equal(a.stdout + b.stdout, "one\ntwo\n");
      one.close();
      // Closing a communicator that was given its client leaves the client open.
      assert.equal((await output(two, "echo still")).stdout, "still\n");
    } finally {
      client.close();
    }
    assert.ok(dockerOk(["inspect", "--format", "{{.State.Running}}", id]) === "true");
  });
});
