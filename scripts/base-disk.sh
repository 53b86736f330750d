#!/usr/bin/env bash
# The base disk kiln's qemu tests and examples boot: a minimal Debian bookworm with a kernel,
# systemd, openssh-server and GRUB, on a partitioned disk that boots through its own firmware
# path (BIOS or UEFI) as a cloud image does. No cloud image site is reachable here, only
# Debian's mirror, so the disk is made locally with mmdebstrap.
#
#   scripts/base-disk.sh ensure    build the disk unless it is cached; print its path
#   scripts/base-disk.sh path      print the path only
#   scripts/base-disk.sh rebuild   build it again; print its path
#
# The disk is ${KILN_CACHE:-${KILN_CACHE_DIR:-$HOME/.cache/kiln}}/base/debian-bookworm-amd64.qcow2
# (3 GiB virtual, about 450 MB on disk); beside it, <disk>.info records what went in (recipe,
# date, mirror, root filesystem UUID, every package with its version). Building takes a few
# minutes, once per machine; concurrent callers wait on a lock, and a half-built disk never
# appears at the final path.
#
# Inside: user "kiln", password "kiln", passwordless sudo; root has no password (locked). sshd
# takes passwords and keys. systemd-networkd asks for an address by DHCP on en*/eth* (QEMU's
# user networking answers), DNS is QEMU's 10.0.2.3. Pressing the ACPI power button
# (QMP system_powerdown) shuts the guest down (systemd-logind). The kiln-seed service hands
# SSH keys and a script to the guest at boot, by the cloud-init NoCloud convention without
# cloud-init: from a volume labelled cidata (or CIDATA), a cloud-config user-data's
# ssh_authorized_keys list is added to kiln's and root's authorized_keys, and a user-data that
# starts with "#!" is run as root.
#
# Layout (made without mounts or loop devices, every piece built as a file): an MBR disk with
# partition 1, a 64 MiB EFI system partition (FAT, EFI/BOOT/BOOTX64.EFI), and partition 2, the
# ext4 root filesystem labelled kiln-root. BIOS: GRUB's boot.img in the MBR, its core image in
# the gap before partition 1. Both GRUB images find the root filesystem by UUID and read the
# one /boot/grub/grub.cfg there: a "Debian" entry that boots /vmlinuz with /initrd.img.
#
# KILN_DEBIAN_MIRROR picks the mirror (default http://deb.debian.org/debian). Needs root (or
# sudo) and Debian's mmdebstrap, grub-pc-bin, grub-efi-amd64-bin, dosfstools, mtools, fdisk,
# e2fsprogs and qemu-utils; missing ones are installed with apt-get.
set -euo pipefail

# Bump when what goes into the disk changes: `ensure` rebuilds a disk made by another recipe.
recipe=10
mirror="${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache_dir="${KILN_CACHE:-${KILN_CACHE_DIR:-$HOME/.cache/kiln}}/base"
disk="$cache_dir/debian-bookworm-amd64.qcow2"
info="$disk.info"
self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

# The disk's geometry, in 512-byte sectors.
disk_size=3G
esp_start=2048
esp_sectors=131072
root_start=$((esp_start + esp_sectors))
guest_hostname=kiln-base
guest_user=kiln
guest_password=kiln

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { echo "base-disk: $*" >&2; }

# The packages the guest needs beyond mmdebstrap's minbase variant.
packages=(
  linux-image-amd64 initramfs-tools zstd
  systemd-sysv udev dbus
  openssh-server openssh-sftp-server
  sudo curl ca-certificates iproute2
)

# Units a build machine does not want: they slow the boot or wake up in the middle of a build
# (systemd-sysusers: the system users are made when the disk is built; the modprobe@ units load
# modules that load themselves when used). Masked rather than disabled, so that no preset
# brings them back.
masked_units=(
  apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service
  dpkg-db-backup.timer dpkg-db-backup.service
  e2scrub_all.timer e2scrub_all.service e2scrub_reap.service
  fstrim.timer fstrim.service
  man-db.timer man-db.service
  systemd-networkd-wait-online.service systemd-firstboot.service
  systemd-journal-flush.service systemd-sysusers.service systemd-network-generator.service
  systemd-random-seed.service systemd-update-utmp.service systemd-update-utmp-runlevel.service
  modprobe@drm.service modprobe@dm_mod.service modprobe@efi_pstore.service
  modprobe@loop.service modprobe@fuse.service modprobe@configfs.service
  sys-fs-fuse-connections.mount sys-kernel-config.mount sys-kernel-debug.mount
  sys-kernel-tracing.mount dev-hugepages.mount
)

# Kernel modules a QEMU guest has no use for (sound, graphics, wireless, media, InfiniBand,
# staging, ...): left out by dpkg, they neither take space nor get loaded at boot.
module_excludes=()
for dir in sound drivers/gpu drivers/media drivers/net/wireless drivers/infiniband drivers/iio \
  drivers/staging drivers/comedi drivers/mtd drivers/bluetooth drivers/isdn drivers/nfc \
  net/wireless net/mac80211 net/bluetooth; do
  module_excludes+=("--dpkgopt=path-exclude=/lib/modules/*/kernel/$dir/*")
  module_excludes+=("--dpkgopt=path-exclude=/usr/lib/modules/*/kernel/$dir/*")
done

# Drivers for emulated devices udev would load for nothing (or worse: the floppy drive is
# probed again and again): blacklisted.
blacklisted_modules=(floppy pcspkr parport_pc ppdev lp serio_raw i2c_piix4 joydev
  kvm kvm_amd kvm_intel ccp bochs bochs_drm cirrus)

# udev's part of the initramfs (see essential_hook), and device-mapper's (no LVM, no crypt).
initramfs_excludes=()
for path in hooks/udev scripts/init-top/udev scripts/init-bottom/udev hooks/dmsetup; do
  initramfs_excludes+=("--dpkgopt=path-exclude=/usr/share/initramfs-tools/$path")
done

# systemd generators for what the disk does not have (encrypted, verity or integrity volumes,
# GPT auto-discovery, hibernation, SysV scripts, rc.local, system updates): masked too, since
# each costs a process start at boot.
masked_generators=(
  systemd-cryptsetup-generator systemd-veritysetup-generator systemd-integritysetup-generator
  systemd-gpt-auto-generator systemd-hibernate-resume-generator systemd-system-update-generator
  systemd-sysv-generator systemd-rc-local-generator systemd-debug-generator systemd-run-generator
)

host_tools() {
  local need=()
  command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
  [ -f /usr/lib/grub/i386-pc/boot.img ] || need+=(grub-pc-bin)
  [ -f /usr/lib/grub/x86_64-efi/kernel.img ] || need+=(grub-efi-amd64-bin)
  command -v grub-mkimage >/dev/null 2>&1 || need+=(grub-common)
  command -v mkfs.vfat >/dev/null 2>&1 || need+=(dosfstools)
  command -v mcopy >/dev/null 2>&1 || need+=(mtools)
  command -v sfdisk >/dev/null 2>&1 || need+=(fdisk)
  command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
  command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
  command -v dpkg-query >/dev/null 2>&1 || need+=(dpkg)
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# mmdebstrap --essential-hook: runs before the kernel is installed, so that its initramfs is
# built once, small and quick to boot: it loads the virtio disk driver and ext4 and finds the
# root filesystem with blkid; the drivers for a root disk on SCSI, IDE, SATA or NVMe are loaded
# only when the root filesystem is not found at once. udev is left out of it (see
# initramfs_excludes): under emulation, udev's pass over every device in the initramfs costs
# more than the rest of the boot to SSH, and so does loading drivers for nothing.
essential_hook() {
  local root="$1"
  mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/etc/initramfs-tools/hooks" \
    "$root/etc/initramfs-tools/scripts/local-block"
  cat >"$root/etc/initramfs-tools/conf.d/kiln.conf" <<'EOF'
# kiln base disk: a small initramfs with the root disk drivers QEMU machines use.
MODULES=list
COMPRESS=zstd
COMPRESSLEVEL=19
RESUME=none
EOF
  cat >"$root/etc/initramfs-tools/hooks/kiln-modules" <<'EOF'
#!/bin/sh
# kiln base disk: the virtio disk driver and ext4 are loaded at boot (there is no udev in this
# initramfs to load drivers); the kiln-disks local-block script loads the others when needed.
# blkid resolves root=UUID=.
[ "${1:-}" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
for module in virtio_pci virtio_blk crc32c_generic ext4; do
  force_load "$module"
done
manual_add_modules virtio_scsi sd_mod ata_piix ahci nvme
copy_exec /sbin/blkid /sbin
EOF
  cat >"$root/etc/initramfs-tools/scripts/local-block/kiln-disks" <<'EOF'
#!/bin/sh
# kiln base disk: runs while the root filesystem is not found: the root disk is not on virtio.
[ "${1:-}" = prereqs ] && exit 0
for module in virtio_scsi sd_mod ata_piix ahci nvme; do
  modprobe -q "$module"
done
EOF
  chmod 755 "$root/etc/initramfs-tools/scripts/local-block/kiln-disks"
  chmod 755 "$root/etc/initramfs-tools/hooks/kiln-modules"
}

# mmdebstrap --customize-hook: configures the installed system (mmdebstrap has /proc and /dev
# set up in the chroot at this point).
customize_hook() {
  local root="$1"
  echo "$guest_hostname" >"$root/etc/hostname"
  cat >"$root/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$guest_hostname
::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
EOF
  # QEMU's user networking answers DNS at 10.0.2.3.
  rm -f "$root/etc/resolv.conf"
  echo "nameserver 10.0.2.3" >"$root/etc/resolv.conf"

  chroot "$root" useradd --create-home --shell /bin/bash --groups sudo "$guest_user"
  echo "$guest_user:$guest_password" | chroot "$root" chpasswd
  chroot "$root" passwd --lock root >/dev/null
  echo "$guest_user ALL=(ALL) NOPASSWD:ALL" >"$root/etc/sudoers.d/kiln"
  chmod 440 "$root/etc/sudoers.d/kiln"

  mkdir -p "$root/etc/ssh/sshd_config.d"
  cat >"$root/etc/ssh/sshd_config.d/kiln.conf" <<'EOF'
# kiln base disk: password and key logins.
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UseDNS no
EOF

  printf 'blacklist %s\n' "${blacklisted_modules[@]}" >"$root/etc/modprobe.d/kiln-blacklist.conf"

  mkdir -p "$root/etc/systemd/network"
  cat >"$root/etc/systemd/network/20-wired.network" <<'EOF'
# kiln base disk: an address by DHCP on the wired interfaces (QEMU's user networking answers).
[Match]
Name=en* eth*

[Network]
DHCP=ipv4
EOF

  cat >"$root/usr/local/sbin/kiln-seed" <<'EOF'
#!/bin/sh
# kiln-seed: hands SSH keys and a script to this machine at boot, by the cloud-init NoCloud
# convention (a volume labelled cidata or CIDATA holding user-data) without cloud-init.
#  - a cloud-config user-data's `ssh_authorized_keys:` list is added to the authorized_keys of
#    kiln and root;
#  - a user-data that starts with "#!" is run as root (KILN_SEED_DIR names the mounted volume).
# It runs once per boot, before sshd starts; udev starts it again if a cidata volume shows up
# later than the devices found at boot.
set -u

done_marker=/run/kiln-seed.done
[ -e "$done_marker" ] && exit 0
# The driver of the controller a seed CD-ROM hangs on (IDE, SATA, virtio-scsi) may not be
# loaded yet. Loading it returns once its drives are found, so there is no need to wait for
# udev to go through every device.
modules=sr_mod
for pci in /sys/bus/pci/devices/*; do
  case "$(cat "$pci/class")" in
    0x0101*) modules="ata_piix $modules" ;;
    0x010601) modules="ahci $modules" ;;
    0x010000)
      case "$(cat "$pci/vendor"):$(cat "$pci/device")" in
        0x1af4:0x1004 | 0x1af4:0x1048) modules="virtio_scsi $modules" ;;
      esac
      ;;
  esac
done
modprobe -q -a $modules 2>/dev/null || true
# One pass over the block devices.
dev=$(blkid 2>/dev/null | sed -n 's/^\([^:]*\):.* LABEL="\(cidata\|CIDATA\)".*/\1/p' | head -n 1)
[ -n "$dev" ] || exit 0
: >"$done_marker"

dir=$(mktemp -d /run/kiln-seed.XXXXXX)
if ! mount -o ro "$dev" "$dir"; then
  echo "kiln-seed: cannot mount $dev" >&2
  rmdir "$dir"
  exit 1
fi
status=0
# Not in /run: it is mounted noexec.
mkdir -p -m 700 /var/lib/kiln-seed
userdata=$(mktemp /var/lib/kiln-seed/user-data.XXXXXX)
if [ -f "$dir/user-data" ]; then
  tr -d '\r' <"$dir/user-data" >"$userdata"
fi

# The items of every `ssh_authorized_keys:` list, quotes removed.
awk '
  /^[ \t]*ssh_authorized_keys:[ \t]*$/ { inlist = 1; next }
  inlist && /^[ \t]*-[ \t]+[^ \t]/ {
    key = $0
    sub(/^[ \t]*-[ \t]+/, "", key)
    sub(/[ \t]+$/, "", key)
    if (key ~ /^".*"$/ || key ~ /^\047.*\047$/) key = substr(key, 2, length(key) - 2)
    print key
    next
  }
  inlist && /^[ \t]*(#.*)?$/ { next }
  { inlist = 0 }
' "$userdata" >"$userdata.keys"
if [ -s "$userdata.keys" ]; then
  for entry in kiln:/home/kiln root:/root; do
    user=${entry%%:*}
    home=${entry#*:}
    mkdir -p "$home/.ssh"
    touch "$home/.ssh/authorized_keys"
    while IFS= read -r key; do
      grep -qxF "$key" "$home/.ssh/authorized_keys" || echo "$key" >>"$home/.ssh/authorized_keys"
    done <"$userdata.keys"
    chmod 700 "$home/.ssh"
    chmod 600 "$home/.ssh/authorized_keys"
    chown -R "$user:$user" "$home/.ssh"
  done
  echo "kiln-seed: added $(wc -l <"$userdata.keys") SSH key(s) from $dev"
fi

if [ "$(head -c 2 "$userdata")" = "#!" ]; then
  chmod 700 "$userdata"
  echo "kiln-seed: running user-data from $dev"
  (cd "$dir" && KILN_SEED_DIR="$dir" "$userdata") || {
    status=$?
    echo "kiln-seed: user-data exited with $status" >&2
  }
fi

rm -f "$userdata" "$userdata.keys"
umount "$dir" && rmdir "$dir"
exit "$status"
EOF
  chmod 755 "$root/usr/local/sbin/kiln-seed"

  # Started at boot (sshd waits for it), and by udev when a volume labelled cidata shows up.
  cat >"$root/etc/systemd/system/kiln-seed.service" <<'EOF'
[Unit]
Description=kiln seed: SSH keys and a script from a cidata volume
Documentation=file:/usr/local/sbin/kiln-seed
After=local-fs.target
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kiln-seed
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
EOF

  cat >"$root/etc/udev/rules.d/90-kiln-seed.rules" <<'EOF'
# kiln base disk: seed the machine from a volume labelled cidata (see kiln-seed.service).
SUBSYSTEM=="block", ACTION=="add|change", ENV{ID_FS_LABEL}=="cidata|CIDATA", TAG+="systemd", ENV{SYSTEMD_WANTS}+="kiln-seed.service"
EOF

  # sshd checks its configuration when it starts anyway: no separate `sshd -t` at each boot.
  mkdir -p "$root/etc/systemd/system/ssh.service.d"
  cat >"$root/etc/systemd/system/ssh.service.d/kiln.conf" <<'EOF'
[Service]
ExecStartPre=
EOF

  chroot "$root" systemctl enable --quiet systemd-networkd.service kiln-seed.service ssh.service
  local unit
  for unit in "${masked_units[@]}"; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  mkdir -p "$root/etc/systemd/system-generators"
  for unit in "${masked_generators[@]}"; do
    ln -sf /dev/null "$root/etc/systemd/system-generators/$unit"
  done
  # Each machine made from the disk gets its own machine id at its first boot.
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
}

# Writes what only the finished tree and the root filesystem's UUID decide: fstab, GRUB's
# configuration and modules. The root filesystem is not checked at boot (pass 0): ext4's
# journal makes it consistent, and a check costs seconds under emulation.
finish_tree() {
  local root="$1" uuid="$2"
  cat >"$root/etc/fstab" <<EOF
# <file system>	<mount point>	<type>	<options>	<dump>	<pass>
UUID=$uuid	/	ext4	errors=remount-ro	0	0
EOF
  mkdir -p "$root/boot/grub"
  # The linux line comes first in the entry so that GRUB's editor opens on it.
  cat >"$root/boot/grub/grub.cfg" <<EOF
# kiln base disk: one entry; GRUB's BIOS and UEFI images both read this file.
set timeout=1
set default=0
if serial --unit=0 --speed=115200; then
  terminal_input --append serial
  terminal_output --append serial
fi

menuentry "Debian" {
	linux /vmlinuz root=UUID=$uuid ro console=ttyS0,115200 console=tty0 quiet
	initrd /initrd.img
}
EOF
  # GRUB's modules, for what the embedded ones do not cover (insmod from the editor).
  local platform
  for platform in i386-pc x86_64-efi; do
    mkdir -p "$root/boot/grub/$platform"
    cp /usr/lib/grub/"$platform"/*.mod /usr/lib/grub/"$platform"/*.lst "$root/boot/grub/$platform/"
  done
}

# Prints the GRUB configuration embedded in both images: find the root filesystem by UUID
# and read its /boot/grub/grub.cfg.
early_config() {
  local uuid="$1"
  cat <<EOF
search --no-floppy --fs-uuid --set=root $uuid
set prefix=(\$root)/boot/grub
EOF
}

build() {
  host_tools
  mkdir -p "$cache_dir"
  local work
  work="$(mktemp -d "$cache_dir/.build.XXXXXX")"
  # mmdebstrap mounts /proc and /sys in the tree while it runs; an interrupted run must not
  # leave them there, nor must removing the tree descend into them.
  trap 'cleanup_work "'"$work"'"' EXIT
  local root="$work/root"
  local uuid
  uuid="$(cat /proc/sys/kernel/random/uuid)"

  say "installing Debian bookworm with mmdebstrap from $mirror (a few minutes)"
  local include
  include="$(
    IFS=,
    echo "${packages[*]}"
  )"
  # The mirror is given on the command line: without one, mmdebstrap reads sources from stdin.
  $SUDO mmdebstrap --quiet --variant=minbase --format=directory \
    --include="$include" \
    --aptopt='Apt::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    "${module_excludes[@]}" "${initramfs_excludes[@]}" \
    --essential-hook="\"$self\" _essential-hook \"\$1\"" \
    --customize-hook="\"$self\" _customize-hook \"\$1\"" \
    bookworm "$root" "$mirror" </dev/null

  finish_tree "$root" "$uuid"
  local kernel
  kernel="$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package} ${Version}\n' 'linux-image-*-amd64' | head -n 1)"
  [ -e "$root/vmlinuz" ] && [ -e "$root/initrd.img" ] || {
    say "the tree has no /vmlinuz or /initrd.img"
    exit 1
  }

  say "making the bootloader images"
  early_config "$uuid" >"$work/early.cfg"
  # The BIOS image goes into the gap between the MBR and partition 1; its first sector
  # (diskboot.img) lists the sectors of the rest, starting at sector 2 by default.
  grub-mkimage -O i386-pc -o "$work/core.img" -c "$work/early.cfg" -p '(hd0,msdos2)/boot/grub' \
    biosdisk part_msdos ext2 search search_fs_uuid configfile normal linux echo test serial terminal
  grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -c "$work/early.cfg" -p '(hd0,msdos2)/boot/grub' \
    part_msdos ext2 fat search search_fs_uuid configfile normal linux echo test serial terminal \
    efi_gop all_video
  local core_size
  core_size="$(stat -c %s "$work/core.img")"
  if [ "$core_size" -gt $(((esp_start - 1) * 512)) ]; then
    say "GRUB's core image ($core_size bytes) does not fit before partition 1"
    exit 1
  fi

  say "making the EFI system partition"
  truncate -s $((esp_sectors * 512)) "$work/esp.img"
  mkfs.vfat -F 32 -s 1 -n EFI "$work/esp.img" >/dev/null
  mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
  mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

  say "making the disk"
  truncate -s "$disk_size" "$work/disk.raw"
  local disk_bytes
  disk_bytes="$(stat -c %s "$work/disk.raw")"
  sfdisk --quiet "$work/disk.raw" <<EOF
label: dos
unit: sectors

start=$esp_start, size=$esp_sectors, type=ef
start=$root_start, type=83, bootable
EOF
  local root_bytes=$((disk_bytes - root_start * 512))
  say "making the root filesystem ($((root_bytes / 1024 / 1024)) MiB)"
  truncate -s "$root_bytes" "$work/root.img"
  # GRUB 2.06 reads neither metadata_csum_seed nor orphan_file: keep them off whatever the
  # host's mke2fs defaults are.
  mkfs.ext4 -q -F -d "$root" -U "$uuid" -L kiln-root -O ^metadata_csum_seed,^orphan_file \
    "$work/root.img"
  dd if="$work/esp.img" of="$work/disk.raw" bs=512 seek="$esp_start" conv=notrunc,sparse status=none
  dd if="$work/root.img" of="$work/disk.raw" bs=1M seek=$((root_start * 512 / 1048576)) \
    conv=notrunc,sparse status=none
  # boot.img's code only (its first 440 bytes: the partition table stays); it loads the
  # sector its kernel-sector field names, 1 by default, where the core image goes.
  dd if=/usr/lib/grub/i386-pc/boot.img of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
  # As grub-bios-setup does on a hard disk: two NOPs over the jump that skips the check of
  # the boot drive number the BIOS passed (some BIOSes pass a wrong one).
  printf '\x90\x90' | dd of="$work/disk.raw" bs=1 seek=$((0x66)) conv=notrunc status=none
  dd if="$work/core.img" of="$work/disk.raw" bs=512 seek=1 conv=notrunc status=none

  say "converting to qcow2"
  qemu-img convert -O qcow2 "$work/disk.raw" "$work/disk.qcow2"
  rm -f "$work/disk.raw" "$work/root.img" "$work/esp.img"

  {
    echo "# kiln base disk: what went in"
    echo "recipe: $recipe"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "distribution: Debian bookworm amd64"
    echo "mirror: $mirror"
    echo "kernel: $kernel"
    echo "root-uuid: $uuid"
    echo "login: $guest_user/$guest_password (passwordless sudo)"
    echo "size: $disk_size (MBR: 1 = EFI system partition, 2 = ext4 root kiln-root)"
    echo "packages:"
    dpkg-query --admindir="$root/var/lib/dpkg" -W -f='  ${Package} ${Version}\n'
  } >"$work/disk.qcow2.info"

  # The sidecar first: the disk's presence at the final path means the build finished.
  mv -f "$work/disk.qcow2.info" "$info"
  mv -f "$work/disk.qcow2" "$disk"
  say "made $disk"
}

cleanup_work() {
  local work="$1" mounts
  mounts="$(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r)"
  if [ -n "$mounts" ]; then
    local m
    while IFS= read -r m; do
      $SUDO umount -l "$m" 2>/dev/null || true
    done <<<"$mounts"
  fi
  if awk -v w="$work/" 'index($2, w) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    say "left $work in place: something is still mounted below it"
    return
  fi
  $SUDO rm -rf "$work"
}

# Whether the cached disk exists and was made by this recipe.
current() {
  [ -s "$disk" ] && [ -f "$info" ] && grep -qx "recipe: $recipe" "$info"
}

ensure() {
  local force="$1"
  if ! $force && current; then
    echo "$disk"
    return
  fi
  mkdir -p "$cache_dir"
  exec 9>"$cache_dir/.debian-bookworm-amd64.lock"
  if ! flock -n 9; then
    say "another build of the base disk is running; waiting for it"
    flock 9
    force=false
  fi
  if $force || ! current; then
    build
  fi
  echo "$disk"
}

case "${1:-}" in
  ensure) ensure false ;;
  rebuild) ensure true ;;
  path) echo "$disk" ;;
  _essential-hook) essential_hook "$2" ;;
  _customize-hook) customize_hook "$2" ;;
  *)
    echo "usage: $0 ensure|path|rebuild" >&2
    exit 2
    ;;
esac
