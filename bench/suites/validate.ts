import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchRow } from "../run.js";
import { median } from "../support.js";

// `validate` of realistic templates, kiln (compiled, bin/kiln.js) beside
// Debian's packer 1.6.6, run by run in turn so both see the same machine load:
// two legacy JSON templates (docker and qemu) and a large HCL2 template
// generated here. Every template is one both tools accept.

const kilnBin = resolve(import.meta.dirname, "../../bin/kiln.js");
const RUNS = 15;

function time(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}${r.stdout}`);
  return ms;
}

function pair(name: string, template: string, cwd: string, note: string): BenchRow {
  const k: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    k.push(time(process.execPath, [kilnBin, "validate", template], cwd));
    p.push(time("packer", ["validate", template], cwd));
  }
  return { name, kiln: median(k), packer: median(p), note };
}

const dockerTemplate = {
  description: "An application image on Debian, tagged and pushed.",
  variables: {
    base_image: "debian:bookworm-slim",
    app_version: "1.4.2",
    repository: "registry.example.com/team/app",
    maintainer: "builds@example.com",
  },
  builders: [
    {
      type: "docker",
      image: "{{ user `base_image` }}",
      commit: true,
      author: "{{ user `maintainer` }}",
      changes: [
        "ENV APP_VERSION {{ user `app_version` }}",
        "WORKDIR /srv/app",
        "EXPOSE 8080",
        'CMD ["/srv/app/run"]',
      ],
      run_command: ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{ .Image }}"],
      volumes: { "/tmp/cache": "/var/cache/apt" },
    },
  ],
  provisioners: [
    {
      type: "shell",
      inline: ["apt-get update", "apt-get install -y --no-install-recommends curl"],
    },
    { type: "file", source: "app.sh", destination: "/srv/app/run" },
    {
      type: "shell",
      environment_vars: ["APP_VERSION={{ user `app_version` }}"],
      inline: ["chmod +x /srv/app/run", "echo $APP_VERSION > /srv/app/VERSION"],
    },
    { type: "shell-local", inline: ["echo built {{ build_name }}"] },
  ],
  "post-processors": [
    [
      {
        type: "docker-tag",
        repository: "{{ user `repository` }}",
        tags: ["{{ user `app_version` }}", "latest"],
      },
      { type: "docker-push", login: false },
    ],
    { type: "manifest", output: "manifest.json", strip_path: true },
  ],
};

const qemuTemplate = {
  variables: {
    iso_url: "https://cdimage.example.com/debian-12.5.0-amd64-netinst.iso",
    iso_checksum: "sha256:013f5b44670d81280b5b1bc02455842b250df2f0c6763398feb69af1a805a14f",
    disk_size: "20G",
    ssh_password: "packer",
  },
  "sensitive-variables": ["ssh_password"],
  builders: [
    {
      type: "qemu",
      vm_name: "debian-12.qcow2",
      iso_url: "{{ user `iso_url` }}",
      iso_checksum: "{{ user `iso_checksum` }}",
      output_directory: "output-{{ build_name }}",
      disk_size: "{{ user `disk_size` }}",
      format: "qcow2",
      accelerator: "kvm",
      headless: true,
      memory: 2048,
      cpus: 2,
      net_device: "virtio-net",
      disk_interface: "virtio",
      http_directory: "http",
      boot_wait: "5s",
      boot_command: [
        "<esc><wait>",
        "auto preseed/url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg ",
        "debian-installer=en_US.UTF-8 locale=en_US.UTF-8 keymap=us<enter>",
      ],
      qemuargs: [["-serial", "file:serial.log"]],
      ssh_username: "root",
      ssh_password: "{{ user `ssh_password` }}",
      ssh_timeout: "45m",
      shutdown_command: "shutdown -P now",
    },
  ],
  provisioners: [
    { type: "shell", inline: ["apt-get update", "apt-get -y upgrade"] },
    { type: "shell", script: "app.sh", expect_disconnect: true },
  ],
  "post-processors": [
    { type: "checksum", checksum_types: ["sha256"], output: "{{ .BuildName }}.checksum" },
  ],
};

/**
 * A large HCL2 template in the subset Packer 1.6.6 understands: 60 variables,
 * 40 locals, 20 sources, and 20 builds (one source each) with 60 shell-local
 * provisioners and 20 post-processors between them. (Packer 1.6.6 starts a
 * plugin process for every component of every build, so one build of all 20
 * sources with 60 provisioners each takes it minutes.)
 */
export function largeHCL2Template(): string {
  const out: string[] = [];
  for (let i = 0; i < 60; i++) {
    out.push(`variable "v${i}" {\n  type    = string\n  default = "value-${i}"\n}\n`);
  }
  out.push("locals {");
  for (let i = 0; i < 40; i++) {
    const expr =
      i % 4 === 0
        ? `upper(var.v${i})`
        : i % 4 === 1
          ? `"\${var.v${i}}-\${var.v${i + 20}}"`
          : i % 4 === 2
            ? `format("%s/%03d", var.v${i}, ${i})`
            : `join(",", [var.v${i}, var.v${i + 1}, var.v${i + 2}])`;
    out.push(`  l${i} = ${expr}`);
  }
  out.push("}\n");
  for (let i = 0; i < 10; i++) {
    out.push(`source "null" "n${i}" {\n  communicator = "none"\n}\n`);
    out.push(`source "file" "f${i}" {\n  target  = "out/f${i}.txt"\n  content = local.l${i}\n}\n`);
  }
  for (let b = 0; b < 20; b++) {
    const source = b % 2 === 0 ? `source.null.n${b / 2}` : `source.file.f${(b - 1) / 2}`;
    out.push(`build {\n  sources = ["${source}"]\n`);
    for (let j = 0; j < 3; j++) {
      const i = b * 3 + j;
      out.push(
        `  provisioner "shell-local" {\n    inline = ["echo \${local.l${i % 40}} \${var.v${i}}"]\n  }\n`,
      );
    }
    out.push(
      `  post-processor "shell-local" {\n    inline = ["echo done \${var.v${b}}"]\n  }\n}\n`,
    );
  }
  return out.join("\n");
}

export async function validateSuite(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-validate-"));
  writeFileSync(join(dir, "app.sh"), "#!/bin/sh\necho app\n");
  writeFileSync(join(dir, "docker.json"), JSON.stringify(dockerTemplate, null, 2));
  writeFileSync(join(dir, "qemu.json"), JSON.stringify(qemuTemplate, null, 2));
  writeFileSync(join(dir, "large.pkr.hcl"), largeHCL2Template());
  return [
    pair("validate: docker JSON template", "docker.json", dir, "4 provisioners, 3 post-processors"),
    pair("validate: qemu JSON template", "qemu.json", dir, "2 provisioners, boot_command"),
    pair(
      "validate: large HCL2 template",
      "large.pkr.hcl",
      dir,
      "60 variables, 40 locals, 20 sources, 20 builds: 60 provisioners, 20 post-processors",
    ),
  ];
}
