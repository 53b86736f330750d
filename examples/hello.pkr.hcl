# A small Packer template used by the quickstart. `kiln fmt` and `kiln console`
# work on it today; `kiln build` arrives with the build engine.

variable "greeting" {
  type    = string
  default = "hello"
}

locals {
  names   = ["web", "db", "cache"]
  message = "${upper(var.greeting)} from kiln"
}

source "null" "example" {
  communicator = "none"
}

build {
  sources = ["source.null.example"]

  provisioner "shell-local" {
    inline = [for n in local.names : "echo ${local.message}: ${n}"]
  }
}
