# A small template for the quickstart: it builds a file "image" and runs a
# local provisioner, so it needs no Docker engine or VM. The output goes to
# var.output_dir (default ./output): the file, its SHA-256 checksum, and
# Packer's manifest of what was built.
#
#   kiln validate examples/hello.pkr.hcl
#   kiln inspect examples/hello.pkr.hcl
#   kiln build -var output_dir=/tmp/hello examples/hello.pkr.hcl

variable "greeting" {
  type    = string
  default = "hello"
}

variable "output_dir" {
  type    = string
  default = "output"
}

locals {
  names   = ["web", "db", "cache"]
  message = "${upper(var.greeting)} from kiln"
}

source "file" "motd" {
  content = "${local.message}\n"
  target  = "${var.output_dir}/motd.txt"
}

source "null" "checks" {
  communicator = "none"
}

build {
  sources = ["source.file.motd", "source.null.checks"]

  provisioner "shell-local" {
    inline = [for n in local.names : "echo '${local.message}: ${n} on ${source.name}'"]
  }

  post-processor "checksum" {
    only           = ["file.motd"]
    checksum_types = ["sha256"]
    output         = "${var.output_dir}/motd.{{.ChecksumType}}"
  }

  post-processor "manifest" {
    output = "${var.output_dir}/manifest.json"
  }
}
