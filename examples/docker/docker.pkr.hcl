# A Docker image built the way most Packer users start: a base image, a few
# shell provisioners, a file upload, and a commit with Dockerfile changes. The
# image is then tagged by the docker-tag post-processor.
#
# It needs a Docker engine and the local base image `debian:bookworm`
# (no registry on the internet is needed):
#
#   scripts/docker-env.sh start      # installs docker.io and starts dockerd if none answers
#   scripts/base-image.sh            # mmdebstrap a minimal Debian and import it as debian:bookworm
#   kiln build examples/docker/
#   docker run --rm kiln-example/hello:latest   # prints the greeting baked into the image
#
# Variables: `image` (the base image), `repository` and `tag` (the result's name),
# `greeting` (what the image prints).

packer {
  required_version = ">= 1.7.0"
}

variable "image" {
  type        = string
  default     = "debian:bookworm"
  description = "Base image; it must already be in the engine (pull = false)."
}

variable "repository" {
  type    = string
  default = "kiln-example/hello"
}

variable "tag" {
  type    = string
  default = "latest"
}

variable "greeting" {
  type    = string
  default = "hello from an image baked by kiln"
}

source "docker" "hello" {
  image  = var.image
  pull   = false
  commit = true
  changes = [
    "ENV GREETING=\"${var.greeting}\"",
    "WORKDIR /srv/hello",
    "ENTRYPOINT [\"/usr/local/bin/hello\"]",
    "LABEL org.opencontainers.image.title=hello",
  ]
}

build {
  sources = ["source.docker.hello"]

  # Runs as root inside the container; `set -e` (the default shebang is `/bin/sh -e`)
  # stops the build at the first failing command.
  provisioner "shell" {
    inline = [
      "mkdir -p /srv/hello /usr/local/bin",
      "echo \"built for $PACKER_BUILD_NAME by $PACKER_BUILDER_TYPE\" > /srv/hello/build-info",
    ]
  }

  # A file from the template's folder, uploaded into the container.
  provisioner "file" {
    source      = "${path.root}/hello.sh"
    destination = "/usr/local/bin/hello"
  }

  provisioner "shell" {
    environment_vars = ["GREETING=${var.greeting}"]
    inline = [
      "chmod 0755 /usr/local/bin/hello",
      "GREETING=\"$GREETING\" /usr/local/bin/hello > /srv/hello/first-run",
    ]
  }

  post-processor "docker-tag" {
    repository = var.repository
    tags       = [var.tag]
  }
}
