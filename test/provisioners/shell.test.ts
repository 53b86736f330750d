// The shell provisioner, run for real: scripts are uploaded to a real
// container of the base image through the real docker communicator and run
// there. Every option is checked by what the script saw or left behind.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type {
  Communicator,
  RemoteCommand,
  UploadInfo,
} from "../../src/communicators/communicator.js";
import { DockerCommunicator, EngineClient } from "../../src/communicators/docker/index.js";
import { NoneCommunicator } from "../../src/communicators/none.js";
import { decodeJSONConfig } from "../../src/components/decode-json.js";
import type { PlainConfig } from "../../src/components/schema.js";
import {
  HTTP_ADDR_NOT_IMPLEMENTED,
  HTTP_IP_NOT_IMPLEMENTED,
  HTTP_PORT_NOT_IMPLEMENTED,
} from "../../src/engine/steps/provision.js";
import shell from "../../src/provisioners/shell/index.js";
import { CMD_DISCONNECT } from "../../src/provisioners/shell/remote-cmd.js";
import { retry } from "../../src/provisioners/shell/retry.js";
import { schema } from "../../src/provisioners/shell/schema.js";
import { UnixLineEndings } from "../../src/provisioners/shell/unix-reader.js";
import {
  docker,
  dockerOk,
  ensureDocker,
  execIn,
  removeContainer,
  startContainer,
} from "../docker-post-processors/docker-env.js";
import { RecordingUi, scratchDir, testProvisionContext } from "../support/engine.js";

const scratch = scratchDir("kiln-shell-test-");
let container: string;
let comm: DockerCommunicator;
/** The engine connection the tests' communicators share; closed (with any socket left open) at the end. */
const client = new EngineClient();

before(async () => {
  ensureDocker();
  container = startContainer();
  comm = await DockerCommunicator.connect(container, { client });
});

after(() => {
  client.close();
  if (container) removeContainer(container);
});

/** A shell configuration as the engine hands it over: decoded, defaults applied. */
function config(raw: Record<string, unknown>): PlainConfig {
  const r = decodeJSONConfig(raw, schema.config);
  assert.deepEqual(r.errors, [], "the test's configuration must be valid");
  return r.config as PlainConfig;
}

interface ProvisionOptions {
  comm?: Communicator;
  signal?: AbortSignal;
  generatedData?: Record<string, string>;
}

async function provision(raw: Record<string, unknown>, opts: ProvisionOptions = {}) {
  const ui = new RecordingUi();
  const p = shell.create(config(raw));
  assert.deepEqual(p.prepare(), { warnings: [], errors: [] });
  const ctx = testProvisionContext(opts.comm ?? comm, {
    ui,
    signal: opts.signal,
    generatedData: opts.generatedData,
    info: { sourceName: "web", type: "docker" },
  });
  let error: Error | undefined;
  try {
    await p.provision(ctx);
  } catch (err) {
    error = err as Error;
  }
  return { ui, error };
}

/** Writes a local script file in the scratch folder; returns its path. */
function localScript(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text, { mode: 0o644 });
  return path;
}

/** The files whose names match a shell pattern in a folder of the container. */
function remoteFiles(folder: string, pattern: string): string[] {
  const out = execIn(container, `cd ${folder} && ls -1d ${pattern} 2>/dev/null || true`);
  return out === "" ? [] : out.split("\n");
}

describe("inline commands", () => {
  test("run as one uploaded script under the default shebang; output streamed line by line", async () => {
    const before = remoteFiles("/tmp", "script_*.sh");
    const { ui, error } = await provision({
      inline: ["echo one", "echo two >&2", 'echo "shebang: $(head -n 1 "$0")"', 'echo "at: $0"'],
    });
    assert.equal(error, undefined);
    const [headline, ...rest] = ui.transcript();
    assert.match(headline!, /^say: Provisioning with shell script: \/.*packer-shell\d+$/);
    assert.equal(rest.length, 4);
    // stdout and stderr arrive on separate streams: each is in order, not their interleaving.
    const messages = ui.texts("message");
    assert.deepEqual(messages.slice(0, 2), ["one", "shebang: #!/bin/sh -e"]);
    assert.match(messages[2]!, /^at: \/tmp\/script_\d+\.sh$/);
    assert.deepEqual(ui.texts("error"), ["two"]);
    assert.deepEqual(remoteFiles("/tmp", "script_*.sh"), before, "the uploaded script is removed");
  });

  test("the default shebang's -e stops at the first failing command", async () => {
    const { ui, error } = await provision({ inline: ["echo before", "false", "echo after"] });
    assert.deepEqual(ui.texts("message"), ["before"]);
    assert.equal(
      error?.message,
      "Script exited with non-zero exit status: 1. Allowed exit codes are: [0]\nbefore",
    );
  });

  test("a failure repeats the last ten lines of output, stderr's when there are any", async () => {
    const { error } = await provision({
      inline: ["for i in $(seq 1 15); do echo out$i; echo err$i >&2; done", "exit 3"],
    });
    const lines = Array.from({ length: 10 }, (_, i) => `err${i + 6}`);
    assert.equal(
      error?.message,
      `Script exited with non-zero exit status: 3. Allowed exit codes are: [0]\n${lines.join("\n")}`,
    );
  });

  test("inline_shebang picks the interpreter", async () => {
    const { ui, error } = await provision({
      inline_shebang: "/bin/bash -e",
      inline: ['echo "bash ${BASH_VERSINFO[0]}"', "echo $(head -n 1 $0)"],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["bash 5", "#!/bin/bash -e"]);
  });

  test("a first line that is a shebang of its own is the script's shebang", async () => {
    const { ui, error } = await provision({
      inline: [
        "#!/bin/bash",
        'echo "bash ${BASH_VERSINFO[0]}"',
        'grep -c "^#!" "$0"',
        "false",
        "echo no -e: still here",
      ],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["bash 5", "1", "no -e: still here"]);
  });

  test("build values render into the commands", async () => {
    const { ui, error } = await provision(
      {
        inline: [
          'echo "id={{ .ID }} build={{ build `ID` }} name={{ build_name }} type={{ build_type }}"',
        ],
      },
      { generatedData: { ID: "c0ffee" } },
    );
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["id=c0ffee build=c0ffee name=web type=docker"]);
  });

  test("a carriage return in output keeps only what follows it, as Packer shows progress", async () => {
    const { ui, error } = await provision({ inline: ["printf '10%%\\r50%%\\r100%%  \\n'"] });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["100%"]);
  });
});

describe("script and scripts", () => {
  test("scripts run in order, each announced with its local path", async () => {
    const a = localScript("a.sh", "#!/bin/sh\necho from a\n");
    const b = localScript("b.sh", "#!/bin/sh\necho from b\n");
    const { ui, error } = await provision({ scripts: [a, b] });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript(), [
      `say: Provisioning with shell script: ${a}`,
      "message: from a",
      `say: Provisioning with shell script: ${b}`,
      "message: from b",
    ]);
  });

  test("Windows line endings are made Unix ones, unless the script is binary", async () => {
    const crlf = localScript("crlf.sh", "#!/bin/sh\r\necho crlf ok\r\nexit 0\r\n");
    const converted = await provision({ script: crlf });
    assert.equal(converted.error, undefined);
    assert.deepEqual(converted.ui.texts("message"), ["crlf ok"]);

    const path = "/tmp/kiln-binary-script.sh";
    const raw = await provision({
      script: crlf,
      binary: true,
      remote_path: path,
      skip_clean: true,
      execute_command: "od -c {{.Path}} | head -n 1",
    });
    assert.equal(raw.error, undefined);
    assert.match(raw.ui.texts("message")[0] ?? "", /\\r {2}\\n/);
    execIn(container, `rm -f ${path}`);
  });

  test("a script that does not exist fails prepare as Packer's does", () => {
    const missing = join(scratch, "missing.sh");
    const p = shell.create(config({ script: missing }));
    assert.deepEqual(p.prepare().errors, [
      `Bad script '${missing}': stat ${missing}: no such file or directory`,
    ]);
  });
});

describe("environment variables", () => {
  test("PACKER_* variables, environment_vars and env reach the script, quoted safely", async () => {
    const { ui, error } = await provision({
      environment_vars: ["PLAIN=plain value", 'QUOTED=it\'s "quoted" $HOME', "BOTH=from list"],
      env: { BOTH: "from env", EMPTY: "" },
      inline: [
        'echo "name=$PACKER_BUILD_NAME type=$PACKER_BUILDER_TYPE"',
        'echo "plain=$PLAIN"',
        'echo "quoted=$QUOTED"',
        'echo "both=$BOTH empty=[$EMPTY]"',
        'echo "http=${PACKER_HTTP_ADDR-unset}"',
      ],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), [
      "name=web type=docker",
      "plain=plain value",
      `quoted=it's "quoted" $HOME`,
      "both=from env empty=[]",
      "http=unset",
    ]);
  });

  test("the HTTP server's address is exported when the builder has one, not its placeholders", async () => {
    const inline = ['echo "$PACKER_HTTP_ADDR|$PACKER_HTTP_IP|$PACKER_HTTP_PORT"'];
    const served = await provision(
      { inline },
      {
        generatedData: {
          PackerHTTPAddr: "10.0.2.2:8123",
          PackerHTTPIP: "10.0.2.2",
          PackerHTTPPort: "8123",
        },
      },
    );
    assert.deepEqual(served.ui.texts("message"), ["10.0.2.2:8123|10.0.2.2|8123"]);

    const none = await provision(
      { inline },
      {
        generatedData: {
          PackerHTTPAddr: HTTP_ADDR_NOT_IMPLEMENTED,
          PackerHTTPIP: HTTP_IP_NOT_IMPLEMENTED,
          PackerHTTPPort: HTTP_PORT_NOT_IMPLEMENTED,
        },
      },
    );
    assert.deepEqual(none.ui.texts("message"), ["||"]);
  });

  test("env_var_format and execute_command shape the command line ({{.Vars}} sorted by name)", async () => {
    const { ui, error } = await provision({
      environment_vars: ["B=2", "A=1"],
      env_var_format: "%s=%s ",
      execute_command: "echo 'vars: {{.Vars}}'; {{.Vars}} /bin/bash {{.Path}}",
      inline: ['echo "A=$A B=$B bash=${BASH_VERSINFO[0]}"'],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), [
      // (Output lines lose their trailing spaces, as in Packer.)
      "vars: A=1 B=2 PACKER_BUILDER_TYPE=docker PACKER_BUILD_NAME=web",
      "A=1 B=2 bash=5",
    ]);
  });

  test("use_env_var_file writes the variables to a file the command sources, removed after", async () => {
    const { ui, error } = await provision({
      use_env_var_file: true,
      environment_vars: ["GREETING=it's here"],
      inline: ['echo "greeting=$GREETING"', "echo \"exported=$(sh -c 'echo $GREETING')\""],
      execute_command:
        "echo file={{.EnvVarFile}}; chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}",
    });
    assert.equal(error, undefined);
    const [file, greeting, exported] = ui.texts("message");
    assert.match(file!, /^file=\/tmp\/varfile_\d+\.sh$/);
    assert.equal(greeting, "greeting=it's here");
    assert.equal(exported, "exported=it's here");
    const path = file!.slice("file=".length);
    assert.equal(
      docker(["exec", container, "test", "-e", path]).status,
      1,
      "the variables file is removed",
    );
  });

  test("with skip_clean the variables file stays, readable by its owner only", async () => {
    const { ui, error } = await provision({
      use_env_var_file: true,
      skip_clean: true,
      remote_folder: "/root",
      environment_vars: ["X=1"],
      inline: ["echo file=$(ls /root/varfile_*.sh)"],
    });
    assert.equal(error, undefined);
    const path = ui.texts("message")[0]!.slice("file=".length);
    assert.equal(execIn(container, `stat -c %a ${path}`), "600");
    assert.equal(
      execIn(container, `cat ${path}`),
      "export PACKER_BUILDER_TYPE='docker'\nexport PACKER_BUILD_NAME='web'\nexport X='1'",
    );
    execIn(container, "rm -f /root/varfile_*.sh /root/script_*.sh");
  });
});

describe("where scripts go", () => {
  test("remote_folder and remote_file name the uploaded script; skip_clean leaves it there", async () => {
    execIn(container, "mkdir -p /opt/kiln");
    const { ui, error } = await provision({
      remote_folder: "/opt/kiln",
      remote_file: "provision.sh",
      skip_clean: true,
      inline: ['echo "at $0"'],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["at /opt/kiln/provision.sh"]);
    assert.equal(execIn(container, "stat -c %a /opt/kiln/provision.sh"), "755");
    assert.match(
      execIn(container, "cat /opt/kiln/provision.sh"),
      /^#!\/bin\/sh -e\necho "at \$0"$/,
    );
  });

  test("remote_path wins over remote_folder; without skip_clean the script is removed", async () => {
    const { ui, error } = await provision({
      remote_folder: "/nowhere",
      remote_path: "/root/exact.sh",
      inline: ['echo "at $0"'],
    });
    assert.equal(error, undefined);
    assert.deepEqual(ui.texts("message"), ["at /root/exact.sh"]);
    assert.equal(docker(["exec", container, "test", "-e", "/root/exact.sh"]).status, 1);
  });
});

describe("exit codes", () => {
  test("valid_exit_codes lists what counts as success", async () => {
    const ok = await provision({ valid_exit_codes: [0, 3], inline: ["exit 3"] });
    assert.equal(ok.error, undefined);

    const bad = await provision({
      valid_exit_codes: [0, 3],
      inline: ["echo last words", "exit 4"],
    });
    assert.equal(
      bad.error?.message,
      "Script exited with non-zero exit status: 4. Allowed exit codes are: [0 3]\nlast words",
    );
  });

  test("a command that cannot be found fails with the shell's status and message", async () => {
    const { error } = await provision({ inline: ["no-such-command-kiln"] });
    assert.match(
      error?.message ?? "",
      /^Script exited with non-zero exit status: 127\. Allowed exit codes are: \[0\]\n.*no-such-command-kiln: not found$/,
    );
  });
});

/**
 * The docker communicator never loses its connection the way SSH does when a
 * machine restarts; this one reports a dropped connection for the main
 * command (after running it for real), as the SSH communicator will.
 */
class DroppingCommunicator implements Communicator {
  constructor(private readonly inner: DockerCommunicator) {}
  async run(cmd: RemoteCommand, signal?: AbortSignal) {
    const r = await this.inner.run(cmd, signal);
    const isMain = !/^(chmod 0[67][05][05] |rm -f )/.test(cmd.command);
    return isMain ? { exitStatus: CMD_DISCONNECT } : r;
  }
  upload(dst: string, src: Readable, info?: UploadInfo) {
    return this.inner.upload(dst, src, info);
  }
  uploadDir(dst: string, src: string) {
    return this.inner.uploadDir(dst, src);
  }
  download(src: string, dst: Writable) {
    return this.inner.download(src, dst);
  }
  downloadDir(src: string, dst: string) {
    return this.inner.downloadDir(src, dst);
  }
}

describe("disconnects and restarts", () => {
  test("a dropped connection fails the script unless expect_disconnect", async () => {
    const dropping = new DroppingCommunicator(comm);
    const failed = await provision({ inline: ["echo going down"] }, { comm: dropping });
    assert.match(
      failed.error?.message ?? "",
      /^Script disconnected unexpectedly\. .*"expect_disconnect": true/,
    );

    const expected = await provision(
      { inline: ["echo going down"], expect_disconnect: true },
      { comm: dropping },
    );
    assert.equal(expected.error, undefined);
    assert.deepEqual(expected.ui.texts("message"), ["going down"]);

    const listed = await provision(
      { inline: ["echo going down"], valid_exit_codes: [0, CMD_DISCONNECT] },
      { comm: dropping },
    );
    assert.equal(listed.error, undefined);
  });

  test("start_retry_timeout: the script is retried while the machine is down, and runs once it is back", async () => {
    const id = startContainer();
    const c = await DockerCommunicator.connect(id, { client });
    try {
      dockerOk(["stop", "-t", "0", id]);
      setTimeout(() => dockerOk(["start", id]), 2500);
      const began = Date.now();
      const { ui, error } = await provision(
        { start_retry_timeout: "1m", inline: ["echo back up"] },
        { comm: c },
      );
      assert.equal(error, undefined);
      assert.deepEqual(ui.texts("message"), ["back up"]);
      assert.ok(Date.now() - began >= 2000, "it waited for the container");
    } finally {
      removeContainer(id);
    }
  });

  test("start_retry_timeout: once it has passed, the last failure is the error", async () => {
    const id = startContainer();
    const c = await DockerCommunicator.connect(id, { client });
    try {
      dockerOk(["stop", "-t", "0", id]);
      const began = Date.now();
      const { error } = await provision(
        { start_retry_timeout: "1s", inline: ["echo never"] },
        { comm: c },
      );
      assert.match(
        error?.message ?? "",
        /^Error chmodding script file to 0755 in remote machine: .*is not running/s,
      );
      assert.ok(Date.now() - began < 10_000);
    } finally {
      removeContainer(id);
    }
  });
  test("a build without a connection (communicator none) fails at once, without retrying", async () => {
    const began = Date.now();
    const { error } = await provision({ inline: ["echo never"] }, { comm: new NoneCommunicator() });
    assert.match(
      error?.message ?? "",
      /^Error uploading script: Uploading \/tmp\/script_\d+\.sh is not possible: the communicator is "none"$/,
    );
    assert.ok(Date.now() - began < 1500);
  });
});

describe("timing", () => {
  test("pause_after waits after the scripts and says so", async () => {
    const began = Date.now();
    const { ui, error } = await provision({ pause_after: "1s", inline: ["echo done"] });
    assert.equal(error, undefined);
    assert.deepEqual(ui.transcript().slice(1), [
      "message: done",
      "say: Pausing 1s after this provisioner...",
    ]);
    assert.ok(Date.now() - began >= 1000);
  });

  test("a cancelled build stops waiting for the script at once", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const began = Date.now();
    const { error } = await provision({ inline: ["sleep 30"] }, { signal: ac.signal });
    assert.ok(error !== undefined);
    assert.ok(Date.now() - began < 10_000, "it did not wait for sleep 30");
  });
});
describe("line endings of uploaded scripts", () => {
  async function convert(chunks: string[]): Promise<string> {
    const out: Buffer[] = [];
    const t = new UnixLineEndings();
    t.on("data", (b: Buffer) => out.push(b));
    const done = new Promise((resolve) => t.on("end", resolve));
    for (const c of chunks) t.write(Buffer.from(c));
    t.end();
    await done;
    return Buffer.concat(out).toString();
  }

  const cases: [string, string[], string][] = [
    ["CRLF becomes LF", ["a\r\nb\r\n"], "a\nb\n"],
    ["a last line without a line ending gets one", ["a\nb"], "a\nb\n"],
    ["LF stays as it is", ["#!/bin/sh\necho hi\n"], "#!/bin/sh\necho hi\n"],
    ["a CR split from its LF across chunks", ["a\r", "\nb\r", "\n"], "a\nb\n"],
    ["only the CR just before the LF goes", ["a\r\r\n"], "a\r\n"],
    ["a CR inside a line stays", ["a\rb\n"], "a\rb\n"],
    ["empty lines are kept", ["\r\n\n"], "\n\n"],
    ["empty input stays empty", [], ""],
  ];
  for (const [name, chunks, want] of cases) {
    test(name, async () => assert.equal(await convert(chunks), want));
  }
});

describe("retrying while the machine cannot be reached", () => {
  test("retries until the work succeeds", async () => {
    let tries = 0;
    const value = await retry({ startTimeoutMs: 5000, delayMs: 10 }, async () => {
      tries++;
      if (tries < 3) throw new Error(`try ${tries}`);
      return "done";
    });
    assert.equal(value, "done");
    assert.equal(tries, 3);
  });

  test("gives up with the last failure once the start timeout has passed", async () => {
    let tries = 0;
    const began = Date.now();
    await assert.rejects(
      retry({ startTimeoutMs: 100, delayMs: 20 }, async () => {
        tries++;
        throw new Error(`try ${tries}`);
      }),
      (err: Error) => err.message === `try ${tries}`,
    );
    assert.ok(tries >= 3, `tried ${tries} times`);
    assert.ok(Date.now() - began < 1000);
  });

  test("stops at once when the build is cancelled", async () => {
    const ac = new AbortController();
    let tries = 0;
    setTimeout(() => ac.abort(), 50);
    const began = Date.now();
    await assert.rejects(
      retry({ startTimeoutMs: 0, delayMs: 10_000, signal: ac.signal }, async () => {
        tries++;
        throw new Error("unreachable");
      }),
      /unreachable/,
    );
    assert.equal(tries, 1);
    assert.ok(Date.now() - began < 5000);
  });
});
