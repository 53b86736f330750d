# A VM disk image from a base disk, the way teams bake cloud images: boot the
# base disk under QEMU, hand the guest a temporary SSH key on a `cidata` CD (the
# cloud-init NoCloud convention), provision over SSH, reboot, shut down, and keep
# the disk as a compressed qcow2 in var.output_dir.
#
# The base disk is a minimal Debian made locally with mmdebstrap (no cloud image
# site is needed): it boots with BIOS or UEFI, answers DHCP on QEMU's user
# network, and a small boot service installs the keys found on a CD labelled
# `cidata` (user `kiln`, passwordless sudo).
#
#   scripts/setup-host.sh                        # qemu-system-x86, qemu-utils, xorriso, ovmf, ...
#   scripts/base-disk.sh ensure                  # ~/.cache/kiln/base/debian-bookworm-amd64.qcow2
#   kiln build -var base_disk=$(scripts/base-disk.sh path) examples/qemu/
#
# Without an accelerator, kiln uses KVM where it really runs a guest; otherwise
# it says why and falls back to TCG (software emulation: slower, but it boots
# this disk in seconds).

variable "base_disk" {
  type        = string
  description = "Path or URL of the base disk (qcow2)."
}

variable "output_dir" {
  type    = string
  default = "output-qemu"
}

variable "accelerator" {
  type        = string
  default     = ""
  description = "kvm, tcg, ... ; empty: KVM if it really runs a guest here, else TCG."
}

source "qemu" "debian" {
  # The base disk is the "ISO": with disk_image = true it is copied (or used as a
  # backing file) instead of being booted as an installer.
  iso_url      = var.base_disk
  iso_checksum = "none"
  disk_image   = true
  format       = "qcow2"
  disk_size    = "4G"

  accelerator = var.accelerator
  cpus        = 1
  memory      = 1024
  headless    = true

  # The temporary key pair kiln makes for this build goes to the guest on a CD
  # the guest's seed service reads; {{ .SSHPublicKey }} is filled in when the CD
  # is made.
  cd_label = "cidata"
  cd_content = {
    "meta-data" = ""
    "user-data" = "#cloud-config\nssh_authorized_keys:\n  - {{ .SSHPublicKey }}\n"
  }
  ssh_username = "kiln"
  ssh_timeout  = "5m"

  shutdown_command = "sudo shutdown -P now"
  output_directory = var.output_dir
  vm_name          = "debian.qcow2"
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    inline = [
      "echo \"baked by kiln on $(date -u +%Y-%m-%d)\" | sudo tee /etc/motd",
      "sudo mkdir -p /opt/app",
    ]
  }

  provisioner "file" {
    content     = "APP_ENV=production\n"
    destination = "/tmp/app.env"
  }

  provisioner "shell" {
    inline = ["sudo mv /tmp/app.env /opt/app/app.env"]
  }

  # A reboot in the middle of provisioning: the connection drops, kiln reconnects.
  provisioner "shell" {
    inline            = ["sudo systemctl reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before = "5s"
    inline       = ["cat /opt/app/app.env", "uptime"]
  }

  post-processor "checksum" {
    checksum_types = ["sha256"]
    output         = "${var.output_dir}/{{.BuildName}}.{{.ChecksumType}}"
  }
}
