import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// SSH upload throughput, kiln against Debian's packer 1.6.6, interleaved run
// by run: a null builder connects to a throwaway sshd on 127.0.0.1 and a file
// provisioner uploads a 200 MB file, with scp and with sftp. The upload's time
// is the build's time minus the same build uploading a 1-byte file, so
// start-up and connection set-up cancel out.

const root = resolve(import.meta.dirname, "../..");
const kilnBin = join(root, "bin/kiln.js");
const SIZE_MB = 200;

function sh(cmd: string, args: string[], cwd = root): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A key-only sshd for the current user, in `dir`; resolves once it listens. */
async function startSshd(dir: string, port: number): Promise<() => void> {
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host")]);
  sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "client")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")));
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "PermitRootLogin yes",
      "UsePAM no",
      "StrictModes no",
      "Subsystem sftp /usr/lib/openssh/sftp-server",
      "",
    ].join("\n"),
  );
  const proc = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((ok, fail) => {
    proc.stderr.on("data", (d: Buffer) => {
      if (d.toString().includes("Server listening on")) ok();
    });
    proc.on("exit", (code) => fail(new Error(`sshd exited with ${code}`)));
  });
  return () => proc.kill("SIGTERM");
}

function template(port: number, dir: string, method: string, file: string, dest: string): string {
  return `source "null" "ssh" {
  ssh_host                 = "127.0.0.1"
  ssh_port                 = ${port}
  ssh_username             = "${process.env.USER ?? "root"}"
  ssh_private_key_file     = "${join(dir, "client")}"
  ssh_file_transfer_method = "${method}"
}

build {
  sources = ["source.null.ssh"]
  provisioner "file" {
    source      = "${file}"
    destination = "${dest}"
  }
}
`;
}

function time(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  sh(cmd, args, cwd);
  return performance.now() - t0;
}

export async function sshSuite(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-ssh-"));
  const port = await freePort();
  const stop = await startSshd(dir, port);
  try {
    spawnSync("sh", ["-c", `head -c ${SIZE_MB}M /dev/urandom > big.bin && echo > small.bin`], {
      cwd: dir,
    });
    const rows: BenchRow[] = [];
    for (const method of ["scp", "sftp"]) {
      for (const size of ["big", "small"]) {
        writeFileSync(
          join(dir, `${method}-${size}.pkr.hcl`),
          template(port, dir, method, join(dir, `${size}.bin`), join(dir, `uploaded-${size}.bin`)),
        );
      }
      const runs = 5;
      const k: number[] = [];
      const p: number[] = [];
      const kSmall: number[] = [];
      const pSmall: number[] = [];
      const kiln = (t: string) => time(process.execPath, [kilnBin, "build", t], dir);
      const packer = (t: string) => time("packer", ["build", t], dir);
      kiln(`${method}-big.pkr.hcl`); // warm the page cache and the code cache
      for (let i = 0; i < runs; i++) {
        k.push(kiln(`${method}-big.pkr.hcl`));
        p.push(packer(`${method}-big.pkr.hcl`));
        kSmall.push(kiln(`${method}-small.pkr.hcl`));
        pSmall.push(packer(`${method}-small.pkr.hcl`));
      }
      const kMs = median(k) - median(kSmall);
      const pMs = median(p) - median(pSmall);
      rows.push({
        name: `ssh upload of ${SIZE_MB} MB (${method}), loopback sshd`,
        kiln: kMs,
        packer: pMs,
        note: `${((SIZE_MB * 1000) / kMs).toFixed(0)} vs ${((SIZE_MB * 1000) / pMs).toFixed(0)} MB/s`,
      });
    }
    return rows;
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
