#!/usr/bin/env bash
# Installs the host packages kiln's tests and examples need, from Debian's archive.
# Idempotent: skips what is already there. Needs root (or sudo) for apt-get.
set -euo pipefail

need=()
# Debian's packer 1.6.6 is the reference implementation the tests compare against.
command -v packer >/dev/null 2>&1 || need+=(packer)
# The compress post-processor runs xz and lz4; tests read archives back with unzip and tar.
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v lz4 >/dev/null 2>&1 || need+=(lz4)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v tar >/dev/null 2>&1 || need+=(tar)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
# The docker builder, communicator and post-processors run against a real engine
# (scripts/docker-env.sh starts it); base images are made with mmdebstrap
# (scripts/base-image.sh); push tests use a local registry (scripts/registry.sh).
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v curl >/dev/null 2>&1 || need+=(curl)
# The SSH communicator's tests run a throwaway sshd on 127.0.0.1 (test/support/sshd.ts).
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# ...and reach it through real SOCKS5 proxies: `ssh -D` (openssh-client) and microsocks
# (username/password authentication).
command -v microsocks >/dev/null 2>&1 || need+=(microsocks)
# The qemu builder runs QEMU and qemu-img, makes CDs with xorriso and floppies with
# mtools/dosfstools, boots UEFI guests with OVMF; scripts/base-disk.sh makes the base disk
# with mmdebstrap and GRUB's BIOS and EFI images.
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
command -v xorriso >/dev/null 2>&1 || need+=(xorriso)
command -v mcopy >/dev/null 2>&1 || need+=(mtools)
command -v mkfs.vfat >/dev/null 2>&1 || need+=(dosfstools)
[ -d /usr/share/OVMF ] || need+=(ovmf)
[ -d /usr/lib/grub/i386-pc ] || need+=(grub-pc-bin)
[ -d /usr/lib/grub/x86_64-efi ] || need+=(grub-efi-amd64-bin)
command -v sfdisk >/dev/null 2>&1 || need+=(fdisk)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
