import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// A real docker build, kiln against Debian's packer 1.6.6, interleaved run by
// run on the same engine: the local debian:bookworm base image, three shell
// provisioners, a 100 MB file upload, and a commit. The engine and base image
// come from scripts/docker-env.sh and scripts/base-image.sh (started here when
// no engine answers, and stopped again afterwards). Each run's image is removed
// so runs do not share layers.

const root = resolve(import.meta.dirname, "../..");
const kilnBin = join(root, "bin/kiln.js");

const TEMPLATE = `source "docker" "bench" {
  image  = "debian:bookworm"
  pull   = false
  commit = true
}

build {
  sources = ["source.docker.bench"]

  provisioner "shell" {
    inline = ["echo one > /one"]
  }
  provisioner "shell" {
    inline = ["ls / > /listing", "uname -a > /uname"]
  }
  provisioner "file" {
    source      = "big.bin"
    destination = "/big.bin"
  }
  provisioner "shell" {
    inline = ["sha256sum /big.bin > /big.sha256"]
  }
}
`;

function sh(cmd: string, args: string[], cwd = root): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Times one build and removes the image it made; the image id comes from the machine-readable artifact line. */
function build(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const out = sh(cmd, [...args, "build", "-machine-readable", "t.pkr.hcl"], cwd);
  const ms = performance.now() - t0;
  const id = /,artifact,0,id,(sha256:[0-9a-f]+)/.exec(out)?.[1];
  if (id === undefined) throw new Error(`${cmd}: no image id in the output:\n${out}`);
  sh("docker", ["rmi", "-f", id]);
  return ms;
}

export async function dockerSuite(): Promise<BenchRow[]> {
  const engine = sh("bash", ["scripts/docker-env.sh", "start"]).trim();
  try {
    sh("bash", ["scripts/base-image.sh"]);
    const dir = mkdtempSync(join(tmpdir(), "kiln-bench-docker-"));
    try {
      writeFileSync(join(dir, "t.pkr.hcl"), TEMPLATE);
      spawnSync("sh", ["-c", "head -c 100M /dev/urandom > big.bin"], { cwd: dir });
      // One untimed build each warms the engine and the page cache.
      build(process.execPath, [kilnBin], dir);
      build("packer", [], dir);
      const runs = 5;
      const kiln: number[] = [];
      const packer: number[] = [];
      for (let i = 0; i < runs; i++) {
        kiln.push(build(process.execPath, [kilnBin], dir));
        packer.push(build("packer", [], dir));
      }
      return [
        {
          name: "docker build: base image, 3 shell, 100 MB upload, commit",
          kiln: median(kiln),
          packer: median(packer),
          note: `median of ${runs}`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (engine === "started") sh("bash", ["scripts/docker-env.sh", "stop"]);
  }
}
