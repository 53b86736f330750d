import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { kiln, kilnBin } from "../support/cli.js";

// `kiln build` end to end: the real CLI on real templates (HCL2 and JSON),
// checking output files, manifests, exit codes and printed lines.

const root = mkdtempSync(join(tmpdir(), "kiln-build-"));
let n = 0;
function folder(files: Record<string, string>): string {
  const d = join(root, `t${n++}`);
  mkdirSync(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

function build(dir: string, args: string[], input = "", env: NodeJS.ProcessEnv = {}) {
  return kiln(["build", "-color=false", ...args], { cwd: dir, input, env });
}

test("parallel builds: each build's output is prefixed, artifacts listed per build, exit 0", () => {
  const d = folder({
    "t.pkr.hcl": `
source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
build {
  sources = ["source.null.a", "source.null.b"]
  provisioner "shell-local" {
    inline = ["echo hello from \${source.name}", "echo $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE > \${source.name}.env"]
  }
}
`,
  });
  const r = build(d, ["t.pkr.hcl"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ {4}null\.a: hello from a$/m);
  assert.match(r.stdout, /^ {4}null\.b: hello from b$/m);
  assert.match(r.stdout, /^Build 'null\.a' finished after .+\.$/m);
  assert.match(
    r.stdout,
    /==> Builds finished\. The artifacts of successful builds are:\n(--> null\.[ab]: Did not export anything\. This is the null builder\n){2}/,
  );
  assert.equal(readFileSync(join(d, "a.env"), "utf8"), "a null\n");
  assert.equal(readFileSync(join(d, "b.env"), "utf8"), "b null\n");
});

test("-only / -except select builds by glob; -except names post-processors too", () => {
  const d = folder({
    "t.pkr.hcl": `
source "file" "one" {
  content = "1"
  target  = "one.txt"
}
source "file" "two" {
  content = "2"
  target  = "two.txt"
}
build {
  sources = ["source.file.one", "source.file.two"]
  post-processor "manifest" {
    name   = "m"
    output = "manifest.json"
  }
}
`,
  });
  const only = build(d, ["-only=*.one", "t.pkr.hcl"]);
  assert.equal(only.status, 0, only.stderr);
  assert.ok(existsSync(join(d, "one.txt")));
  assert.ok(!existsSync(join(d, "two.txt")));
  const m = JSON.parse(readFileSync(join(d, "manifest.json"), "utf8"));
  assert.deepEqual(
    m.builds.map((b: { name: string }) => b.name),
    ["one"],
  );
  const except = build(d, ["-except=file.one,m", "t.pkr.hcl"]);
  assert.equal(except.status, 0, except.stderr);
  assert.ok(existsSync(join(d, "two.txt")));
  // The manifest post-processor was excluded: still only one entry.
  assert.equal(JSON.parse(readFileSync(join(d, "manifest.json"), "utf8")).builds.length, 1);
});

const failing = (extra = "") => `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo step-one >> log.txt"]
  }
  provisioner "shell-local" {
    inline = ["echo step-two >> log.txt", "test -f ok || exit 7"]
  }
  error-cleanup-provisioner "shell-local" {
    inline = ["echo cleanup-provisioner >> log.txt"]
  }
  ${extra}
}
`;

test("a failing provisioner fails the build with its exit status; the error-cleanup-provisioner runs", () => {
  const d = folder({ "t.pkr.hcl": failing() });
  const r = build(d, ["t.pkr.hcl"]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /Build 'null\.a' errored after .*: Script exited with non-zero exit status: 7/,
  );
  assert.match(r.stderr, /--> null\.a: Script exited with non-zero exit status: 7/);
  assert.equal(
    readFileSync(join(d, "log.txt"), "utf8"),
    "step-one\nstep-two\ncleanup-provisioner\n",
  );
  assert.match(r.stdout, /Builds finished but no artifacts were created\./);
});

test("-on-error=abort skips cleanup and says what was left behind", () => {
  const d = folder({ "t.pkr.hcl": failing() });
  const r = build(d, ["-on-error=abort", "t.pkr.hcl"]);
  assert.equal(r.status, 1);
  assert.equal(readFileSync(join(d, "log.txt"), "utf8"), "step-one\nstep-two\n");
  assert.match(r.stderr, /cleanup skipped/);
});

test("-on-error=run-cleanup-provisioner runs the error-cleanup provisioner, then aborts", () => {
  const d = folder({ "t.pkr.hcl": failing() });
  const r = build(d, ["-on-error=run-cleanup-provisioner", "t.pkr.hcl"]);
  assert.equal(r.status, 1);
  assert.equal(
    readFileSync(join(d, "log.txt"), "utf8"),
    "step-one\nstep-two\ncleanup-provisioner\n",
  );
});

test("-on-error=ask: [r] retries the failed step, [c] cleans up, [a] aborts", async () => {
  const retry = folder({ "t.pkr.hcl": failing() });
  const child = spawn(
    process.execPath,
    [kilnBin, "build", "-color=false", "-on-error=ask", "t.pkr.hcl"],
    {
      cwd: retry,
      env: { ...process.env, KILN_FROM_SOURCE: "1" },
    },
  );
  let out = "";
  let answered = false;
  child.stdout.on("data", (c) => {
    out += c;
    // Answer only once asked, after fixing what made the step fail.
    if (!answered && out.includes("[r] retry step")) {
      answered = true;
      writeFileSync(join(retry, "ok"), "");
      child.stdin.write("r\n");
    }
  });
  child.stderr.on("data", (c) => {
    out += c;
  });
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.match(out, /\[c\] Clean up and exit, \[a\] abort without cleanup, or \[r\] retry step/);
  assert.equal(code, 0, out);
  assert.match(out, /Build 'null\.a' finished/);
  assert.equal(
    readFileSync(join(retry, "log.txt"), "utf8"),
    "step-one\nstep-two\nstep-one\nstep-two\n",
  );

  const cleanup = folder({ "t.pkr.hcl": failing() });
  const c = build(cleanup, ["-on-error=ask", "t.pkr.hcl"], "c\n");
  assert.equal(c.status, 1);
  assert.equal(
    readFileSync(join(cleanup, "log.txt"), "utf8"),
    "step-one\nstep-two\ncleanup-provisioner\n",
  );

  const abort = folder({ "t.pkr.hcl": failing() });
  const a = build(abort, ["-on-error=ask", "t.pkr.hcl"], "a\n");
  assert.equal(a.status, 1);
  assert.equal(readFileSync(join(abort, "log.txt"), "utf8"), "step-one\nstep-two\n");
});

test("max_retries: a provisioner that fails twice then succeeds", () => {
  const d = folder({
    "t.pkr.hcl": `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    max_retries = 3
    inline = ["echo try >> tries.txt", "test $(wc -l < tries.txt) -ge 3"]
  }
}
`,
  });
  const r = build(d, ["t.pkr.hcl"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(join(d, "tries.txt"), "utf8"), "try\ntry\ntry\n");
  const none = folder({
    "t.pkr.hcl": `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    max_retries = 1
    inline = ["echo try >> tries.txt", "exit 1"]
  }
}
`,
  });
  const f = build(none, ["t.pkr.hcl"]);
  assert.equal(f.status, 1);
  assert.equal(readFileSync(join(none, "tries.txt"), "utf8"), "try\ntry\n");
});

test("timeout: a provisioner that runs too long is stopped and fails the build", () => {
  const d = folder({
    "t.pkr.hcl": `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    timeout = "1s"
    inline  = ["sleep 30", "echo not-reached > after.txt"]
  }
}
`,
  });
  const t0 = Date.now();
  const r = build(d, ["t.pkr.hcl"]);
  assert.equal(r.status, 1);
  assert.ok(Date.now() - t0 < 20_000, "the provisioner was not stopped");
  assert.match(r.stdout + r.stderr, /Setting a 1s timeout for the next provisioner/);
  assert.match(r.stderr, /timed out|timeout/i);
  assert.ok(!existsSync(join(d, "after.txt")));
});

test("SIGINT mid-build: builds are cancelled, cleanup runs, exit 1, no child left", async () => {
  const d = folder({
    "t.pkr.hcl": `
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo $$ > pid.txt", "touch started", "sleep 60"]
  }
  provisioner "shell-local" {
    inline = ["touch never"]
  }
}
`,
  });
  const child = spawn(process.execPath, [kilnBin, "build", "-color=false", "t.pkr.hcl"], {
    cwd: d,
    env: { ...process.env, KILN_FROM_SOURCE: "1" },
  });
  let out = "";
  child.stdout.on("data", (c) => {
    out += c;
  });
  child.stderr.on("data", (c) => {
    out += c;
  });
  for (let i = 0; i < 200 && !existsSync(join(d, "started")); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(existsSync(join(d, "started")), out);
  child.kill("SIGINT");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 1, out);
  assert.match(out, /Cancelling builds/);
  assert.match(out, /Cleanly cancelled builds after being interrupted/);
  assert.ok(!existsSync(join(d, "never")));
  const pid = Number(readFileSync(join(d, "pid.txt"), "utf8"));
  // The shell was killed; give the system a moment to reap it (a zombie is not alive).
  const alive = () => {
    try {
      return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.startsWith("Z");
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(), false, "the provisioner's shell survived");
  // The temporary script of the inline provisioner is gone.
  const leftovers = readdirSync(tmpdir()).filter((f) => f.startsWith("packer-shell"));
  for (const f of leftovers) {
    assert.doesNotMatch(readFileSync(join(tmpdir(), f), "utf8"), /sleep 60/);
  }
});

test("post-processor chains: keep_input_artifact decides whether the input survives", () => {
  const tpl = (keep: string) => `
source "file" "f" {
  content = "payload"
  target  = "artifact.txt"
}
build {
  sources = ["source.file.f"]
  post-processors {
    post-processor "compress" {
      output = "artifact.tar.gz"
      ${keep}
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "artifact.{{.ChecksumType}}"
    }
  }
}
`;
  const drop = folder({ "t.pkr.hcl": tpl("") });
  const r1 = build(drop, ["t.pkr.hcl"]);
  assert.equal(r1.status, 0, r1.stdout + r1.stderr);
  assert.ok(!existsSync(join(drop, "artifact.txt")), "the builder's file should be destroyed");
  assert.ok(existsSync(join(drop, "artifact.tar.gz")));
  assert.match(
    readFileSync(join(drop, "artifact.sha256"), "utf8"),
    /^[0-9a-f]{64}\t.*artifact\.tar\.gz\n$/,
  );
  const list = spawnSync("tar", ["-tzf", join(drop, "artifact.tar.gz")], { encoding: "utf8" });
  assert.match(list.stdout, /artifact\.txt/);

  const keep = folder({ "t.pkr.hcl": tpl("keep_input_artifact = true") });
  const r2 = build(keep, ["t.pkr.hcl"]);
  assert.equal(r2.status, 0, r2.stdout + r2.stderr);
  assert.equal(readFileSync(join(keep, "artifact.txt"), "utf8"), "payload");
  assert.ok(existsSync(join(keep, "artifact.tar.gz")));
});

const secretTpl = `
variable "password" {
  default   = "s3cr3t-value"
  sensitive = true
}
source "null" "a" { communicator = "none" }
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo the password is \${var.password}", "echo \${var.password} >&2"]
  }
  post-processor "shell-local" {
    inline = ["echo pp sees \${var.password}"]
  }
}
`;

test("sensitive values never appear in output, the log file, or machine-readable output", () => {
  const d = folder({ "t.pkr.hcl": secretTpl });
  const logs = join(d, "logs");
  const r = build(d, ["-log-dir", logs, "t.pkr.hcl"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /the password is <sensitive>/);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-value/);
  const logText = readdirSync(logs)
    .map((f) => readFileSync(join(logs, f), "utf8"))
    .join("");
  assert.match(logText, /the password is <sensitive>/);
  assert.doesNotMatch(logText, /s3cr3t-value/);
  const m = kiln(["build", "-machine-readable", "t.pkr.hcl"], { cwd: d });
  assert.equal(m.status, 0);
  assert.match(m.stdout, /^\d+,,ui,message, {4}null\.a: the password is <sensitive>$/m);
  assert.doesNotMatch(m.stdout + m.stderr, /s3cr3t-value/);
});

test("machine-readable summary: artifact-count and artifact lines", () => {
  const d = folder({
    "t.pkr.hcl": `source "file" "f" {\n  content = "x"\n  target  = "x.txt"\n}\nbuild { sources = ["source.file.f"] }\n`,
  });
  const r = kiln(["build", "-machine-readable", "t.pkr.hcl"], { cwd: d });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\d+,file\.f,artifact-count,1$/m);
  assert.match(r.stdout, /^\d+,file\.f,artifact,0,builder-id,packer\.file$/m);
  assert.match(r.stdout, /^\d+,file\.f,artifact,0,files-count,1$/m);
  assert.match(r.stdout, /^\d+,file\.f,artifact,0,end$/m);
});

test("a legacy JSON template builds too", () => {
  const d = folder({
    "t.json": JSON.stringify({
      variables: { who: "json" },
      builders: [{ type: "file", content: "from {{user `who`}}", target: "out.txt" }],
      provisioners: [
        { type: "shell-local", inline: ["echo {{build_name}} {{user `who`}} > prov.txt"] },
      ],
      "post-processors": [{ type: "manifest", output: "m.json" }],
    }),
  });
  const r = build(d, ["t.json"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(join(d, "out.txt"), "utf8"), "from json");
  assert.equal(readFileSync(join(d, "prov.txt"), "utf8"), "file json\n");
  const m = JSON.parse(readFileSync(join(d, "m.json"), "utf8"));
  assert.equal(m.builds[0].builder_type, "file");
  assert.deepEqual(m.builds[0].files, [{ name: "out.txt", size: 9 }]);
});

test("same artifacts and manifest as packer 1.6.6 on a template both understand", () => {
  const tpl = `
source "file" "f" {
  content = "same bytes"
  target  = "out.txt"
}
build {
  sources = ["source.file.f"]
  provisioner "shell-local" {
    inline = ["echo provisioned > prov.txt"]
  }
  post-processors {
    post-processor "checksum" {
      checksum_types = ["md5", "sha1"]
      output = "sums.{{.ChecksumType}}"
    }
    post-processor "manifest" {
      output     = "manifest.json"
      strip_time = true
      custom_data = { owner = "team" }
    }
  }
}
`;
  const ours = folder({ "t.pkr.hcl": tpl });
  const theirs = folder({ "t.pkr.hcl": tpl });
  const k = build(ours, ["t.pkr.hcl"]);
  const p = spawnSync("packer", ["build", "-color=false", "t.pkr.hcl"], {
    cwd: theirs,
    encoding: "utf8",
  });
  assert.equal(p.error, undefined, "packer must be installed (scripts/setup-host.sh)");
  assert.equal(k.status, p.status, k.stdout + k.stderr + p.stdout);
  for (const f of ["out.txt", "prov.txt", "sums.md5", "sums.sha1"]) {
    assert.equal(readFileSync(join(ours, f), "utf8"), readFileSync(join(theirs, f), "utf8"), f);
  }
  const strip = (m: { builds: Record<string, unknown>[]; last_run_uuid: string }) => ({
    ...m,
    last_run_uuid: "",
    builds: m.builds.map((b) => ({ ...b, packer_run_uuid: "" })),
  });
  assert.deepEqual(
    strip(JSON.parse(readFileSync(join(ours, "manifest.json"), "utf8"))),
    strip(JSON.parse(readFileSync(join(theirs, "manifest.json"), "utf8"))),
  );
  // The artifact lines name the same files.
  const arts = (s: string) => s.split("\n").filter((l) => l.startsWith("--> "));
  assert.deepEqual(arts(k.stdout), arts(p.stdout));
});

test("-debug pauses after each step until Enter; -timestamp-ui stamps lines; PACKER_LOG_PATH gets the detailed log", () => {
  const d = folder({ "t.pkr.hcl": secretTpl });
  const logPath = join(d, "packer.log");
  const r = build(d, ["-debug", "-timestamp-ui", "t.pkr.hcl"], "\n\n\n\n\n\n", {
    PACKER_LOG: "1",
    PACKER_LOG_PATH: logPath,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Pausing after run of step 'StepProvision'\. Press enter to continue\./);
  assert.match(
    r.stdout,
    /Pausing before cleanup of step 'StepProvision'\. Press enter to continue\./,
  );
  assert.match(r.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: ==> null\.a: /m);
  const log = readFileSync(logPath, "utf8");
  assert.match(log, /\[INFO\] null\.a: running step StepProvision/);
  assert.match(log, /\[INFO\] null\.a: starting provisioner shell-local/);
  assert.doesNotMatch(log, /s3cr3t-value/);
});
