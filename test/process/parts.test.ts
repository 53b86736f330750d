import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Host } from "../../src/host/index.js";
import {
  buildEnv,
  formatCommand,
  OutputCapture,
  ProcessError,
  quoteArg,
  shortCommand,
} from "../../src/process/index.js";

// The pieces of the process layer that need no child: quoting for messages,
// output capture, messages, and environment merging.

describe("command lines for messages", () => {
  const cases: [string, string][] = [
    ["qemu-img", "qemu-img"],
    ["-O", "-O"],
    ["/path/to/disk.qcow2", "/path/to/disk.qcow2"],
    ["key=value,x:y@z%", "key=value,x:y@z%"],
    ["", "''"],
    ["two words", "'two words'"],
    ["it's", "'it'\\''s'"],
    ["$HOME", "'$HOME'"],
    ["a;b", "'a;b'"],
  ];
  for (const [arg, want] of cases) {
    test(`${JSON.stringify(arg)} → ${want}`, () => assert.equal(quoteArg(arg), want));
  }

  test("the whole command", () => {
    assert.equal(
      formatCommand("docker", ["run", "-v", "/a b:/c", "ubuntu", "sh", "-c", "echo 'hi'"]),
      "docker run -v '/a b:/c' ubuntu sh -c 'echo '\\''hi'\\'''",
    );
  });

  test("a very long argument is cut short in messages only", () => {
    const script = "x".repeat(500);
    assert.equal(shortCommand("sh", ["-c", script]), `sh -c ${"x".repeat(200)}...`);
    assert.equal(formatCommand("sh", ["-c", script]), `sh -c ${script}`);
  });
});

describe("output capture", () => {
  test("lines split across chunks, CRLF trimmed, the last line flushed at the end", () => {
    const lines: string[] = [];
    const c = new OutputCapture(1024, (l) => lines.push(l));
    for (const chunk of ["par", "tial\r\nnext\n", "", "\nlast"]) c.push(Buffer.from(chunk));
    assert.deepEqual(lines, ["partial", "next", ""]);
    c.end();
    assert.deepEqual(lines, ["partial", "next", "", "last"]);
    assert.equal(c.text(), "partial\r\nnext\n\nlast");
    assert.equal(c.truncated, false);
  });

  test("a character split between chunks is decoded whole", () => {
    const lines: string[] = [];
    const c = new OutputCapture(1024, (l) => lines.push(l));
    const bytes = Buffer.from("€uro\n");
    for (const b of bytes) c.push(Buffer.from([b]));
    c.end();
    assert.deepEqual(lines, ["€uro"]);
  });

  test("only the last bytes are kept, from the first whole line", () => {
    const c = new OutputCapture(10);
    c.push(Buffer.from("line one\n"));
    c.push(Buffer.from("line two\nthree\n"));
    assert.equal(c.truncated, true);
    assert.equal(c.text(), "three\n");
  });

  test("a limit of 0 keeps nothing", () => {
    const c = new OutputCapture(0);
    c.push(Buffer.from("x\n"));
    assert.equal(c.text(), "");
    assert.equal(c.truncated, true);
  });

  test("a very long line without a newline is handed on in pieces", () => {
    const lines: string[] = [];
    const c = new OutputCapture(16, (l) => lines.push(l));
    c.push(Buffer.alloc(100 * 1024, "a"));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.length, 100 * 1024);
    assert.equal(c.text().length, 16);
  });
});

describe("messages", () => {
  const base = {
    command: "qemu-img",
    args: ["convert", "-O", "qcow2", "in.raw", "out.qcow2"],
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    durationMs: 5,
  };

  test("each failure says what happened", () => {
    const cases: [ConstructorParameters<typeof ProcessError>[0], string][] = [
      [
        { ...base, failure: "exit-code", exitCode: 1, stderr: "\n  \n" },
        "Command failed with exit code 1: qemu-img convert -O qcow2 in.raw out.qcow2",
      ],
      [
        { ...base, failure: "timeout", timeoutMs: 5000, signal: "SIGTERM" },
        "Command timed out after 5000 milliseconds: qemu-img convert -O qcow2 in.raw out.qcow2",
      ],
      [
        { ...base, failure: "cancelled", stderr: "not repeated" },
        "Command was cancelled: qemu-img convert -O qcow2 in.raw out.qcow2",
      ],
      [
        { ...base, failure: "signal", signal: "SIGSEGV", stderr: "Segmentation fault\n" },
        "Command was killed with SIGSEGV: qemu-img convert -O qcow2 in.raw out.qcow2\nSegmentation fault",
      ],
      [
        { ...base, command: "qemu-system-x86_64", args: [], failure: "not-found" },
        "Command not found: qemu-system-x86_64 (is it installed and on PATH?)",
      ],
      [
        { ...base, failure: "spawn-failed", cause: new Error("spawn E2BIG") },
        "Command could not be started: qemu-img convert -O qcow2 in.raw out.qcow2: spawn E2BIG",
      ],
    ];
    for (const [details, message] of cases) {
      const err = new ProcessError(details);
      assert.equal(err.message, message);
      assert.equal(err.name, "ProcessError");
      assert.equal(err.failure, details.failure);
    }
  });
});

describe("environment merging", () => {
  test("POSIX names are case-sensitive", () => {
    const env = buildEnv({ Path: "/x" }, true, new Host({ platform: "linux" }), { PATH: "/bin" });
    assert.deepEqual(env, { PATH: "/bin", Path: "/x" });
  });

  test("Windows names are not: Path replaces PATH", () => {
    const h = new Host({ platform: "win32", env: {} });
    assert.deepEqual(buildEnv({ Path: "C:\\x" }, true, h, { PATH: "C:\\bin", TEMP: "C:\\t" }), {
      Path: "C:\\x",
      TEMP: "C:\\t",
    });
    assert.deepEqual(buildEnv({ temp: undefined }, true, h, { PATH: "C:\\bin", TEMP: "C:\\t" }), {
      PATH: "C:\\bin",
    });
  });

  test("without extending, only the given variables", () => {
    assert.deepEqual(buildEnv({ A: "1", B: undefined }, false, new Host(), { C: "3" }), { A: "1" });
  });
});
