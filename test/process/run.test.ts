import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { after, describe, test } from "node:test";
import {
  liveChildren,
  ProcessError,
  type ProcessFailure,
  run,
  start,
} from "../../src/process/index.js";
import { isAlive, reap, waitUntilDead } from "./alive.js";

// Every test runs real programs (sh, sleep, cat, node).

const scratch = mkdtempSync(join(tmpdir(), "kiln-process-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const node = process.execPath;
/** A shell loop that ignores SIGTERM (its `sleep`s inherit that) and says when it is ready. */
const IGNORES_TERM = 'trap "" TERM; echo ready; while :; do sleep 0.05; done';

async function rejection(p: Promise<unknown>): Promise<ProcessError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProcessError, `expected a ProcessError, got ${err}`);
    return err;
  }
  assert.fail("expected the command to fail");
}

function expectFailure(err: ProcessError, failure: ProcessFailure, message: string | RegExp) {
  assert.equal(err.failure, failure);
  if (typeof message === "string") assert.equal(err.message, message);
  else assert.match(err.message, message);
}

describe("exit codes", () => {
  test("a successful command resolves with its output", async () => {
    const r = await run("sh", ["-c", "echo out; echo err >&2"]);
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal(r.command, "sh -c 'echo out; echo err >&2'");
    assert.equal(r.stopped, false);
    assert.equal(r.outputTruncated, false);
    assert.ok(r.durationMs >= 0 && r.durationMs < 5000);
  });

  test("a non-zero exit rejects, naming the command and repeating stderr", async () => {
    const err = await rejection(
      run("sh", ["-c", "echo progress; echo 'qemu-img: Could not open a.qcow2' >&2; exit 2"]),
    );
    expectFailure(
      err,
      "exit-code",
      "Command failed with exit code 2: sh -c 'echo progress; echo '\\''qemu-img: Could not open a.qcow2'\\'' >&2; exit 2'\n" +
        "qemu-img: Could not open a.qcow2",
    );
    assert.equal(err.exitCode, 2);
    assert.equal(err.stdout, "progress\n");
    assert.equal(err.command, "sh");
  });

  test("the message repeats only the last 20 lines, from stdout when stderr is empty", async () => {
    const err = await rejection(run("sh", ["-c", "seq 1 50; exit 1"]));
    const lines = err.message.split("\n");
    assert.equal(lines[0], "Command failed with exit code 1: sh -c 'seq 1 50; exit 1'");
    assert.deepEqual(
      lines.slice(1),
      Array.from({ length: 20 }, (_, i) => String(31 + i)),
    );
  });

  test("reject: false resolves with a non-zero exit code", async () => {
    const r = await run("sh", ["-c", "echo nope >&2; exit 7"], { reject: false });
    assert.equal(r.exitCode, 7);
    assert.equal(r.stderr, "nope\n");
  });

  test("death by a signal kiln did not send", async () => {
    const err = await rejection(run("sh", ["-c", "kill -KILL $$"]));
    expectFailure(err, "signal", "Command was killed with SIGKILL: sh -c 'kill -KILL $$'");
    assert.equal(err.signal, "SIGKILL");
    assert.equal(err.exitCode, null);
    const r = await run("sh", ["-c", "kill -TERM $$"], { reject: false });
    assert.equal(r.signal, "SIGTERM");
  });
});

describe("output", () => {
  test("lines are streamed in order, the last one even without a newline", async () => {
    const out: string[] = [];
    const err: string[] = [];
    await run("sh", ["-c", "printf 'a\\r\\nb\\n\\nc'; printf 'x\\ny\\n' >&2"], {
      onStdout: (l) => out.push(l),
      onStderr: (l) => err.push(l),
    });
    assert.deepEqual(out, ["a", "b", "", "c"]);
    assert.deepEqual(err, ["x", "y"]);
  });

  test("lines arrive while the command runs, split across writes and mid-character", async () => {
    const script = `
      const w = (b) => new Promise((r) => process.stdout.write(b, r));
      const pause = () => new Promise((r) => setTimeout(r, 30));
      const e = Buffer.from("é");
      await w("one "); await pause(); await w("line\\n"); await pause();
      await w(e.subarray(0, 1)); await pause(); await w(e.subarray(1)); await w("\\n");
      process.stdin.once("data", () => { console.log("done"); process.exit(0); });`;
    const input = new PassThrough();
    const lines: string[] = [];
    const p = start(node, ["--input-type=module", "-e", script], {
      input,
      onStdout: (line) => {
        lines.push(line);
        if (line === "é") {
          assert.equal(p.running, true, "the line arrived before the command ended");
          input.end("go\n");
        }
      },
    });
    const r = await p.wait();
    assert.deepEqual(lines, ["one line", "é", "done"]);
    assert.equal(r.stdout, "one line\né\ndone\n");
  });

  test("output beyond the limit is dropped from the front; callbacks still see every line", async () => {
    let count = 0;
    const r = await run("sh", ["-c", "seq 1 20000"], {
      maxOutputBytes: 1000,
      onStdout: () => count++,
    });
    assert.equal(count, 20000);
    assert.equal(r.outputTruncated, true);
    assert.ok(r.stdout.length <= 1000, `kept ${r.stdout.length} bytes`);
    assert.ok(r.stdout.endsWith("19999\n20000\n"));
    assert.match(r.stdout, /^\d+\n/, "starts at a whole line");
  });

  test("a failing callback fails the run once the command ends", async () => {
    await assert.rejects(
      run("sh", ["-c", "echo a; echo b"], {
        onStdout: (l) => {
          if (l === "a") throw new Error("callback failed");
        },
      }),
      /callback failed/,
    );
  });

  test('stdio "inherit" writes to kiln\'s own streams and captures nothing', async () => {
    const r = await run(node, [
      "--import",
      "tsx",
      join(import.meta.dirname, "fixtures/supervisor.ts"),
      "inherit",
    ]);
    assert.equal(r.stdout, 'to-the-terminal\n{"stdout":"","stderr":""}\n');
    assert.equal(r.stderr, "err-to-the-terminal\n");
  });
});

describe("input", () => {
  test("a string, a Buffer or a stream on stdin", async () => {
    assert.equal((await run("cat", [], { input: "from a string\n" })).stdout, "from a string\n");
    assert.equal((await run("cat", [], { input: Buffer.from([0x68, 0x69]) })).stdout, "hi");
    const stream = Readable.from(["chunk one, ", "chunk two"]);
    assert.equal((await run("cat", [], { input: stream })).stdout, "chunk one, chunk two");
  });

  test("without input stdin is empty, so a reader does not wait", async () => {
    const r = await run("cat", [], { timeoutMs: 5000 });
    assert.equal(r.stdout, "");
  });

  test("a command that ignores its input is not an error", async () => {
    const r = await run("true", [], { input: "x".repeat(1 << 20) });
    assert.equal(r.exitCode, 0);
  });
});

describe("environment", () => {
  test("variables are added to kiln's own", async () => {
    const r = await run("sh", ["-c", 'echo "$KILN_TEST_A:$HOME"'], { env: { KILN_TEST_A: "x" } });
    assert.equal(r.stdout, `x:${process.env.HOME}\n`);
  });

  test("undefined removes a variable kiln has", async () => {
    process.env.KILN_TEST_REMOVED = "present";
    try {
      const r = await run("sh", ["-c", 'echo "${KILN_TEST_REMOVED-unset}"'], {
        env: { KILN_TEST_REMOVED: undefined },
      });
      assert.equal(r.stdout, "unset\n");
    } finally {
      delete process.env.KILN_TEST_REMOVED;
    }
  });

  test("extendEnv: false passes only the given variables", async () => {
    const r = await run(node, ["-e", "console.log(JSON.stringify(process.env))"], {
      env: { ONLY: "this" },
      extendEnv: false,
    });
    const env = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(env.ONLY, "this");
    assert.equal(env.HOME, undefined);
    assert.equal(env.PATH, undefined);
  });

  test("cwd", async () => {
    const r = await run("pwd", [], { cwd: scratch });
    assert.equal(r.stdout.trim(), scratch);
  });
});

describe("failure to start", () => {
  test("a program not on PATH", async () => {
    const err = await rejection(run("kiln-no-such-program", ["--version"]));
    expectFailure(
      err,
      "not-found",
      "Command not found: kiln-no-such-program (is it installed and on PATH?)",
    );
    assert.equal((err.cause as NodeJS.ErrnoException).code, "ENOENT");
  });

  test("a path that does not exist", async () => {
    const err = await rejection(run("./no-such-script.sh", []));
    expectFailure(err, "not-found", "Command not found: ./no-such-script.sh (no such file)");
  });

  test("a file that is not executable", async () => {
    const file = join(scratch, "not-executable.sh");
    writeFileSync(file, "echo hi\n");
    chmodSync(file, 0o644);
    const err = await rejection(run(file, []));
    expectFailure(err, "spawn-failed", `Command is not executable: ${file} (permission denied)`);
  });

  test("a working directory that does not exist", async () => {
    const cwd = join(scratch, "missing");
    const err = await rejection(run("sh", ["-c", "true"], { cwd }));
    expectFailure(
      err,
      "spawn-failed",
      `Working directory does not exist: ${cwd} (running sh -c true)`,
    );
  });

  test("ready() reports it for a started command; exited() still resolves", async () => {
    const p = start("kiln-no-such-daemon", []);
    assert.equal(p.pid, undefined);
    await assert.rejects(p.ready(), /Command not found: kiln-no-such-daemon/);
    const r = await p.exited();
    assert.equal(r.exitCode, null);
    assert.equal(p.running, false);
  });
});

describe("timeouts", () => {
  test("a command that runs too long is killed", async () => {
    const began = Date.now();
    const err = await rejection(run("sleep", ["10"], { timeoutMs: 200 }));
    expectFailure(err, "timeout", "Command timed out after 200 milliseconds: sleep 10");
    assert.equal(err.signal, "SIGTERM");
    assert.ok(Date.now() - began < 3000);
  });

  test("one that ignores SIGTERM is killed with SIGKILL after the grace period", async () => {
    const began = Date.now();
    const err = await rejection(
      run("sh", ["-c", IGNORES_TERM], { timeoutMs: 300, killGraceMs: 400 }),
    );
    const took = Date.now() - began;
    expectFailure(err, "timeout", /^Command timed out after 300 milliseconds: sh -c .*\nready$/);
    assert.equal(err.signal, "SIGKILL");
    assert.ok(took >= 650, `took ${took} ms`);
    assert.ok(took < 4000, `took ${took} ms`);
  });

  test("a custom polite signal", async () => {
    const err = await rejection(
      run(
        "sh",
        ["-c", 'trap "echo got INT; exit 9" INT; echo ready; while :; do sleep 0.05; done'],
        {
          timeoutMs: 300,
          killSignal: "SIGINT",
        },
      ),
    );
    assert.equal(err.failure, "timeout");
    assert.equal(err.exitCode, 9);
    assert.match(err.stdout, /got INT/);
  });
});

describe("cancellation", () => {
  test("an AbortSignal stops the command", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await rejection(run("sleep", ["10"], { signal: ac.signal }));
    expectFailure(err, "cancelled", "Command was cancelled: sleep 10");
  });

  test("a command that ignores SIGTERM is still stopped", async () => {
    const ac = new AbortController();
    const err = await rejection(
      run("sh", ["-c", IGNORES_TERM], {
        signal: ac.signal,
        killGraceMs: 200,
        onStdout: (l) => l === "ready" && ac.abort(),
      }),
    );
    assert.equal(err.failure, "cancelled");
    assert.equal(err.signal, "SIGKILL");
  });

  test("a signal that already fired starts nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const marker = join(scratch, "should-not-exist");
    const p = start("sh", ["-c", `touch ${marker}`], { signal: ac.signal });
    assert.equal(p.pid, undefined);
    const err = await rejection(p.wait());
    assert.equal(err.failure, "cancelled");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(marker), false);
  });

  test("cancelling after the command ended changes nothing", async () => {
    const ac = new AbortController();
    const r = await run("true", [], { signal: ac.signal });
    ac.abort();
    assert.equal(r.exitCode, 0);
  });
});

describe("long-running commands", () => {
  test("stop() ends it politely; the result is not an error", async () => {
    const lines: string[] = [];
    const p = start(
      node,
      [
        "-e",
        "process.on('SIGTERM', () => { console.log('bye'); process.exit(0) }); console.log('up'); setInterval(() => {}, 1000)",
      ],
      {
        onStdout: (l) => lines.push(l),
      },
    );
    await p.ready();
    assert.equal(p.running, true);
    await until(() => lines.includes("up"));
    const r = await p.stop();
    assert.equal(r.stopped, true);
    assert.equal(r.exitCode, 0);
    assert.deepEqual(lines, ["up", "bye"]);
    assert.equal(p.running, false);
    assert.deepEqual(await p.wait(), r);
  });

  test("stop() escalates to SIGKILL after its timeout", async () => {
    const p = start("sh", ["-c", IGNORES_TERM]);
    await until(() => p.running);
    await new Promise((r) => setTimeout(r, 100));
    const began = Date.now();
    const r = await p.stop({ timeoutMs: 300 });
    assert.equal(r.signal, "SIGKILL");
    assert.equal(r.stopped, true);
    assert.ok(Date.now() - began >= 280);
  });

  test("stop() with another polite signal", async () => {
    const p = start(
      "sh",
      ["-c", 'trap "echo interrupted; exit 0" INT; echo up; while :; do sleep 0.05; done'],
      {},
    );
    await new Promise((r) => setTimeout(r, 150));
    const r = await p.stop({ gracefulSignal: "SIGINT", timeoutMs: 2000 });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /interrupted/);
  });

  test("a command that dies on its own fails wait(); stop() then returns its result", async () => {
    const p = start("sh", ["-c", "echo 'qemu: cannot open disk' >&2; exit 1"]);
    const err = await rejection(p.wait());
    assert.equal(err.failure, "exit-code");
    const r = await p.stop();
    assert.equal(r.exitCode, 1);
    assert.equal(r.stopped, false);
  });

  test("kill() sends a signal now", async () => {
    const p = start("sleep", ["10"]);
    assert.equal(p.kill("SIGKILL"), true);
    const r = await p.exited();
    assert.equal(r.signal, "SIGKILL");
    assert.equal(p.kill(), false, "nothing to signal any more");
  });
});

describe("no child is left behind", () => {
  test("stopping a command stops what it started", async () => {
    let grandchild = 0;
    const p = start("sh", ["-c", "sleep 30 & echo $!; wait"], {
      onStdout: (l) => (grandchild = Number(l)),
    });
    await until(() => grandchild !== 0);
    assert.ok(isAlive(grandchild));
    const began = Date.now();
    await p.stop({ timeoutMs: 1000 });
    // The grandchild holds the output pipe: stop() returns only once it is gone too.
    assert.ok(Date.now() - began < 900, "the polite signal reached the grandchild");
    assert.equal(isAlive(grandchild), false);
  });

  test("a timeout kills the whole tree", async () => {
    let grandchild = 0;
    const began = Date.now();
    await rejection(
      run("sh", ["-c", "sleep 30 & echo $!; wait"], {
        timeoutMs: 300,
        killGraceMs: 1000,
        onStdout: (l) => (grandchild = Number(l)),
      }),
    );
    assert.ok(Date.now() - began < 1200, "the polite signal reached the grandchild");
    assert.notEqual(grandchild, 0);
    assert.deepEqual(await waitUntilDead([grandchild]), []);
  });

  test("live children are registered until they end", async () => {
    const before = liveChildren().length;
    const p = start("sleep", ["10"]);
    const entry = liveChildren().find((c) => c.pid === p.pid);
    assert.equal(entry?.command, "sleep 10");
    assert.equal(liveChildren().length, before + 1);
    await p.stop();
    assert.equal(liveChildren().length, before);
  });

  const supervisor = join(import.meta.dirname, "fixtures/supervisor.ts");

  for (const mode of ["exit", "throw"] as const) {
    test(`children die when kiln ends by ${mode === "exit" ? "process.exit" : "an uncaught exception"}`, async () => {
      const pids: number[] = [];
      const r = await run(node, ["--import", "tsx", supervisor, mode], {
        reject: false,
        timeoutMs: 20000,
        onStdout: (l) => pids.push(...(JSON.parse(l) as { pids: number[] }).pids),
      });
      try {
        assert.equal(pids.length, 3);
        assert.equal(r.exitCode, mode === "exit" ? 3 : 1);
        assert.deepEqual(await waitUntilDead(pids), []);
      } finally {
        reap(pids);
      }
    });
  }

  for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
    test(`children die when kiln is ended by ${signal} it does not handle`, async () => {
      const pids: number[] = [];
      const p = start(node, ["--import", "tsx", supervisor, "wait"], {
        timeoutMs: 20000,
        reject: false,
        onStdout: (l) => {
          const msg = JSON.parse(l) as { pids: number[]; live: number };
          assert.equal(msg.live, 2);
          pids.push(...msg.pids);
        },
      });
      try {
        await until(() => pids.length === 3);
        assert.ok(pids.every(isAlive));
        process.kill(p.pid!, signal);
        const r = await p.exited();
        assert.equal(r.signal, signal, "kiln ends as Node would by that signal");
        assert.deepEqual(await waitUntilDead(pids), []);
      } finally {
        reap(pids);
      }
    });
  }

  test("an engine that handles SIGINT keeps control: the layer does not exit", async () => {
    const pids: number[] = [];
    const lines: string[] = [];
    const p = start(node, ["--import", "tsx", supervisor, "engine"], {
      timeoutMs: 20000,
      reject: false,
      onStdout: (l) => {
        lines.push(l);
        if (l.startsWith('{"pids"')) pids.push(...(JSON.parse(l) as { pids: number[] }).pids);
      },
    });
    try {
      await until(() => lines.includes("engine: listening"));
      process.kill(p.pid!, "SIGINT");
      const r = await p.exited();
      assert.equal(r.exitCode, 130, "the engine's handler chose the exit code");
      assert.deepEqual(lines.slice(-2), ["engine: interrupted", '{"live":0}']);
      assert.deepEqual(await waitUntilDead(pids), []);
    } finally {
      reap(pids);
    }
  });
});

async function until(cond: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 10));
  }
}
