// The qemu builder (github.com/hashicorp/qemu): boots a VM from an ISO or a
// disk image with QEMU, provisions it and keeps its disk.

import { checkCommunicator, communicatorConfig } from "../../communicators/schema.js";
import { bootCommandConfig } from "../../components/common/bootcommand.js";
import { cdConfig } from "../../components/common/cd.js";
import { floppyConfig } from "../../components/common/floppy.js";
import { checkHTTP, httpConfig } from "../../components/common/http.js";
import { checkISO, isoConfig } from "../../components/common/iso.js";
import { shutdownConfig } from "../../components/common/shutdown.js";
import {
  type ComponentSchema,
  type ConfigSchema,
  type FieldSpec,
  field,
  flag,
  isSet,
  isUnknown,
  mergeFields,
  num,
  type PlainConfig,
  str,
} from "../../components/schema.js";
import { Type } from "../../hcl/cty/type.js";

const comm = communicatorConfig("ssh");

// "auto" is kiln's: the same as leaving accelerator unset (see accel.ts).
const accelerators = ["none", "kvm", "tcg", "xen", "hax", "hvf", "whpx", "auto"];
const diskInterfaces = ["ide", "sata", "scsi", "virtio", "virtio-scsi"];
const diskCaches = ["writethrough", "writeback", "none", "unsafe", "directsync"];
const diskDiscards = ["unmap", "ignore"];
const detectZeroes = ["unmap", "on", "off"];

const qemuImgArgs: ConfigSchema = {
  fields: {
    convert: field.stringList("Extra arguments to qemu-img convert, before its own."),
    create: field.stringList("Extra arguments to qemu-img create, before its own."),
    resize: field.stringList("Extra arguments to qemu-img resize, before its own."),
  },
};

const qemuFields: Record<string, FieldSpec> = {
  iso_skip_cache: field.bool(
    "Boot from iso_url directly (QEMU's curl block driver) instead of downloading it; implies iso_checksum none.",
  ),
  accelerator: field.string(
    'Accelerator: none, kvm, tcg, xen, hax, hvf or whpx. Unset (or kiln\'s "auto"): kvm when it really runs a guest here (kiln boots a test machine to check), else tcg with a warning.',
  ),
  disk_additional_size: field.stringList(
    'Sizes of extra disks to create ("10G", ...), named after vm_name with -1, -2...',
  ),
  cpus: field.number(
    "Number of virtual CPUs (default 1, or sockets*cores*threads when a topology is given).",
  ),
  sockets: field.number("Number of CPU sockets."),
  cores: field.number("Number of cores per socket."),
  threads: field.number("Number of threads per core."),
  cpu_model: field.string('CPU model for QEMU\'s -cpu option (e.g. "host").'),
  firmware: field.string("Firmware file for QEMU (-bios, or a pflash drive with use_pflash)."),
  use_pflash: field.bool("Attach firmware as a pflash drive instead of passing it with -bios."),
  efi_boot: field.bool(
    "Boot in UEFI mode; implied when efi_firmware_code or efi_firmware_vars is set.",
  ),
  efi_firmware_code: field.string(
    "OVMF CODE file for UEFI boot (default /usr/share/OVMF/OVMF_CODE.fd).",
  ),
  efi_firmware_vars: field.string(
    "OVMF VARS file copied for the VM's UEFI variables (default /usr/share/OVMF/OVMF_VARS.fd).",
  ),
  efi_drop_efivars: field.bool("Leave the UEFI variables file out of the output artifact."),
  disk_interface: field.string("Disk interface: ide, sata, scsi, virtio or virtio-scsi.", {
    default: "virtio",
  }),
  disk_size: field.string(
    "Size of the disk, with an optional b/k/m/g/t suffix; a bare number means megabytes.",
    { default: "40960M" },
  ),
  skip_resize_disk: field.bool("Do not resize a disk_image to disk_size."),
  disk_cache: field.string(
    "Disk cache mode: writethrough, writeback, none, unsafe or directsync.",
    {
      default: "writeback",
    },
  ),
  disk_discard: field.string("Disk discard mode: unmap or ignore.", { default: "ignore" }),
  disk_detect_zeroes: field.string("Disk detect-zeroes mode: unmap, on or off.", {
    default: "off",
  }),
  skip_compaction: field.bool("Do not compact the qcow2 disk with qemu-img convert at the end."),
  disk_compression: field.bool("Compress the qcow2 disk when compacting it."),
  format: field.string("Output disk format: qcow2 or raw.", { default: "qcow2" }),
  headless: field.bool("Run without a graphical console (VNC stays available)."),
  disk_image: field.bool("iso_url is a bootable disk image to start from, not an installer ISO."),
  use_backing_file: field.bool(
    "With disk_image and qcow2, create an overlay backed by the source image instead of a copy.",
  ),
  machine_type: field.string("QEMU machine type (-machine type=...).", { default: "pc" }),
  memory: field.number("Memory in megabytes (values under 10 mean the default).", {
    default: 512,
  }),
  net_device: field.string("Network device model for the VM's interface.", {
    default: "virtio-net",
  }),
  net_bridge: field.string(
    "Bridge to connect the network to instead of user-mode networking (Linux only; enables QMP).",
  ),
  output_directory: field.string(
    "Directory for the built disk; must not exist (default output-<build name>).",
  ),
  qemuargs: {
    type: Type.list(Type.list(Type.string)),
    doc: "Extra QEMU command-line switches, each a list: the switch, then values joined without separator.",
  },
  qemu_binary: field.string("QEMU binary to run.", { default: "qemu-system-x86_64" }),
  qmp_enable: field.bool("Enable the QMP monitor socket."),
  qmp_socket_path: field.string(
    "Path of the QMP socket (default <output_directory>/<vm_name>.monitor).",
  ),
  use_default_display: field.bool("Pass no -display option, letting QEMU choose."),
  display: field.string('QEMU -display option (default gtk; "none" passes none).'),
  vnc_bind_address: field.string("Address VNC listens on.", { default: "127.0.0.1" }),
  vnc_use_password: field.bool("Protect VNC with a random password (enables QMP)."),
  vnc_port_min: field.number("Lowest VNC port to use (not below 5900).", { default: 5900 }),
  vnc_port_max: field.number("Highest VNC port to use.", { default: 6000 }),
  vm_name: field.string("Name of the output disk file (default packer-<build name>)."),
  cdrom_interface: field.string(
    "Interface for CD-ROM drives: ide, scsi, virtio or virtio-scsi (default: QEMU's).",
  ),
  vtpm: field.bool("Give the VM an emulated TPM (needs swtpm)."),
  use_tpm1: field.bool("Emulate TPM 1.2 instead of 2.0."),
  tpm_device_type: field.string("TPM device model: tpm-tis, tpm-tis-device or tpm-spapr.", {
    default: "tpm-tis",
  }),
  run_once: field.bool("Deprecated; has no effect."),
  host_port_min: field.number("Lowest host port forwarded to the communicator port.", {
    default: 2222,
    aliases: ["ssh_host_port_min"],
  }),
  host_port_max: field.number("Highest host port forwarded to the communicator port.", {
    default: 4444,
    aliases: ["ssh_host_port_max"],
  }),
  skip_nat_mapping: field.bool(
    "Do not forward a host port; connect to ssh_port/winrm_port on the host directly.",
  ),
};

export const schema: ComponentSchema = {
  kind: "builder",
  type: "qemu",
  plugin: "github.com/hashicorp/qemu",
  config: {
    fields: mergeFields(
      httpConfig.fields,
      isoConfig.fields,
      bootCommandConfig.fields,
      shutdownConfig.fields,
      comm.fields,
      floppyConfig.fields,
      cdConfig.fields,
      qemuFields,
    ),
    blocks: {
      qemu_img_args: {
        schema: qemuImgArgs,
        nesting: "single",
        doc: "Extra arguments for the qemu-img convert, create and resize commands.",
      },
    },
    finalize: finalizeQemu,
    check: checkQemu,
    warn: (config) => checkISO(config).warnings,
  },
};

function finalizeQemu(config: PlainConfig, given: ReadonlySet<string>): void {
  httpConfig.finalize?.(config, given);
  comm.finalize?.(config, given);
  const size = config.disk_size;
  if (size === "0") delete config.disk_size;
  else if (typeof size === "string" && /^\d+$/.test(size)) config.disk_size = `${size}M`;
  if (typeof config.memory === "number" && config.memory < 10) delete config.memory;
  if (flag(config, "iso_skip_cache")) config.iso_checksum = "none";
  // UEFI: setting either firmware file implies efi_boot, which defaults both.
  if (str(config, "efi_firmware_code") !== "" || str(config, "efi_firmware_vars") !== "") {
    config.efi_boot = true;
  }
  if (flag(config, "efi_boot")) {
    if (str(config, "efi_firmware_code") === "") {
      config.efi_firmware_code = "/usr/share/OVMF/OVMF_CODE.fd";
    }
    if (str(config, "efi_firmware_vars") === "") {
      config.efi_firmware_vars = "/usr/share/OVMF/OVMF_VARS.fd";
    }
  }
  const format = str(config, "format") || "qcow2";
  if (format !== "qcow2" && !isUnknown(format)) {
    config.skip_compaction = true;
    config.disk_compression = false;
  }
  if (flag(config, "use_backing_file")) config.skip_compaction = true;
  if (str(config, "net_bridge") !== "" || flag(config, "vnc_use_password")) {
    config.qmp_enable = true;
  }
  if (flag(config, "skip_nat_mapping")) {
    if (str(config, "ssh_host") === "") config.ssh_host = "127.0.0.1";
    if (str(config, "winrm_host") === "") config.winrm_host = "127.0.0.1";
  }
}

/** The qemu builder's Prepare errors that need no file access, in the plugin's order. */
function checkQemu(config: PlainConfig): string[] {
  const errs: string[] = [];
  const size = str(config, "disk_size");
  if (!isUnknown(size) && !/^\d+(b|k|m|g|t)?$/.test(size.toLowerCase())) {
    errs.push("Invalid disk size.");
  }
  errs.push(...(bootCommandConfig.check?.(config, new Set()) ?? []));
  errs.push(...checkISO(config).errors);
  errs.push(...checkHTTP(config));
  errs.push(...checkCommunicator(config));
  const known = (k: string) => !isUnknown(config[k]);
  if (known("host_port_min") && known("host_port_max")) {
    if (num(config, "host_port_min") > num(config, "host_port_max")) {
      errs.push("host_port_min must be less than host_port_max");
    }
    if (num(config, "host_port_min") < 0) errs.push("host_port_min must be positive");
  }
  const format = str(config, "format");
  if (!isUnknown(format) && format !== "qcow2" && format !== "raw") {
    errs.push("invalid format, only 'qcow2' or 'raw' are allowed");
  }
  if (flag(config, "use_backing_file") && known("disk_image") && known("format")) {
    if (!(flag(config, "disk_image") && format === "qcow2")) {
      errs.push(
        "use_backing_file can only be enabled for QCOW2 images and when disk_image is true",
      );
    }
  }
  if (flag(config, "skip_resize_disk") && known("disk_image") && !flag(config, "disk_image")) {
    errs.push("skip_resize_disk can only be used when disk_image is true");
  }
  const oneOf = (k: string, allowed: string[], msg: string) => {
    const v = str(config, k);
    if (v !== "" && !isUnknown(v) && !allowed.includes(v)) errs.push(msg);
  };
  oneOf(
    "accelerator",
    accelerators,
    "invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed",
  );
  oneOf("disk_interface", diskInterfaces, "unrecognized disk interface type");
  oneOf("disk_cache", diskCaches, "unrecognized disk cache type");
  oneOf("disk_discard", diskDiscards, "unrecognized disk discard type");
  oneOf("disk_detect_zeroes", detectZeroes, "unrecognized disk detect zeroes setting");
  for (const k of ["cpus", "sockets", "cores", "threads"]) {
    if (num(config, k) < 0) errs.push(`${k} must be a positive number`);
  }
  if (known("vnc_port_min") && known("vnc_port_max")) {
    const [min, max] = [num(config, "vnc_port_min"), num(config, "vnc_port_max")];
    if (min < 5900) errs.push("vnc_port_min cannot be below 5900");
    if (min > 65535 || max > 65535) {
      errs.push("vmc_port_min and vnc_port_max must both be below 65535 to be valid TCP ports");
    }
    if (min > max) errs.push("vnc_port_min must be less than vnc_port_max");
  }
  if (isSet(config, "net_bridge") && process.platform !== "linux") {
    errs.push("net_bridge is only supported in Linux based OSes");
  }
  return errs;
}
